"""Hours against the fact sheet: a clock time that is no time of day, a day the place is
closed said open (or a day it opens said closed), another place's hours.

A weekday or a time range belongs to the place named nearest in the same sentence, else, in
a reply, to the place the comment asked about, else to the brand's only place."""

from __future__ import annotations

import re

from cmassist.domain.facts import bad_times, extract, time_ranges
from cmassist.domain.factsheet import FactSheet, FactSource, Hours, weekday_name
from cmassist.domain.textmatch import fold_str
from cmassist.services.checking import sheet_reading as reading
from cmassist.services.checking.context import CheckContext
from cmassist.services.checking.sheet_citing import (
    add_finding,
    by_language,
    clock_range,
    days_label,
    hours_summary,
    open_days_of,
    where,
)
from cmassist.services.checking.sheet_reading import Mention, Sentence

# -- impossible times ---------------------------------------------------------------------------


def check_impossible_times(ctx: CheckContext) -> None:
    """ "25h", "du 10 à 25h", "13 p.m.": a clock time that is no time of day at all,
    whatever the sheet says."""
    for bad in bad_times(ctx.text):
        add_finding(
            ctx,
            None,
            (bad.start, bad.end),
            f"“{bad.text}” is not a time of day (hours go from 0 to 24, minutes to 59).",
            "write the real time, as the reference facts give it",
        )


# -- a day the place is closed ------------------------------------------------------------------


def check_closed_days(
    ctx: CheckContext,
    sheet: FactSheet,
    sentences: list[Sentence],
    places: list[Mention],
    asked: str | None,
) -> None:
    """A text that says a place is open (or reopens) on a weekday it is closed.

    Severity: **block** when the place is closed that weekday in every season it has, or in
    the season the text's own dates (or the season it names) put it in: the statement is
    then false. **warn** when it is closed that day in some seasons only and the text does
    not say when: the statement is true part of the year, so the message names the season
    and its dates ("closed on Mondays in low season (Nov 1 to Mar 31)") for the writer to
    check which one the text is for."""
    text_dates = [f.key for f in extract(ctx.text, ("date",))]
    for sent in sentences:
        for said in reading.open_days(ctx.text, sent):
            for place in _places_for(sheet, sent, said.start, places, asked):
                _closed_day(ctx, sheet, place, said, sent, text_dates)
        if not extract(sent.text, ("date",)) and not _ONE_OFF.search(fold_str(sent.text)):
            for said in reading.closed_days(ctx.text, sent):
                for place in _places_for(sheet, sent, said.start, places, asked):
                    _open_day(ctx, sheet, place, said)


# A closure of one day ("fermé aujourd'hui", "closed this Saturday for inventory") is news,
# not a statement about the place's hours.
_ONE_OFF = re.compile(
    r"\b(?:aujourd'?hui|demain|ce|cette|prochain|exceptionnellement|ferie|fetes|inventaire"
    r"|panne|today|tomorrow|this|next|exceptionally|holidays?|inventory|outage)\b"
)


def _open_day(ctx: CheckContext, sheet: FactSheet, place: str, said: reading.DaySpan) -> None:
    """**warn**: the text says `place` is closed on a weekday it is open in every season
    (a reply telling a customer «we're closed on Saturday» about a café open Saturdays)."""
    records = sheet.hours_of(place)
    seasons = list(dict.fromkeys(h.season for h in records))
    lang = ctx.lang_at(said.start)
    for day in sorted(said.days):
        if not seasons or not all(
            any(h.day == day and not h.closed for h in records if h.season == s) for s in seasons
        ):
            continue
        src = _source_of(records, day, seasons[0], lang)
        add_finding(
            ctx,
            src,
            (said.start, said.end),
            f"{place} is open on {weekday_name(day, 'en')}s, according to {where(src)}.",
            f"give {place}'s hours, or say when and why it is closed",
            warn=True,
        )
        return


def _places_for(
    sheet: FactSheet, sent: Sentence, pos: int, places: list[Mention], asked: str | None
) -> list[str]:
    """The place(s) a statement at `pos` of `sent` is about."""
    named = reading.nearest(places, sent, pos)
    if named is not None:
        return [named.name]
    if reading.all_places_named(sent.text):
        return sheet.places()
    if asked:
        return [asked]
    only = sheet.places()
    return only if len(only) == 1 else []


def _closed_day(
    ctx: CheckContext,
    sheet: FactSheet,
    place: str,
    said: reading.DaySpan,
    sent: Sentence,
    text_dates: list[str],
) -> None:
    records = sheet.hours_of(place)
    seasons = list(dict.fromkeys(h.season for h in records))
    context = reading.seasons_in(sheet, place, sent, said, text_dates, ctx.text)
    lang = ctx.lang_at(said.start)
    for day in sorted(said.days):
        closed = [
            s
            for s in seasons
            if not any(h.day == day and not h.closed for h in records if h.season == s)
        ]
        relevant = [s for s in closed if context is None or s in context]
        if not relevant:
            continue  # open that day (in the season the text is about)
        every = len(closed) == len(seasons)
        src = _source_of(records, day, relevant[0], lang)
        season = "" if every else reading.season_label(sheet, place, relevant[0])
        when = f" in {season}" if season else ""
        open_on = open_days_of(sheet, place, relevant[0], lang)
        add_finding(
            ctx,
            src,
            (said.start, said.end),
            f"{place} is closed on {weekday_name(day, 'en')}s{when}, according to {where(src)}.",
            f"give a day {place} is open{when}: {open_on}" if open_on else "remove the day",
            warn=not (every or context is not None),
        )
        return  # one finding per day span


def _source_of(records: list[Hours], day: int, season: str, lang: str | None) -> FactSource | None:
    same = [h for h in records if h.season == season]
    pick = [h for h in same if h.day == day] or same or records
    return by_language(pick, lang)[0].source


# -- another place's hours ----------------------------------------------------------------------


def check_hours(
    ctx: CheckContext,
    sheet: FactSheet,
    sentences: list[Sentence],
    places: list[Mention],
    asked: str | None,
) -> None:
    """A time range given as a place's hours that is not that place's hours for the
    weekday(s) stated (any day when none is), in any of its seasons (the season of the
    sentence's dates, when it has some); when they are another place's hours, the message
    says whose. A reply that gives another place's hours than the one the comment asked
    about, and never names that one, is told so (warn)."""
    text_dates = [f.key for f in extract(ctx.text, ("date",))]
    other: Mention | None = None
    for sent in sentences:
        if not reading.speaks_of_hours(sent.text):
            continue
        ranges = [
            (sent.start + r.start, sent.start + r.end, r.opens, r.closes)
            for r in time_ranges(sent.text)
        ]
        spans = [d for d in reading.day_spans(ctx.text, sent) if d.date is None]
        for i, (start, end, opens, closes) in enumerate(ranges):
            named = reading.nearest(places, sent, start)
            found = [named.name] if named else _places_for(sheet, sent, start, [], asked)
            if not found or not sheet.hours_of(found[0]):
                continue
            if asked and named and fold_str(named.name) != fold_str(asked):
                other = other or named
            seasons = reading.seasons_in(
                sheet, found[0], sent, None, text_dates, ctx.text, strict=True
            )
            if seasons == set():
                continue  # dated hours (a holiday) that no season of the sheet covers
            days = reading.days_for(spans, ranges, i)
            _compare(ctx, sheet, found[0], (start, end), (opens, closes), days, seasons)
    if other is not None and asked and not any(fold_str(m.name) == fold_str(asked) for m in places):
        src = next((h.source for h in sheet.hours_of(asked) if h.source), None)
        add_finding(
            ctx,
            src,
            (other.start, other.end),
            f"The comment asks about {asked}; the reply gives {other.name}'s hours instead "
            f"({asked}'s are in {where(src)}).",
            f"answer for {asked}: {hours_summary(sheet, asked, ctx.language)}",
            warn=True,
        )


def _compare(
    ctx: CheckContext,
    sheet: FactSheet,
    place: str,
    span: tuple[int, int],
    said: tuple[str, str],
    days: frozenset[int] | None,
    seasons: set[str] | None,
) -> None:
    def fits(h: Hours) -> bool:
        return (
            not h.closed
            and (days is None or h.day in days)
            and (seasons is None or h.season in seasons)
        )

    candidates = [h for h in sheet.hours_of(place) if fits(h)]
    if not candidates or any((h.opens, h.closes) == said for h in candidates):
        return  # closed those days (the closed-day check says so), or right
    lang = ctx.lang_at(span[0])
    right = by_language(candidates, lang)[0]
    whose = [
        p
        for p in sheet.places()
        if fold_str(p) != fold_str(place)
        and any(fits(h) and (h.opens, h.closes) == said for h in sheet.hours_of(p))
    ]
    stated = clock_range(*said, "en")
    truth = clock_range(right.opens, right.closes, "en")
    lead = (
        f"{stated} are {whose[0]}'s hours, not {place}'s"
        if whose
        else f"{place} is not open {stated}"
    )
    unique = len({(h.opens, h.closes) for h in candidates}) == 1
    fix = clock_range(right.opens, right.closes, lang)
    add_finding(
        ctx,
        right.source,
        span,
        f"{lead}: {place} is open {truth}{days_label(days)}, according to {where(right.source)}.",
        f"use {place}'s hours: {fix}",
        replacement=fix if unique else None,
    )
