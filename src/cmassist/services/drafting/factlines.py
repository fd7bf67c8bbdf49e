"""The brand's facts that one brief or comment is about, as short lines in the draft's language
("Mile End : dimanche, de 8 h à 18 h", "Boréal Blend: $21 (340 g)"): the only facts a
grounded prompt gives the model, and the same kind of line for each few-shot example, read
from the example's own text, so that a base model learns to copy its facts from that line.

Hours and addresses come only for the places the text names (a question about one café never
gets another café's hours), prices only for the products it names; delays, policies and
contacts by their words' overlap with the text (and the embedder's similarity, when given).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TypeVar

import numpy as np

from cmassist.domain.facts import extract
from cmassist.domain.factsheet import (
    Address,
    Contact,
    Delay,
    FactSheet,
    FactSource,
    Hours,
    Policy,
    Price,
    mentioned,
    weekday_name,
    words_only,
)
from cmassist.domain.textmatch import FUNCTION_WORDS, fold_str
from cmassist.domain.textutil import excerpt
from cmassist.domain.weekdays import weekdays

MAX_FACTS = 8
EXAMPLE_FACTS = 5
RELATED_LINES = 3  # delays and policies at most, after the named places' and products' facts
# Words a delay or policy must share with the text: a word of its subject counts 1, of its
# sentence 0.5, a name 1; one word is not enough ("Rappeler l'horaire" is no recall).
RELATED_MIN = 1.5
SEPARATOR = " · "

Sourced = TypeVar("Sourced", Hours, Price, Delay, Policy, Address, Contact)
Embed = Callable[[Sequence[str]], Sequence[Sequence[float]]]

_HOURS_WORDS = re.compile(
    r"\b(?:heures?|horaires?|ouverte?s?|ferme(?:e|es|s|ture)?|open(?:s|ing)?|clos(?:e|ed|es|ing)"
    r"|hours?)\b"
)
_CONTACT_WORDS = re.compile(
    r"\b(?:courriels?|e-?mails?|telephone|phone|appeler|call|contact(?:er)?|joindre|reach"
    r"|ecrire|write|dm|prive|private|support|soutien)\b"
)
_ELISION = re.compile(r"^(?:c|d|j|l|m|n|s|t|qu|jusqu|lorsqu|puisqu)'")  # d'amande: amande
_FORMER = re.compile(r"(?:.*\b)?(?:before|avant|formerly|auparavant|previously)\b")
_SUPPORT = re.compile(r"support|soutien|service|client|customer|aide|help")
_UNITS = {
    "min": ("minutes", "minutes"),
    "h": ("heures", "hours"),
    "d": ("jours", "days"),
    "bd": ("jours ouvrables", "business days"),
    "w": ("semaines", "weeks"),
    "mo": ("mois", "months"),
    "y": ("ans", "years"),
}


@dataclass(frozen=True)
class FactLine:
    """One fact of the brand's fact sheet, written for a prompt in the draft's language."""

    kind: str  # "hours" | "price" | "delay" | "policy" | "address" | "contact" | "name"
    subject: str  # the place, product or topic it is about, as the fact sheet names it
    text: str
    source: FactSource | None = None


# -- writing facts ------------------------------------------------------------------------------


def clock(hhmm: str, language: str) -> str:
    """ "17:30" as "17 h 30" (fr) or "5:30 p.m." (en)."""
    hour, minute = (int(x) for x in hhmm.split(":"))
    if language == "fr":
        return f"{hour} h" + (f" {minute:02d}" if minute else "")
    if (hour, minute) == (12, 0):
        return "noon"
    if (hour, minute) == (0, 0):
        return "midnight"
    half = "a.m." if hour < 12 else "p.m."
    shown = hour % 12 or 12
    return f"{shown}:{minute:02d} {half}" if minute else f"{shown} {half}"


def money(amount: str, currency: str, language: str) -> str:
    """ "21.00" as "21 $" (fr) or "$21" (en); "5.45" as "5,45 $" or "$5.45"; euros with €."""
    whole, _, cents = amount.partition(".")
    number = whole if cents in ("", "00") else f"{whole}.{cents}"
    symbol = {"EUR": "€", "": "$", "CAD": "$", "USD": "$"}.get(currency.upper(), currency.upper())
    if language == "fr":
        return f"{number.replace('.', ',')} {symbol}"
    if symbol == "$" and currency.upper() == "USD":
        return f"US${number}"
    return f"{symbol}{number}" if len(symbol) == 1 else f"{number} {symbol}"


def days_label(days: Sequence[int], language: str) -> str:
    """ "du lundi au vendredi", "samedi et dimanche", "every day", "Monday, Wednesday"."""
    days = sorted(set(days))
    fr = language == "fr"
    if len(days) == 7:
        return "tous les jours" if fr else "every day"
    runs: list[list[int]] = []
    for d in days:
        if runs and runs[-1][-1] == d - 1:
            runs[-1].append(d)
        else:
            runs.append([d])
    parts = []
    for run in runs:
        first, last = weekday_name(run[0], language), weekday_name(run[-1], language)
        if len(run) == 1:
            parts.append(first)
        elif len(run) == 2:
            parts.append(f"{first} et {last}" if fr else f"{first} and {last}")
        else:
            parts.append(f"du {first} au {last}" if fr else f"{first} to {last}")
    return ", ".join(parts)


def _colon(language: str) -> str:
    return " : " if language == "fr" else ": "


def hours_lines(hours: Sequence[Hours], language: str) -> list[FactLine]:
    """One line per place and season: its days grouped by the same opening hours."""
    groups: dict[tuple[str, str], dict[tuple[str | None, str | None], list[int]]] = {}
    first: dict[tuple[str, str], Hours] = {}
    for h in hours:
        key = (h.place, h.season)
        first.setdefault(key, h)
        days = groups.setdefault(key, {}).setdefault((h.opens, h.closes), [])
        if h.day not in days:
            days.append(h.day)
    out = []
    for (place, season), spans in groups.items():
        parts = []
        for (opens, closes), days in sorted(spans.items(), key=lambda kv: min(kv[1])):
            label = days_label(days, language)
            if opens is None or closes is None:
                parts.append(f"{label}, {'fermé' if language == 'fr' else 'closed'}")
            elif language == "fr":
                parts.append(f"{label}, de {clock(opens, 'fr')} à {clock(closes, 'fr')}")
            else:
                parts.append(f"{label}, {clock(opens, 'en')} to {clock(closes, 'en')}")
        name = f"{place} ({season})" if season else place
        text = name + _colon(language) + "; ".join(parts)
        out.append(FactLine("hours", place, text, first[(place, season)].source))
    return out


def price_line(p: Price, language: str) -> FactLine:
    qualifier = f" ({p.qualifier})" if p.qualifier else ""
    text = p.product + _colon(language) + money(p.amount, p.currency, language) + qualifier
    return FactLine("price", p.product, text, p.source)


def delay_line(d: Delay, language: str) -> FactLine:
    fr = language == "fr"
    unit = _UNITS.get(d.unit, (d.unit, d.unit))[0 if fr else 1]

    def num(x: float) -> str:
        shown = f"{x:g}"
        return shown.replace(".", ",") if fr else shown

    value = (
        f"{num(d.low)} {unit}"
        if d.low == d.high
        else (
            f"{num(d.low)} à {num(d.high)} {unit}"
            if fr
            else f"{num(d.low)} to {num(d.high)} {unit}"
        )
    )
    return FactLine("delay", d.subject, d.subject + _colon(language) + value, d.source)


def policy_line(p: Policy, language: str) -> FactLine:
    return FactLine("policy", p.topic, p.topic + _colon(language) + excerpt(p.text, 220), p.source)


def address_line(a: Address, language: str) -> FactLine:
    return FactLine("address", a.place, a.place + _colon(language) + a.address, a.source)


def contact_line(c: Contact, language: str) -> FactLine:
    label = c.purpose or c.kind
    return FactLine("contact", label, label + _colon(language) + c.value, c.source)


# -- choosing facts -----------------------------------------------------------------------------


def in_language(records: Iterable[Sourced], language: str) -> list[Sourced]:
    """The records read from a passage in `language`, when there are any; else all of them
    (a fact sheet often holds each fact twice, once per language)."""
    records = list(records)
    own = [r for r in records if r.source is not None and r.source.language == language]
    return own or [r for r in records if r.source is None or r.source.language is None] or records


def name_group(sheet: FactSheet, name: str) -> set[str]:
    """A name with its other-language names ("Boréal Blend", "Mélange Boréal")."""
    record = sheet.known_name(name)
    if record is None:
        return {name}
    return {name, record.name, *record.aliases}


def days_in(text: str) -> set[int]:
    """The weekdays a text names ("dimanche", "Sundays", "du lundi au vendredi", "la fin de
    semaine"), those it leaves out ("sauf le lundi") left out."""
    days: set[int] = set()
    for span in weekdays(text):
        if not span.excluded:
            days |= span.days
    return days


def brand_names(sheet: FactSheet) -> list[str]:
    """The sheet's names that can be looked for in a text: not those that fold to a common
    word ("thé" is "the")."""
    return [n for n in sheet.all_names() if words_only(n) not in FUNCTION_WORDS and len(n) > 2]


def stems(text: str) -> set[str]:
    """The content words of a text (its links and addresses left out), folded and cut to
    five letters (a crude stem)."""
    for f in sorted(extract(text, ("email", "url")), key=lambda f: f.start, reverse=True):
        text = text[: f.start] + " " + text[f.end :]
    words = (_ELISION.sub("", w) for w in re.findall(r"[a-z][a-z'-]{3,}", fold_str(text)))
    return {w[:5] for w in words if len(w) >= 4 and w not in FUNCTION_WORDS}


def grounding_facts(
    sheet: FactSheet | None,
    text: str,
    language: str,
    *,
    kind: str = "post",
    embed: Embed | None = None,
    limit: int = MAX_FACTS,
) -> list[FactLine]:
    """The facts of `sheet` that `text` (a brief or a comment) is about, written in `language`:
    the named places' hours (for the days named, if any) and addresses, the named products'
    prices, then the delays, policies and contacts whose words the text shares."""
    if sheet is None or not len(sheet):
        return []
    named = mentioned(brand_names(sheet), text)
    groups = [name_group(sheet, n) for n in named]
    wanted = {words_only(n) for g in groups for n in g}
    places = [p for p in sheet.places() if words_only(p) in wanted]
    days = days_in(text)
    folded = fold_str(text)
    named_places = bool(places)
    if not places and _HOURS_WORDS.search(folded):
        places = sheet.places()  # "open on Sunday?": every place's hours, each on its line
    out: list[FactLine] = []
    for place in places:
        hours = [h for h in sheet.hours_of(place) if not days or h.day in days]
        out.extend(hours_lines(in_language(hours, language), language))
        if named_places:
            address = [a for a in sheet.addresses if words_only(a.place) == words_only(place)]
            out.extend(address_line(a, language) for a in in_language(address, language)[:1])
    seen_prices: set[tuple[str, str]] = set()
    for product in partly_named(sheet, text, {n for g in groups for n in g}):
        groups.append(name_group(sheet, product))
    for group in groups:
        prices = [p for n in sorted(group) for p in sheet.prices_of(n)]
        for p in in_language(prices, language):
            if _FORMER.match(fold_str(p.qualifier)):
                continue  # "$54 (before March 2, 2026)": no longer the price
            if (p.amount, fold_str(p.qualifier)) not in seen_prices:
                seen_prices.add((p.amount, fold_str(p.qualifier)))
                out.append(price_line(p, language))
    out.extend(_related(sheet, text, language, wanted, embed, limit - len(out)))
    if kind == "reply" or _CONTACT_WORDS.search(folded):
        support = [c for c in sheet.contacts if _SUPPORT.search(fold_str(c.purpose))]
        support.sort(key=lambda c: ("email", "phone", "url", "handle").index(c.kind))
        for c in in_language(support or sheet.contacts, language)[:1]:
            out.append(contact_line(c, language))
    return _unique(out)[:limit]


def partly_named(sheet: FactSheet, text: str, named: set[str]) -> list[str]:
    """The products the text names by a word of their own ("crevaison" for "réparation de
    crevaison"): a word of six letters or more that no other product's name has."""
    owners: dict[str, set[str]] = {}
    for p in sheet.prices:
        for word in set(words_only(p.product).split()):
            if len(word) >= 6 and word not in FUNCTION_WORDS:
                owners.setdefault(word, set()).add(p.product)
    said = set(words_only(text).split())
    found = {next(iter(o)) for w, o in owners.items() if w in said and len(o) == 1}
    return sorted(found - named)[:2]


def _related(
    sheet: FactSheet,
    text: str,
    language: str,
    names: set[str],
    embed: Embed | None,
    room: int,
) -> list[FactLine]:
    """The delays and policies about `text`, by the words they share with it (`RELATED_MIN`;
    words most facts use left out: "café" at a café brand); the embedder, when given, ranks them
    (never selects them: all-MiniLM-L6-v2 finds any two French sentences alike)."""
    if room <= 0:
        return []
    lines = [delay_line(d, language) for d in in_language(sheet.delays, language)]
    lines += [policy_line(p, language) for p in in_language(sheet.policies, language)]
    # a word many of the brand's facts use ("café" for a café brand) says nothing
    counts: dict[str, int] = {}
    for line in lines:
        for w in stems(f"{line.subject} {line.text}"):
            counts[w] = counts.get(w, 0) + 1
    common = max(3, len(lines) // 8)
    words = {w for w in stems(text) if counts.get(w, 0) <= common}
    scores: dict[int, float] = {}
    for i, line in enumerate(lines):
        shared = len(words & stems(line.subject)) + 0.5 * len(words & stems(line.text))
        body = f" {words_only(line.text)} "
        shared += sum(1 for n in names if n and f" {n} " in body)
        if shared >= RELATED_MIN:
            scores[i] = shared
    keep = sorted(scores, key=lambda i: scores[i], reverse=True)[: max(room, 3) * 2]
    if embed is not None and len(keep) > 1:
        vectors = np.asarray(embed([text, *(lines[i].text for i in keep)]), dtype=np.float32)
        for i, sim in zip(keep, vectors[1:] @ vectors[0], strict=True):
            scores[i] += float(sim)
        keep.sort(key=lambda i: scores[i], reverse=True)
    return [lines[i] for i in keep[: min(room, RELATED_LINES)]]


def _unique(lines: Iterable[FactLine]) -> list[FactLine]:
    seen: dict[str, FactLine] = {}
    for line in lines:
        seen.setdefault(fold_str(line.text), line)
    return list(seen.values())


def example_facts(sheet: FactSheet | None, text: str, language: str) -> list[str]:
    """The facts line of a few-shot example, read from the example's own text: the fact
    sheet's lines whose values the text states (hours whose opening and closing times it
    gives, prices it gives for the product it names), then the other names and facts it
    states as written, so each example shows the model its text using its facts line."""
    found = extract(text)
    keys = {(f.kind, f.key) for f in found}
    lines: list[str] = []
    covered: set[tuple[str, str]] = set()
    names: list[str] = []
    if sheet is not None and len(sheet):
        names = mentioned(brand_names(sheet), text)
        wanted = {words_only(n) for name in names for n in name_group(sheet, name)}
        days = days_in(text)
        for place in (p for p in sheet.places() if words_only(p) in wanted):
            hours = [
                h
                for h in sheet.hours_of(place)
                if h.opens
                and h.closes
                and {("time", h.opens), ("time", h.closes)} <= keys
                and (not days or h.day in days)
            ]
            for line in hours_lines(in_language(hours, language), language):
                lines.append(line.text)
            covered |= {("time", t) for h in hours for t in (h.opens, h.closes) if t}
        for name in names:
            prices = [p for n in sorted(name_group(sheet, name)) for p in sheet.prices_of(n)]
            for p in in_language([p for p in prices if ("price", p.amount) in keys], language):
                lines.append(price_line(p, language).text)
                covered.add(("price", p.amount))
    written = {words_only(x) for x in lines}
    bare = [n for n in names if not any(words_only(n) in w for w in written)]
    raw = [f.text for f in found if (f.kind, f.key) not in covered]
    return list(dict.fromkeys([*lines, *bare, *raw]))[:EXAMPLE_FACTS]


def brief_facts(text: str, taken: Iterable[FactLine]) -> list[str]:
    """The facts a brief states itself (a colleague's brief is trusted with its own facts),
    as written, leaving out those a fact line already gives."""
    given = {(f.kind, f.key) for line in taken for f in extract(line.text)}
    return list(dict.fromkeys(f.text for f in extract(text) if (f.kind, f.key) not in given))


def facts_text(items: Sequence[str]) -> str:
    """The facts of one prompt entry on one line."""
    return SEPARATOR.join(items)
