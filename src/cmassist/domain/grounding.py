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

from cmassist.domain.facts import extract
from cmassist.domain.spans import free
from cmassist.domain.textmatch import fold

_UNITS = {
    "minute": "min", "minutes": "min", "min": "min", "mins": "min",
    "hour": "h", "hours": "h", "hr": "h", "hrs": "h", "h": "h", "heure": "h", "heures": "h",
    "day": "d", "days": "d", "jour": "d", "jours": "d", "journee": "d", "journees": "d",
    "business day": "bd", "business days": "bd", "working day": "bd", "working days": "bd",
    "jour ouvrable": "bd", "jours ouvrables": "bd", "jour ouvre": "bd", "jours ouvres": "bd",
    "week": "w", "weeks": "w", "semaine": "w", "semaines": "w",
    "month": "mo", "months": "mo", "mois": "mo", "year": "y", "years": "y", "an": "y", "ans": "y",
}  # fmt: skip
_NUMBER_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "ten": 10,
    "fourteen": 14, "thirty": 30, "un": 1, "une": 1, "deux": 2, "trois": 3, "quatre": 4,
    "cinq": 5, "sept": 7, "dix": 10, "quatorze": 14, "trente": 30,
}  # fmt: skip
_UNIT_RX = "|".join(sorted((re.escape(u) for u in _UNITS), key=len, reverse=True))
_NUM_RX = r"\d+(?:[.,]\d+)?|" + "|".join(_NUMBER_WORDS)
_DURATION = re.compile(
    rf"(?<![\w.,])({_NUM_RX})\s?(?:-\s?|a\s|to\s)?(?:({_NUM_RX})\s)?({_UNIT_RX})(?![\w])"
)
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
    kind: str  # price | date | time | email | phone | url | duration | percent | commitment
    start: int
    end: int
    text: str
    key: str


def duration_key(number: str, unit: str) -> str:
    n = _NUMBER_WORDS.get(number.lower())
    value = str(n) if n is not None else number.replace(",", ".").rstrip("0").rstrip(".") or "0"
    return f"{value}{_UNITS[unit.lower()]}"


def stated_facts(text: str) -> list[StatedFact]:
    """The facts a text states that must come from the knowledge store."""
    out = [
        StatedFact(f.kind, f.start, f.end, f.text, f.key)
        for f in extract(text, ("price", "date", "time", "email", "phone", "url"))
    ]
    taken = [(f.start, f.end) for f in out]
    f = fold(text)  # matched on the folded text, reported at the original's offsets
    folded = f.text

    for m in _DURATION.finditer(folded):
        a, b = f.span(m.start(), m.end())
        if not free((a, b), taken):
            continue
        # "8 h" is a clock time (already a fact); "48 h" is a delay
        if m.group(3) == "h" and not re.search(
            r"(?:within|in|under|sous|en|dans|d'ici|moins de|less than)\s*$", folded[: m.start()]
        ):
            continue
        number = m.group(2) or m.group(1)
        out.append(StatedFact("duration", a, b, text[a:b], duration_key(number, m.group(3))))
        taken.append((a, b))
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
    the first past reply, that states it."""

    def __init__(self) -> None:
        self.by_key: dict[tuple[str, str], Source] = {}

    @classmethod
    def build(
        cls, passages: Iterable[tuple[str, Source]], replies: Iterable[tuple[str, Source]]
    ) -> FactSources:
        idx = cls()
        for text, src in [*passages, *replies]:
            for f in stated_facts(text):
                key = (f.kind, f.key)
                if key not in idx.by_key:
                    a = max(0, f.start - 120)
                    snippet = text[a : f.end + 120].strip()
                    idx.by_key[key] = Source(src.source, src.heading, src.line, snippet)
        return idx

    def find(self, fact: StatedFact) -> Source | None:
        hit = self.by_key.get((fact.kind, fact.key))
        if hit is None and fact.kind == "url" and "/" in fact.key:
            hit = self.by_key.get(("url", fact.key.split("/", 1)[0]))
        return hit
