"""Facts that contradict the brand's fact sheet: a day the place is closed, another
place's hours (or hours that are no hours), another place's address, a wrong price for a
named product, a promise a policy forbids (negation understood on both sides).

Each finding names the fact sheet record it rests on and where it was read (file ›
heading), cites that record's passage and suggests the right value. Nothing here knows a
brand: the places, products, seasons and policies are the sheet's. A time range, a weekday
or a price belongs to the place or product named in the same sentence (the nearest one),
else, in a reply, to the place the comment asked about, else to the brand's only place.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from cmassist.domain.facts import bad_times, extract, time_ranges
from cmassist.domain.factsheet import FactSheet, FactSource, Hours, Policy, Price, weekday_name
from cmassist.domain.grounding import stated_facts
from cmassist.domain.guidelines import Rule
from cmassist.domain.textmatch import fold, fold_str
from cmassist.services.checking import sheet_reading as reading
from cmassist.services.checking.context import CheckContext
from cmassist.services.checking.sheet_reading import Mention, Sentence

RULE = "contradicted_fact"


def check_contradictions(ctx: CheckContext) -> None:
    """Findings `contradicted_fact` for what the text states against the fact sheet."""
    sentences = reading.sentences(ctx.text)
    check_impossible_times(ctx)
    sheet = ctx.profile.factsheet
    if not len(sheet):
        return
    places = reading.place_mentions(ctx.text, sheet)
    asked = reading.asked_place(ctx.replying_to, sheet) if ctx.kind == "reply" else None
    check_closed_days(ctx, sheet, sentences, places, asked)
    check_hours(ctx, sheet, sentences, places, asked)
    check_addresses(ctx, sheet, sentences, places, asked)
    check_prices(ctx, sheet, sentences)
    check_policies(ctx, sheet, sentences)


# -- how a finding names and cites its record -------------------------------------------------


def where(src: FactSource | None) -> str:
    """«06-facts.md › Café Mile End : adresse et heures»: the record's file and heading."""
    if src is None:
        return "the fact sheet"
    heading = re.sub(r"\s*\((?:EN|FR)\)\s*$", "", src.heading.rsplit(" > ", 1)[-1])
    return f"{src.source} › {heading}" if heading else src.source


def _add(
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


def _by_language(records: list[Hours], lang: str | None) -> list[Hours]:
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


# -- impossible times ---------------------------------------------------------------------------


def check_impossible_times(ctx: CheckContext) -> None:
    """ "25h", "du 10 à 25h", "13 p.m.": a clock time that is no time of day at all,
    whatever the sheet says."""
    for bad in bad_times(ctx.text):
        _add(
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
        _add(
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
        _add(
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
    return _by_language(pick, lang)[0].source


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
        _add(
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
    right = _by_language(candidates, lang)[0]
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
    _add(
        ctx,
        right.source,
        span,
        f"{lead}: {place} is open {truth}{days_label(days)}, according to {where(right.source)}.",
        f"use {place}'s hours: {fix}",
        replacement=fix if unique else None,
    )


# -- another place's address --------------------------------------------------------------------


def check_addresses(
    ctx: CheckContext,
    sheet: FactSheet,
    sentences: list[Sentence],
    places: list[Mention],
    asked: str | None,
) -> None:
    """A place's street address given for another place (the nearest place named, or the
    one the comment asked about), unless the sentence names the address's own place too."""
    for sent in sentences:
        for found in _addresses_in(ctx.text, sent, sheet):
            named = reading.nearest(places, sent, found.start)
            place = named.name if named else asked
            if place is None or fold_str(place) == fold_str(found.place):
                continue
            if any(
                fold_str(m.name) == fold_str(found.place)
                for m in places
                if sent.start <= m.start < sent.end
            ):
                continue  # "… au café Saint-Henri (4280, rue Saint-Ambroise)"
            right = next((a for a in sheet.addresses if fold_str(a.place) == fold_str(place)), None)
            if right is None:
                continue
            _add(
                ctx,
                right.source,
                (found.start, found.end),
                f"“{ctx.text[found.start : found.end]}” is {found.place}'s address; {place} is "
                f"at {right.address}, according to {where(right.source)}.",
                f"use {place}'s address: {right.address}",
            )


# -- a wrong price for a named product ----------------------------------------------------------


def check_prices(ctx: CheckContext, sheet: FactSheet, sentences: list[Sentence]) -> None:
    """A price written next to a product the sheet prices that is none of its prices (nor
    the price of another thing the sentence names, nor one the guidelines themselves give
    it); a former price (a record qualified "before March 2, 2026") is said to be old,
    unless the sentence says so itself."""
    catalogue = reading.Catalogue.of(sheet, ctx.profile.passages)
    for sent in sentences:
        for price, mention in catalogue.pairs(ctx.text, sent):
            product, named = mention.name, ctx.text[mention.start : mention.end]
            amount = reading.amount_of(price.key)
            records = catalogue.prices(product)
            current = [p for p in records if not reading.old_price(p)]
            unit = _unit_after(ctx.text[price.end : price.end + 24])
            per_unit = _for_unit(current, amount, unit)
            if amount in {p.amount for p in current} and not per_unit:
                continue
            old = [p for p in records if reading.old_price(p) and p.amount == amount]
            if reading.says_old(sent.text):
                continue  # a former price, said to be one ("passe de 20 $ à 21 $")
            if not old and not per_unit and catalogue.accepts(product, amount, ctx.text, sent):
                continue
            lang = ctx.lang_at(price.start)
            pick = sorted(
                current or records,
                key=lambda p: 0 if p.source and p.source.language == lang else 1,
            )
            values = ", ".join(
                dict.fromkeys(
                    money(p, lang) + (f" ({p.qualifier})" if p.qualifier else "") for p in pick
                )
            )
            meant = per_unit or reading.for_sentence(pick, sent.text)
            written = ctx.text[price.start : price.end + (unit[1] if per_unit and unit else 0)]
            lead = (
                f"{written} is {named}'s old price ({old[0].qualifier})"
                if old
                else f"{named} does not cost {written}"
            )
            _add(
                ctx,
                meant[0].source if meant else pick[0].source,
                (price.start, price.end),
                f"{lead}: it costs {values}, according to {where(pick[0].source)}.",
                f"use the price of the reference facts: {values}",
                replacement=money(meant[0], lang) if len({p.amount for p in meant}) == 1 else None,
            )


_UNIT = re.compile(
    r"\b(?:(?P<hour>heures?|hours?|hr|h)|(?P<day>jours?|journees?|days?|daily)|"
    r"(?P<week>semaines?|weeks?|weekly)|(?P<month>mois|months?|monthly)|(?P<pair>paires?|pairs?)|"
    r"(?P<season>saisons?|seasons?))\b"
)
_UNIT_AFTER = re.compile(r"^\s*(?:(?:/|par|per|pour|for|an?|la|le|l'|the|each)\s*){0,2}([a-z]+)\b")


def _unit_of(words: str) -> str | None:
    """The unit a price's qualifier names ("la journée": day, "a pair in labour": pair)."""
    m = _UNIT.search(fold_str(words))
    return m.lastgroup if m else None


def _unit_after(after: str) -> tuple[str, int] | None:
    """The unit written right after a price ("75 $ l'heure": hour) and where it ends."""
    m = _UNIT_AFTER.match(fold_str(after).replace("’", "'"))
    unit = _unit_of(m.group(1)) if m else None
    return (unit, m.end()) if m and unit else None


def _for_unit(current: list[Price], amount: str, unit: tuple[str, int] | None) -> list[Price]:
    """The records for the unit a price is written for, when that price is the sheet's
    for another unit only ("75 $ l'heure" where 75 $ is the day rate, 20 $ the hour's)."""
    if unit is None:
        return []
    same = [_unit_of(p.qualifier) for p in current if p.amount == amount]
    if not same or None in same or unit[0] in same:
        return []
    return [p for p in current if _unit_of(p.qualifier) == unit[0]]


# -- a promise a policy forbids -----------------------------------------------------------------


def check_policies(ctx: CheckContext, sheet: FactSheet, sentences: list[Sentence]) -> None:
    """A commitment (refund, replacement, compensation…) that a policy of the sheet forbids.

    Negation counts on both sides: "we can't promise a refund" promises nothing (nor does a
    question), and a policy that forbids a refund never allows one. A policy that forbids
    a promise only under a condition ("a refund before checking the file privately"), or
    one that another policy allows under conditions (the Boréale Promise), is met by a
    promise that states a condition or a private check ("if…", "DM us…", "once we've
    checked…"); an unconditional promise is what the forbidding policy is about. A policy
    that says it is about replies ("In a reply, … never promises") binds replies only (a
    recall notice may announce refunds); one about a thing ("Gift cards are not
    refundable") binds the sentences that speak of that thing, whatever their condition."""
    for sent in sentences:
        if sent.text.rstrip().endswith("?"):
            continue
        for fact in stated_facts(sent.text):
            if fact.kind != "commitment":
                continue
            span = (sent.start + fact.start, sent.start + fact.end)
            if reading.negated(ctx.text, sent, span[0]):
                continue
            forbids = [p for p in sheet.policies if fact.key in p.forbids]
            scoped = [
                p
                for p in forbids
                if not reading.about_replies(p) and reading.subject(p, ctx.profile.name)
            ]
            general = [
                p
                for p in forbids
                if p not in scoped and (ctx.kind == "reply" or not reading.about_replies(p))
            ]
            name = ctx.profile.name
            said = [p for p in scoped if reading.speaks_of(sent.text, reading.subject(p, name))]
            if said:  # "gift cards are not refundable", and the text refunds a gift card
                _forbidden(ctx, said, fact.key, span)
                continue
            if not general:
                continue
            allows = [p for p in sheet.policies if fact.key in p.allows]
            met = allows or all(reading.forbids_with_condition(p) for p in general)
            if met and reading.conditional(sent.text, allows):
                continue
            forbids = general
            _forbidden(ctx, forbids, fact.key, span)


def _forbidden(ctx: CheckContext, forbids: list[Policy], key: str, span: tuple[int, int]) -> None:
    lang = ctx.lang_at(span[0])
    policy = sorted(forbids, key=lambda p: 0 if p.source and p.source.language == lang else 1)[0]
    quoted = re.findall(r"[«“\"]\s*([^»”\"]{6,120}?)\s*[»”\"]", policy.text)
    instead = (
        f"say what the policy says to say instead: “{quoted[0]}”"
        if quoted
        else "say what happens next (we'll look into it and get back to you), not a promise"
    )
    _add(
        ctx,
        policy.source,
        span,
        f"The text promises a {key} (“{ctx.text[span[0] : span[1]]}”), which "
        f"{ctx.profile.name}'s policy forbids: “{_short(policy.text)}” ({where(policy.source)}).",
        instead,
    )


def _short(text: str, limit: int = 160) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rsplit(" ", 1)[0] + "…"


# -- addresses ---------------------------------------------------------------------------------

_STREET = re.compile(
    r"(\d+)\s*,?\s*(?:(?:rue|boulevard|boul|bd|avenue|av|chemin|ch|place|route|street|st|road|"
    r"rd|ave)\.?\s+)?(?:de la |du |des |de )?([a-z][\w-]+)"
)


@dataclass(frozen=True)
class _AddressAt:
    """A place's street address written in the text."""

    start: int
    end: int
    place: str
    address: str


def _addresses_in(text: str, sent: Sentence, sheet: FactSheet) -> list[_AddressAt]:
    """The sheet's street addresses (number and street) a sentence writes."""
    folded = fold(sent.text)
    out = []
    for a in sheet.addresses:
        m = _STREET.search(fold_str(a.address))
        if not m:
            continue
        rx = re.compile(
            rf"(?<!\d){m.group(1)}\b[\s,]*(?:[\w.]+\s+){{0,3}}?{re.escape(m.group(2))}\b"
        )
        for hit in rx.finditer(folded.text):
            s, e = folded.span(hit.start(), hit.end())
            out.append(_AddressAt(sent.start + s, sent.start + e, a.place, a.address))
    return out
