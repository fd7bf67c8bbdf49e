"""What a draft request must give: a text within its limit, a language drafting knows, a
count in range; each mistake is an InputError saying what to do."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypedDict

from cmassist.domain.errors import InputError
from cmassist.domain.platforms import Platform
from cmassist.domain.textutil import detect_language, normalize_language


def check_text(text: str, what: str, limit: int) -> str:
    """The text stripped, if it is neither empty nor over `limit` characters."""
    text = (text or "").strip()
    if not text:
        raise InputError(f"the {what} is empty", f"write a {what} to draft from")
    if len(text) > limit:
        setting = "COMMENT" if what == "comment" else "BRIEF"
        raise InputError(
            f"the {what} is {len(text)} characters, over the {limit} limit",
            f"shorten it (the limit is CMASSIST_MAX_{setting}_CHARS)",
        )
    return text


def draft_language(text: str, requested: str | None) -> str:
    """The language asked for ("fr-CA", "French"...), else the text's own, else English."""
    if requested:
        lang = normalize_language(requested)
        if not lang:
            raise InputError(f"unsupported language {requested!r}", "use fr or en")
        return lang
    return detect_language(text, "en") or "en"


def check_count(value: int, what: str, limit: int) -> int:
    """A whole number from 1 to `limit` (variants, ideas)."""
    if not isinstance(value, int) or value < 1 or value > limit:
        raise InputError(
            f"{what} must be between 1 and {limit}, not {value!r}", f"ask for 1 to {limit} {what}"
        )
    return value


def unique_platforms(platforms: list[Platform]) -> list[Platform]:
    """The platforms in order, each once."""
    seen: dict[str, Platform] = {}
    for p in platforms:
        seen.setdefault(p.key, p)
    return list(seen.values())


class PostOptions(TypedDict, total=False):
    """The options of `Drafting.stream_posts`, for the calls that take them as keywords."""

    brand: str | None
    platforms: Sequence[str]
    variants: int
    language: str | None
    seed: int | None


class ReplyOptions(TypedDict, total=False):
    """The options of `Drafting.stream_replies`."""

    brand: str | None
    platform: str | None
    variants: int
    language: str | None
    seed: int | None


class IdeaOptions(TypedDict, total=False):
    """The options of `Drafting.stream_ideas`."""

    brand: str | None
    count: int
    language: str | None
    seed: int | None
