"""How the contradiction checks read a text against the brand's fact sheet: its sentences,
the places and products it names (and where), the weekdays it says a place is open, the
seasons its dates fall in, the prices it pairs with products, negation and conditions.

The clock times, time ranges and weekdays themselves are `cmassist.domain.facts`'s.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from cmassist.domain.facts import extract
from cmassist.domain.factsheet import FactSheet, Hours, Price
from cmassist.domain.textmatch import Folded, fold, fold_str, term_pattern
from cmassist.domain.weekdays import weekdays


@dataclass(frozen=True)
class Sentence:
    """A sentence of the text, with its offsets (a.m./p.m. and decimals do not end one)."""

    start: int
    end: int
    text: str


_ABBREV = re.compile(r"(?:\b[ap]\.m|\b[ap]m|\bboul|\bav|\bst|\bno|\betc|\benv)$", re.IGNORECASE)


def sentences(text: str) -> list[Sentence]:
    """The text's sentences: cut after . ! ? … followed by a space, and at line ends; "7 a.m.
    to 6 p.m." and "3.50" stay whole (a full stop after a.m. ends a sentence only before a
    capital)."""
    out: list[Sentence] = []
    start = i = 0
    while i < len(text):
        c = text[i]
        end_here = c == "\n"
        if c in ".!?…" and (i + 1 == len(text) or text[i + 1].isspace()):
            after = text[i + 1 :].lstrip(" \t")
            end_here = not (c == "." and _ABBREV.search(text[start:i]) and after[:1].islower())
        if end_here:
            j = i + 1
            while j < len(text) and text[j] in ".!?…":
                j += 1
            if text[start:j].strip():
                out.append(Sentence(start, j, text[start:j]))
            start = i = j
            continue
        i += 1
    if text[start:].strip():
        out.append(Sentence(start, len(text), text[start:]))
    return out


# -- names and where they are -------------------------------------------------------------


@dataclass(frozen=True)
class Mention:
    """A name of the sheet written in the text: its offsets and the sheet's name for it."""

    start: int
    end: int
    name: str


def _pattern(form: str) -> tuple[re.Pattern[str], bool]:
    """(pattern, on folded text?): short single words keep their accents ("thé" is not "the")."""
    if len(form) <= 4 and " " not in form:
        return re.compile(rf"(?<!\w){re.escape(form.casefold())}(?!\w)"), False
    return term_pattern(form, inflect=False), True


def find_mentions(
    text: str, folded: Folded, forms: dict[str, str], *, proper: bool = False
) -> list[Mention]:
    """Where `text` writes each form (written form -> the sheet's name), longest first,
    never overlapping. With `proper`, a one-word name the sheet capitalises counts only
    capitalised ("Aurore", not "l'aurore"; "Classique", not "notre classique")."""
    lowered = text.casefold()
    taken: list[tuple[int, int]] = []
    out: list[Mention] = []
    for form in sorted(forms, key=len, reverse=True):
        if not form.strip():
            continue
        rx, on_folded = _pattern(form)
        for m in rx.finditer(folded.text if on_folded else lowered):
            a, b = folded.span(m.start(), m.end()) if on_folded else (m.start(), m.end())
            if len(lowered) != len(text) and not on_folded:
                continue  # casefold changed the length: offsets would be wrong
            if any(a < e and s < b for s, e in taken):
                continue
            if proper and " " not in form and form[:1].isupper() and not text[a : a + 1].isupper():
                continue
            taken.append((a, b))
            out.append(Mention(a, b, forms[form]))
    return sorted(out, key=lambda m: m.start)


def place_forms(sheet: FactSheet) -> dict[str, str]:
    """Each way the sheet writes a place (its name, a place name's aliases) -> the place."""
    forms = {p: p for p in sheet.places()}
    for n in sheet.names:
        if n.kind != "place":
            continue
        place = next(
            (p for p in sheet.places() if fold_str(p) in map(fold_str, (n.name, *n.aliases))), None
        )
        if place:
            forms.update({x: place for x in (n.name, *n.aliases)})
    return forms


def place_mentions(text: str, sheet: FactSheet) -> list[Mention]:
    """The places of the sheet that `text` names, where it names them."""
    return find_mentions(text, fold(text), place_forms(sheet))


def asked_place(comment: str, sheet: FactSheet) -> str | None:
    """The one place a comment asks about, if it names exactly one."""
    names = {m.name for m in place_mentions(comment, sheet)} if comment else set()
    return names.pop() if len(names) == 1 else None


def nearest(mentions: Sequence[Mention], sent: Sentence, pos: int) -> Mention | None:
    """The mention a statement at `pos` is about: the nearest before it in the sentence,
    else the nearest after it."""
    inside = [m for m in mentions if sent.start <= m.start < sent.end]
    before = [m for m in inside if m.end <= pos]
    if before:
        return before[-1]
    after = [m for m in inside if m.start >= pos]
    return after[0] if after else None


_ALL_PLACES = re.compile(
    r"\b(?:all(?: (?:two|three|four|of))?(?: our)?|both(?: our)?|tous nos|toutes nos|"
    r"nos (?:deux|trois|quatre)|our (?:two|three|four)|les (?:deux|trois|quatre)|chacun de nos)"
    r"\s+(?:cafes|shops|stores|locations|boutiques|magasins|succursales|ateliers)\b"
)


def all_places_named(text: str) -> bool:
    """Whether the text speaks of all the brand's places at once ("nos trois cafés")."""
    return bool(_ALL_PLACES.search(fold_str(text)))


# -- days and hours a text states -----------------------------------------------------------

_HOURS_WORDS = re.compile(
    r"\b(?:ouvert\w*|ouvr\w*|ouverture|reouverture|rouv\w*|open\w*|reopen\w*|hours?|heures|"
    r"horaires?|ferm\w*|closed|closes|closing|accueill\w*)\b"
)
_OPEN = re.compile(
    r"\b(?:ouvert\w*|ouvr\w*|reouverture|rouv\w*|open|opens|opened|reopen\w*|accueill\w*)\b"
)
_CLOSED = re.compile(r"\b(?:ferm\w*|closed|closes|closing|close)\b")
_NEG_BEFORE = re.compile(
    r"(?:\b(?:pas|not|never|jamais|ne|plus|don't|doesn't|isn't|aren't|won't|no longer)\s+"
    r"(?:\w+\s+)?|\bn')$"
)


def speaks_of_hours(text: str) -> bool:
    """Whether a sentence is about opening hours (open, closed, hours, horaire…)."""
    return bool(_HOURS_WORDS.search(fold_str(text)))


@dataclass(frozen=True)
class DaySpan:
    """Weekdays the text names, with the date they belong to ("lundi 5 janvier": "01-05")."""

    start: int
    end: int
    days: frozenset[int]
    date: str | None = None


def day_spans(text: str, sent: Sentence) -> list[DaySpan]:
    """The weekdays a sentence names (those it leaves out, "sauf le lundi", not counted)."""
    out = []
    for d in weekdays(sent.text):
        if d.excluded:
            continue
        after = sent.text[d.end : d.end + 30]
        dates = extract(after, ("date",))
        date = dates[0].key if dates and dates[0].start <= 3 else None
        out.append(DaySpan(sent.start + d.start, sent.start + d.end, d.days, date))
    return out


def open_days(text: str, sent: Sentence) -> list[DaySpan]:
    """The weekdays a sentence says are open: the nearest open/closed word decides (the one
    before, else the one after); an open word negated ("n'est pas ouvert") says closed."""
    return _said_days(text, sent, True)


def closed_days(text: str, sent: Sentence) -> list[DaySpan]:
    """The weekdays a sentence says are closed ("fermé le samedi", "not open on Saturday"):
    stricter than `open_days`, the closed word comes right before the days (within 25
    characters), so "du mardi au samedi de 10 h à 18 h, fermé dimanche" closes Sunday alone."""
    return _said_days(text, sent, False)


def _said_days(text: str, sent: Sentence, want_open: bool) -> list[DaySpan]:
    folded = fold(sent.text)
    words: list[tuple[int, bool]] = []
    for rx, is_open in ((_OPEN, True), (_CLOSED, False)):
        for m in rx.finditer(folded.text):
            a, _ = folded.span(m.start(), m.end())
            negated = is_open and bool(
                _NEG_BEFORE.search(folded.text[max(0, m.start() - 25) : m.start()])
            )
            words.append((sent.start + a, is_open and not negated))
    words.sort()
    out = []
    for span in day_spans(text, sent):
        before = [w for w in words if w[0] < span.start]
        after = [w for w in words if w[0] >= span.end]
        if want_open:
            word = before[-1] if before else after[0] if after else None
        else:
            word = before[-1] if before and span.start - before[-1][0] <= 25 else None
        if word is not None and word[1] == want_open:
            out.append(span)
    return out


def days_for(spans: Sequence[DaySpan], ranges: Sequence[object], i: int) -> frozenset[int] | None:
    """The weekdays the i-th time range of a sentence is for: paired in order when the
    sentence names as many day groups as ranges ("lundi au vendredi de 7 h à 18 h, samedi et
    dimanche de 8 h à 18 h"), else any day the sentence names, else any day (None)."""
    groups = _groups(spans)
    if len(groups) == len(ranges):
        return groups[i]
    if groups:
        return frozenset().union(*groups)
    return None


def _groups(spans: Sequence[DaySpan]) -> list[frozenset[int]]:
    """Day spans joined by "et", "and", "," into one group ("samedi et dimanche")."""
    groups: list[tuple[int, frozenset[int]]] = []
    for s in spans:
        if groups and s.start - groups[-1][0] <= 8:
            groups[-1] = (s.end, groups[-1][1] | s.days)
        else:
            groups.append((s.end, s.days))
    return [g for _, g in groups]


# -- seasons ---------------------------------------------------------------------------------

_SEASON_SYNONYMS = (
    ("basse saison", "low season"), ("haute saison", "high season"), ("ete", "summer"),
    ("hiver", "winter"), ("printemps", "spring"), ("automne", "fall"),
)  # fmt: skip


def _in_season(h: Hours, date: str) -> bool:
    start, end = h.season_from, h.season_to
    if not start or not end:
        return False
    return start <= date <= end if start <= end else date >= start or date <= end


def _named(season: str, text: str) -> bool:
    words = fold_str(season)
    folded = fold_str(text)
    if words and re.search(rf"\b{re.escape(words)}\b", folded):
        return True
    for fr, en in _SEASON_SYNONYMS:
        for a, b in ((fr, en), (en, fr)):
            if a in words and re.search(rf"\b{b}\b", folded):
                return True
    return False


def seasons_in(
    sheet: FactSheet,
    place: str,
    sent: Sentence,
    said: DaySpan | None,
    text_dates: Sequence[str],
    text: str,
    *,
    strict: bool = False,
) -> set[str] | None:
    """The seasons of `place` a statement is about: those its date falls in (the weekday's
    own date, else the sentence's, else, unless `strict`, the text's), else those the text
    names; None when it does not say. With `strict`, a sentence whose dates fall in no
    season of the sheet is about those dates alone (a holiday): the empty set."""
    records = sheet.hours_of(place)
    sentence_dates = [f.key for f in extract(sent.text, ("date",))]
    dates = (
        [said.date]
        if said and said.date
        else sentence_dates or ([] if strict else list(text_dates))
    )
    if dates:
        found = {h.season for h in records for d in dates if _in_season(h, d)}
        if found:
            return found | {h.season for h in records if not h.season}
        if strict:
            return set()
    named = {
        h.season for h in records if h.season and _named(h.season, sent.text if strict else text)
    }
    return (named | {""}) if named else None


def season_label(sheet: FactSheet, place: str, season: str) -> str:
    """«low season (Nov 1 to Mar 31)»: the season and its dates, when the sheet gives them."""
    h = next((h for h in sheet.hours_of(place) if h.season == season), None)
    start, end = (h.season_from, h.season_to) if h else ("", "")
    if not season:
        return ""
    return f"{season} ({_day_month(start)} to {_day_month(end)})" if start and end else season


_MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _day_month(key: str) -> str:
    return f"{_MONTH_NAMES[int(key.split('-')[0]) - 1]} {int(key.split('-')[1])}"


# -- prices paired with products ------------------------------------------------------------

_OLD = re.compile(r"\b(?:before|avant|until|jusqu\w*|previous\w*|ancien\w*|old|former\w*|prior)\b")
_SAYS_OLD = re.compile(
    r"\b(?:avant|before|etait|was|used to|ancien\w*|previous\w*|jusqu'au|until|auparavant|"
    r"formerly|old|vieux|last month|le mois passe|l'an dernier|last year|prior|coutait|"
    r"from \S+ to|passe\w* de|hausse|augment\w*|increase\w*|rais\w*|goes up|went up|"
    r"chang\w*)\b"
)
_NOT_A_PRICE_OF = re.compile(
    r"^\W*(?:de\s+)?(?:rabais|off|de plus|more|extra|de moins|less|remis|donn\w*|don\b|"
    r"reduction|discount|economi\w*|save|credit|points|d'inscription|entry)"
)

_SIZE = re.compile(r"\b\d+(?:[.,]\d+)?\s?(?:g|kg|ml|cl|l|oz|lb)\b")


def for_sentence(records: Sequence[Price], sentence: str) -> list[Price]:
    """The records a sentence speaks of: those whose size it names ("1 kg"), else those
    without a size, else those of the first size the sheet gives (the bag, then the kilo)."""
    sizes = {p.amount: _SIZE.findall(fold_str(p.qualifier)) for p in records}
    named = _SIZE.findall(fold_str(sentence))
    hit = [p for p in records if set(sizes[p.amount]) & set(named)]
    if hit:
        return hit
    plain = [p for p in records if not sizes[p.amount]]
    if plain:
        return plain
    first = next((sizes[p.amount] for p in records if sizes[p.amount]), None)
    return [p for p in records if not sizes[p.amount] or sizes[p.amount] == first]


_FOR = re.compile(r"^\s*(?:pour|for|per|par)\s+(?:(?:la|le|les|l'|the|a|an|un|une|each)\s*)?$")
# "augmentera de 1 $", "goes up by $1": a difference, not a price
_A_CHANGE = re.compile(
    r"\b(?:augment\w*|hausse\w*|baiss\w*|monte\w*|up|down|rais\w*|increas\w*|decreas\w*|"
    r"lower\w*|cut|reduc\w*)\s+(?:de|d'|by|of)\s*$"
)
_ASIDE = re.compile(r"^\s*,(?P<aside>(?:\s*[\w'’-]+){1,6}\s*,)(?P<rest>.*)$", re.DOTALL)
_COLON = re.compile(r"^(?P<aside>)(?P<rest>[^:]*):\s*$")  # "… de retour le 1er mai : 75 $"
_CLAUSE_BREAK = re.compile(r"[,:;—–]|\b(?:mais|but|et|and|or|ou|while|tandis|alors|whereas)\b")


def old_price(price: Price) -> bool:
    """Whether a price record is a former one ("before March 2, 2026")."""
    return bool(_OLD.search(fold_str(price.qualifier)))


def says_old(text: str) -> bool:
    """Whether a sentence speaks of a price as a former one ("il était à 20 $")."""
    return bool(_SAYS_OLD.search(fold_str(text)))


def amount_of(key: str) -> str:
    """A price key's amount ("200.00 EUR" -> "200.00")."""
    return key.split(" ", 1)[0]


_GENERIC = frozenset(  # words that name the kind of thing: "Classic plan" is the "Classic"
    ["plan", "formule", "offer", "offre", "package", "forfait", "subscription", "abonnement"]
)


@dataclass
class Catalogue:
    """The sheet's products and programmes, their prices, and the (product, amount) pairs
    the guidelines write themselves."""

    sheet: FactSheet
    forms: dict[str, str] = field(default_factory=dict)  # written form -> the sheet's name
    priced: dict[str, list[Price]] = field(default_factory=dict)
    about: dict[str, set[str]] = field(default_factory=dict)  # name -> amounts about it
    stated: set[tuple[str, str]] = field(default_factory=set)

    @classmethod
    def of(cls, sheet: FactSheet, passages: Sequence[object]) -> Catalogue:
        """The catalogue of `sheet`, remembered per sheet and passages."""
        key = (id(sheet), len(sheet), len(passages))
        hit = _CATALOGUES.get(key)
        if hit is not None and hit.sheet is sheet:
            return hit
        cat = cls(sheet)
        cat._build([getattr(p, "text", "") for p in passages])
        if len(_CATALOGUES) > 16:
            _CATALOGUES.clear()
        _CATALOGUES[key] = cat
        return cat

    def _canon(self, written: str) -> str:
        n = self.sheet.known_name(written)
        return n.name if n else written

    def _build(self, passages: list[str]) -> None:
        for p in self.sheet.prices:
            self.forms[p.product] = self._canon(p.product)
            self.priced.setdefault(self._canon(p.product), []).append(p)
        for n in self.sheet.names:
            if n.kind not in ("place", "person"):
                self.forms.update({x: n.name for x in (n.name, *n.aliases)})
        for name in set(self.forms.values()):
            own = [f for f, c in self.forms.items() if c == name]
            amounts = {p.amount for p in self.prices(name)}
            for p in self.sheet.prices:
                where = f"{p.product} {p.qualifier} {p.source.heading if p.source else ''}"
                if any(f and fold_str(f) in fold_str(where) for f in own):
                    amounts.add(p.amount)
            self.about[name] = amounts
        for text in passages:
            for sent in sentences(text):
                for fact, product in self.pairs(text, sent):
                    self.stated.add((product.name, amount_of(fact.key)))

    def prices(self, product: str) -> list[Price]:
        """The sheet's prices of a product (under any of its names), with those of the same
        thing written with or without a generic word ("Classic" and "Classic plan")."""
        return [p for name in self._same(product) for p in self.priced.get(name, [])]

    def _same(self, product: str) -> list[str]:
        def core(name: str) -> str:
            return " ".join(w for w in fold_str(name).split() if w not in _GENERIC)

        want = core(product)
        return [product] + [n for n in self.priced if n != product and want and core(n) == want]

    def pairs(self, text: str, sent: Sentence) -> list[tuple[_PriceAt, Mention]]:
        """Each price of the sentence with the product it is the price of: the name right
        before it ("Mélange Boréal à 19 $", at most 3 words between, or 6 in one clause after
        an appositive or before a colon), else right after it ("21 $ le sac de Mélange
        Boréal", at most 3), with no other price or name between."""
        prices = [
            _PriceAt(sent.start + f.start, sent.start + f.end, f.key)
            for f in extract(sent.text, ("price",))
        ]
        if not prices:
            return []
        names = [
            Mention(sent.start + m.start, sent.start + m.end, m.name)
            for m in find_mentions(sent.text, fold(sent.text), self.forms, proper=True)
        ]
        out = []
        for p in prices:
            if _NOT_A_PRICE_OF.match(fold_str(text[p.end : p.end + 24])) or _A_CHANGE.search(
                fold_str(text[max(sent.start, p.start - 30) : p.start])
            ):
                continue
            product = self._paired(text, p, prices, names)
            if product is not None and product.name in self.priced:
                out.append((p, product))
        return out

    def _paired(
        self, text: str, p: _PriceAt, prices: list[_PriceAt], names: list[Mention]
    ) -> Mention | None:
        def clear(a: int, b: int, most: int, lead: bool = False) -> bool:
            gap, aside = text[a:b], a  # "Le Nuit Polaire, notre déca…, est … à 25 $"
            m = (_ASIDE.match(gap) or _COLON.match(gap)) if lead else None
            if m and not _CLAUSE_BREAK.search(fold_str(m.group("rest"))):
                gap, most, aside = m.group("rest"), 6, a + m.end("aside")
            return (
                len(re.findall(r"\w+", gap)) <= most
                and not re.search(r"[;()\[\]]", gap)
                and not any(a <= q.start < b for q in prices if q is not p)
                and not any(
                    a <= n.start < b for n in names if n.start >= aside or n.name in self.priced
                )
            )

        before = [n for n in names if n.end <= p.start and n.name in self.priced]
        after = [n for n in names if n.start >= p.end]
        if after and _FOR.match(fold_str(text[p.end : after[0].start])):
            return after[0]  # "169 $ pour la mise au point complète"
        if before and clear(before[-1].end, p.start, 3, lead=True):
            return before[-1]
        if after and clear(p.end, after[0].start, 3):
            return after[0]
        return None

    def accepts(self, product: str, amount: str, text: str, sent: Sentence) -> bool:
        """Whether `amount` is right for `product` in this sentence: one the guidelines
        give it themselves, or the price of another thing the sentence names."""
        if any((name, amount) in self.stated for name in self._same(product)):
            return True
        named = {m.name for m in find_mentions(sent.text, fold(sent.text), self.forms, proper=True)}
        return any(amount in self.about.get(n, set()) for n in named if n != product)


@dataclass(frozen=True)
class _PriceAt:
    start: int
    end: int
    key: str


_CATALOGUES: dict[tuple[int, int, int], Catalogue] = {}
