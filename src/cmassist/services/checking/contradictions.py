"""Facts that contradict the brand's fact sheet: a day the place is closed, another
place's hours, a wrong price for a named product, a promise a policy forbids (negation
understood on both sides)."""

from __future__ import annotations

from cmassist.services.checking.context import CheckContext


def check_contradictions(ctx: CheckContext) -> None:
    """Findings `contradicted_fact` for what the text states against the fact sheet."""
    return None
