"""A brand's checking profile: its rules compiled, its guideline passages and their vectors,
the facts and contacts it has published and its voice references, built from its records."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import numpy.typing as npt
import regex

from cmassist.domain.facts import FactIndex
from cmassist.domain.factsheet import FactSheet
from cmassist.domain.findings import Citation
from cmassist.domain.grounding import FactSources, Source
from cmassist.domain.guidelines import BrandRules, ClaimRule, TermRule
from cmassist.domain.hostile import OwnText
from cmassist.domain.models import Kind
from cmassist.domain.redact import public_keep
from cmassist.domain.textmatch import fold_str, term_pattern
from cmassist.domain.voice import BrandVoice
from cmassist.services.checking.voice_refs import build_voice, vectors
from cmassist.services.knowledge import build_factsheet
from cmassist.services.ports.store import Store

Matrix = npt.NDArray[np.float32]


@dataclass(frozen=True)
class GuidelinePassage:
    """A passage of the brand's guidelines, as the checker cites it."""

    id: str
    text: str
    source: str
    heading: str
    line: int | None
    language: str | None


@dataclass(frozen=True)
class Term:
    """A term rule compiled: the whole-word pattern and the phrases in which it is fine."""

    rule_id: str  # banned_term, discouraged_term or claim_needs_proof
    rule: TermRule | ClaimRule
    pattern: re.Pattern[str]
    unless: list[re.Pattern[str]]


@dataclass
class BrandProfile:
    """Everything the checker knows of one brand, at one revision of its records."""

    slug: str
    name: str
    rules: BrandRules
    passages: list[GuidelinePassage]
    passage_vectors: Matrix
    facts: FactIndex
    fact_sources: FactSources
    public_contacts: set[str]
    voice: BrandVoice
    # words the brand writes with a capital in mid-sentence and never in lower case
    proper_words: frozenset[str]
    revision: str
    # what the brand itself wrote (never the comments it answered), read when first needed
    written: Callable[[], list[str]]
    terms: list[Term] = field(init=False)
    citations: dict[tuple[str, str], Citation | None] = field(default_factory=dict)
    # the citations' queries embedded so far, and how many of them are on disk already
    query_vectors: dict[str, list[float]] = field(default_factory=dict)
    queries_saved: int = 0
    # the facts of the guidelines as typed records (hours, prices, policies, names...)
    factsheet: FactSheet = field(default_factory=lambda: FactSheet(""))

    def embed_query(self, query: str, embed_one: Callable[[str], Sequence[float]]) -> list[float]:
        """A citation query's embedding: remembered, so it is computed once per revision."""
        vector = self.query_vectors.get(query)
        if vector is None:
            vector = self.query_vectors[query] = [float(x) for x in embed_one(query)]
        return vector

    def __post_init__(self) -> None:
        self.terms = compile_terms(self.rules)

    @cached_property
    def own_text(self) -> OwnText:
        """The brand's own word pairs, built on the first reply check that needs them."""
        return OwnText(self.written())


def build_profile(store: Store, slug: str, revision: str) -> BrandProfile:
    """Read the brand's rules and records from the store and derive its profile."""
    rules = store.rules(slug)
    guidelines = list(store.records(slug, [Kind.GUIDELINE], embeddings=True))
    posts = list(store.records(slug, [Kind.POST], embeddings=True))
    replies = list(store.records(slug, [Kind.REPLY], embeddings=True))
    passages = [
        GuidelinePassage(r.id, r.text, r.source, r.heading, r.line, r.language) for r in guidelines
    ]
    # A past reply is stored as the comment, with the brand's answer in its metadata.
    answers = [r.reply for r in replies]
    texts = [p.text for p in passages] + [p.text for p in posts] + [r.text for r in replies]
    fact_sources = FactSources.build(
        [(p.text, Source(p.source, p.heading, p.line, "")) for p in passages],
        [
            (a, Source(f"past reply {r.id}", "", None, ""))
            for r, a in zip(replies, answers, strict=True)
        ],
    )
    written = [p.text for p in passages] + [p.text for p in posts] + answers
    name = store.brand_name(slug)
    return BrandProfile(
        slug=slug,
        name=name,
        rules=rules,
        passages=passages,
        passage_vectors=vectors(guidelines),
        facts=FactIndex.build([*texts, *answers]),
        fact_sources=fact_sources,
        public_contacts=public_keep(written),
        voice=build_voice(rules, passages, posts, replies, store.embedder),
        proper_words=proper_words(written),
        revision=revision,
        written=lambda: written,
        factsheet=build_factsheet(slug, passages, name),
    )


def compile_terms(rules: BrandRules) -> list[Term]:
    """The brand's banned, discouraged and needing-proof terms, compiled in that order."""
    out = []
    groups: tuple[tuple[str, list[TermRule] | list[ClaimRule]], ...] = (
        ("banned_term", rules.banned_terms),
        ("discouraged_term", rules.discouraged_terms),
        ("claim_needs_proof", rules.claims_needing_proof),
    )
    for rule_id, items in groups:
        for r in items:
            out.append(
                Term(
                    rule_id,
                    r,
                    term_pattern(r.term, r.lang),
                    [term_pattern(u, inflect=False) for u in r.unless],
                )
            )
    return out


def sentence_start(before: str) -> bool:
    """Whether a word written after `before` starts a sentence: at the start of the text or
    of a line, or after a full stop, exclamation or question mark (opening quotes,
    brackets and bullets in between)."""
    rest = before.rstrip(" \t\u00a0\u202f")
    if not rest or rest.endswith("\n"):
        return True
    rest = rest.rstrip("«“\"'‘([¿¡*•–—-|># \t\u00a0\u202f")
    return not rest or rest[-1] in ".!?…\n"


def proper_words(texts: list[str]) -> frozenset[str]:
    """Words the brand writes capitalised in mid-sentence and never in lower case: the names
    (Boréale, Montréal, Aurore) a shouting fix must keep capitalised."""
    capital: set[str] = set()
    lower: set[str] = set()
    for text in texts:
        for m in regex.finditer(r"(?<![#@\w])\p{L}[\p{L}'’-]*", text):
            word = m.group()
            if word[0].islower():
                lower.add(fold_str(word))
            elif word[1:].islower() and not sentence_start(text[: m.start()]):
                capital.add(fold_str(word))
    return frozenset(capital - lower)
