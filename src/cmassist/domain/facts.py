"""Checkable facts in text: emails, phone numbers, URLs, prices, dates and clock times.

Each fact gets a normalized key, so "$4.75" and "4,75 $", "8 p.m." and "20 h",
"September 14" and "14 septembre" compare equal. The checker uses this to flag a
fact in a draft that appears nowhere in the brand's knowledge store (the invented
support address, the wrong price).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal
from urllib.parse import urlsplit

from cmassist.domain.spans import free
from cmassist.domain.textmatch import fold_str

FactKind = Literal["email", "phone", "url", "price", "date", "time"]
ALL_KINDS: tuple[FactKind, ...] = ("email", "phone", "url", "price", "date", "time")


@dataclass(frozen=True)
class Fact:
    kind: FactKind
    start: int
    end: int
    text: str
    key: str


_TRAIL = ".,;:!?)]}»\"'’…"
EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
_TLDS = (
    "com|ca|org|net|io|ly|co|example|gl|me|fr|qc|info|biz|shop|app|dev|link|gd|to|be|"
    "us|uk|de|ch|eu|site|store|online|xyz|tv|cc|at|es|it|nl|mx|au|jp|br|in|ai|pro|club|"
    "live|news|top|vip|click|win|gift|promo|page|blog|cafe|coffee|tech|life|world|today|"
    "email|money|deals|sale|bid|fun|space|website|zip|mov|"
    # reserved names (RFC 2606): what fake links in attacks and tests use
    "test|invalid|localhost"
)
_URL = re.compile(
    r"(?:\bhttps?://[^\s<>\"«»]+|\bwww\.[^\s<>\"«»]+|"
    rf"(?<![@\w.-])(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+(?:{_TLDS})\b(?:/[^\s<>\"«»]*)?)",
    re.IGNORECASE,
)
# North American numbers with separators ("418-555-0142", "1 800 555-0199", "(514) 555-0100");
# ten bare digits are more often an order number than a phone.
_PHONE = re.compile(
    r"(?<![\w+])(?:\+?1[\s.\-]?)?(?:\(\d{3}\)|\d{3})[\s.\-]?\d{3}[\s.\-]\d{4}(?!\d)"
)
_NUM = r"\d{1,3}(?:[ \u00a0\u202f,]\d{3})*(?:[.,]\d{1,2})?|\d+(?:[.,]\d{1,2})?"
_PRICE = re.compile(
    rf"(?:(?:CA|US|C)?\$|€)\s?(?P<a>{_NUM})"
    rf"|(?P<b>{_NUM})\s?(?:\$|€|dollars?\b|CAD\b)",
    re.IGNORECASE,
)
MONTHS = {
    "january": 1, "jan": 1, "janvier": 1, "janv": 1,
    "february": 2, "feb": 2, "février": 2, "fevrier": 2, "févr": 2, "fevr": 2, "fév": 2,
    "march": 3, "mar": 3, "mars": 3,
    "april": 4, "apr": 4, "avril": 4, "avr": 4,
    "may": 5, "mai": 5,
    "june": 6, "jun": 6, "juin": 6,
    "july": 7, "jul": 7, "juillet": 7, "juil": 7,
    "august": 8, "aug": 8, "août": 8, "aout": 8,
    "september": 9, "sept": 9, "sep": 9, "septembre": 9,
    "october": 10, "oct": 10, "octobre": 10,
    "november": 11, "nov": 11, "novembre": 11,
    "december": 12, "dec": 12, "décembre": 12, "decembre": 12, "déc": 12,
}  # fmt: skip
_MONTH = "|".join(sorted((re.escape(m) for m in MONTHS), key=len, reverse=True))
# "Sept. 14", "September 14th", "14 septembre", "1er mars", "2026-09-14"
_DATE = re.compile(
    rf"\b(?P<m1>{_MONTH})\.?\s+(?P<d1>[0-3]?\d)(?:st|nd|rd|th)?\b(?!\s*(?:h\b|:|%|\$))"
    rf"|\b(?P<d2>[0-3]?\d)(?:er|re|e)?\s+(?P<m2>{_MONTH})\b"
    r"|\b(?P<y>20\d\d)-(?P<m3>[01]\d)-(?P<d3>[0-3]\d)\b",
    re.IGNORECASE,
)
# "8 a.m.", "7:30 p.m.", "8pm", "20 h", "7 h 30", "20h", "20:00"
_TIME = re.compile(
    r"\b(?P<h1>[01]?\d)(?::(?P<m1>[0-5]\d))?\s?(?P<ap>[ap])\.?\s?m\b\.?"
    r"|\b(?P<h2>[012]?\d)\s?h\s?(?P<m2>[0-5]\d)?(?![\w])"
    r"|\b(?P<h3>[012]?\d):(?P<m3>[0-5]\d)\b",
    re.IGNORECASE,
)
_NOON = re.compile(r"\b(?:noon|midi)\b", re.IGNORECASE)
_MIDNIGHT = re.compile(r"\b(?:midnight|minuit)\b", re.IGNORECASE)


def _strip_trailing(text: str, start: int, end: int) -> tuple[int, str]:
    raw = text[start:end]
    while raw and raw[-1] in _TRAIL:
        raw = raw[:-1]
    return start + len(raw), raw


def url_key(raw: str) -> tuple[str, str]:
    """(host without www., path without trailing slash), lowercased."""
    url = raw if re.match(r"(?i)https?://", raw) else f"http://{raw}"
    try:
        parts = urlsplit(url)
    except ValueError:
        return raw.lower(), ""
    host = (parts.hostname or "").lower().removeprefix("www.")
    path = parts.path.rstrip("/").lower()
    return host, path


def price_key(amount: str) -> str:
    amount = re.sub(r"[ \u00a0\u202f]", "", amount)
    if re.search(r"[.,]\d{1,2}$", amount):
        whole, cents = re.split(r"[.,](?=\d{1,2}$)", amount)
        whole = whole.replace(",", "").replace(".", "")
        value = int(whole or 0) * 100 + int(cents.ljust(2, "0"))
    else:
        value = int(amount.replace(",", "").replace(".", "")) * 100
    return f"{value // 100}.{value % 100:02d}"


def extract(text: str, kinds: Iterable[str] = ALL_KINDS) -> list[Fact]:
    """The facts in `text`, in order, each with its character span."""
    wanted = set(kinds)
    facts: list[Fact] = []
    taken: list[tuple[int, int]] = []

    def add(kind: FactKind, a: int, b: int, key: str, block: bool = True) -> None:
        if kind in wanted:
            facts.append(Fact(kind, a, b, text[a:b], key))
        if block:
            taken.append((a, b))

    for m in EMAIL.finditer(text):
        end, raw = _strip_trailing(text, m.start(), m.end())
        add("email", m.start(), end, raw.lower())
    for m in _URL.finditer(text):
        if not free((m.start(), m.end()), taken):
            continue
        end, raw = _strip_trailing(text, m.start(), m.end())
        host, path = url_key(raw)
        if "." not in host:
            continue
        add("url", m.start(), end, f"{host}{path}")
    for m in _PHONE.finditer(text):
        if not free((m.start(), m.end()), taken):
            continue
        digits = re.sub(r"\D", "", m.group())
        if len(digits) < 10:
            continue
        add("phone", m.start(), m.end(), digits[-10:])
    for m in _PRICE.finditer(text):
        if not free((m.start(), m.end()), taken):
            continue
        amount = m.group("a") or m.group("b")
        try:
            key = price_key(amount.strip())
        except ValueError:
            continue
        add("price", m.start(), m.start() + len(m.group().rstrip()), key)
    for m in _DATE.finditer(text):
        if free((m.start(), m.end()), taken) and (date := _date_key(m, text)):
            add("date", m.start(), m.end(), date)
    for m in _TIME.finditer(text):
        if free((m.start(), m.end()), taken) and (clock := _time_key(m)):
            add("time", m.start(), m.end(), clock)
    for rx, key in ((_NOON, "12:00"), (_MIDNIGHT, "00:00")):
        for m in rx.finditer(text):
            if free((m.start(), m.end()), taken):
                add("time", m.start(), m.end(), key)
    facts.sort(key=lambda f: f.start)
    return facts


def _date_key(m: re.Match[str], text: str) -> str | None:
    """ "MM-DD" of a date match, or None when it is not a date after all."""
    if m.group("y"):
        month, day = int(m.group("m3")), int(m.group("d3"))
    else:
        name = fold_str(m.group("m1") or m.group("m2")).rstrip(".")
        month = MONTHS.get(name) or MONTHS.get(name[:3], 0)
        day = int(m.group("d1") or m.group("d2"))
    # "may" and "mar" are also words; "mars" a planet: need a plausible day
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return None
    word = (m.group("m1") or "").lower()
    # "may 3" in lowercase is more often a verb than May: only with a digit right after
    if (
        word in ("may", "mar", "sep", "jun", "jul", "dec")
        and m.group("m1") == word
        and not re.match(r"\s*\d", text[m.end("m1") : m.end()])
    ):
        return None
    return f"{month:02d}-{day:02d}"


def _time_key(m: re.Match[str]) -> str | None:
    """ "HH:MM" (24 h) of a clock-time match, or None when it is no time of day."""
    if m.group("h1"):
        hour, minute = int(m.group("h1")), int(m.group("m1") or 0)
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if m.group("ap").lower() == "p" else 0)
    elif m.group("h2"):
        hour, minute = int(m.group("h2")), int(m.group("m2") or 0)
    else:
        hour, minute = int(m.group("h3")), int(m.group("m3"))
    if hour > 24:
        return None
    return f"{hour % 24:02d}:{minute:02d}"


@dataclass
class FactIndex:
    """The normalized facts found in a body of text (a brand's whole knowledge store)."""

    keys: set[tuple[str, str]]
    hosts: set[str]

    @classmethod
    def build(cls, texts: Iterable[str]) -> FactIndex:
        keys: set[tuple[str, str]] = set()
        hosts: set[str] = set()
        for text in texts:
            for f in extract(text):
                keys.add((f.kind, f.key))
                if f.kind == "url":
                    hosts.add(f.key.split("/", 1)[0])
                elif f.kind == "email":
                    hosts.add(f.key.rsplit("@", 1)[-1])
        return cls(keys, hosts)

    def knows(self, fact: Fact) -> bool:
        if (fact.kind, fact.key) in self.keys:
            return True
        if fact.kind == "url" and "/" not in fact.key:  # a bare home page of a known site
            return fact.key in self.hosts
        return False
