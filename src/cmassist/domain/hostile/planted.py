"""What an injection plants for the reply to post (quoted phrases, codes, hashtags, words in
capitals) and where the reply repeats it, however it is spelled."""

from __future__ import annotations

import re
from typing import NamedTuple

from cmassist.domain.hostile.copying import (
    COMMON_WORDS,
    NO_OWN_TEXT,
    OwnText,
    copied_span,
    words_of,
)
from cmassist.domain.spans import overlaps, within
from cmassist.domain.textmatch import fold

_QUOTED = re.compile(
    r"«\s*([^«»]{3,200}?)\s*»|“\s*([^“”]{3,200}?)\s*”|\"\s*([^\"]{3,200}?)\s*\""
    r"|(?<!\w)[‘']\s*(.{3,200}?)\s*[’'](?!\w)"
)
_QUOTE_LINE = re.compile(r"(?m)^\s*>+\s*(.{3,300}?)\s*$")
_DISTINCT = re.compile(r"[#@$]?\w*[\d_#$]\w*|\b[A-ZÀ-Ý]{4,}\b|#\w+")


class Planted(NamedTuple):
    """A token of the comment that the reply repeats: where, as the reply writes it, and as
    the comment planted it."""

    start: int
    end: int
    text: str
    planted: str


# Words joined by hyphens, dots, slashes or underscores, as codes are written: BOREALE-50.
_TOKEN = re.compile(r"[#@]?[^\W_]+(?:[-_./'’][^\W_]+)*")
_CODE_CUE = re.compile(
    r"\b(?:code|codes|coupon|voucher|promo|discount|keyword|hashtag|mot-cle|mot cle|rabais)"
    r"\s*[:«\"“'(]?\s*$"
)
# A planted code must block however the reply spells it: any case, accents, look-alike
# digits (B0REALE), and up to three spaces or punctuation marks between its characters
# (Boréale 50, B O R E A L E 5 0, BOREALE.50).
_LOOKALIKE = {
    "o": "o0", "0": "0o", "i": "i1l!|", "l": "l1i|", "1": "1il", "e": "e3", "3": "3e",
    "a": "a4@", "4": "4a", "s": "s5$", "5": "5s", "t": "t7", "7": "7t", "b": "b8", "8": "8b",
    "g": "g9", "9": "9g",
}  # fmt: skip
_GAP = r"(?:[^\w\n]|_){0,3}"


def _key(token: str) -> str:
    return "".join(ch for ch in fold(token).text if ch.isalnum())


def planted_codes(comment: str) -> set[str]:
    """Codes, tags and keywords a comment plants: letters mixed with digits (BOREALE-50,
    promo2026), words in capitals (ABO-DOUBLE), hashtags and handles, and the word after
    "code", "coupon" or "promo"."""
    out: set[str] = set()
    for m in _TOKEN.finditer(comment):
        token = m.group()
        letters = sum(ch.isalpha() for ch in token)
        digits = sum(ch.isdigit() for ch in token)
        key = _key(token)
        if len(key) < 4 or not letters:
            continue
        cue = _CODE_CUE.search(fold(comment[max(0, m.start() - 30) : m.start()]).text)
        if (
            (letters >= 2 and digits)
            or token[0] in "#@"
            or (letters >= 4 and token.upper() == token)
            or (cue and key not in COMMON_WORDS and not _CODE_CUE.search(key))
        ):
            out.add(token)
    return out


def spelled_pattern(token: str) -> re.Pattern[str]:
    """A pattern, on folded text, for `token` however it is spelled (see _LOOKALIKE)."""
    key = _key(token)
    body = _GAP.join("[" + re.escape(_LOOKALIKE.get(ch, ch)) + "]" for ch in key)
    if any(ch.isdigit() for ch in key) and any(ch.isalpha() for ch in key) and len(key) >= 6:
        return re.compile(body)  # a long code is a code even glued to a word: "codeBOREALE50"
    return re.compile(rf"(?<![^\W_]){body}(?![^\W_])")


def planted_tokens(
    reply: str,
    comment: str,
    ignore: frozenset[str] = frozenset(),
    own: OwnText = NO_OWN_TEXT,
) -> list[Planted]:
    """Quoted phrases (or three words of one), quoted lines ("> ...") and distinctive tokens
    (codes, hashtags, words in capitals) of an injection that reappear in the reply, however
    written: what the attacker wanted posted. Tokens the brand itself writes are not planted."""
    out: list[Planted] = []
    folded_reply = fold(reply)

    def add(a: int, b: int, planted: str) -> None:
        overlapping = [p for p in out if overlaps((a, b), (p.start, p.end))]
        if all(within((p.start, p.end), (a, b)) for p in overlapping):  # the longest wins
            out[:] = [p for p in out if p not in overlapping]
            out.append(Planted(a, b, reply[a:b], planted))

    phrases = {next(g for g in m.groups() if g).strip() for m in _QUOTED.finditer(comment)}
    phrases |= {m.group(1).strip() for m in _QUOTE_LINE.finditer(comment)}
    tokens = {m.group() for m in _DISTINCT.finditer(comment) if len(m.group()) >= 4}
    for c in sorted(phrases | tokens, key=len, reverse=True):
        key = fold(c).text
        if len(key) < 4 or own.says(words_of(c)):
            continue
        m = re.search(rf"(?<!\w){re.escape(key)}(?!\w)", folded_reply.text)
        if m:  # whole words: "SPECIAL" is not planted in "specialized"
            add(*folded_reply.span(m.start(), m.end()), c)
        elif c in phrases:
            run = copied_span(reply, c, 3, ignore, own)
            if run:
                add(run[0], run[1], c)
    for c in sorted(planted_codes(comment), key=len, reverse=True):
        words = words_of(c)
        if own.says(words) or all(w in ignore for w in words):
            continue
        m = spelled_pattern(c).search(folded_reply.text)
        if m:
            add(*folded_reply.span(m.start(), m.end()), c)
    return sorted(out)
