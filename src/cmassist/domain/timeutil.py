"""Reading times: ISO 8601 text, epoch seconds or milliseconds, always returned aware (UTC)."""

from __future__ import annotations

import math
from datetime import UTC, datetime, tzinfo


def parse_iso(text: str, *, default_tz: tzinfo | None = UTC) -> datetime:
    """ISO 8601 text (a trailing `Z`, a space instead of `T` accepted) as an aware datetime.

    A time without an offset is taken in `default_tz`; with `default_tz=None` it stays naive
    so the caller can refuse it. Raises ValueError when the text is not a time."""
    s = text.strip()
    if "T" not in s:
        s = s.replace(" ", "T", 1)
    at = datetime.fromisoformat(s.replace("Z", "+00:00"))
    if at.tzinfo is None and default_tz is not None:
        at = at.replace(tzinfo=default_tz)
    return at


def from_epoch(value: float) -> datetime:
    """Epoch seconds, or milliseconds when the number is too large to be seconds, in UTC."""
    if not math.isfinite(value):
        raise ValueError("not a time")
    return datetime.fromtimestamp(value / 1000 if value > 1e11 else value, UTC)


def as_utc(at: datetime | str) -> datetime:
    """A stored time in UTC; naive values (SQLite forgets zones) are UTC already."""
    if isinstance(at, str):
        at = datetime.fromisoformat(at)
    return at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)
