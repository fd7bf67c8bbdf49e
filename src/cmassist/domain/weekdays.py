"""Weekdays in French and English text: "lundi", "les lundis", "Mondays", "du lundi au
vendredi", "Mon–Fri", "weekends", "fin de semaine", "tous les jours", "every day".

Each mention comes with the set of weekdays it names, 0 (Monday) to 6 (Sunday), the
convention of `cmassist.domain.factsheet`, so a check can compare "Réouverture lundi" with
the days a place is closed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from cmassist.domain.spans import free

_DAYS = {
    "lundi": 0, "mardi": 1, "mercredi": 2, "jeudi": 3, "vendredi": 4, "samedi": 5,
    "dimanche": 6, "monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4,
    "saturday": 5, "sunday": 6,
}  # fmt: skip
_ABBR = {
    "lun": 0, "mar": 1, "mer": 2, "jeu": 3, "ven": 4, "sam": 5, "dim": 6, "mon": 0, "tue": 1,
    "tues": 1, "wed": 2, "thu": 3, "thur": 3, "thurs": 3, "fri": 4, "sat": 5, "sun": 6,
}  # fmt: skip
_FULL = "|".join(_DAYS)
_ANY_DAY = rf"(?:{_FULL})s?|(?:{'|'.join(sorted(_ABBR, key=len, reverse=True))})\.?"
_DAY_RANGE = re.compile(
    rf"\b(?P<a>{_ANY_DAY})(?:\s*[-–—]\s*|\s+(?:au|à|a|to|through|thru|till|until|"
    rf"jusqu['’]au)\s+)(?P<b>{_ANY_DAY})(?!\w)",
    re.IGNORECASE,
)
_DAY_GROUPS = (
    (
        re.compile(
            r"\b(?:tous\s+les\s+jours|chaque\s+jour|every\s+day|7\s*j(?:ours)?\s*(?:/|sur)"
            r"\s*7|7\s*/\s*7|sept\s+jours\s+sur\s+sept|(?:7|seven)\s+days\s+a\s+week)\b",
            re.IGNORECASE,
        ),
        frozenset(range(7)),
    ),
    (
        re.compile(r"\b(?:week-?ends?|fins?\s+de\s+semaine)\b", re.IGNORECASE),
        frozenset({5, 6}),
    ),
    (
        re.compile(r"\b(?:weekdays?|en\s+semaine|jours?\s+de\s+semaine)\b", re.IGNORECASE),
        frozenset(range(5)),
    ),
    (re.compile(rf"\b(?:{_FULL})s?\b", re.IGNORECASE), None),
)
_EXCEPT = re.compile(
    r"(?:\b(?:sauf|except(?:é|e|ed)?|hormis|hors|but\s+not|other\s+than)\s+"
    r"(?:le\s+|les\s+|la\s+|on\s+|the\s+|for\s+)?)$",
    re.IGNORECASE,
)
_AND_NEXT = re.compile(r"^\s*(?:,|et|and|ou|or|&)\s*(?:le\s+|les\s+|on\s+|the\s+)?$", re.I)


@dataclass(frozen=True)
class DaySpan:
    """Weekdays a text names: `days` holds 0 (Monday) to 6 (Sunday); `excluded` when the
    text leaves them out ("tous les jours sauf le lundi", "except Sundays")."""

    start: int
    end: int
    text: str
    days: frozenset[int]
    excluded: bool = False


def _day_number(word: str) -> int:
    w = word.lower().rstrip(".")
    return _DAYS[w[:-1]] if w not in _DAYS and w[:-1] in _DAYS else _DAYS.get(w, _ABBR.get(w, 0))


def weekdays(text: str) -> list[DaySpan]:
    """The weekdays `text` names, in order: "lundi", "le dimanche", "les lundis", "Mondays",
    "du lundi au vendredi", "Mon–Fri", "weekends", "fin de semaine", "en semaine",
    "tous les jours", "every day"; a range wraps past Sunday ("vendredi au lundi")."""
    found: list[tuple[int, int, frozenset[int]]] = []
    taken: list[tuple[int, int]] = []
    for m in _DAY_RANGE.finditer(text):
        a, b = _day_number(m.group("a")), _day_number(m.group("b"))
        full = any(_day_number(x) >= 0 and x.lower().rstrip("s") in _DAYS for x in m.groups())
        dash = bool(re.search(r"[-–—]", m.group()))
        if a == b or not (full or dash or m.group("a")[0].isupper()):
            continue  # "sat to sun" in lowercase is more often words than days
        found.append((m.start(), m.end(), frozenset((a + i) % 7 for i in range((b - a) % 7 + 1))))
        taken.append((m.start(), m.end()))
    for rx, days in _DAY_GROUPS:
        for m in rx.finditer(text):
            if free((m.start(), m.end()), taken):
                found.append((m.start(), m.end(), days or frozenset({_day_number(m.group())})))
                taken.append((m.start(), m.end()))
    found.sort()
    out: list[DaySpan] = []
    for a, b, days in found:
        before = text[max(0, a - 30) : a]
        excluded = bool(_EXCEPT.search(before)) or bool(
            out and out[-1].excluded and _AND_NEXT.match(text[out[-1].end : a])
        )
        out.append(DaySpan(a, b, text[a:b], days, excluded))
    return out
