"""A brand's fact sheet: the facts of its guidelines as typed records.

Hours per place and weekday (by season), prices per product, delays, policies with what
they allow and forbid, addresses, contacts and the names the brand uses (products, places,
programmes, people, partners). Each record keeps the guideline passage it was read from,
so that a draft or a finding can cite it. The records are read from the guidelines by
`cmassist.services.knowledge.factsheet`; this module only holds them and answers
questions about them (which hours does this place keep on Sunday, what does this product
cost, which facts does this text talk about).

Conventions: weekdays are 0 (Monday) to 6 (Sunday); clock times are "HH:MM" (24 h, the
keys of `cmassist.domain.facts`); prices are `price_key` strings ("21.00"); delay units
are the keys of `cmassist.domain.grounding` ("min", "h", "d", "bd", "w", "mo", "y");
commitments are the keys of `grounding`'s commitments ("refund", "replacement", ...).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from cmassist.domain.textmatch import fold_str

NameKind = Literal["product", "place", "programme", "person", "partner", "other"]
ContactKind = Literal["email", "phone", "url", "handle"]
WEEKDAYS_EN = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
WEEKDAYS_FR = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
FactKind = Literal["hours", "prices", "delays", "policies", "addresses", "contacts", "names"]
# The kinds of record a fact sheet holds, in the order it shows them (its list attributes).
FACT_KINDS: tuple[FactKind, ...] = (
    "hours",
    "prices",
    "delays",
    "policies",
    "addresses",
    "contacts",
    "names",
)


@dataclass(frozen=True)
class FactSource:
    """The guideline passage a fact was read from."""

    source: str  # the file, as the store names it ("06-facts.md")
    heading: str
    line: int | None
    excerpt: str  # the sentence (or list item) that states the fact
    language: str | None = None


@dataclass(frozen=True)
class Hours:
    """What a place keeps on one weekday: open from `opens` to `closes`, or closed."""

    place: str  # the place's name as the guidelines write it ("Mile End")
    day: int  # 0 = Monday ... 6 = Sunday
    opens: str | None  # "07:00"; None when closed that day
    closes: str | None
    season: str = ""  # "" all year, else the season's name as written ("summer", "basse saison")
    source: FactSource | None = None
    # the season's first and last day, "MM-DD" (the keys of `facts` dates); "" when the
    # guidelines do not say ("from June 24 to Labour Day": season_to is "")
    season_from: str = ""
    season_to: str = ""

    @property
    def closed(self) -> bool:
        """Whether the place is closed that day."""
        return self.opens is None


@dataclass(frozen=True)
class Price:
    """What one product or service costs."""

    product: str  # as written ("Boréal Blend", "mise au point de base")
    amount: str  # price_key: "21.00"
    currency: str = ""  # "CAD", "EUR", "USD" or "" when the guidelines do not say
    qualifier: str = ""  # "1 kg", "per bag", "before March 2, 2026" ...
    source: FactSource | None = None


@dataclass(frozen=True)
class Delay:
    """A delay or duration the brand commits to (shipping, answering, refunds)."""

    subject: str  # "delivery Québec and Ontario", "support email answer"
    low: float
    high: float  # == low when a single value
    unit: str  # "d", "bd", "h", ...
    source: FactSource | None = None


@dataclass(frozen=True)
class Policy:
    """A policy sentence, with the commitments it allows and those it forbids."""

    topic: str  # the heading it comes from ("Refunds and exchanges")
    text: str
    allows: tuple[str, ...] = ()  # commitment keys: "refund", "replacement", ...
    forbids: tuple[str, ...] = ()
    source: FactSource | None = None


@dataclass(frozen=True)
class Address:
    place: str
    address: str
    source: FactSource | None = None


@dataclass(frozen=True)
class Contact:
    kind: ContactKind
    value: str  # as written
    key: str  # normalized (the `facts` key: lowercased email, 10 digits, host/path)
    purpose: str = ""  # "customer support", "press", "wholesale" ...
    source: FactSource | None = None


@dataclass(frozen=True)
class Name:
    """A name the brand uses: its products, places, programmes, people and partners."""

    name: str
    kind: NameKind = "other"
    aliases: tuple[str, ...] = ()  # the other language's name ("Abonnement Boréal")
    source: FactSource | None = None


@dataclass
class FactSheet:
    """All the typed facts of one brand."""

    brand: str
    hours: list[Hours] = field(default_factory=list)
    prices: list[Price] = field(default_factory=list)
    delays: list[Delay] = field(default_factory=list)
    policies: list[Policy] = field(default_factory=list)
    addresses: list[Address] = field(default_factory=list)
    contacts: list[Contact] = field(default_factory=list)
    names: list[Name] = field(default_factory=list)

    def __len__(self) -> int:
        return sum(len(self.of_kind(k)) for k in FACT_KINDS)

    def of_kind(self, kind: FactKind) -> list[Any]:
        """The records of one kind ("hours", "prices", ...: see `FACT_KINDS`)."""
        if kind not in FACT_KINDS:
            raise ValueError(f"no kind of fact {kind!r}: one of {', '.join(FACT_KINDS)}")
        records: list[Any] = getattr(self, kind)
        return records

    def counts(self) -> dict[str, int]:
        """How many records of each kind, in `FACT_KINDS` order."""
        return {k: len(self.of_kind(k)) for k in FACT_KINDS}

    # -- kept on disk with the checking profile (JSON, no pickle) ---------------------------

    def to_dict(self) -> dict[str, Any]:
        """The sheet as plain JSON data; `from_dict` reads it back."""
        return {
            "brand": self.brand,
            **{k: [asdict(r) for r in self.of_kind(k)] for k in FACT_KINDS},
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> FactSheet:
        """A sheet from `to_dict`'s data; a ValueError when it is not that."""
        try:
            return cls(
                brand=str(data["brand"]),
                hours=[Hours(**_with_source(r)) for r in data["hours"]],
                prices=[Price(**_with_source(r)) for r in data["prices"]],
                delays=[Delay(**_with_source(r)) for r in data["delays"]],
                policies=[
                    Policy(
                        **{
                            **_with_source(r),
                            "allows": tuple(r["allows"]),
                            "forbids": tuple(r["forbids"]),
                        }
                    )
                    for r in data["policies"]
                ],
                addresses=[Address(**_with_source(r)) for r in data["addresses"]],
                contacts=[Contact(**_with_source(r)) for r in data["contacts"]],
                names=[
                    Name(**{**_with_source(r), "aliases": tuple(r["aliases"])})
                    for r in data["names"]
                ],
            )
        except (KeyError, TypeError) as e:
            raise ValueError(f"not a fact sheet: {e}") from e

    # -- questions --------------------------------------------------------------------------

    def places(self) -> list[str]:
        """The places that have hours or an address, in the order first read."""
        seen: dict[str, None] = {}
        for place in [*(a.place for a in self.addresses), *(h.place for h in self.hours)]:
            seen.setdefault(place, None)
        return list(seen)

    def hours_of(self, place: str, day: int | None = None) -> list[Hours]:
        """The hours of `place` (folded match on its name), for `day` if given."""
        want = fold_str(place)
        return [
            h for h in self.hours if fold_str(h.place) == want and (day is None or h.day == day)
        ]

    def prices_of(self, product: str) -> list[Price]:
        """The prices of `product` (folded match on the product's name)."""
        want = fold_str(product)
        return [p for p in self.prices if fold_str(p.product) == want]

    def prices_for(self, name: str) -> list[Price]:
        """The prices of `name` under any of its names: "Mélange Boréal" finds those written
        for "Boréal Blend" too, when the sheet knows one as the other's alias."""
        record = self.known_name(name)
        names = {fold_str(name)} | (
            {fold_str(n) for n in (record.name, *record.aliases)} if record else set()
        )
        return [p for p in self.prices if fold_str(p.product) in names]

    def known_name(self, name: str) -> Name | None:
        """The brand's name record for `name` (its name or an alias, folded), if any."""
        want = fold_str(name)
        for n in self.names:
            if want == fold_str(n.name) or want in (fold_str(a) for a in n.aliases):
                return n
        return None

    def all_names(self) -> Iterator[str]:
        """Every name and alias, places and products included."""
        for n in self.names:
            yield n.name
            yield from n.aliases
        yield from self.places()
        for p in self.prices:
            yield p.product


def _with_source(record: Mapping[str, Any]) -> dict[str, Any]:
    """A record's fields as saved, its source made a FactSource again."""
    fields = dict(record)
    if fields.get("source") is not None:
        fields["source"] = FactSource(**fields["source"])
    return fields


def weekday_name(day: int, language: str | None) -> str:
    """A weekday's name (0 = Monday) in French or English."""
    return (WEEKDAYS_FR if language == "fr" else WEEKDAYS_EN)[day]


def mentioned(names: Iterable[str], text: str) -> list[str]:
    """The names of `names` that `text` mentions (folded, whole words), longest first."""
    haystack = f" {words_only(text)} "
    out: list[str] = []
    for name in sorted(set(names), key=len, reverse=True):
        key = words_only(name)
        if key and f" {key} " in haystack:
            out.append(name)
    return out


def words_only(text: str) -> str:
    """`text` folded (case, accents), its words joined by single spaces."""
    return " ".join(re.findall(r"\w+", fold_str(text)))
