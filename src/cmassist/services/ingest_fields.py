"""The fields of a past post or reply, read from an export's cells as people write them
(counts like 1.2K, dates in many formats, oui/non), each bad one named with what to do."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from email.utils import parsedate_to_datetime
from typing import Any

from cmassist.domain.errors import UnknownPlatformError
from cmassist.domain.limits import MAX_TEXT_CHARS
from cmassist.domain.platforms import get_platform
from cmassist.domain.textutil import (
    clean,
    detect_language,
    looks_binary,
    normalize_language,
    strip_replacement_chars,
)
from cmassist.domain.timeutil import from_epoch, parse_iso


class FieldProblem(ValueError):
    """One field's problem: the field, and what is wrong with it and what to do."""

    def __init__(self, field_name: str, message: str) -> None:
        self.field_name = field_name
        super().__init__(message)


class Fields:
    """Reads a row's fields one by one, keeping every bad one instead of stopping."""

    def __init__(self) -> None:
        self.bad: list[tuple[str, str]] = []  # (our field name, what is wrong)

    def __call__(self, read: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        try:
            return read(*args, **kwargs)
        except FieldProblem as e:
            self.bad.append((e.field_name, str(e)))
            return None


def text_value(
    value: object, name: str, *, required: bool, repaired: list[str] | None = None
) -> str | None:
    """The field's text, cleaned; U+FFFD runs are removed and the field noted in `repaired`."""
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise FieldProblem(name, "is empty (every row needs it)")
        return None
    if not isinstance(value, str | int | float):
        raise FieldProblem(name, "must be text")
    raw = str(value)
    if looks_binary(raw):
        raise FieldProblem(
            name, "looks binary (NUL or control characters); export it as plain text"
        )
    raw, runs = strip_replacement_chars(raw)
    text = clean(raw)
    if runs and repaired is not None:
        repaired.append(name)
    if not text:
        if required:
            raise FieldProblem(
                name, "is empty once its broken characters (U+FFFD) are removed (write the text)"
            )
        return None
    if len(text) > MAX_TEXT_CHARS:
        raise FieldProblem(name, f"is {len(text)} characters, over the {MAX_TEXT_CHARS} limit")
    return text


_MULTIPLIERS = {"k": 1_000, "m": 1_000_000, "b": 1_000_000_000}


def count_value(value: object, name: str) -> int | None:
    """A count as exports write it: 1200, 1,200, 1.2K, 15 000."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise FieldProblem(name, "must be a whole number")
    if isinstance(value, int | float):
        number = float(value)
    else:
        s = str(value).strip().lower().replace("\u202f", "").replace("\xa0", "").replace(" ", "")
        mult = 1
        if s and s[-1] in _MULTIPLIERS:
            mult, s = _MULTIPLIERS[s[-1]], s[:-1]
            s = s.replace(",", ".")
        else:
            s = s.replace(",", "")
        try:
            number = float(s) * mult
        except ValueError:
            raise FieldProblem(
                name, f"{value!r} is not a whole number (e.g. 1200 or 1.2K)"
            ) from None
    if number != number or number in (float("inf"), float("-inf")):
        raise FieldProblem(name, f"{value!r} is not a whole number (e.g. 1200 or 1.2K)")
    if number < 0:
        raise FieldProblem(name, f"{value!r} cannot be negative (a count starts at 0)")
    return round(number)


_DATE_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d", "%a %b %d %H:%M:%S %z %Y")


def date_value(value: object, name: str = "date") -> datetime | None:
    """ISO 8601, epoch seconds or milliseconds, and the formats exports use besides
    (`_DATE_FORMATS`, RFC 2822 as in e-mail and RSS)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        try:
            return from_epoch(value)
        except (OverflowError, OSError, ValueError):
            raise FieldProblem(
                name, f"{value!r} is not a date (use ISO 8601, e.g. 2025-03-14)"
            ) from None
    s = str(value).strip()
    if re.fullmatch(r"\d{9,13}", s):
        return date_value(int(s), name)
    try:
        return parse_iso(s, default_tz=None)  # a date without a zone stays as written
    except ValueError:
        pass
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(s, fmt)
        except ValueError:
            continue
    try:
        return parsedate_to_datetime(s)
    except (TypeError, ValueError):
        pass
    raise FieldProblem(name, f"{s!r} is not a date (use ISO 8601, e.g. 2025-03-14T09:30:00-04:00)")


def bool_value(value: object, name: str) -> bool | None:
    """true/false, yes/no, oui/non, 1/0, x."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return value
    s = str(value).strip().lower()
    if s in ("1", "true", "yes", "y", "oui", "vrai", "x"):
        return True
    if s in ("0", "false", "no", "n", "non", "faux"):
        return False
    raise FieldProblem(name, f"{value!r} is not true/false (use true, false, oui or non)")


def link_value(value: object) -> str | None:
    """An http(s) URL."""
    s = text_value(value, "link", required=False)
    if s and not re.match(r"^https?://\S+$", s):
        raise FieldProblem(
            "link", f"{s!r} is not an http(s) URL (e.g. https://instagram.com/p/abc)"
        )
    return s


def language_value(value: object, text: str) -> str:
    """The language given (fr, en, French, fr-CA...), or the text's own."""
    raw = text_value(value, "language", required=False)
    if raw:
        lang = normalize_language(raw)
        if lang:
            return lang
        if re.fullmatch(r"[a-zA-Z]{2,3}(?:[-_][a-zA-Z]{2})?", raw):
            return raw.lower()[:2]
        raise FieldProblem("language", f"{raw!r} is not a language code (use fr or en)")
    return detect_language(text, "en") or "en"


def platform_value(value: object, *, required: bool) -> str | None:
    """A platform's key, whatever name the export gives it."""
    raw = text_value(value, "platform", required=required)
    if raw is None:
        return None
    try:
        return get_platform(raw).key
    except UnknownPlatformError as e:
        raise FieldProblem("platform", str(e)) from None
