"""The shape of a generated text: the brief's instructions copied into it, few-shot
scaffolding, a text cut off mid-sentence, near-copies of past posts and replies, and the
hashtags a platform requires."""

from __future__ import annotations

from cmassist.services.checking.context import CheckContext


def check_shape(ctx: CheckContext) -> None:
    """Findings `copied_brief`, `scaffolding`, `cut_off`, `near_copy`, `required_hashtag`."""
    return None
