"""Grounded replies: every fact a reply states is found in the brand's knowledge store and cited.

Facts are the checkable ones of `cmassist.domain.facts` (prices, dates, times, contacts, links) plus
delays and durations ("5 jours ouvrables", "within 48 hours"), percentages, and policy
commitments (refund, replacement, reshipping, free shipping, credit, discount). Each is looked
up in the brand's guideline passages, then its past replies; a hit gives the citation (document,
heading, line and excerpt), a miss a finding.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from cmassist.domain.facts import NUMBER_WORDS_RX, extract, words_value
from cmassist.domain.spans import free
from cmassist.domain.textmatch import Folded, fold

_UNITS = {
    "minute": "min", "minutes": "min", "min": "min", "mins": "min",
    "hour": "h", "hours": "h", "hr": "h", "hrs": "h", "h": "h", "heure": "h", "heures": "h",
    "day": "d", "days": "d", "jour": "d", "jours": "d", "journee": "d", "journees": "d",
    "business day": "bd", "business days": "bd", "working day": "bd", "working days": "bd",
    "jour ouvrable": "bd", "jours ouvrables": "bd", "jour ouvre": "bd", "jours ouvres": "bd",
    "week": "w", "weeks": "w", "semaine": "w", "semaines": "w",
    "month": "mo", "months": "mo", "mois": "mo", "year": "y", "years": "y", "an": "y", "ans": "y",
}  # fmt: skip
_UNIT_RX = "|".join(sorted((re.escape(u) for u in _UNITS), key=len, reverse=True))
_NUM_RX = rf"\d+(?:[.,]\d+)?|{NUMBER_WORDS_RX}"
# "5 jours", "2-3 business days", "2 ou 3 semaines", "deux à trois jours", "entre 2 et 3 mois"
_DURATION = re.compile(
    rf"(?<![\w.,])(?:(?P<lo>{_NUM_RX})(?:\s?-\s?|\s+(?:a|to|ou|or|et|and)\s+))?"
    rf"(?P<hi>{_NUM_RX})(?:\s?-\s?|\s)?(?P<unit>{_UNIT_RX})(?![\w])"  # "a three-year plan"
)
# "within a week", "in an hour" (French says "une semaine", a number word)
_A_DURATION = re.compile(
    r"\b(?:within|in|under|less than|more than|over|for|after|about|around)\s+"
    rf"(?P<a>an?)\s+(?P<unit>{_UNIT_RX})(?![\w])"
)
# "48 h" after these is a delay; alone, "8 h" is a clock time (already a fact)
_DELAY_CUE = re.compile(
    r"(?:within|in|under|sous|en|dans|d'ici|moins de|less than|pendant|durant|for)\s*$"
)
_RANGE_KEY = re.compile(r"^(?P<lo>[\d.]+)-(?P<hi>[\d.]+)(?P<unit>[a-z]+)$")
_SINGLE_KEY = re.compile(r"^(?P<value>[\d.]+)(?P<unit>[a-z]+)$")
# A range whose high end is at most this many times its low is an estimate ("2 à 4 jours
# ouvrables"): it grounds a delay inside it. A wider one is a choice ("1 to 12 weeks").
TIGHT_RANGE = 3
# a year on its own: "en 2024", "since 2012" (not a price, a time, a weight or a longer
# number); the years of full dates are part of those dates
_YEAR = re.compile(
    r"(?<![\w/.,:$€#+-])((?:19[5-9]|20[0-4])\d)"
    r"(?![\w/:%$€]|[.,]\d|\s?(?:\$|€|h\b|(?:k?g|[mc]?l|[kcm]?m)\b))"
)
_FULL_YEAR = re.compile(r"(?:19|20)\d\d")
_PERCENT = re.compile(r"(?<![\w.,])(\d+(?:[.,]\d+)?)\s?(?:%|pour ?cent|percent)")
_COMMITMENTS: dict[str, tuple[str, ...]] = {
    "refund": ("refund", "money back", "rembours"),
    "replacement": ("replace", "replacement", "remplac"),
    "reship": ("reship", "re-ship", "send a new", "reexpedi", "renvoyer un", "renvoie un"),
    "free shipping": ("free shipping", "free delivery", "livraison gratuite", "port gratuit"),
    "credit": ("store credit", "credit", "bon d'achat"),
    "discount": ("discount", "coupon", "promo code", "rabais", "code promo", "reduction"),
    "compensation": ("compensat", "dedommag", "geste commercial"),
}


@dataclass(frozen=True)
class StatedFact:
    kind: str  # price | date | year | time | email | phone | url | duration | percent | commitment
    start: int
    end: int
    text: str
    key: str


def _number(text: str) -> str | None:
    """ "2" -> "2", "2,5" -> "2.5", "deux" -> "2", "quinze" -> "15"; None when no number."""
    if text[:1].isalpha():
        n = words_value(text)
        return None if n is None else str(n)
    value = text.replace(",", ".")
    return value.rstrip("0").rstrip(".") if "." in value else value.lstrip("0") or "0"


def duration_key(number: str, unit: str, low: str | None = None) -> str:
    """The key of a duration: "5d", "48h", "2.5w"; a range "2-3w" ("2 ou 3 semaines"); the
    unit is one of "min", "h", "d", "bd", "w", "mo", "y"."""
    hi, lo = _number(number) or number, _number(low) if low else None
    return f"{lo}-{hi}{_UNITS[unit.lower()]}" if lo and lo != hi else f"{hi}{_UNITS[unit.lower()]}"


def _durations(text: str, folded: Folded, taken: list[tuple[int, int]]) -> list[StatedFact]:
    out: list[StatedFact] = []
    for m in _DURATION.finditer(folded.text):
        a, b = folded.span(m.start(), m.end())
        if not free((a, b), taken) or _number(m.group("hi")) is None:
            continue
        lo = m.group("lo")
        if lo and _number(lo) is None:
            continue
        if (
            m.group("unit") == "h"
            and not lo
            and not _DELAY_CUE.search(folded.text[max(0, m.start() - 20) : m.start()])
        ):
            continue
        key = duration_key(m.group("hi"), m.group("unit"), lo)
        whole = folded.text[m.start("lo") : m.end("hi")] if lo and lo[0].isalpha() else ""
        if whole and (n := words_value(whole)) is not None:  # "vingt et un": one number
            key = duration_key(str(n), m.group("unit"))
        out.append(StatedFact("duration", a, b, text[a:b], key))
        taken.append((a, b))
    for m in _A_DURATION.finditer(folded.text):
        a, b = folded.span(m.start("a"), m.end())
        if free((a, b), taken):
            out.append(StatedFact("duration", a, b, text[a:b], duration_key("1", m.group("unit"))))
            taken.append((a, b))
    return out


def stated_facts(text: str) -> list[StatedFact]:
    """The facts a text states that must come from the knowledge store."""
    out = [
        StatedFact(f.kind, f.start, f.end, f.text, f.key)
        for f in extract(text, ("price", "date", "time", "email", "phone", "url"))
    ]
    taken = [(f.start, f.end) for f in out]
    f = fold(text)  # matched on the folded text, reported at the original's offsets
    folded = f.text
    out.extend(_durations(text, f, taken))
    for m in _YEAR.finditer(text):
        if free((m.start(), m.end()), taken):
            out.append(StatedFact("year", m.start(), m.end(), m.group(1), m.group(1)))
            taken.append((m.start(), m.end()))
    for m in _PERCENT.finditer(folded):
        a, b = f.span(m.start(), m.end())
        if free((a, b), taken):
            key = m.group(1).replace(",", ".")
            out.append(StatedFact("percent", a, b, text[a:b], f"{key}%"))
    for name, stems in _COMMITMENTS.items():
        for stem in stems:
            i = folded.find(stem)
            if i >= 0:
                start, end = f.span(i, i + len(stem))
                while end < len(text) and text[end].isalpha():
                    end += 1
                out.append(StatedFact("commitment", start, end, text[start:end], name))
                break
    out.sort(key=lambda f: f.start)
    return out


@dataclass(frozen=True)
class Source:
    source: str
    heading: str
    line: int | None
    excerpt: str


class FactSources:
    """Where each fact of a brand's store is stated: the first guideline passage, or else
    the first past reply, that states it. A delay range ("2 à 4 jours ouvrables") also
    grounds each of its ends ("4 business days"), and a single delay inside it ("3 jours
    ouvrables") when it is tight: an estimate, its high end at most 3 times its low. A wide
    range is a choice or an advice, read here without its subject: "pause for 1 to 12
    weeks" must not ground an invented "2 ou 3 semaines" of delivery, nor "drink it 7 to
    45 days after roasting" a "12 jours" of shipping. Another range is grounded only by
    itself: "2 ou 3 jours" promises more than the brand's "2 à 4"."""

    def __init__(self) -> None:
        self.by_key: dict[tuple[str, str], Source] = {}

    @classmethod
    def build(
        cls, passages: Iterable[tuple[str, Source]], replies: Iterable[tuple[str, Source]]
    ) -> FactSources:
        """The first source of each fact stated in `passages`, then in `replies`."""
        idx = cls()
        for text, src in [*passages, *replies]:
            for f in stated_facts(text):
                a = max(0, f.start - 120)
                found = Source(src.source, src.heading, src.line, text[a : f.end + 120].strip())
                idx.by_key.setdefault((f.kind, f.key), found)
                if f.kind == "date" and (year := _FULL_YEAR.search(f.text)):
                    idx.by_key.setdefault(("year", year.group()), found)  # "31/05/2024"
                if f.kind == "duration" and (m := _RANGE_KEY.match(f.key)):
                    for end in (m.group("lo"), m.group("hi")):
                        idx.by_key.setdefault(("duration", end + m.group("unit")), found)
        return idx

    def find(self, fact: StatedFact) -> Source | None:
        """The source that states `fact`, or None."""
        hit = self.by_key.get((fact.kind, fact.key))
        if hit is None and fact.kind == "url" and "/" in fact.key:
            hit = self.by_key.get(("url", fact.key.split("/", 1)[0]))
        if hit is None and fact.kind == "duration":
            hit = self._within_range(fact.key)
        return hit

    def _within_range(self, key: str) -> Source | None:
        """The source of a tight range of the same unit that holds the single delay `key`
        ("3bd" in "2-4bd"; not in "1-12w", nor in "7-45d")."""
        want = _SINGLE_KEY.match(key)
        if want is None:
            return None
        value, unit = float(want.group("value")), want.group("unit")
        for (kind, have), src in self.by_key.items():
            m = _RANGE_KEY.match(have) if kind == "duration" else None
            if m is None or m.group("unit") != unit:
                continue
            low, high = float(m.group("lo")), float(m.group("hi"))
            if low <= value <= high and high <= TIGHT_RANGE * max(low, 1.0):
                return src
        return None
