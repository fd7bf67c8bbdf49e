"""Personal data in customers' messages: find it, and redact it before text leaves the machine.

Kinds: emails, phone numbers (North American and French), postal addresses (Québec, Canada,
France), payment card numbers (Luhn-checked), IBANs (mod-97-checked) and order numbers.
Redaction puts a typed placeholder ("[email]", "[order]") in place of each value, so a remote
LLM still knows *that* the customer gave an order number without ever seeing it.

The brand's own public contacts (the support address and phone of its guidelines) are not
personal data: pass them as `keep` and they stay.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from cmassist.domain.facts import EMAIL
from cmassist.domain.spans import free

PiiKind = Literal["email", "phone", "address", "card", "iban", "order"]
PII_KINDS: tuple[PiiKind, ...] = ("email", "phone", "address", "card", "iban", "order")


@dataclass(frozen=True)
class Pii:
    kind: PiiKind
    start: int
    end: int
    text: str

    @property
    def key(self) -> str:
        """The value normalized for comparison: digits only for numbers, lowercase otherwise."""
        return pii_key(self.kind, self.text)


def pii_key(kind: str, value: str) -> str:
    if kind in ("phone", "card"):
        digits = re.sub(r"\D", "", value)
        return digits[-10:] if kind == "phone" else digits
    return re.sub(r"[\s\-–.#]", "", value).casefold()


# -- patterns ------------------------------------------------------------------------------

_NA_PHONE = re.compile(
    r"(?<![\w+])(?:\+?1[\s.\-]?)?(?:\(\d{3}\)|\d{3})[\s.\-]?\d{3}[\s.\-]?\d{4}(?![\d\w])"
)
_FR_PHONE = re.compile(r"(?<![\w+])(?:\+33\s?\(?0?\)?\s?|0)[1-9](?:[\s.\-]?\d{2}){4}(?!\d)")
_INTL_PHONE = re.compile(r"(?<![\w+])\+(?:[2-9]\d{0,2})(?:[\s.\-]?\d{2,4}){3,5}(?!\d)")
_CARD = re.compile(r"(?<![\d\w])\d(?:[ \-]?\d){12,18}(?![\d\w])")
_IBAN = re.compile(
    r"(?<![A-Z0-9])[A-Z]{2}\d{2}(?:[ ]?[A-Z0-9]{4}){2,7}(?:[ ]?[A-Z0-9]{1,4})?(?![A-Z0-9])"
)
_ORDER_CONTEXT = re.compile(
    r"(?:\b(?:order|orders|commande|commandes|cmd|facture|invoice|réf(?:érence)?|ref|"
    r"reference|tracking|suivi|colis|parcel|confirmation)\b"
    r"(?:\s+(?:number|num(?:ber|éro|ero)?|no|n[o°º]|#|id))?\.?\s*(?:de\s+commande\s*)?[:#]?\s*"
    r"|#\s?|\bn[o°º]\.?\s*(?:de\s+commande\s*)?:?\s*)"
    r"(?P<id>#?[A-Z]{0,4}-?\d[\dA-Z\-]{3,}\d|\d{5,})",
    re.IGNORECASE,
)
_ORDER_SHAPE = re.compile(r"(?<![\w-])#?[A-Z]{2,4}-?\d{4,}(?:-\d{3,})*(?![\w-])")
_STREET_TYPES = (
    r"rue|avenue|av\.?|ave\.?|boulevard|boul\.?|bd\.?|blvd\.?|chemin|ch\.|rang|place|pl\.|"
    r"montée|route|rte|allée|impasse|quai|cours|côte|square|promenade|terrasse|"
    r"street|st\.?|road|rd\.?|drive|dr\.?|lane|ln\.?|way|court|ct\.?|crescent|cres\.?|"
    r"circle|highway|hwy|parkway|pkwy"
)
_STREET_TYPES = "|".join(sorted(_STREET_TYPES.split("|"), key=len, reverse=True))
_CA_POSTAL = r"[ABCEGHJ-NPRSTVXY]\d[ABCEGHJ-NPRSTV-Z][ -]?\d[ABCEGHJ-NPRSTV-Z]\d"
_NAME = r"[A-ZÀ-Ýa-zà-ÿ0-9'’\-]+"
# "1234, rue Saint-Denis", "14 bis avenue Jean Jaurès", "45 avenue du Parc"
_ADDR_FR = (
    rf"\b\d{{1,5}}(?:\s?(?:bis|ter|[A-Da-d]))?,?\s+(?:{_STREET_TYPES})\s+"
    rf"(?:(?:de|du|des|la|le|l'|d'|St-|Ste-)\s*)*{_NAME}"
    r"(?:[ \-](?:Est|Ouest|Nord|Sud|E|O|W|N|S)\b)?"
)
# "987 Sherbrooke St W", "123 Main Street"
_ADDR_EN = (
    rf"\b\d{{1,5}}\s+(?:{_NAME}\s+){{1,3}}?(?:{_STREET_TYPES})(?![\w])"
    r"(?:\s+(?:N|S|E|W|NE|NW|SE|SW|North|South|East|West|Est|Ouest|O)\b\.?)?"
)
_ADDR_TAIL = (
    r"(?:,?\s*(?:app(?:artement)?\.?|apt\.?|suite|unit|bureau|#)\s*\w+)?"
    r"(?:,?\s+(?:Est|Ouest|Nord|Sud|E|O|W|N|S)\b\.?)?"
    rf"(?:,?\s*(?:{_NAME}(?:[ \-]{_NAME}){{0,2}}))?"  # city
    r"(?:,?\s*(?:\((?:Québec|Quebec|Qc|QC|Ontario|ON)\)|QC|Qc|Québec|Quebec|ON|Ontario))?"
    rf"(?:,?\s*(?:{_CA_POSTAL}))?"
)
_ADDRESS = re.compile(rf"(?:{_ADDR_FR}|{_ADDR_EN}){_ADDR_TAIL}", re.IGNORECASE)
_ADDR_CORE = re.compile(rf"(?:{_ADDR_FR}|{_ADDR_EN})", re.IGNORECASE)
_FR_POSTAL_CITY = re.compile(
    r"\b\d{5}\s+[A-ZÀ-Ý][a-zà-ÿ\-]+(?:[ \-][A-ZÀ-Ý][a-zà-ÿ\-]+)?(?:\s+(?:Cedex|\d{1,2}e))?"
)
# the rest of a French street name, then "69007 Lyon"
_FR_TAIL = re.compile(
    rf"(?:[ \-]+{_NAME}){{0,4}}?,?\s+\d{{5}}\s+[A-ZÀ-Ý][a-zà-ÿ\-]+(?:[ \-][A-ZÀ-Ý][a-zà-ÿ\-]+)?"
)
_CA_POSTAL_RX = re.compile(rf"(?<![\w-]){_CA_POSTAL}(?![\w-])")
_CITY_WORDS = re.compile(
    r"^(?:,?\s*)(?:Montréal|Montreal|Québec|Quebec|Laval|Gatineau|Longueuil|Sherbrooke|"
    r"Toronto|Ottawa|Paris|Lyon|Marseille|Lille|Bordeaux|Nantes|Toulouse|Calgary|Vancouver)\b",
    re.IGNORECASE,
)


def luhn_ok(digits: str) -> bool:
    total, parity = 0, len(digits) % 2
    for i, ch in enumerate(digits):
        d = int(ch)
        if i % 2 == parity:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def iban_ok(raw: str) -> bool:
    s = re.sub(r"\s", "", raw).upper()
    if not 15 <= len(s) <= 34:
        return False
    moved = s[4:] + s[:4]
    try:
        number = int("".join(str(int(ch, 36)) for ch in moved))
    except ValueError:
        return False
    return number % 97 == 1


# -- detection -----------------------------------------------------------------------------


def find_pii(text: str, kinds: Iterable[str] = PII_KINDS, keep: Iterable[str] = ()) -> list[Pii]:
    """The personal data in `text`, in order, without overlaps (the first kind found wins:
    email, IBAN, card, address, phone, order). `keep` holds values that are not personal
    data (the brand's public contacts), compared normalized."""
    wanted = set(kinds)
    kept = {k for k in keep}
    found: list[Pii] = []
    taken: list[tuple[int, int]] = []

    def add(kind: PiiKind, a: int, b: int) -> None:
        while b > a and text[b - 1] in ".,;:!?)]}»\"'’…-– ":
            b -= 1
        while a < b and text[a] in " ,(":
            a += 1
        if b <= a or not free((a, b), taken):
            return
        value = text[a:b]
        taken.append((a, b))
        if kind in wanted and pii_key(kind, value) not in kept and value.casefold() not in kept:
            found.append(Pii(kind, a, b, value))

    for m in EMAIL.finditer(text):
        add("email", m.start(), m.end())
    for m in _IBAN.finditer(text):
        if iban_ok(m.group()):
            add("iban", m.start(), m.end())
    for m in _CARD.finditer(text):
        digits = re.sub(r"\D", "", m.group())
        if 13 <= len(digits) <= 19 and luhn_ok(digits) and free((m.start(), m.end()), taken):
            add("card", m.start(), m.end())
    for m in _ADDRESS.finditer(text):
        if not free((m.start(), m.end()), taken):
            continue
        a, b = m.start(), m.end()
        core = _ADDR_CORE.match(text, a)
        # the optional city/province tail must not swallow ordinary words: keep it only
        # when a postal code, a province or a known city follows the street
        tail = text[core.end() if core else b : b]
        if core and not (
            _CA_POSTAL_RX.search(tail)
            or re.search(r"\b(?:QC|Qc|Québec|Quebec|ON|Ontario)\b", tail)
            or _CITY_WORDS.match(tail)
            or re.match(r",?\s*(?:app|apt|suite|unit|bureau|#)", tail, re.IGNORECASE)
        ):
            b = core.end()
        fr = _FR_TAIL.match(text, b)
        if fr:
            b = fr.end()
        add("address", a, b)
    for m in _FR_POSTAL_CITY.finditer(text):
        if free((m.start(), m.end()), taken) and re.search(
            r"\b(?:rue|avenue|bd|boulevard|chemin|place)\b",
            text[max(0, m.start() - 60) : m.start()],
            re.IGNORECASE,
        ):
            add("address", m.start(), m.end())
    for m in _CA_POSTAL_RX.finditer(text):
        if free((m.start(), m.end()), taken):
            add("address", m.start(), m.end())
    for m in _ORDER_CONTEXT.finditer(text):
        ident = m.group("id")
        if sum(ch.isdigit() for ch in ident) < 4:
            continue
        a = m.start("id")
        # ten digits after "order" are an order number, not a phone
        add("order", a, a + len(ident))
    for rx in (_NA_PHONE, _FR_PHONE, _INTL_PHONE):
        for m in rx.finditer(text):
            digits = re.sub(r"\D", "", m.group())
            if len(digits) < 10 or not free((m.start(), m.end()), taken):
                continue
            add("phone", m.start(), m.end())
    for m in _ORDER_SHAPE.finditer(text):
        if free((m.start(), m.end()), taken):
            add("order", m.start(), m.end())
    found.sort(key=lambda p: p.start)
    return found


# -- redaction -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Redaction:
    text: str
    found: list[Pii]

    @property
    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for p in self.found:
            out[p.kind] = out.get(p.kind, 0) + 1
        return out

    def summary(self) -> str:
        """ "2 personal data items redacted (email, order)", or ""."""
        if not self.found:
            return ""
        kinds = ", ".join(sorted(self.counts))
        n = len(self.found)
        return f"{n} personal data item{'s' if n > 1 else ''} redacted ({kinds})"


def redact(text: str, *, keep: Iterable[str] = (), kinds: Iterable[str] = PII_KINDS) -> Redaction:
    """`text` with each personal data value replaced by a placeholder such as "[email]"."""
    found = find_pii(text, kinds, keep)
    out: list[str] = []
    pos = 0
    for p in found:
        out.append(text[pos : p.start])
        out.append(f"[{p.kind}]")
        pos = p.end
    out.append(text[pos:])
    return Redaction("".join(out), found)


def public_keep(texts: Iterable[str]) -> set[str]:
    """Values that appear in the brand's own published texts (its support contacts, its
    cafés' addresses): public, not a customer's personal data."""
    keep: set[str] = set()
    for t in texts:
        for p in find_pii(t):
            keep.add(p.key)
    return keep
