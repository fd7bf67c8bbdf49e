"""Names (products, places, programmes, people) that the brand's store does not know."""

from __future__ import annotations

from cmassist.services.checking.context import CheckContext


def check_names(ctx: CheckContext) -> None:
    """Findings `unknown_name` for names the brand never wrote and its fact sheet lacks."""
    return None
