"""The social platforms cmassist drafts for, and their rules, in one table."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from cmassist.domain.errors import UnknownPlatformError


@dataclass(frozen=True)
class Platform:
    key: str
    name: str
    max_chars: int
    max_hashtags: int | None = None
    # Characters a link counts for, where the platform shortens links (X, Mastodon).
    link_chars: int | None = None
    # X counts most non-Latin characters and emoji as two.
    weighted: bool = False
    # Rough ceiling for generation, in tokens, so a small model stops in time.
    max_new_tokens: int = 200


PLATFORMS: dict[str, Platform] = {
    p.key: p
    for p in (
        Platform("x", "X (Twitter)", 280, link_chars=23, weighted=True, max_new_tokens=90),
        Platform("instagram", "Instagram", 2200, max_hashtags=30, max_new_tokens=220),
        Platform("linkedin", "LinkedIn", 3000, max_new_tokens=260),
        Platform("facebook", "Facebook", 63206, max_new_tokens=220),
        Platform("threads", "Threads", 500, max_new_tokens=140),
        Platform("mastodon", "Mastodon", 500, link_chars=23, max_new_tokens=140),
    )
}

ALIASES = {
    "twitter": "x",
    "tw": "x",
    "ig": "instagram",
    "insta": "instagram",
    "fb": "facebook",
    "meta": "facebook",
    "li": "linkedin",
    "linked-in": "linkedin",
    "masto": "mastodon",
    "fediverse": "mastodon",
}


def get_platform(name: str) -> Platform:
    """The platform for a name or common alias ("Twitter", "IG", "fb"...)."""
    key = (name or "").strip().lower()
    key = ALIASES.get(key, key)
    try:
        return PLATFORMS[key]
    except KeyError:
        raise UnknownPlatformError(
            f"unknown platform {name!r}",
            f"use one of {', '.join(PLATFORMS)}",
        ) from None


_URL = re.compile(r"https?://\S+|\bwww\.\S+", re.IGNORECASE)
HASHTAG = re.compile(r"(?<![\w#])#[^\s#.,;:!?()\[\]{}\"'«»]+", re.UNICODE)
# Code point ranges X counts as one character (twitter-text v3 configuration).
_X_LIGHT = ((0, 4351), (8192, 8205), (8208, 8223), (8242, 8247))
_JOINERS = {0x200D, 0xFE0E, 0xFE0F}


def _x_weight(ch: str) -> int:
    cp = ord(ch)
    if cp in _JOINERS or 0x1F3FB <= cp <= 0x1F3FF:  # joiners and skin tones ride on an emoji
        return 0
    return 1 if any(lo <= cp <= hi for lo, hi in _X_LIGHT) else 2


def count_chars(text: str, platform: Platform) -> int:
    """Length as the platform counts it (NFC, links shortened, X's weights)."""
    text = unicodedata.normalize("NFC", text)
    links = 0
    if platform.link_chars is not None:
        text, links = _URL.subn("", text)
    body = sum(_x_weight(ch) for ch in text) if platform.weighted else len(text)
    return body + links * (platform.link_chars or 0)


def hashtags(text: str) -> list[str]:
    return HASHTAG.findall(text)


def table() -> list[dict[str, object]]:
    """The rules as rows, for the README, the UI and `--json`."""
    return [
        {
            "platform": p.key,
            "name": p.name,
            "max_chars": p.max_chars,
            "max_hashtags": p.max_hashtags,
            "link_chars": p.link_chars,
        }
        for p in PLATFORMS.values()
    ]
