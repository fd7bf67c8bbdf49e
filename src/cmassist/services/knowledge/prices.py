"""Prices: what each product or service costs, read from the guidelines' price lists.

A price belongs to the name written before it ("espresso $3.25; allongé (americano)
$3.75", "Mélange Boréal 21 $", "Nuit Polaire decaf, Swiss Water process, $23"), to the
label before a colon ("Classic plan: Boréal Blend, Aurore or Nuit Polaire, $19 per bag",
"Prices: $20 an hour", then the passage's subject), to the price before it when it goes
on ("or $75 a day", "($54 before March 2, 2026)"), or to what it is "for". Differences and
thresholds ("$1 less", "$0.50 off", "free from $60", "instead of $89") are no prices, and
nor are the prices of a clause ("we gave $5 per order", "prices are written $89").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from cmassist.domain.factsheet import Price
from cmassist.domain.textmatch import fold_str
from cmassist.services.knowledge.sections import Guidelines, Section, facts_of, tokens, trim_words

_DELTA_AFTER = re.compile(
    r"^\s*(?:less|more|off|extra|cheaper|de moins|de plus|de rabais|de réduction|de remise)\b",
    re.IGNORECASE,
)
_NO_PRICE_BEFORE = re.compile(
    r"\b(?:instead of|rather than|au lieu de|by|from|starting at|as low as|over|above|under|"
    r"below|dès|à partir de|plus de|moins de|jusqu['’]à|up to|save|économisez|get)\s*$",
    re.IGNORECASE,
)
# Where a price's own words end: punctuation, "or"/"and"/"plus", a bracket (", 2026" goes on).
_QUALIFIER_END = re.compile(
    r"[;:()]|,(?!\s?\d{4}\b)|\s(?:or|ou|and|et|plus)\s|\.(?:\s|$)", re.IGNORECASE
)
_FOR = re.compile(
    r"^\s*(?:for|pour)\s+(?:(?:an|a|the|one|une|un|les|le|la)\s+|l['’])?([^,;:()]+)",
    re.IGNORECASE,
)
_PLUS = re.compile(r"\b(?:plus|extra|add|ajoutez)\b", re.IGNORECASE)
_IF = re.compile(r"\s+(?:if|si|au besoin|when|quand|lorsque)\b.*$", re.IGNORECASE)
_LIST_SEP = re.compile(r"\s*(?:,|\bor\b|\band\b|\bou\b|\bet\b)\s*", re.IGNORECASE)
_LEAD = frozenset(
    """and or plus et ou the a an le la les l un une des du then with avec for pour at à au
    aux our notre nos its sinon otherwise also aussi only just seulement""".split()  # noqa: SIM905
)
_TRAIL = frozenset(
    """for at à pour de du des d costs cost coûte coûtent is are est sont a an of sells
    vend""".split()  # noqa: SIM905
)
# A segment with one of these is a clause, not a name ("we gave", "on a remis").
_CLAUSE = {
    "en": frozenset(
        """we you i they he she it is are was were be been has have had will would can could
    gave give get gets got come comes sold paid write writes written""".split()  # noqa: SIM905
    ),
    "fr": frozenset(
        """on nous vous tu je il elle ils elles est sont était étaient a ont avait sera
    existent remis vendu vendue payé payée écrit s'est""".split()  # noqa: SIM905
    ),
}
_VAGUE = frozenset(
    """flat only just about around environ total price prices prix cost costs tarif tarifs
    fee fees frais rate rates amount montant average moyen moyenne""".split()  # noqa: SIM905
)
# A name that starts so is a figure about prices, not a product ("prix moyen", "average
# price paid").
_VAGUE_START = frozenset(
    """price prices prix average moyen moyenne cost costs tarif""".split()  # noqa: SIM905
)
_AMOUNT = re.compile(r"^(\d+\.\d{2})(?:\s+([A-Z]{3}))?$")
_MAX_NAME_WORDS = 6
_MAX_QUALIFIER_WORDS = 6


@dataclass
class _Read:
    product: str
    qualifier: str = ""
    end: int = 0  # where the price's own words end in the sentence
    given: bool = False  # the qualifier after the price is part of the name ("for a tube")


def read_prices(section: Section, guidelines: Guidelines) -> list[Price]:
    """The prices that `section` states, in order."""
    out: list[Price] = []
    for sentence in section.sentences:
        out.extend(_sentence_prices(sentence, section, guidelines))
    return out


def _sentence_prices(sentence: str, section: Section, guidelines: Guidelines) -> list[Price]:
    out: list[Price] = []
    previous: _Read | None = None
    previous_end = 0
    for fact in facts_of(sentence, ("price",)):
        after = sentence[fact.end :]
        stop = _QUALIFIER_END.search(after)
        end = fact.end + (stop.start() if stop else len(after))
        if _DELTA_AFTER.match(after) or _NO_PRICE_BEFORE.search(sentence[: fact.start]):
            previous, previous_end = None, end
            continue
        read = _product(sentence, fact.start, after, previous, previous_end, section, guidelines)
        previous_end = end
        if read is None:
            previous = None
            continue
        if not read.given:
            qualifier = _qualifier(after[: stop.start()] if stop else after)
            read.qualifier = ", ".join(q for q in (read.qualifier, qualifier) if q)
        read.end = end
        amount, currency = _amount(fact.key)
        out.append(Price(read.product, amount, currency, read.qualifier, section.cite(sentence)))
        previous = read
    return out


def _product(
    sentence: str,
    at: int,
    after: str,
    previous: _Read | None,
    previous_end: int,
    section: Section,
    guidelines: Guidelines,
) -> _Read | None:
    start, mark = _segment_start(sentence, at)
    if previous is not None and previous_end > start:
        start, mark = previous_end, ""
    raw = sentence[start:at]
    lang = section.language or ""
    # "($54 before March 2, 2026)", "(refill $1.00)": the price before it, told more.
    if mark == "(" and previous is not None and not sentence[previous.end : start - 1].strip():
        told = ", ".join(x for x in (previous.qualifier, _clean(raw)) if x)
        return _Read(previous.product, told)
    # "Classic plan: Boréal Blend, Aurore or Nuit Polaire, $19", "Prices: $20 an hour":
    # the label's price, else the passage's subject's.
    if mark == ":" and (not _clean(raw) or _names_list(raw, guidelines)):
        return _label(sentence, start - 1, guidelines, lang) or _subject(section)
    named = _name(raw, guidelines, lang)
    if named is not None:
        return named
    if mark == ":":  # "Discovery plan: a rotating single origin …, $24 per bag"
        return _label(sentence, start - 1, guidelines, lang)
    m = _FOR.match(after)
    if m:
        what = _clean(_IF.sub("", m.group(1)))
        if what and len(what.split()) <= _MAX_NAME_WORDS:
            return _Read(what, given=True)
    # "$20 an hour or $75 a day": the same product; "plus $9" is something more
    if previous is not None and mark == "" and not _clean(raw) and not _PLUS.search(raw):
        return _Read(previous.product)
    return None


def _segment_start(sentence: str, at: int) -> tuple[int, str]:
    """Where the words of the price at `at` begin: after the "(" it is inside, else after
    the last ";" or ":" outside brackets."""
    depth = 0
    for i in range(at - 1, -1, -1):
        c = sentence[i]
        if c == ")":
            depth += 1
        elif c == "(":
            if depth == 0:
                return i + 1, "("
            depth -= 1
        elif depth == 0 and c == ";":
            return i + 1, ";"
        elif depth == 0 and c == ":" and not _clock_colon(sentence, i):
            return i + 1, ":"
    return 0, ""


def _clock_colon(text: str, i: int) -> bool:
    return 0 < i < len(text) - 1 and text[i - 1].isdigit() and text[i + 1].isdigit()


def _names_list(raw: str, guidelines: Guidelines) -> bool:
    """Whether a segment lists names ("Boréal Blend, Aurore or Nuit Polaire,"): then the
    price is the label's, not the first name's."""
    parts = [p for p in _LIST_SEP.split(re.sub(r"\([^()]*\)", " ", raw)) if p.strip()]
    if len(parts) < 2:
        return False
    for part in parts:
        names = guidelines.names_in(part.strip(), at_start=False)
        if len(names) != 1 or names[0][2] != part.strip():
            return False
    return True


def _name(raw: str, guidelines: Guidelines, lang: str) -> _Read | None:
    """The product a segment names ("Nuit Polaire decaf, Swiss Water process," gives Nuit
    Polaire, qualified), or None when it names none."""
    text = re.sub(r"\([^()]*\)", " ", raw)
    parts = [p.strip() for p in text.split(",")]
    if len(parts) > 1 and not parts[-1]:
        head, rest = parts[0], [p for p in parts[1:] if p]
    else:
        head, rest = parts[-1], []
    head = _clean(head)
    if not head:
        return None
    if len(head.split()) > _MAX_NAME_WORDS or _is_clause(head, lang):
        return _name_at_end(head, guidelines)
    names = guidelines.names_in(head, at_start=False)
    if head[0].isdigit():
        # "3 months Classic": a quantity, then the name
        if not names or names[-1][1] != len(head) or len(head[: names[-1][0]].split()) > 3:
            return None
        return _Read(names[-1][2], _clean(head[: names[-1][0]]))
    if (
        head.lower() in _VAGUE
        or head.split()[0].lower() in _VAGUE_START
        or guidelines.is_brand(head)
    ):
        return None
    if names and names[0][0] == 0 and not guidelines.is_brand(names[0][2]):
        qualifier = ", ".join(x for x in (_clean(head[names[0][1] :]), *rest) if x)
        return _Read(names[0][2], qualifier)
    return _Read(head, ", ".join(rest))


def _is_clause(text: str, lang: str) -> bool:
    clause = _CLAUSE.get(lang) or (_CLAUSE["en"] | _CLAUSE["fr"])
    return any(w.lower() in clause for _, _, w in tokens(text))


def _name_at_end(text: str, guidelines: Guidelines) -> _Read | None:
    """In a clause, a name just before the price ("sells the Phare Nord light set for"):
    at most four plain words after it, no figure among them."""
    names = [
        n
        for n in guidelines.names_in(text, at_start=False)
        if not guidelines.is_brand(n[2]) and not _common_word(n[2], guidelines)
    ]
    if not names:
        return None
    _, end, name = names[-1]
    tail = text[end:].split()
    if len(tail) > 4 or any(re.search(r"\d", w) for w in tail):
        return None
    return _Read(name)


def _common_word(name: str, guidelines: Guidelines) -> bool:
    """ "We", "Prices": one word the brand also writes in lower case, no name."""
    return " " not in name and fold_str(name) in guidelines.lower_words


def _label(sentence: str, colon: int, guidelines: Guidelines, lang: str) -> _Read | None:
    """The product a label before a colon names ("Classic plan:", "Boréal Blend 1 kg:")."""
    begin = max(sentence.rfind(";", 0, colon), sentence.rfind(".", 0, colon)) + 1
    label = _clean(re.sub(r"\([^()]*\)", " ", sentence[begin:colon]))
    if not label or len(label.split()) > 5 or label.lower() in _VAGUE:
        return None
    if guidelines.is_brand(label) or _is_clause(label, lang):
        return None
    if re.search(r"\d", label):  # "Boréal Blend 1 kg": the name, and its size
        named = _name(label, guidelines, lang)
        return None if named is None or _common_word(named.product, guidelines) else named
    return _Read(label)


def _subject(section: Section) -> _Read | None:
    """What a passage is about, from its heading ("E-bike rentals", "Winter storage"); not
    a heading that lists ("Numbers, prices, dates and times")."""
    title = section.title.split(":")[0].strip()
    if not title or "," in title or len(title.split()) > 5:
        return None
    return _Read(title)


def _clean(text: str) -> str:
    """A segment without the function words around it and the punctuation at its ends."""
    return trim_words(text, _LEAD, _TRAIL)


def _qualifier(text: str) -> str:
    """The words after a price that say what it is for ("per 340 g bag", "an hour")."""
    text = " ".join(text.split()).strip(" ,;:-–.«»\"“”'")
    return "" if len(text.split()) > _MAX_QUALIFIER_WORDS else text


def _amount(key: str) -> tuple[str, str]:
    """A price key as (amount, currency): "21.00" and "" or "3.90 USD" and "USD"."""
    m = _AMOUNT.match(key.strip())
    if m:
        return m.group(1), m.group(2) or ""
    return key, ""
