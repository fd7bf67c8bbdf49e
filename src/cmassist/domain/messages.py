"""An incoming message (comment, mention, direct message) and the checks a raw row passes to
become one: each bad field named with what to do, all of a row's bad fields on one line.

The schema, for files and the HTTP endpoint alike:

    id        required  the platform's id of the message; unique per brand (idempotency key)
    platform  required  instagram, facebook, x, linkedin, tiktok, ... (`cmassist platforms`)
    text      required  the message, at most 100,000 characters
    time      required  ISO 8601, e.g. 2025-11-15T08:30:00-05:00 (no zone: UTC)
    author    optional  the author's handle or name
    thread    optional  the post or thread it answers
    kind      optional  comment (default), mention or dm
    brand     optional  defaults to the import's brand
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import BaseModel

from cmassist.domain.brands import brand_slug
from cmassist.domain.errors import InputError
from cmassist.domain.limits import MAX_TEXT_CHARS
from cmassist.domain.platforms import PLATFORMS
from cmassist.domain.readers import ColumnCache
from cmassist.domain.textutil import (
    REPLACEMENT_CHAR,
    looks_binary,
    sha256,
    strip_replacement_chars,
)
from cmassist.domain.timeutil import as_utc, from_epoch, parse_iso

KINDS = ("comment", "mention", "dm")
STATUSES = ("new", "handled", "hidden")
FIELDS = ("id", "platform", "text", "time", "author", "thread", "kind", "brand")
MAX_ID_CHARS = 200
MAX_NAME_CHARS = 200  # author and thread

# Column names as exports write them, in `readers.column_key` form.
ALIASES: dict[str, tuple[str, ...]] = {
    "id": ("id", "message_id", "comment_id", "external_id"),
    "platform": ("platform", "network", "plateforme", "reseau"),
    "text": ("text", "message", "body", "comment", "content", "texte", "contenu"),
    "time": ("time", "created_at", "date", "timestamp", "datetime", "heure"),
    "author": ("author", "user", "username", "handle", "from", "auteur"),
    "thread": ("thread", "post", "post_id", "in_reply_to", "parent", "fil", "publication"),
    "kind": ("kind", "type"),
    "brand": ("brand", "marque"),
}
PLATFORM_ALIASES = {"twitter": "x", "ig": "instagram", "fb": "facebook"}
KIND_ALIASES = {"message": "dm", "direct": "dm", "direct_message": "dm", "reply": "comment"}


class MessageConflictError(InputError):
    """A message whose id is already in the inbox with other content."""


class IncomingMessage(BaseModel):
    """A message as the inbox keeps it, its text repaired and normalized."""

    id: str
    platform: str
    text: str
    time: datetime
    author: str = ""
    thread: str = ""
    kind: str = "comment"
    brand: str = ""

    @property
    def content_hash(self) -> str:
        """What makes a second message with the same id the same message."""
        return sha256(
            "\x1f".join([self.platform, self.author, self.text, self.time.isoformat(), self.thread])
        )


class MessageView(BaseModel):
    """A message of the inbox, with its triage (None until triaged)."""

    id: int
    brand: str
    external_id: str
    platform: str
    kind: str
    author: str
    text: str
    thread: str
    received_at: datetime
    status: str
    priority: int
    action: str
    sentiment: str
    language: str
    topic: str
    triage: dict[str, Any] | None
    draft_id: int | None
    handled_by: str


@dataclass
class RowError:
    """What is wrong with one row: one field, or (`parts`) every bad field of the row."""

    where: str  # "comments.csv: row 4"
    field: str  # "time, platform" when several fields are bad
    problem: str
    parts: tuple[tuple[str, str], ...] = ()  # (field, problem) when several are bad
    file: str = ""  # "comments.csv"
    row: int | None = None  # the row, line or item number `where` names

    def __str__(self) -> str:
        if self.parts:
            return f"{self.where}, " + "; ".join(f"field {f!r}: {p}" for f, p in self.parts)
        return f"{self.where}, field {self.field!r}: {self.problem}"

    @classmethod
    def merge(cls, errors: Sequence[RowError]) -> RowError:
        """One error, on one line, for all the bad fields of a row."""
        if len(errors) == 1:
            return errors[0]
        first = errors[0]
        return cls(
            first.where,
            ", ".join(e.field for e in errors),
            "; ".join(f"{e.field}: {e.problem}" for e in errors),
            tuple((e.field, e.problem) for e in errors),
            first.file,
            first.row,
        )


@dataclass
class MessageCheck:
    """A raw row checked: the message, or the row's errors; `repaired` when its text lost
    U+FFFD replacement characters (emoji broken by an earlier tool)."""

    message: IncomingMessage | None
    errors: list[RowError]
    repaired: bool = False


class _Bad(ValueError):
    """A field's problem, said to the user as is."""


def parse_time(value: Any) -> datetime:
    """A message's time in UTC: a datetime, epoch seconds or milliseconds, or ISO 8601 text
    (without a zone: UTC). Raises ValueError (OverflowError, OSError) when it is none."""
    if isinstance(value, datetime):
        return as_utc(value)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return from_epoch(value)
    if isinstance(value, str) and value.strip():
        return as_utc(parse_iso(value))
    raise ValueError("missing")


# -- one field each -----------------------------------------------------------------------


def _id(value: Any) -> str:
    if isinstance(value, int | float) and not isinstance(value, bool):
        value = str(int(value)) if float(value).is_integer() else str(value)
    if not isinstance(value, str) or not value.strip():
        raise _Bad("missing (give each message its platform id)")
    if len(value.strip()) > MAX_ID_CHARS:
        raise _Bad(f"longer than {MAX_ID_CHARS} characters")
    return value.strip()


def _platform(value: Any) -> str:
    key = str(value or "").strip().casefold()
    key = PLATFORM_ALIASES.get(key, key)
    if not key:
        raise _Bad(f"missing (use one of {', '.join(PLATFORMS)})")
    if key not in PLATFORMS:
        raise _Bad(f"unknown platform {str(value)[:40]!r} (use one of {', '.join(PLATFORMS)})")
    return key


def _text(value: Any) -> str:
    runs = 0
    if isinstance(value, str) and not looks_binary(value):
        # Emoji broken by an earlier tool: damaged text, kept without the U+FFFD runs.
        value, runs = strip_replacement_chars(value)
    if not isinstance(value, str) or not value.strip():
        raise _Bad(
            "empty once its broken characters (U+FFFD) are removed (a message needs text)"
            if runs
            else "empty (a message needs its text)"
        )
    if len(value) > MAX_TEXT_CHARS:
        raise _Bad(f"{len(value):,} characters; the inbox takes at most {MAX_TEXT_CHARS:,}")
    if looks_binary(value):
        raise _Bad("looks binary (NUL or control characters): send plain UTF-8 text")
    return unicodedata.normalize("NFC", value.strip())


def _time(value: Any) -> datetime:
    try:
        return parse_time(value)
    except (ValueError, TypeError, OverflowError, OSError):
        raise _Bad(
            f"{str(value)[:40]!r} is not a time (use ISO 8601, e.g. 2025-11-15T08:30:00-05:00)"
        ) from None


def _name(value: Any) -> str | None:
    """An author or a thread: optional, short, text."""
    if value is None:
        return None
    if not isinstance(value, str | int) or isinstance(value, bool):
        raise _Bad("must be text")
    if len(str(value)) > MAX_NAME_CHARS:
        raise _Bad(f"longer than {MAX_NAME_CHARS} characters")
    if looks_binary(str(value)):
        raise _Bad("looks binary (NUL or control characters): send plain UTF-8 text")
    return str(value).strip()


def _kind(value: Any) -> str:
    kind = str(value or "comment").strip().casefold()
    kind = KIND_ALIASES.get(kind, kind)
    if kind not in KINDS:
        raise _Bad(f"unknown kind {kind[:30]!r} (use comment, mention or dm)")
    return kind


def _brand(value: Any) -> str:
    if not value:
        raise _Bad("missing (pass --brand or give a brand column)")
    try:
        return brand_slug(str(value))
    except InputError as e:
        raise _Bad(str(e)) from None


_CHECKS: tuple[tuple[str, Callable[[Any], Any]], ...] = (
    ("id", _id),
    ("platform", _platform),
    ("text", _text),
    ("time", _time),
    ("author", _name),
    ("thread", _name),
    ("kind", _kind),
    ("brand", _brand),
)

_COLUMNS = ColumnCache(ALIASES, FIELDS)


def message_fields(raw: Mapping[str, Any]) -> dict[str, Any]:
    """The row's values by our field names, whatever names its columns use."""
    return {name: raw.get(column) for name, column in _COLUMNS(raw).items()}


def check_message(
    raw: Any, where: str, default_brand: str = "", *, file: str = "", row: int | None = None
) -> MessageCheck:
    """One message from a decoded row, or the errors naming each bad field."""
    if not isinstance(raw, Mapping):
        problem = f"expected an object with fields, got {type(raw).__name__}"
        return MessageCheck(None, [RowError(where, "*", problem, file=file, row=row)])
    given = message_fields(raw)
    given["brand"] = given.get("brand") or default_brand
    values: dict[str, Any] = {}
    errors: list[RowError] = []
    for name, check in _CHECKS:
        try:
            value = check(given.get(name))
        except _Bad as e:
            errors.append(RowError(where, name, str(e), file=file, row=row))
            continue
        if value is not None:
            values[name] = value
    if errors:
        return MessageCheck(None, errors)
    repaired = REPLACEMENT_CHAR in str(given.get("text"))
    return MessageCheck(IncomingMessage(**values), [], repaired)
