"""Opening hours: which weekdays a place keeps which hours, or is closed, by season.

Read from sentences that are about hours (their passage's heading or the sentence itself
says hours, open or closed), in English and French: "Monday to Friday 7 a.m. to 6 p.m.",
"du lundi au vendredi de 7 h à 18 h", "every day" / "tous les jours", "closed Sunday and
Monday" / "fermé dimanche et lundi", under a season label ("High season, April 1 to
October 31:", "Horaire d'été : du 24 juin à la fête du Travail").
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

from cmassist.domain.facts import MONTHS
from cmassist.domain.factsheet import Hours
from cmassist.domain.textmatch import fold_str
from cmassist.services.knowledge.sections import Guidelines, Section, facts_of

_DAY_WORDS = {
    "monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4, "saturday": 5,
    "sunday": 6, "lundi": 0, "mardi": 1, "mercredi": 2, "jeudi": 3, "vendredi": 4,
    "samedi": 5, "dimanche": 6,
}  # fmt: skip
_MONTH = "|".join(sorted((re.escape(m) for m in MONTHS), key=len, reverse=True))
_DAY = (
    r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday"
    r"|lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche)s?"
)
_TOKENS = re.compile(
    rf"(?P<range>(?:\b(?:from|du|de)\s+)?\b{_DAY}\s*(?:to|through|thru|until|till|-|–|—|au|à|a)\s*(?:the\s+)?{_DAY}\b)"
    r"|(?P<every>\b(?:every\s+day|daily|(?:7|seven)\s+days\s+a\s+week|tous\s+les\s+jours|chaque\s+jour|7\s*(?:jours\s+)?(?:sur\s+|/\s*)7)\b)"
    r"|(?P<weekend>\b(?:(?:on\s+)?(?:the\s+)?weekends?|(?:la|les)\s+fins?\s+de\s+semaine|(?:le|les)\s+week-?ends?)\b)"
    r"|(?P<weekdays>\b(?:weekdays|en\s+semaine)\b)"
    rf"|(?P<list>\b{_DAY}(?:\s*(?:,|and|&|et|or|ou)\s*(?:le\s+|on\s+)?{_DAY})*\b)"
    r"|(?P<closed>\b(?:closed|fermée?s?|ferme)\b)",
    re.IGNORECASE,
)
_RANGE_JOIN = re.compile(r"\s*(?:to|until|till|through|-|–|—|à|a|au|jusqu['’]à)\s*", re.IGNORECASE)
# What says a sentence is about opening hours ("heure de l'Est", a time zone, does not).
_CUE = re.compile(
    r"\b(?:hours|opening|open|opens|closed|closes|heures|horaires?|ouvert\w*|fermé\w*|ferme)\b",
    re.IGNORECASE,
)
# A weekday that is part of a date ("Saturday, June 6", "le samedi 6 juin") or an
# ordinal ("the first Sunday of the month") is no weekly schedule.
_DATE_AFTER = re.compile(
    rf"^,?\s*(?:(?:{_MONTH})\.?\s+\d|\d{{1,2}}(?:er|st|nd|rd|th)?\s+(?:{_MONTH})\b)", re.I
)
_ORDINAL_BEFORE = re.compile(
    r"\b(?:first|second|third|fourth|last|every other|premier|deuxième|troisième|dernier)\s+$",
    re.IGNORECASE,
)
_SEASON_WORD = re.compile(
    r"\b(?:(?:high|low|peak|off|summer|winter)[- ]season|summer|winter|spring|fall|autumn|"
    r"(?:haute|basse)\s+saison|saison\s+\w+|été|hiver|printemps|automne|holidays?|fêtes)\b",
    re.IGNORECASE,
)
_LABEL_NOISE = re.compile(
    r"\b(?:hours?|heures?|horaires?|schedule|opening|d['’]ouverture|of|from|to|du|de|au|à|d['’])\b|['’]s\b",
    re.IGNORECASE,
)
# A colon that ends a label ("Hours:", "Haute saison :"), not one inside "7:30".
_COLON = re.compile(r"\s?:(?!\d)")
# Between "closed" and its days, or days and "closed": only these words.
_CLOSED_GAP = re.compile(r"^[\s,:]*(?:on|le|les|the)?[\s,:]*$", re.IGNORECASE)


@dataclass(frozen=True)
class _Token:
    kind: str  # days | range | closed
    start: int
    end: int
    days: tuple[int, ...] = ()
    opens: str | None = None
    closes: str | None = None


def read_hours(section: Section, guidelines: Guidelines, place: str) -> list[Hours]:
    """The hours `section` gives for `place` (its subject)."""
    about_hours = _CUE.search(section.title) is not None
    out: list[Hours] = []
    for sentence in section.sentences:
        if not (about_hours or _CUE.search(sentence)):
            continue
        out.extend(_sentence_hours(sentence, section, guidelines, place))
    return out


def _sentence_hours(
    sentence: str, section: Section, guidelines: Guidelines, place: str
) -> list[Hours]:
    """The hours of one sentence: each time range is kept by the days named before it
    (or the days of the range before, "and 1 p.m. to 5 p.m."), "closed" by the days
    named right after it or right before it."""
    tokens = sorted(_day_tokens(sentence) + _time_ranges(sentence), key=lambda t: t.start)
    out: list[Hours] = []
    pending: list[int] = []
    last: list[int] = []
    i = 0
    while i < len(tokens):
        t = tokens[i]
        kept: tuple[list[int], str | None, str | None] | None = None
        if t.kind == "days":
            pending.extend(t.days)
        elif t.kind == "range":
            kept = (pending or last, t.opens, t.closes)
            last, pending = list(pending or last), []
        elif t.kind == "closed":
            nxt = tokens[i + 1] if i + 1 < len(tokens) else None
            if nxt and nxt.kind == "days" and _CLOSED_GAP.match(sentence[t.end : nxt.start]):
                kept = (list(nxt.days), None, None)
                i += 1
            elif pending:
                kept, pending = (pending, None, None), []
        if kept:
            season, since, until = _season(sentence, t.start, guidelines)
            days, opens, closes = kept
            cite = section.cite(sentence)
            out.extend(Hours(place, d, opens, closes, season, cite, since, until) for d in days)
        i += 1
    return out


def _day_tokens(sentence: str) -> list[_Token]:
    out = []
    for m in _TOKENS.finditer(sentence):
        kind = m.lastgroup or ""
        if kind == "closed":
            out.append(_Token("closed", m.start(), m.end()))
            continue
        if kind == "every":
            days: tuple[int, ...] = tuple(range(7))
        elif kind == "weekend":
            days = (5, 6)
        elif kind == "weekdays":
            days = (0, 1, 2, 3, 4)
        elif _DATE_AFTER.match(sentence[m.end() :]) or _ORDINAL_BEFORE.search(
            sentence[: m.start()]
        ):
            continue
        else:
            found = [_DAY_WORDS[fold_str(w).rstrip("s")] for w in re.findall(_DAY, m.group(), re.I)]
            if kind == "range":
                a, b = found[0], found[-1]
                days = tuple(range(a, b + 1)) if a <= b else (*range(a, 7), *range(b + 1))
            else:
                days = tuple(found)
        out.append(_Token("days", m.start(), m.end(), days))
    return out


def _time_ranges(sentence: str) -> list[_Token]:
    times = facts_of(sentence, ("time",))
    out = []
    for a, b in itertools.pairwise(times):
        if _RANGE_JOIN.fullmatch(sentence[a.end : b.start]):
            out.append(_Token("range", a.start, b.end, opens=a.key, closes=b.key))
    return out


def _season(sentence: str, at: int, guidelines: Guidelines) -> tuple[str, str, str]:
    """The season the hours at `at` are for: (its name, "MM-DD" it starts, ends), the
    name "" all year. From the last label before them ("High season, April 1 to October
    31:"), else a season word in front of them ("in summer")."""
    labels = [m for m in _COLON.finditer(sentence) if m.end() <= at]
    if labels:
        colon = labels[-1]
        begin = max(sentence.rfind(c, 0, colon.start()) for c in ".;:(")
        label = sentence[begin + 1 : colon.start()]
        name = _season_name(label, guidelines)
        # read apart: "October 31:" is no date to `extract` when the colon follows it
        around = (label, sentence[colon.end() : at])
        dates = [f.key for part in around for f in facts_of(part, ("date",))]
        return name, (dates[0] if dates else ""), (dates[1] if len(dates) > 1 else "")
    before = sentence[max(0, sentence.rfind(";", 0, at) + 1) : at]
    word = _SEASON_WORD.search(before)
    return (fold_label(word.group()) if word else ""), "", ""


def _season_name(label: str, guidelines: Guidelines) -> str:
    head = label.split(",")[0]
    if guidelines.brand_name:
        head = re.sub(re.escape(guidelines.brand_name), " ", head, flags=re.IGNORECASE)
    if not _SEASON_WORD.search(head):
        return ""
    for f in facts_of(head, ("date",)):
        head = head.replace(f.text, " ")
    return fold_label(_LABEL_NOISE.sub(" ", head))


def fold_label(text: str) -> str:
    """A label as a season's name: lower case, single spaces, no stray punctuation."""
    return " ".join(re.sub(r"[^\w'’ -]", " ", text).lower().split()).strip(" -'’")
