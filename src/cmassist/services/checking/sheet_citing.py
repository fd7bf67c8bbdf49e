"""How a fact-sheet finding names and cites its record (file › heading, the record's own
passage), and how the checks write days, times and prices in English and in French."""

from __future__ import annotations

import re
from collections.abc import Iterable

from cmassist.domain.factsheet import FactSheet, FactSource, Hours, Price, weekday_name
from cmassist.domain.guidelines import Rule
from cmassist.services.checking.context import CheckContext

RULE = "contradicted_fact"


# -- how a finding names and cites its record -------------------------------------------------


def where(src: FactSource | None) -> str:
    """«06-facts.md › Café Mile End : adresse et heures»: the record's file and heading."""
    if src is None:
        return "the fact sheet"
    heading = re.sub(r"\s*\((?:EN|FR)\)\s*$", "", src.heading.rsplit(" > ", 1)[-1])
    return f"{src.source} › {heading}" if heading else src.source


def add_finding(
    ctx: CheckContext,
    src: FactSource | None,
    span: tuple[int, int],
    message: str,
    suggestion: str,
    *,
    warn: bool = False,
    replacement: str | None = None,
) -> None:
    """A finding citing the record's own passage: its file, the passage that holds its
    excerpt (the term), else the closest to it."""
    rule = Rule(
        source=src.source if src else None,
        line=src.line if src else None,
        severity="warn" if warn else None,
    )
    excerpt = " ".join(src.excerpt.split()) if src else ""
    ctx.add(
        RULE,
        rule,
        span[0],
        span[1],
        message,
        query=f"{src.heading if src else 'reference facts hours'} {excerpt}"[:400],
        term=excerpt[:60],
        suggestion=suggestion,
        replacement=replacement,
    )


def by_language(records: list[Hours], lang: str | None) -> list[Hours]:
    """The records, those read from a passage in `lang` first (the message cites that one)."""
    return sorted(records, key=lambda h: 0 if h.source and h.source.language == lang else 1)


# -- how the checks write days, times and prices --------------------------------------------


def days_label(days: Iterable[int] | None, lang: str | None = "en") -> str:
    """ " on Sunday", " Monday to Friday", " Saturday and Sunday" ("le dimanche", "du lundi
    au vendredi", "samedi et dimanche" in French); "" for any day."""
    if days is None:
        return ""
    fr = lang == "fr"
    parts = []
    for a, b in _runs(sorted(set(days))):
        one, two = weekday_name(a, lang), weekday_name(b, lang)
        if a == b:
            parts.append(one)
        elif b == a + 1:
            parts.append(f"{one} {'et' if fr else 'and'} {two}")
        else:
            parts.append(f"du {one} au {two}" if fr else f"{one} to {two}")
    if len(parts) == 1 and " " not in parts[0]:
        return f" le {parts[0]}" if fr else f" on {parts[0]}"
    return " " + (" et " if fr else " and ").join(parts)


def _runs(days: list[int]) -> list[tuple[int, int]]:
    runs: list[tuple[int, int]] = []
    for d in days:
        if runs and d == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], d)
        else:
            runs.append((d, d))
    return runs


def clock(key: str | None, lang: str | None) -> str:
    """ "07:30" as the language writes it: "7 h 30", "7:30 a.m."."""
    if not key:
        return "?"
    hour, minute = (int(x) for x in key.split(":"))
    if lang == "fr":
        return f"{hour} h" + (f" {minute:02d}" if minute else "")
    if (hour, minute) == (12, 0):
        return "noon"
    if (hour, minute) == (0, 0):
        return "midnight"
    h12 = hour % 12 or 12
    return f"{h12}" + (f":{minute:02d}" if minute else "") + (" a.m." if hour < 12 else " p.m.")


def clock_range(opens: str | None, closes: str | None, lang: str | None) -> str:
    """ "7 h à 18 h" / "7 a.m. to 6 p.m."."""
    joiner = " à " if lang == "fr" else " to "
    return f"{clock(opens, lang)}{joiner}{clock(closes, lang)}"


def hours_summary(sheet: FactSheet, place: str, lang: str | None) -> str:
    """A place's week in one line: "Monday to Friday 7 a.m. to 6 p.m., Saturday and Sunday
    8 a.m. to 6 p.m." (its all-year hours, else its first season's)."""
    records = sheet.hours_of(place)
    season = "" if any(not h.season for h in records) else (records[0].season if records else "")
    by_hours: dict[tuple[str | None, str | None], set[int]] = {}
    for h in records:
        if h.season == season and not h.closed:
            by_hours.setdefault((h.opens, h.closes), set()).add(h.day)
    return ", ".join(
        f"{days_label(days, lang).strip()} {'de ' if lang == 'fr' else ''}{clock_range(o, c, lang)}"
        for (o, c), days in sorted(by_hours.items(), key=lambda kv: min(kv[1]))
    )


def open_days_of(sheet: FactSheet, place: str, season: str, lang: str | None) -> str:
    """The weekdays `place` is open in `season`, "Tuesday to Saturday"."""
    days = {h.day for h in sheet.hours_of(place) if h.season == season and not h.closed}
    return days_label(days, "en").strip() if days else ""


def money(price: Price, lang: str | None) -> str:
    """A sheet price as the language writes it: "21 $", "4,75 $", "$21", "€200"."""
    whole, cents = price.amount.split(".")
    value = whole if cents == "00" else f"{whole}{',' if lang == 'fr' else '.'}{cents}"
    sign = "€" if price.currency == "EUR" else "$"
    return f"{value} {sign}" if lang == "fr" else f"{sign}{value}"
