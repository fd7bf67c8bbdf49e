"""Small text helpers shared by ingest, retrieval, prompts and drafting: hashing, cleaning,
excerpts, untrusted text made data, and damaged text (U+FFFD, binary)."""

from __future__ import annotations

import hashlib
import re
import unicodedata

# Defined in their own modules; importable from here as before.
from cmassist.domain.language import LANGUAGES, detect_language, normalize_language
from cmassist.domain.signatures import (
    SignatureMatch,
    find_signature,
    place_signature,
    signed_elsewhere,
)

__all__ = [
    "LANGUAGES",
    "REPLACEMENT_CHAR",
    "SignatureMatch",
    "as_data",
    "clean",
    "detect_language",
    "excerpt",
    "find_signature",
    "looks_binary",
    "normalize_language",
    "place_signature",
    "sha256",
    "signed_elsewhere",
    "stable_id",
    "strip_replacement_chars",
]


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def stable_id(*parts: object) -> str:
    """An ID from content: the same parts always give the same ID."""
    joined = "\x1f".join("" if p is None else str(p) for p in parts)
    return hashlib.sha256(joined.encode("utf-8")).hexdigest()[:24]


def clean(text: str) -> str:
    """NFC, no control characters but newlines and tabs, trimmed."""
    text = unicodedata.normalize("NFC", text)
    text = "".join(
        ch for ch in text if ch in "\n\t" or unicodedata.category(ch)[0] != "C" or ch == "\u200d"
    )
    return text.replace("\r\n", "\n").replace("\r", "\n").strip()


def excerpt(text: str, limit: int = 200) -> str:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space > limit * 0.6:
        cut = cut[:space]
    return cut.rstrip(",;:. ") + "…"


_NEUTRALIZE = [
    (re.compile(r"#{3,}"), "# # #"),
    (re.compile(r"</?\s*(comment|brief|topic|data|system|user|assistant)\b[^>]*>", re.I), " "),
    (re.compile(r"[«»]"), '"'),
    (re.compile(r"<\|[^|>]*\|>"), " "),  # chat-template control tokens
    (re.compile(r"<(start|end)_of_turn>", re.I), " "),
]


def as_data(text: str, *, one_line: bool = True) -> str:
    """Untrusted text made safe to place between a prompt's delimiters.

    It cannot close its delimiter, open a new few-shot entry ("Reply:" on a new line),
    or inject chat-template control tokens. The words stay readable for the model.
    """
    text = strip_replacement_chars(clean(text))[0]  # a model copies U+FFFD runs
    for pattern, repl in _NEUTRALIZE:
        text = pattern.sub(repl, text)
    if one_line:
        text = " / ".join(line.strip() for line in text.splitlines() if line.strip())
    return re.sub(r"[ \t]{2,}", " ", text).strip()


# -- damaged text ------------------------------------------------------------------------------

REPLACEMENT_CHAR = "\ufffd"
# A broken emoji often leaves its variation selector or joiner next to the U+FFFD.
_REPLACEMENT_RUN = re.compile(
    r"(?P<before>[ \t]*)[\ufe0e\ufe0f\u200d]*\ufffd[\ufffd\ufe0e\ufe0f\u200d]*(?P<after>[ \t]*)"
)


def strip_replacement_chars(text: str) -> tuple[str, int]:
    """The text without its U+FFFD replacement characters, and how many runs were removed.

    U+FFFD is what a tool writes in place of bytes it could not decode, most often an emoji
    broken by an earlier export: damaged text, not binary. The runs go (a post or reply
    that copied them would look broken) and the spaces around them close up:
    "Merci �� à vous" -> "Merci à vous", "Bravo �" -> "Bravo", "End ��, merci" -> "End, merci".
    """
    if REPLACEMENT_CHAR not in text:
        return text, 0
    runs = 0

    def drop(m: re.Match[str]) -> str:
        nonlocal runs
        runs += 1
        line_start = m.start() == 0 or text[m.start() - 1] == "\n"
        line_end = m.end() == len(text) or text[m.end()] in "\r\n"
        if line_start or line_end:
            return ""
        if not m.group("after") and text[m.end()] in ",.;:!?)…":
            return ""  # "Mile End ��, thanks" -> "Mile End, thanks"
        return m.group("before") or m.group("after")

    return _REPLACEMENT_RUN.sub(drop, text), runs


def looks_binary(text: str) -> bool:
    """True for text that is really binary data: NUL bytes, or many control characters.

    U+FFFD replacement characters do not count: they are damaged text, not binary
    (see `strip_replacement_chars`).
    """
    controls = sum(1 for ch in text if unicodedata.category(ch) == "Cc" and ch not in "\n\r\t")
    return "\x00" in text or controls > max(2, len(text) // 100)
