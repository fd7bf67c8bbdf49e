"""Facts that contradict the brand's fact sheet: a day the place is closed, another
place's hours (or hours that are no hours), another place's address, a wrong price for a
named product, a promise a policy forbids (negation understood on both sides).

Each finding names the fact sheet record it rests on and where it was read (file ›
heading), cites that record's passage and suggests the right value. Nothing here knows a
brand: the places, products, seasons and policies are the sheet's. A time range, a weekday
or a price belongs to the place or product named in the same sentence (the nearest one),
else, in a reply, to the place the comment asked about, else to the brand's only place.
The hours checks are in `hours_checks`; how a finding cites its record, in `sheet_citing`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from cmassist.domain.factsheet import FactSheet, Policy, Price
from cmassist.domain.grounding import stated_facts
from cmassist.domain.textmatch import fold, fold_str
from cmassist.services.checking import sheet_reading as reading
from cmassist.services.checking.context import CheckContext
from cmassist.services.checking.hours_checks import (
    check_closed_days,
    check_hours,
    check_impossible_times,
)
from cmassist.services.checking.policy_reading import (
    about_replies,
    conditional,
    forbids_with_condition,
    negated,
    speaks_of,
    subject,
)
from cmassist.services.checking.sheet_citing import (
    add_finding,
    money,
    where,
)
from cmassist.services.checking.sheet_reading import Mention, Sentence


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
            add_finding(
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
            add_finding(
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
            if negated(ctx.text, sent, span[0]):
                continue
            forbids = [p for p in sheet.policies if fact.key in p.forbids]
            scoped = [p for p in forbids if not about_replies(p) and subject(p, ctx.profile.name)]
            general = [
                p
                for p in forbids
                if p not in scoped and (ctx.kind == "reply" or not about_replies(p))
            ]
            name = ctx.profile.name
            said = [p for p in scoped if speaks_of(sent.text, subject(p, name))]
            if said:  # "gift cards are not refundable", and the text refunds a gift card
                _forbidden(ctx, said, fact.key, span)
                continue
            if not general:
                continue
            allows = [p for p in sheet.policies if fact.key in p.allows]
            met = allows or all(forbids_with_condition(p) for p in general)
            if met and conditional(sent.text, allows):
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
    add_finding(
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
