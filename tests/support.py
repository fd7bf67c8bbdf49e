"""Small helpers shared by test modules."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cmassist.bootstrap import Services
    from cmassist.domain.messages import MessageView


def wait_until(condition: Callable[[], bool], timeout: float = 30.0) -> bool:
    """Poll `condition` until it holds or `timeout` seconds pass; its last value."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


def model_answers(services: Services, m: MessageView) -> bool:
    """An English inbox message the model answers: no holding statement or reply template
    is due for it, no past reply adapts to it and no reply is composed for it
    (`drafting.compose`), so that the fake model's English reply is the one drafted."""
    from cmassist.domain.models import Kind
    from cmassist.domain.triage import Triage
    from cmassist.services.drafting.context import gather_context
    from cmassist.services.drafting.service import reply_job

    triage = Triage.from_public(m.triage) if m.triage else None
    if m.language != "en" or services.replies.statement_for(m, triage) is not None:
        return False
    sheet = services.checker.profile(m.brand).factsheet
    ctx = gather_context(
        services.store, m.brand, m.text, "en", Kind.REPLY, None, "replies", factsheet=sheet
    )
    return reply_job(services.drafting, m.text, m.brand, ctx, None, 1).adapted is None
