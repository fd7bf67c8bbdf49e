"""The cmassist guideline format as the fact readers see it: each passage's own title, its
body without headings, its sentences and clauses, its pair in the other language, and the
capitalised names it writes (knowing which words the brand also writes in lower case)."""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Protocol

import regex

from cmassist.domain.facts import MONTHS, Fact, extract
from cmassist.domain.factsheet import WEEKDAYS_EN, WEEKDAYS_FR, FactSource
from cmassist.domain.grounding import StatedFact, stated_facts
from cmassist.domain.textmatch import fold_str


class PassageLike(Protocol):
    """A guideline passage as the store gives it (the checker's `GuidelinePassage`)."""

    @property
    def text(self) -> str: ...
    @property
    def source(self) -> str: ...
    @property
    def heading(self) -> str: ...
    @property
    def line(self) -> int | None: ...
    @property
    def language(self) -> str | None: ...


_HEADING_LINE = re.compile(r"^\s{0,3}#{1,6}\s")
_EXAMPLES = re.compile(r"\b(?:examples?|exemples?)\b", re.IGNORECASE)
_LANG_TAG = re.compile(r"\s*\((?:EN|FR|en|fr)\)\s*$")
_ITEM = re.compile(r"^\s*(?:[-*•+]|\d{1,2}[.)])\s+")
# A sentence ends at . ! ? (a closing quote or bracket may follow) before a capital, a
# digit or an opening quote; not after the abbreviations a sentence goes on after.
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"»”’)]?\s+(?=[«\"“(]?\s?[A-ZÀ-ÖØ-Þ0-9])")
_NO_END = re.compile(r"(?:\b(?:e\.g|i\.e|etc|no|nos|St|Mr|Mrs|Ms|Dr|vs|approx|env|p\.ex)\.)$")
_CLOCK_END = re.compile(r"\b[ap]\.m\.$", re.IGNORECASE)
# A word as names are written: letters, inner apostrophes, hyphens and dots.
WORD = regex.compile(r"(?<![\p{L}\p{N}_@#/.])\p{L}[\p{L}\p{M}'’.-]*(?<![.'’-])")
# Lower-case words that may stand inside a name ("Brisas del Nevado", "Les Trois Pignons").
_CONNECTORS = frozenset(
    """de du des del la le les of y da di van von der d l""".split()  # noqa: SIM905
)
# Words that start a name only by position ("The Mile End café", "L'Atelier").
_DETERMINERS = frozenset(
    """the a an our this these their its le la les l un une notre nos votre vos ce cette
    ces""".split()  # noqa: SIM905
)
_ELIDED = re.compile(r"^[dlDL]['’](?=\w)")
_POSSESSIVE = re.compile(r"['’]s$")
_JOIN = re.compile(r"[ \u00a0]|['’][ \u00a0]")  # "National Patriots' Day"
fold = functools.lru_cache(maxsize=1 << 16)(fold_str)
_CALENDAR = frozenset(
    {fold_str(d) for d in (*WEEKDAYS_EN, *WEEKDAYS_FR)} | {fold_str(m) for m in MONTHS}
)


@dataclass(frozen=True)
class Section:
    """One guideline passage, ready to read facts from."""

    index: int  # its position among the brand's passages (documents in order)
    source: str
    heading: str  # the full heading path ("Doc > Section > Passage (EN)")
    line: int | None
    language: str | None
    body: str  # the text without its heading lines

    @cached_property
    def title(self) -> str:
        """The passage's own heading, without its "(EN)"/"(FR)" tag."""
        return _LANG_TAG.sub("", self.heading.split(" > ")[-1]).strip()

    @cached_property
    def examples(self) -> bool:
        """Whether the passage holds example texts ("On-voice examples", "Exemples hors
        ton"): samples of the voice, not the reference the facts are read from."""
        return _EXAMPLES.search(self.title) is not None

    @cached_property
    def parent(self) -> str:
        """The heading path above the passage: a pair of passages shares it."""
        return " > ".join(self.heading.split(" > ")[:-1])

    @cached_property
    def sentences(self) -> list[str]:
        """The body's sentences; every list item is one, tables are left out."""
        return list(split_sentences(self.body))

    def cite(self, excerpt: str) -> FactSource:
        """Where a fact read from this passage comes from."""
        return FactSource(self.source, self.heading, self.line, excerpt.strip(), self.language)


def split_sentences(body: str) -> Iterable[str]:
    """The sentences of a Markdown body: paragraphs and list items, split at sentence
    ends; table rows and code are no sentences."""
    paragraph: list[str] = []
    blocks: list[str] = []
    for line in body.splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith(("|", "```", ">")) or _HEADING_LINE.match(line):
            blocks.append(" ".join(paragraph))
            paragraph = []
            continue
        if _ITEM.match(line):
            blocks.append(" ".join(paragraph))
            paragraph = [_ITEM.sub("", line).strip()]
            continue
        paragraph.append(stripped)
    blocks.append(" ".join(paragraph))
    for block in blocks:
        start = 0
        for m in _SENTENCE_END.finditer(block):
            if _NO_END.search(block[start : m.start()]) or (
                # "7 a.m. (20 places": a clock time goes on unless a capital follows
                _CLOCK_END.search(block[start : m.start()])
                and not block[m.end() : m.end() + 1].isupper()
            ):
                continue
            piece = block[start : m.start() + len(m.group()) - len(m.group().lstrip())]
            if piece.strip():
                yield piece.strip()
            start = m.end()
        if block[start:].strip():
            yield block[start:].strip()


def sections_of(passages: Iterable[PassageLike]) -> list[Section]:
    """The passages as sections, documents in the order the store names them, passages in
    the order of their lines."""
    items = list(passages)
    order = sorted(range(len(items)), key=lambda i: (items[i].source, items[i].line or 0, i))
    out = []
    for n, i in enumerate(order):
        p = items[i]
        body = "\n".join(ln for ln in p.text.splitlines() if not _HEADING_LINE.match(ln))
        out.append(Section(n, p.source, p.heading, p.line, p.language, body.strip()))
    return out


def pairs_of(sections: Sequence[Section]) -> dict[int, int]:
    """Each passage's pair in the other language: the next or previous passage of the
    same document under the same heading, written in another language."""
    partner: dict[int, int] = {}
    for a, b in itertools.pairwise(sections):
        if (
            a.index not in partner
            and a.source == b.source
            and a.parent == b.parent
            and a.language
            and b.language
            and a.language != b.language
        ):
            partner[a.index] = b.index
            partner[b.index] = a.index
    return partner


@dataclass
class Guidelines:
    """A brand's guidelines as a whole: its sections, its name and the words it writes in
    lower case (so that "Café" at the start of a heading is no name, but "Mile End" is)."""

    brand_name: str
    sections: list[Section]
    lower_words: frozenset[str] = field(default_factory=frozenset)
    partner: dict[int, int] = field(default_factory=dict)
    # words also written with a capital inside a sentence ("de l'Abonnement Boréal")
    capital_words: frozenset[str] = field(default_factory=frozenset)

    @classmethod
    def read(cls, passages: Iterable[PassageLike], brand_name: str = "") -> Guidelines:
        """The guidelines of one brand from its passages."""
        sections = sections_of(passages)
        lower: set[str] = set()
        capital: set[str] = set()
        for s in sections:
            for sentence in s.sentences:
                previous: tuple[int, str] | None = None  # the word before: its end, its text
                for m in WORD.finditer(sentence):
                    word = m.group()
                    bare = word[2:] if _ELIDED.match(word) else word
                    if word[0].islower() and bare == word:
                        lower.add(fold(word))
                    elif (
                        bare[:1].isupper()
                        and previous is not None
                        and previous[1].islower()
                        and _JOIN.fullmatch(sentence[previous[0] : m.start()])
                    ):
                        capital.add(fold(bare))  # inside a sentence, after a lower-case word
                    previous = (m.end(), word)
        return cls(brand_name, sections, frozenset(lower), pairs_of(sections), frozenset(capital))

    def place_of(self, section: Section) -> str:
        """The place a passage is about: the name in its heading ("Mile End café: address
        and hours" is about Mile End), else the name its first sentence starts with (the
        brand itself, "Atelier Vélo Fleuve is at ..."), else the brand."""
        for _, _, named in self.names_in(section.title.split(":")[0]):
            return named
        if section.sentences:
            first = section.sentences[0]
            for start, _, name in self.names_in(first):
                if not first[:start].strip(" «\"'") or re.fullmatch(r"[lL]['’]", first[:start]):
                    return name
                break
        return self.brand_name

    def is_brand(self, name: str) -> bool:
        """Whether `name` is the brand's own name (folded)."""
        return bool(self.brand_name) and fold(name) == fold(self.brand_name)

    def names_in(self, text: str, *, at_start: bool = True) -> list[tuple[int, int, str]]:
        """The capitalised names of `text` as (start, end, name): runs of capitalised
        words (lower-case connectors inside), without a determiner or an elided article
        in front, a possessive at the end, or a first word that is capitalised only
        because a sentence starts with it (`at_start`: `text` starts a sentence). Words
        in capitals all through are shouting, not names."""
        runs: list[list[tuple[int, int, str]]] = []
        current: list[tuple[int, int, str]] = []
        for m in WORD.finditer(text):
            start, end, word = m.start(), m.end(), m.group()
            elided = _ELIDED.match(word) is not None
            if elided:  # "l'Atelier", "d'Été": the name starts after the article
                start, word = start + 2, word[2:]
            joined = bool(current) and not elided and _JOIN.fullmatch(text[current[-1][1] : start])
            if word[:1].isupper():
                if current and not joined:
                    runs.append(current)
                    current = []
                current.append((start, end, word))
            elif joined and fold(word) in _CONNECTORS:
                current.append((start, end, word))
            else:
                if current:
                    runs.append(current)
                current = []
            if (
                current
                and _POSSESSIVE.search(word)
                and self.is_brand(_POSSESSIVE.sub("", text[current[0][0] : end]))
            ):  # "Brûlerie Boréale's Colombian partner": two names
                runs.append(current)
                current = []
        if current:
            runs.append(current)
        out = []
        for run in runs:
            name = self._trim(text, run, at_start)
            if name:
                out.append(name)
        return out

    def _trim(
        self, text: str, run: list[tuple[int, int, str]], at_start: bool
    ) -> tuple[int, int, str] | None:
        first_letter = _first_letter(text) if at_start else -1
        while run and (
            fold(run[0][2]) in _DETERMINERS | _CONNECTORS | _CALENDAR
            or (run[0][0] == first_letter and self._common(run, text))
        ):
            run = run[1:]
        run = self._before_brand(run)
        while run and (fold(run[-1][2]) in _CONNECTORS | _CALENDAR or run[-1][2].islower()):
            run = run[:-1]
        if not run:
            return None
        if len(run) > 1 and all(w.isupper() for _, _, w in run if len(w) > 1):
            return None  # "MEILLEUR CAFÉ AU MONDE"
        start, end = run[0][0], run[-1][1]
        name = _POSSESSIVE.sub("", text[start:end])
        return start, start + len(name), name

    def _before_brand(self, run: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
        """ "Mile End de Brûlerie Boréale": the name before the brand's."""
        if not self.brand_name or len(run) < 2:
            return run
        brand = [fold(w) for w in WORD.findall(self.brand_name)]
        folded = [fold(_POSSESSIVE.sub("", w)) for _, _, w in run]
        for i in range(1, len(run) - len(brand) + 1):
            if folded[i : i + len(brand)] == brand:
                return run[:i]
        return run

    def _common(self, run: list[tuple[int, int, str]], text: str) -> bool:
        """Whether a run's first word is a common word capitalised by its position (not
        when the whole run is the brand's name)."""
        whole = text[run[0][0] : run[-1][1]]
        first = fold(run[0][2])
        return (
            first in self.lower_words
            and first not in self.capital_words
            and not self.is_brand(_POSSESSIVE.sub("", whole))
        )


def _first_letter(text: str) -> int:
    m = regex.search(r"\p{L}", text)
    return m.start() if m else 0


_TOKEN = regex.compile(r"[\p{L}\p{N}][\p{L}\p{M}\p{N}'’.-]*(?<![.'’-])")


def words(text: str) -> list[str]:
    """The words of `text`, as written."""
    return [m.group() for m in WORD.finditer(text)]


def tokens(text: str) -> list[tuple[int, int, str]]:
    """The words and numbers of `text` with their spans."""
    return [(m.start(), m.end(), m.group()) for m in _TOKEN.finditer(text)]


def trim_words(text: str, lead: frozenset[str], trail: frozenset[str]) -> str:
    """`text` without the words of `lead` at its start and of `trail` at its end (in lower
    case, accents kept: "thé" is no "the"), nor the punctuation around it."""
    ws = tokens(text)
    first, last = 0, len(ws)
    while first < last and ws[first][2].lower() in lead:
        first += 1
    while last > first and ws[last - 1][2].lower() in trail:
        last -= 1
    if first >= last:
        return ""
    start = ws[first][0]
    if re.match(r"[lLdD]['’]\w", ws[first][2]):
        start += 2  # "l'heure" -> "heure"
    return text[start : ws[last - 1][1]].strip(" ,;:-–")


@functools.lru_cache(maxsize=8192)
def _all_facts(text: str) -> tuple[Fact, ...]:
    return tuple(extract(text))


def facts_of(text: str, kinds: Iterable[str]) -> list[Fact]:
    """`facts.extract(text, kinds)`, read once per text for all the readers."""
    wanted = set(kinds)
    return [f for f in _all_facts(text) if f.kind in wanted]


@functools.lru_cache(maxsize=8192)
def _stated(text: str) -> tuple[StatedFact, ...]:
    return tuple(stated_facts(text))


def stated_of(text: str, kind: str) -> list[StatedFact]:
    """`grounding.stated_facts(text)` of one kind, read once per text for all the readers."""
    return [f for f in _stated(text) if f.kind == kind]
