"""Reading what a user typed or picked: each value checked, or a one-line InputError that
says how to fix it."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from cmassist.domain.errors import InputError
from cmassist.domain.models import Kind

ALL = "all"  # the filter value that filters nothing
LANGUAGES = [("auto-detect", "auto"), ("fr · français", "fr"), ("en · English", "en")]
# The store's kinds of records, and what a page of each is called.
PLURALS = {"guideline": "guideline passages", "post": "posts", "reply": "replies"}


def read_language(value: str | None) -> str | None:
    """A language picked in a Language radio: None for auto-detect."""
    if value in (None, "", "auto"):
        return None
    if value not in ("fr", "en"):
        raise InputError(f"unsupported language {value!r}", "choose auto, fr or en")
    return value


def read_kind(value: str | None) -> Kind | None:
    """A kind of record picked in a Kind radio: None for all."""
    if value in (None, "", "all"):
        return None
    if value not in PLURALS:
        raise InputError(f"unknown kind {value!r}", "choose all, guideline, post or reply")
    return Kind(value)


def read_whole(value: float | int | None, what: str, low: int, high: int) -> int:
    """A whole number from `low` to `high` (sliders and number boxes send floats)."""
    try:
        number = int(value) if value is not None and float(value) == int(value) else None
    except (TypeError, ValueError, OverflowError):
        number = None
    if number is None or not low <= number <= high:
        raise InputError(
            f"{what} must be a whole number from {low} to {high}, not {value!r}",
            f"choose {low} to {high}",
        )
    return number


def read_text(value: str | None, what: str, limit: int, fix: str) -> str:
    """A required text, stripped, at most `limit` characters."""
    text = (value or "").strip()
    if not text:
        raise InputError(f"the {what} is empty", fix)
    if len(text) > limit:
        raise InputError(
            f"the {what} is {len(text):,} characters, over the {limit:,} limit", "shorten it"
        )
    return text


def to_int(value: Any, default: int) -> int:
    """`value` as an int, or `default` when it is none."""
    try:
        return int(value)
    except (TypeError, ValueError, OverflowError):
        return default


def unless_all(value: str | None) -> str | None:
    """A filter's value, None when it filters nothing."""
    return None if value in (None, "", ALL) else value


def draft_number(value: Any) -> int:
    if value in (None, ""):
        raise InputError("no draft number", "click a row of the queue, or type its number")
    return read_whole(value, "the draft number", 1, 10**12)


def opened_draft(opened: dict[str, Any] | None) -> tuple[int, int | None]:
    """The open draft's number and the row version its reviewer saw."""
    if not opened or not opened.get("id"):
        raise InputError(
            "no draft is open", "click a row of the queue, or type its number and press Open"
        )
    return int(opened["id"]), opened.get("row_version")


def message_number(value: Any) -> int:
    if value in (None, "", 0):
        raise InputError("no message is open", "click a message in the queue, or type its id")
    return read_whole(value, "the message id", 1, 10**12)


def alert_number(value: Any) -> int:
    if value in (None, "", 0):
        raise InputError("no crisis alert is selected", "refresh the inbox")
    return read_whole(value, "the alert number", 1, 10**12)


def message_ids(values: Iterable[Any] | None) -> list[int]:
    """Ticked message ids, each once, in order; anything else is dropped."""
    ids = (to_int(v, 0) for v in values or [])
    return list(dict.fromkeys(i for i in ids if i > 0))
