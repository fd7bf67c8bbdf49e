"""The brand's fact sheet built from its guideline passages: each reader of this package run
over every passage, and what the English and French versions of a passage both say kept
once (the first one read; policies are kept in both languages, to be cited in the reply's).

Nothing here knows any brand: the readers follow the cmassist guideline format (Markdown
sections, an English and a French paragraph under one heading, the first sentence naming
the passage's subject). Run once per revision of the brand's records, with its checking
profile, and kept on disk with it.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Sequence
from typing import TypeVar

from cmassist.domain.factsheet import Address, Contact, Delay, FactSheet, Hours, Price
from cmassist.domain.textmatch import fold_str
from cmassist.services.knowledge.addresses import read_addresses
from cmassist.services.knowledge.contacts import Found, read_contacts
from cmassist.services.knowledge.delays import read_delays
from cmassist.services.knowledge.hours import read_hours
from cmassist.services.knowledge.names import read_names
from cmassist.services.knowledge.policies import read_policies
from cmassist.services.knowledge.prices import read_prices
from cmassist.services.knowledge.sections import Guidelines, PassageLike, Section

T = TypeVar("T")


def build_factsheet(brand: str, passages: Iterable[PassageLike], brand_name: str = "") -> FactSheet:
    """The fact sheet of `brand` (its slug) from its guideline passages; `brand_name` is
    the name it writes itself (so that it is no place or product of its own)."""
    guidelines = Guidelines.read(passages, brand_name)
    sheet = FactSheet(brand)
    hours: dict[int, list[Hours]] = {}
    prices: dict[int, list[Price]] = {}
    delays: dict[int, list[Delay]] = {}
    addresses: dict[int, list[Address]] = {}
    contacts: list[Found] = []
    places: list[tuple[str, Section]] = []
    place_of = _places(guidelines)
    for section in guidelines.sections:
        i = section.index
        if section.examples:  # sample posts and replies: their names only (read below)
            continue
        place = place_of[i]
        hours[i] = read_hours(section, guidelines, place)
        addresses[i] = read_addresses(section, guidelines)
        if hours[i] or addresses[i]:
            places.append((place, section))
        prices[i] = read_prices(section, guidelines)
        delays[i] = read_delays(section, guidelines)
        contacts.extend(read_contacts(section, guidelines))
        sheet.policies.extend(read_policies(section))
    partner = guidelines.partner
    sheet.hours = _once(hours, partner, _hours_key)
    sheet.addresses = _once(addresses, partner, lambda a: (fold_str(a.place), fold_str(a.address)))
    sheet.delays = _once(delays, partner, lambda d: (d.low, d.high, d.unit), across=False)
    sheet.prices = _once(
        prices,
        partner,
        lambda p: (fold_str(p.product), p.amount, p.currency, fold_str(p.qualifier)),
    )
    sheet.contacts = _best_contacts(contacts)
    sheet.names = read_names(guidelines, {i: p for i, p in prices.items() if p}, places)
    return sheet


def _places(guidelines: Guidelines) -> dict[int, str]:
    """The place each passage is about, the same in both languages of a pair: "Café Mile
    End" in French is the "Mile End" of the English heading (the shorter name, when one's
    words are all in the other's)."""
    place = {s.index: guidelines.place_of(s) for s in guidelines.sections}
    for a, b in guidelines.partner.items():
        x, y = set(fold_str(place[a]).split()), set(fold_str(place[b]).split())
        if x < y:
            place[b] = place[a]
    return place


def _hours_key(h: Hours) -> Hashable:
    # the season's dates say which season it is in any language; its name, when it has none
    season = (h.season_from, h.season_to) if h.season_from else h.season
    return (fold_str(h.place), h.day, h.opens, h.closes, season)


def _once(
    by_section: dict[int, list[T]],
    partner: dict[int, int],
    key: Callable[[T], Hashable],
    *,
    across: bool = True,
) -> list[T]:
    """The records of every passage in order, each kept once: a record its paired passage
    (read first) already gave is left out, and with `across`, one that any passage gave."""
    out: list[T] = []
    seen: set[Hashable] = set()
    for i in sorted(by_section):
        records = by_section[i]
        pair = partner.get(i)
        given = (
            {key(r) for r in by_section.get(pair, [])} if pair is not None and pair < i else set()
        )
        for r in records:
            k = key(r)
            if k in given or (across and k in seen):
                continue
            seen.add(k)
            out.append(r)
    return out


def _best_contacts(found: Sequence[Found]) -> list[Contact]:
    """Each contact once, with the purpose read most surely (a label over the words before
    it over a heading), the first one read among equals."""
    best: dict[tuple[str, str], Found] = {}
    for f in found:
        k = (f.contact.kind, f.contact.key)
        current = best.get(k)
        if current is None or (f.strength, f.listed, bool(f.contact.purpose)) > (
            current.strength,
            current.listed,
            bool(current.contact.purpose),
        ):
            best[k] = f
    return [f.contact for f in best.values()]
