"""A crisis alert: a spike of negative messages on one topic of a brand, against that
topic's own baseline, and the holding-statement drafts written for it."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel


class AlertView(BaseModel):
    """A crisis alert: a spike of negative messages on one topic, and its drafts."""

    id: int
    brand: str
    topic: str
    window_start: datetime
    window_end: datetime
    count: int
    baseline: float
    reason: str
    message_ids: list[int]
    status: str
    raised_at: datetime
    draft_ids: list[int]
