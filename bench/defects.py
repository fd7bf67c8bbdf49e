"""Mechanical defects of a returned post or reply, found against the brand's own files and
independently of cmassist's checker: invented or contradicted facts, unknown names, copies
(of a past post or reply, or of the brief's instructions), few-shot scaffolding, cut-off
text, wrong language and a missing reply signature.

The quality bench counts these per returned text; the checker is what is being measured,
so nothing here imports `cmassist.services.checking`. The brand's Markdown, `posts.csv` and
`replies.jsonl` are read directly. Facts in text are found with `cmassist.domain.facts.
extract` (a domain parser of emails, phones, URLs, prices, dates and clock times, not the
checker) plus this module's own patterns for durations, percentages, years, euro prices,
impossible clock times and non-North-American phone numbers (`phonenumbers` when it is
installed). The language is read by lingua-language-detector when it is installed, else by
`cmassist.domain.language`.

    .venv/bin/python bench/defects.py --brand-dir brand_guidelines --kind reply \
        --language fr --request "Vous ouvrez quand?" "Le texte à juger"
"""

from __future__ import annotations

import argparse
import csv
import functools
import json
import re
import sys
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

import yaml

from cmassist.domain.facts import extract

DEFECT_KINDS = (
    "invented_fact",
    "contradicted_fact",
    "unknown_name",
    "copy",
    "scaffolding",
    "cut_off",
    "wrong_language",
    "missing_signature",
)
SHINGLE = 5  # words per shingle for near-copies
COPY_SHARE = 0.5  # share of a text's shingles found in one past text that makes it a copy
GENERAL_ENTITY_SHARE = 0.25  # a name in this share of sections, or tied to this share
# of all prices and times, is the brand itself (or a word), not one place or product


@dataclass(frozen=True)
class Defect:
    """One mechanical defect: its kind (one of DEFECT_KINDS), what was wrong, and where."""

    kind: str
    detail: str
    span: str = ""


@dataclass(frozen=True)
class Request:
    """What the text answers: a post brief or a customer comment, in its language."""

    kind: str  # "post" | "reply"
    text: str
    language: str
    platform: str | None = None


# -- text helpers -------------------------------------------------------------------------------


def fold(text: str) -> str:
    """Lowercase, without accents, with straight apostrophes: how names are compared."""
    text = unicodedata.normalize("NFKD", text.replace("’", "'").replace("ʼ", "'"))
    return "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()


_WORD = re.compile(r"[^\W\d_]+(?:[-'’][^\W\d_]+)*|\d+", re.UNICODE)


def words(text: str) -> list[str]:
    """The folded words of a text (letters and digits), apostrophes and hyphens kept."""
    return [fold(w) for w in _WORD.findall(text)]


def shingles(text: str, n: int = SHINGLE) -> set[tuple[str, ...]]:
    """The set of n-word runs of a text (folded)."""
    ws = words(text)
    return {tuple(ws[i : i + n]) for i in range(len(ws) - n + 1)}


def split_front_matter(text: str) -> tuple[dict[str, object], str]:
    """(the YAML front matter as a dict, the Markdown body) of a guideline file."""
    m = re.match(r"\A---\n(.*?)\n---\n", text, re.DOTALL)
    if not m:
        return {}, text
    data = yaml.safe_load(m.group(1)) or {}
    return (data if isinstance(data, dict) else {}), text[m.end() :]


# a signature after a dash ("… à 18 h. — L'équipe Boréale") is a clause of its own
_CLAUSE_SPLIT = re.compile(r";\s+|(?<=[.!?])\s+(?=[A-ZÀ-ÖØ-Þ«\"(\d—–-])|\n+")


def clauses(text: str) -> list[str]:
    """Sentences and semicolon-separated clauses (list items and lines apart)."""
    return [c.strip() for c in _CLAUSE_SPLIT.split(text) if c and c.strip()]


# -- facts --------------------------------------------------------------------------------------

_NUMBER_WORDS = {
    "deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "six": 6, "sept": 7, "huit": 8, "neuf": 9,
    "dix": 10, "douze": 12, "quinze": 15, "vingt": 20, "trente": 30, "two": 2, "three": 3,
    "four": 4, "five": 5, "seven": 7, "eight": 8, "nine": 9, "ten": 10, "twelve": 12,
    "fifteen": 15, "twenty": 20, "thirty": 30,
}  # fmt: skip
_UNITS = {
    "jour ouvrable": "bd", "jours ouvrables": "bd", "business day": "bd", "business days": "bd",
    "jour": "d", "jours": "d", "day": "d", "days": "d", "semaine": "w", "semaines": "w",
    "week": "w", "weeks": "w", "heure": "h", "heures": "h", "hour": "h", "hours": "h",
    "minute": "min", "minutes": "min", "min": "min", "mois": "mo", "month": "mo",
    "months": "mo", "an": "y", "ans": "y", "année": "y", "années": "y", "year": "y",
    "years": "y",
}  # fmt: skip
_NUM = r"\d+|" + "|".join(_NUMBER_WORDS)
_UNIT = "|".join(sorted((re.escape(u) for u in _UNITS), key=len, reverse=True))
_DURATION = re.compile(
    rf"(?<![\w$.,])(?P<a>{_NUM})(?:\s*(?:à|a|to|-|–|ou|or|et|and)\s*(?P<b>{_NUM}))?"
    rf"\s+(?P<u>{_UNIT})\b",
    re.IGNORECASE,
)
# "à 18 heures" is a clock time, not a duration
_CLOCK_BEFORE = re.compile(r"(?:\b(?:à|jusqu'à|jusqu’à|dès|vers|avant|après|until|at)\s*)$")
_PERCENT = re.compile(r"(?<![\w.,])(\d+(?:[.,]\d+)?)\s?%")
_YEAR = re.compile(r"(?<![\w$.,/-])(19[5-9]\d|20\d\d)(?![\w%$]|[.,]\d)")
_EURO = re.compile(r"(?<![\w.,])(\d+(?:[.,]\d{1,2})?)\s?(?:euros?\b|€)|€\s?(\d+)", re.IGNORECASE)
# "61, rue Saint-Jean", "1180 boulevard Champlain": the street number is the fact
_STREET_NUMBER = re.compile(
    r"(?<![\w.,$])(\d{1,5}),?\s+(?:rue|boulevard|boul\.|avenue|av\.|chemin|route|street|st\.)\b",
    re.IGNORECASE,
)
# a web address with accents or capitals ("Brulerie-Boréale.com"), which `extract` skips
_LOOSE_URL = re.compile(
    r"(?<![@\w.-])[^\W_][\w-]*(?:\.[\w-]+)*\.(?:com|ca|org|net|fr|io)\b(?!\.\w)"
)
_BAD_CLOCK = re.compile(r"(?<![\w.,])(2[5-9]|[3-9]\d)\s?h\b(?!\s?\d)")


@dataclass(frozen=True)
class FactMention:
    """A fact found in text: its kind, its normalized key and the words as written."""

    kind: str
    key: str
    surface: str
    start: int = 0


def _number(value: str) -> int:
    return int(value) if value.isdigit() else _NUMBER_WORDS[value.lower()]


def _durations(text: str) -> Iterator[FactMention]:
    for m in _DURATION.finditer(text):
        unit = _UNITS[re.sub(r"\s+", " ", m.group("u").lower())]
        a = _number(m.group("a"))
        b = _number(m.group("b")) if m.group("b") else None
        if unit == "h" and b is None and _CLOCK_BEFORE.search(text[: m.start()]):
            yield FactMention("time", f"{a % 24:02d}:00", m.group(), m.start())
            continue
        key = f"{a}-{b}{unit}" if b is not None else f"{a}{unit}"
        yield FactMention("duration", key, m.group(), m.start())


_MAYBE_PHONE = re.compile(r"\+\d|(?<!\d)0\d[\s.\-]?\d\d")


def _phones(text: str) -> Iterator[FactMention]:
    """Phone numbers outside North America ("+33 6 12 34 56 78", "04 78 12 34 56")."""
    if not _MAYBE_PHONE.search(text):
        return  # the matcher is slow: only where a "+33 …" or "04 …" number may be
    try:
        import phonenumbers
    except ImportError:
        return
    for region in ("FR", "CA"):
        for m in phonenumbers.PhoneNumberMatcher(text, region):
            raw = m.raw_string
            if not re.search(r"[\s.\-()]", raw) and not raw.startswith("+"):
                continue  # bare digits: an order number more often than a phone
            e164 = phonenumbers.format_number(m.number, phonenumbers.PhoneNumberFormat.E164)
            if e164.startswith("+1"):
                continue  # North American numbers: `extract` finds them
            yield FactMention("phone", e164.lstrip("+"), raw, m.start)


def find_facts(text: str) -> list[FactMention]:
    """Every checkable fact in `text`: `cmassist.domain.facts.extract` and this module's own."""
    found = [FactMention(f.kind, f.key, f.text, f.start) for f in extract(text)]
    for f in found[:]:
        if "€" in f.surface:
            found.remove(f)  # counted as a euro price below
    taken = [(f.start, f.start + len(f.surface)) for f in found]

    def free(a: int, b: int) -> bool:
        return all(b <= x or a >= y for x, y in taken)

    extra: list[FactMention] = list(_durations(text)) + list(_phones(text))
    for m in _PERCENT.finditer(text):
        extra.append(FactMention("percent", m.group(1).replace(",", "."), m.group(), m.start()))
    for m in _EURO.finditer(text):
        amount = (m.group(1) or m.group(2)).replace(",", ".")
        extra.append(FactMention("price_eur", amount, m.group(), m.start()))
    for m in _STREET_NUMBER.finditer(text):
        extra.append(FactMention("address", m.group(1), m.group(), m.start()))
    for m in _LOOSE_URL.finditer(text):
        extra.append(FactMention("url", fold(m.group()), m.group(), m.start()))
    for m in _BAD_CLOCK.finditer(text):
        extra.append(FactMention("impossible_time", m.group(1), m.group(), m.start()))
    for m in _YEAR.finditer(text):
        extra.append(FactMention("year", m.group(1), m.group(), m.start()))
    for f in sorted(extra, key=lambda f: f.start):
        end = f.start + len(f.surface)
        if free(f.start, end):
            found.append(f)
            taken.append((f.start, end))
    return sorted(found, key=lambda f: f.start)


# -- the brand's files --------------------------------------------------------------------------

_CAP_SEQ = re.compile(
    r"(?:[dlDL]['’])?[A-ZÀ-ÖØ-Þ][\w'’-]*(?:\s+(?:de\s+la\s+|del\s+|de\s+|du\s+|des\s+)?"
    r"[A-ZÀ-ÖØ-Þ][\w'’-]*)*"
)
_SENTENCE_START = re.compile(r"(?:^|[.!?…]\s+|\n\s*|[«\"“]\s*|[-—–•*]\s+)$")
_LEADING = {
    "le", "la", "les", "l", "un", "une", "des", "du", "de", "d", "the", "a", "an", "our",
    "notre", "nos", "votre", "vos", "au", "aux", "chez", "et", "and", "ou", "or", "en", "in",
    "at", "for", "pour", "with", "avec", "your", "this", "ce", "cette", "ces", "mon", "ma",
}  # fmt: skip
# Days and months are capitalized in English but name no product, place or programme.
_CALENDAR = {
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "january",
    "february", "march", "april", "may", "june", "july", "august", "september", "october",
    "november", "december",
}  # fmt: skip


def proper_words(text: str) -> set[str]:
    """Folded words that `text` capitalizes in the middle of a sentence: proper nouns."""
    out: set[str] = set()
    for m in re.finditer(r"[A-ZÀ-ÖØ-Þ][\w'’-]*", text):
        if not _SENTENCE_START.search(text[max(0, m.start() - 3) : m.start()]):
            out.add(fold(re.sub(r"^[dlDL]['’]", "", m.group())))
    return out


def _entity(seq: str, initial: bool, proper: set[str]) -> str:
    """A capitalized run without its leading function words, elided articles and (at the
    start of a sentence) leading words that are not proper nouns."""
    parts = re.sub(r"^[dlDL]['’]|['’]s$", "", seq).split()
    while parts and (fold(parts[0]) in _LEADING or (initial and fold(parts[0]) not in proper)):
        parts.pop(0)
        initial = False
    while parts and fold(parts[0]) in _LEADING:
        parts.pop(0)
    return " ".join(parts)


def _entity_facts(
    sections: list[tuple[str, str]], facts: set[tuple[str, str]]
) -> dict[str, set[tuple[str, str]]]:
    """For each name of the guidelines, the prices and clock times stated with it: in the
    clauses that name it, and in the sections whose heading names it."""
    proper = set().union(*(proper_words(body) for _, body in sections))
    names: set[str] = set()
    for _heading, body in sections:
        for m in _CAP_SEQ.finditer(body):
            initial = bool(_SENTENCE_START.search(body[max(0, m.start() - 3) : m.start()]))
            name = _entity(m.group(), initial, proper)
            if len(name) > 2 and not name.isupper() and fold(name) not in _CALENDAR:
                names.add(name)
    lowercase = {w for _, body in sections for w in _WORD.findall(body) if w.islower()}
    # a common noun capitalized somewhere ("Café"), or the brand itself, named everywhere
    everywhere = GENERAL_ENTITY_SHARE * len(sections)
    folded = [fold(body) for _, body in sections]
    names = {
        n
        for n in names
        if not (" " not in n and n.lower() in lowercase)
        and sum(1 for body in folded if fold(n) in body) < everywhere
    }
    finder = NameFinder(names)
    table: dict[str, set[tuple[str, str]]] = {}
    for heading, body in sections:
        in_heading = finder.find(heading)
        for clause in clauses(body):
            for f in find_facts(clause):
                if f.kind in ("price", "time"):
                    # the names written before the fact: "Boréal Blend $21", not "$1 less"
                    for name in finder.find(clause[: f.start]) | in_heading:
                        table.setdefault(name, set()).add((f.kind, f.key))
    checkable = {k for k in facts if k[0] in ("price", "time")}
    limit = GENERAL_ENTITY_SHARE * max(1, len(checkable))
    return {n: keys for n, keys in table.items() if len(keys) < limit}


class NameFinder:
    """Finds known names in text, folded, longest first, without overlaps."""

    def __init__(self, names: Iterable[str]) -> None:
        self.by_fold = {fold(n): n for n in names}
        alternatives = sorted(self.by_fold, key=len, reverse=True)
        body = "|".join(re.escape(a) for a in alternatives) or r"(?!x)x"
        self.rx = re.compile(rf"(?<![\w-])(?:{body})(?![\w-])")

    def find(self, text: str) -> set[str]:
        """The names `text` mentions, as the guidelines write them."""
        return {self.by_fold[m.group()] for m in self.rx.finditer(fold(text))}


@dataclass
class BrandFiles:
    """What the defect script knows of a brand: its guideline text (sections and clauses),
    its facts, its names and words, its past posts and replies, its reply signature."""

    folder: Path
    sections: list[tuple[str, str]]  # (heading, body) of every ### or ## section
    guideline_text: str
    past: list[tuple[str, str]]  # (id, text) of past posts and past replies
    signature: dict[str, str]
    known_words: set[str]
    facts: set[tuple[str, str]] = field(default_factory=set)
    entity_facts: dict[str, set[tuple[str, str]]] = field(default_factory=dict)
    names: NameFinder | None = None
    past_shingles: list[tuple[str, set[tuple[str, ...]]]] = field(default_factory=list)
    past_urls: set[tuple[str, str]] = field(default_factory=set)
    hosts: set[str] = field(default_factory=set)
    closed_days: set[int] = field(default_factory=set)  # weekdays closed in some season

    @classmethod
    @functools.cache
    def load(cls, folder: Path) -> BrandFiles:
        """Read the brand folder once (cached per folder)."""
        folder = Path(folder)
        sections: list[tuple[str, str]] = []
        bodies: list[str] = []
        raws: list[str] = []
        signature: dict[str, str] = {}
        for path in sorted(folder.glob("*.md")):
            if path.name.lower() == "readme.md":
                continue
            raw = path.read_text(encoding="utf-8")
            raws.append(raw)  # the front matter too: its allowed acronyms are words
            meta, body = split_front_matter(raw)
            rules = meta.get("rules")
            if isinstance(rules, dict) and isinstance(rules.get("reply_signature"), dict):
                sig = rules["reply_signature"]
                signature.update({k: str(v) for k, v in sig.items() if k in ("fr", "en")})
            bodies.append(body)
            heading = path.stem
            for block in re.split(r"(?m)^(#{2,3} .*)$", body):
                if re.match(r"#{2,3} ", block):
                    heading = block.lstrip("# ").strip()
                elif block.strip():
                    sections.append((heading, block.strip()))
        past = _past_texts(folder)
        text = "\n\n".join(bodies)
        everything = [*raws, *[t for _, t in past]]
        brand = cls(
            folder=folder,
            sections=sections,
            guideline_text=text,
            past=past,
            signature=signature,
            known_words={w for t in everything for w in words(t)},
        )
        brand.facts = {(f.kind, f.key) for f in find_facts(text)}
        brand.entity_facts = _entity_facts(sections, brand.facts)
        brand.names = NameFinder(brand.entity_facts)
        brand.past_shingles = [(pid, shingles(t)) for pid, t in past]
        brand.past_urls = {(f.kind, f.key) for _, t in past for f in find_facts(t)}
        brand.past_urls = {k for k in brand.past_urls if k[0] == "url"}
        brand.hosts = {v.split("/", 1)[0] for k, v in brand.facts if k == "url"}
        brand.closed_days = {
            _WEEKDAYS[d.lower()] for m in _CLOSED_ON.finditer(fold(text)) for d in m.groups() if d
        }
        return brand


def _past_texts(folder: Path) -> list[tuple[str, str]]:
    """(id, text) of the brand's past posts and of its past replies and their comments."""
    out: list[tuple[str, str]] = []
    posts = folder / "posts.csv"
    if posts.is_file():
        with posts.open(encoding="utf-8", newline="") as f:
            out += [(r.get("id") or "", r.get("text") or "") for r in csv.DictReader(f)]
    replies = folder / "replies.jsonl"
    if replies.is_file():
        with replies.open(encoding="utf-8") as f:
            for line in f:
                if line.strip():
                    r = json.loads(line)
                    out.append((str(r.get("id", "")), str(r.get("reply", ""))))
                    out.append((f"{r.get('id', '')}:comment", str(r.get("comment", ""))))
    return out


# -- the checks ---------------------------------------------------------------------------------


def find_defects(text: str, request: Request, brand: BrandFiles) -> list[Defect]:
    """Every mechanical defect of `text`, returned for `request`, against `brand`'s files."""
    if not text.strip():
        return []
    out: list[Defect] = []
    out += fact_defects(text, request, brand)
    out += name_defects(text, request, brand)
    out += copy_defects(text, request, brand)
    out += scaffolding_defects(text)
    out += cut_off_defects(text, brand)
    out += language_defects(text, request, brand)
    if request.kind == "reply":
        out += signature_defects(text, request, brand)
    return out


_FACT_NAMES = {
    "price": "price",
    "price_eur": "price in euros",
    "time": "time",
    "date": "date",
    "phone": "phone number",
    "email": "email address",
    "url": "link",
    "duration": "duration",
    "percent": "percentage",
    "year": "year",
    "impossible_time": "clock time",
    "address": "street number",
}


def fact_defects(text: str, request: Request, brand: BrandFiles) -> list[Defect]:
    """Facts that the guidelines and the request never state (invented), and prices or times
    that the guidelines tie to another name than the one the clause is about (contradicted)."""
    asked = {(f.kind, f.key) for f in find_facts(request.text)}
    known = brand.facts | asked
    out: list[Defect] = []
    for f in find_facts(text):
        key = (f.kind, f.key)
        if f.kind == "url" and key not in known:
            host = f.key.split("/", 1)[0]
            if key in brand.past_urls or ("/" not in f.key and host in brand.hosts):
                continue  # a link the brand has posted, or the home page of its site
        if f.kind == "impossible_time" or key not in known:
            what = _FACT_NAMES.get(f.kind, f.kind)
            out.append(Defect("invented_fact", f"{what} not in the guidelines", f.surface))
    return out + contradicted_facts(text, asked, brand) + closed_day_defects(text, brand)


def contradicted_facts(text: str, asked: set[tuple[str, str]], brand: BrandFiles) -> list[Defect]:
    """A price or time said of one name (a café, a product) that the guidelines give only
    to other names: another café's hours, another coffee's price."""
    out: list[Defect] = []
    for clause in clauses(text):
        for f in find_facts(clause):
            key = (f.kind, f.key)
            if f.kind not in ("price", "time") or key not in brand.facts or key in asked:
                continue
            # names with a list of their own (hours, prices), not one passing mention
            named = {
                n
                for n in (brand.names.find(clause) if brand.names else set())
                if sum(1 for k in brand.entity_facts[n] if k[0] == f.kind) >= 2
            }
            if not named or key in set().union(*(brand.entity_facts[n] for n in named)):
                continue
            owners = sorted(n for n, keys in brand.entity_facts.items() if key in keys)
            if owners:
                said = ", ".join(sorted(named))
                detail = f"{f.kind} of {', '.join(owners[:3])}, said of {said}"
                out.append(Defect("contradicted_fact", detail, f.surface))
    return out


_WEEKDAYS = {
    "monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4, "saturday": 5,
    "sunday": 6, "lundi": 0, "mardi": 1, "mercredi": 2, "jeudi": 3, "vendredi": 4,
    "samedi": 5, "dimanche": 6,
}  # fmt: skip
_DAY = "|".join(_WEEKDAYS)
_CLOSED_ON = re.compile(
    rf"\b(?:closed|fermee?s?)\s+(?:on\s+|le\s+)?({_DAY})(?:\s+(?:and|et)\s+({_DAY}))?",
    re.IGNORECASE,
)
_OPEN_ON = re.compile(
    rf"\b(?:open|opens|reopens?|reopening|ouverte?s?|rouvre|rouvrons|reouverture)\b"
    rf"[^.;!?\n]{{0,40}}?\b({_DAY})s?\b(?!\s+(?:to|au|à)\s)",
    re.IGNORECASE,
)


def closed_day_defects(text: str, brand: BrandFiles) -> list[Defect]:
    """An opening on a weekday the guidelines say is closed (in at least one season)."""
    if not brand.closed_days:
        return []
    out = []
    for m in _OPEN_ON.finditer(fold(text)):
        day = _WEEKDAYS[m.group(1).lower()]
        if day in brand.closed_days and not re.search(r"\b(?:to|au|à)\s*$", m.group()[:-1]):
            out.append(
                Defect(
                    "contradicted_fact",
                    "open on a day the guidelines say is closed (check the season)",
                    m.group(),
                )
            )
    return out


def _known(word: str, known: set[str]) -> bool:
    """A word of the brand's files, also as a possessive ("Boréal's"); a weekday or month
    also in the plural ("Sundays")."""
    stem = re.sub(r"'s$", "", word)
    return word.isdigit() or word in known or stem in known or word[:-1] in _CALENDAR


def name_defects(text: str, request: Request, brand: BrandFiles) -> list[Defect]:
    """Capitalized names (not starting a sentence) that no brand file and not the request
    contains: invented products, places, programmes or people."""
    body = re.sub(r"(?:https?://|www\.)\S+|\S+@\S+|[#@][\w.-]+", " ", text)
    known = brand.known_words | set(words(request.text))
    out: list[Defect] = []
    seen: set[str] = set()
    for m in _CAP_SEQ.finditer(body):
        if _SENTENCE_START.search(body[: m.start()]) and " " not in m.group().strip():
            continue  # one capitalized word opening a sentence is just a sentence
        unknown = [w for w in words(m.group()) if not _known(w, known)]
        first = words(m.group())[:1]
        if _SENTENCE_START.search(body[: m.start()]) and unknown[:1] == first:
            unknown = unknown[1:]  # the opening word of a sentence may be any word
        if unknown and m.group() not in seen:
            seen.add(m.group())
            out.append(Defect("unknown_name", "a name no brand file contains", m.group()))
    return out


_INSTRUCTION = re.compile(
    r"\b(?:rappeler|pr[ée]senter|expliquer|inviter|annoncer|mettre en (?:avant|valeur)|"
    r"poser une question|remercier|publier|d[ée]claration d'attente|avis de s[ée]curit[ée]|"
    r"remind|introduce|share that|explain|announce|thank the|ask followers|post a|"
    r"holding statement|short outage notice|ton\b|tone\b|brief)",
    re.IGNORECASE,
)


def copy_defects(text: str, request: Request, brand: BrandFiles) -> list[Defect]:
    """A near-copy of a past post or reply (shared word runs), an echo of the customer's
    comment, or the brief's own instructions copied into the post."""
    out: list[Defect] = []
    mine = shingles(text)
    if len(mine) >= 4:
        best, best_id = 0.0, ""
        for pid, theirs in brand.past_shingles:
            share = len(mine & theirs) / len(mine)
            if share > best:
                best, best_id = share, pid
        if best >= COPY_SHARE:
            out.append(Defect("copy", f"{best:.0%} of its word runs are in {best_id}", best_id))
        echo = len(mine & shingles(request.text)) / len(mine)
        if request.kind == "reply" and echo >= COPY_SHARE:
            out.append(Defect("copy", f"{echo:.0%} of it repeats the comment", ""))
    if request.kind == "post":
        for sentence in clauses(request.text):
            head = re.split(r"\s*:\s*", sentence, maxsplit=1)[0]
            if _INSTRUCTION.search(head) and len(head) >= 8 and fold(head) in fold(text):
                out.append(Defect("copy", "the brief's instruction copied", head))
    return out


_SCAFFOLDING = [
    (
        re.compile(
            r"(?im)(?:^|---\s*|«\s*)(?:comment|commentaire|reply|réponse|post|publication|"
            r"topic|sujet|brief|customer|client|cliente|example|exemple|platform|plateforme|"
            r"guidelines?|lignes directrices|answer)\s*:"
        ),
        "a prompt label",
    ),
    (re.compile(r"(?m)#{3,}|^\s*-{3,}\s*$|<(?:start|end)_of_turn>|<eos>|<bos>"), "a separator"),
    (re.compile(r"\{\{|\}\}|\[(?:[^\]\n]{1,40})\]"), "a template placeholder"),
    (re.compile(r"\A\s*[«\"“]"), "the text opens with a quotation mark"),
]


def scaffolding_defects(text: str) -> list[Defect]:
    """Few-shot or template scaffolding left in the text."""
    out = []
    for rx, what in _SCAFFOLDING:
        m = rx.search(text)
        if m:
            out.append(Defect("scaffolding", what, m.group().strip()))
    return out


_EMOJI = re.compile(r"[\U0001F000-\U0001FAFF\u2600-\u27BF\u2B00-\u2BFF\uFE0F\u200d]")
_DANGLING = {
    "et", "ou", "de", "du", "des", "le", "la", "les", "un", "une", "à", "au", "aux", "pour",
    "avec", "sur", "dans", "par", "en", "que", "qui", "mais", "and", "or", "the", "a", "an",
    "of", "to", "for", "with", "in", "on", "at", "by", "from", "but", "that", "our", "your",
    "notre", "votre", "nos", "vos",
}  # fmt: skip


_TAIL = re.compile(r"(?:\s*(?:[#@][\w.-]+|https?://\S+|\S+@\S+|\S+\.example\S*))+\s*$")


def without_signature(text: str, brand: BrandFiles) -> str:
    """The text without the brand's signature at its end."""
    body = text.strip()
    for sig in brand.signature.values():
        if body.endswith(sig):
            body = body[: -len(sig)].rstrip()
    return body


def body_without_tail(text: str, brand: BrandFiles) -> str:
    """The text without its signature, and without trailing hashtags, handles and links."""
    return _TAIL.sub("", without_signature(text, brand)).strip()


def cut_off_defects(text: str, brand: BrandFiles) -> list[Defect]:
    """Text that stops mid-sentence: no closing punctuation or emoji, a dangling word, or
    an ellipsis where the text was cut. A text that ends on a link or an address ("Book
    here: <link>") ends there on purpose."""
    signed = without_signature(text, brand)
    body = _TAIL.sub("", signed).strip()
    if not body or re.search(r"[/@]|\.example", signed[len(body) :]):
        return []
    last_word = (words(body) or [""])[-1]
    if body.endswith(("...", "…")):
        return [Defect("cut_off", "ends with an ellipsis", body[-40:])]
    if _EMOJI.match(body[-1]) and last_word not in _DANGLING:
        return []
    if body[-1] in '.!?»")”':
        return []
    why = "ends on a dangling word" if last_word in _DANGLING else "ends without punctuation"
    return [Defect("cut_off", why, body[-40:])]


@functools.cache
def _lingua() -> object | None:
    try:
        from lingua import Language, LanguageDetectorBuilder
    except ImportError:
        return None
    return LanguageDetectorBuilder.from_languages(Language.FRENCH, Language.ENGLISH).build()


def detect(text: str) -> tuple[str | None, str]:
    """("fr" | "en" | None when unsure, which detector said so). Names are left out first:
    a French place or product name in an English sentence is still English."""
    plain = re.sub(r"(?<=[\w,;:] )[A-ZÀ-ÖØ-Þ][\w'’-]*", " ", text)
    detector = _lingua()
    if detector is not None:
        values = detector.compute_language_confidence_values(plain)  # type: ignore[attr-defined]
        best = values[0] if values else None
        if best is None or best.value < 0.8:
            return None, "lingua"
        return {"FRENCH": "fr", "ENGLISH": "en"}.get(best.language.name), "lingua"
    from cmassist.domain.language import detect_language

    return detect_language(plain), "cmassist.domain.language"


def language_defects(text: str, request: Request, brand: BrandFiles) -> list[Defect]:
    """A text whose language is clearly not the request's."""
    body = body_without_tail(text, brand)
    if len(words(body)) < 4:
        return []
    found, by = detect(body)
    if found and found != request.language:
        return [Defect("wrong_language", f"{found} (by {by}), {request.language} expected", "")]
    return []


def _norm_sig(text: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"^[\s\-—–]+", "", text)).strip().rstrip(".").casefold()


def signature_defects(text: str, request: Request, brand: BrandFiles) -> list[Defect]:
    """A reply that does not end with the brand's signature in the reply's language."""
    wanted = brand.signature.get(request.language)
    if not wanted:
        return []
    lines = [ln for ln in text.strip().splitlines() if ln.strip()]
    last = lines[-1] if lines else ""
    if _norm_sig(last).endswith(_norm_sig(wanted)):
        return []
    others = [s for lang, s in brand.signature.items() if lang != request.language]
    if any(_norm_sig(s) in _norm_sig(text) for s in others):
        return [Defect("missing_signature", "signed in the other language", wanted)]
    if _norm_sig(wanted) in _norm_sig(text):
        return [Defect("missing_signature", "the signature is not at the end", wanted)]
    return [Defect("missing_signature", "no signature", wanted)]


# -- command line -------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    """Print the defects of one text as JSON."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("text")
    parser.add_argument("--brand-dir", type=Path, required=True)
    parser.add_argument("--kind", choices=("post", "reply"), default="post")
    parser.add_argument("--language", choices=("fr", "en"), required=True)
    parser.add_argument("--request", default="", help="the brief or the comment")
    args = parser.parse_args(argv)
    brand = BrandFiles.load(args.brand_dir)
    found = find_defects(args.text, Request(args.kind, args.request, args.language), brand)
    print(json.dumps([asdict(d) for d in found], ensure_ascii=False, indent=2))
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
