"""The names a brand uses: its products (named before a price), places (that keep hours or
have an address), programmes (a name with "Subscription", "Cercle", "Promise"...), people
(named with a role: "Élise Bouchard (president)", "Camille Roy, community lead"), partners
("our partner Boulangerie …", a cooperative, an atelier) and the other capitalised names of
several words its guidelines write. A name's other-language form is kept as its alias when
the guidelines pair them: "Cercle Boréal (Boréal Circle)", the same price at the same place
in the paired list ("Boréal Blend $21" / "Mélange Boréal 21 $"), the same place in paired
headings ("Boréal Subscription: plans" / "Abonnement Boréal : formules")."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping, Sequence

from cmassist.domain.factsheet import Name, NameKind, Price
from cmassist.domain.textmatch import fold_str
from cmassist.services.knowledge.sections import Guidelines, Section

# The most specific evidence wins: a person named with a role is a person even if a
# product shares the name.
_PRIORITY: tuple[NameKind, ...] = ("person", "programme", "partner", "place", "product", "other")
_PROGRAMME = re.compile(
    r"\b(?:subscriptions?|abonnements?|circle|cercle|club|programs?|programmes?|promise|"
    r"promesse|rewards|récompenses|membership|adhésion|pass|passeport|plans?|formules?|"
    r"loyalty|fidélité)\b",
    re.IGNORECASE,
)
_ORGANISATION = re.compile(
    r"\b(?:boulangerie|bakery|atelier|cooperative|coopérative|cooperativa|cooperativo|"
    r"asociación|association|inc|ltd|ltée|llc|gmbh|sarl|farms?|fermes?|finca|roasters|"
    r"brewery|brasserie|fondation|foundation|collective|collectif)\b",
    re.IGNORECASE,
)
_PARTNER_BEFORE = re.compile(
    r"\b(?:partners?|partenaires?)(?:\s+\w+)?\s*,?\s*(?:(?:la|le|les|the)\s+|l['’])?$",
    re.IGNORECASE,
)
_PARTNER_WORD = re.compile(r"\b(?:partners?|partenaires?|partenariat|partnership)\b", re.I)
_ROLE = re.compile(
    r"\b(?:president|présidente?|founder|cofounder|co-founder|fondat\w*|cofondat\w*|"
    r"director|directeur|directrice|head|chef|lead|manager|gérante?|buyer|acheteu\w*|"
    r"roaster|torréfact\w*|mechanic|mécanicien\w*|owner|propriétaire|responsable|"
    r"coordinat\w*|spokesperson|porte-parole|officer|ceo|chair\w*|editor|rédact\w*|agent|"
    r"advisor|conseill\w*|assistant\w*|adjointe?|engineer|ingénieur\w*|partner|associée?)\b",
    re.IGNORECASE,
)
_PERSON_VERB = re.compile(
    r"^\s+(?:handles|answers|leads|runs|manages|heads|oversees|s['’]occupe|répond|dirige|"
    r"gère|supervise)\b",
    re.IGNORECASE,
)
_PERSON = re.compile(
    r"^(?:[A-ZÀ-ÖØ-Þ][a-zß-öø-ÿ]+(?:-[A-ZÀ-ÖØ-Þ][a-zß-öø-ÿ]+)?\s){1,2}[A-ZÀ-ÖØ-Þ][a-zß-öø-ÿ'’-]+$"
)
_MAX_WORDS = 5


class _Names:
    """Names seen so far, their kinds, where first seen, and which are one name."""

    def __init__(self, guidelines: Guidelines) -> None:
        self.guidelines = guidelines
        self.kinds: dict[str, set[NameKind]] = {}
        self.first: dict[str, tuple[str, Section, str]] = {}  # key -> (as written, where, excerpt)
        self.parent: dict[str, str] = {}

    def add(self, name: str, kind: NameKind, section: Section, excerpt: str) -> str | None:
        name = " ".join(name.split()).strip(" ,;:-'’\"«»")
        key = fold_str(name)
        if not key or self.guidelines.is_brand(name) or re.match(r"\d", name):
            return None
        self.kinds.setdefault(key, set()).add(kind)
        self.first.setdefault(key, (name, section, excerpt))
        self.parent.setdefault(key, key)
        return key

    def root(self, key: str) -> str:
        while self.parent[key] != key:
            self.parent[key] = self.parent[self.parent[key]]
            key = self.parent[key]
        return key

    def same(self, a: str | None, b: str | None) -> None:
        if a and b and a in self.parent and b in self.parent:
            self.parent[self.root(b)] = self.root(a)

    def records(self) -> list[Name]:
        groups: dict[str, list[str]] = {}
        for key in self.first:
            groups.setdefault(self.root(key), []).append(key)
        out = []
        for keys in groups.values():
            # the English name first, the other language's as aliases
            keys.sort(key=lambda k: (self.first[k][1].language != "en", self.first[k][1].index))
            kinds = set().union(*(self.kinds[k] for k in keys))
            kind = next(k for k in _PRIORITY if k in kinds)
            name, section, excerpt = self.first[keys[0]]
            aliases = tuple(self.first[k][0] for k in keys[1:])
            out.append(Name(name, kind, aliases, section.cite(excerpt)))
        out.sort(key=lambda n: (_PRIORITY.index(n.kind), fold_str(n.name)))
        return out


def read_names(
    guidelines: Guidelines,
    prices: Mapping[int, Sequence[Price]],
    places: Iterable[tuple[str, Section]],
) -> list[Name]:
    """The brand's names, from its passages, the prices read from each passage (by the
    passage's index) and the places that have hours or an address."""
    names = _Names(guidelines)
    by_index = {s.index: s for s in guidelines.sections}
    for place, section in places:
        names.add(place, "place", section, section.title)
    for index, items in prices.items():
        for p in items:
            kind: NameKind = "programme" if _PROGRAMME.search(p.product) else "product"
            names.add(p.product, kind, by_index[index], p.source.excerpt if p.source else "")
    for section in guidelines.sections:
        _read_section(names, section)
    _pair_prices(names, guidelines, prices)
    _pair_headings(names, guidelines)
    return names.records()


def _read_section(names: _Names, section: Section) -> None:
    g = names.guidelines
    title_names = g.names_in(section.title)
    for _, _, name in title_names:
        if len(name.split()) > 1:
            names.add(name, _kind_of(name, "", "", False), section, section.title)
    for sentence in section.sentences:
        found = g.names_in(sentence)
        for start, end, name in found:
            before, after = sentence[:start], sentence[end:]
            count = len(name.split())
            if count > _MAX_WORDS:
                continue
            person = _is_person(name, before, after)
            if count < 2 and not person:
                continue
            first = (
                not before.strip(" «\"'(") or re.fullmatch(r"\s*[lL]['’]\s*", before) is not None
            )
            kind = "person" if person else _kind_of(name, before, sentence, first)
            key = names.add(name, kind, section, sentence)
            alias = re.match(r"\s*\(([^()]{2,60})\)", after)
            if key and alias:
                _alias(names, key, name, alias.group(1), section, sentence)


def _kind_of(name: str, before: str, sentence: str, first: bool) -> NameKind:
    if _PROGRAMME.search(name):
        return "programme"
    if _ORGANISATION.search(name) or _PARTNER_BEFORE.search(before):
        return "partner"
    if first and _PARTNER_WORD.search(sentence):
        return "partner"
    return "other"


def _is_person(name: str, before: str, after: str) -> bool:
    """A name of two or three capitalised words, with a role beside it: "(president)",
    ", community lead", "the community lead, Camille Roy", "Léa Bergeron handles ..."."""
    if not _PERSON.match(name) or _PROGRAMME.search(name) or _ORGANISATION.search(name):
        return False
    paren = re.match(r"\s*\(([^()]{2,60})\)", after)
    if paren and paren.group(1)[:1].islower() and not re.search(r"\d", paren.group(1)):
        return True
    role_after = re.match(r",\s*([^,;.()]{2,60})", after)
    if role_after and role_after.group(1)[:1].islower() and _ROLE.search(role_after.group(1)):
        return True
    role_before = re.search(r"([^,;.():]{2,60}),\s*$", before)
    if role_before and _ROLE.search(
        role_before.group(1).split()[-1] if role_before.group(1).split() else ""
    ):
        return True
    return _PERSON_VERB.match(after) is not None


def _alias(names: _Names, key: str, name: str, inner: str, section: Section, sentence: str) -> None:
    """ "Cercle Boréal (Boréal Circle)": the name in brackets is the same one, when it is
    a name too (a role or a description in brackets is not)."""
    inner = inner.strip()
    if len(inner.split()) > 4 or re.search(r"[\d,;:]", inner):
        return
    if name[:1].isupper() != inner[:1].isupper() or fold_str(inner) == fold_str(name):
        return
    if inner[:1].isupper() and names.guidelines.names_in(inner, at_start=False) != [
        (0, len(inner), inner)
    ]:
        return
    kinds = names.kinds.get(key, {"other"})
    kind = next(k for k in _PRIORITY if k in kinds)
    if kind == "person":
        return
    names.same(key, names.add(inner, kind, section, sentence))


def _pair_prices(
    names: _Names, guidelines: Guidelines, prices: Mapping[int, Sequence[Price]]
) -> None:
    """The same price at the same place of two paired lists names the same product."""
    for a, b in guidelines.partner.items():
        if a > b or a not in prices or b not in prices:
            continue
        left, right = list(prices[a]), list(prices[b])
        matcher = difflib.SequenceMatcher(
            None, [p.amount for p in left], [p.amount for p in right], autojunk=False
        )
        for block in matcher.get_matching_blocks():
            for i in range(block.size):
                x, y = left[block.a + i], right[block.b + i]
                if fold_str(x.product) != fold_str(y.product):
                    names.same(fold_str(x.product), fold_str(y.product))


def _pair_headings(names: _Names, guidelines: Guidelines) -> None:
    """Paired headings that name as many things name the same ones, in order."""
    by_index = {s.index: s for s in guidelines.sections}
    for a, b in guidelines.partner.items():
        if a > b:
            continue
        left = [n for _, _, n in guidelines.names_in(by_index[a].title) if len(n.split()) > 1]
        right = [n for _, _, n in guidelines.names_in(by_index[b].title) if len(n.split()) > 1]
        if len(left) != len(right):
            continue
        for x, y in zip(left, right, strict=True):
            kx, ky = fold_str(x), fold_str(y)
            if kx != ky and kx in names.parent and ky in names.parent:
                names.same(kx, ky)
