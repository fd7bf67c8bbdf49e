"""Bilingual pairs: where a brand's guidelines ask for a French and an English version of a
post, read per platform from the guidelines' own sentences (nothing of a brand here); whether
two texts say the same thing (same facts, same names, similar length); and the prompt that
writes the second version from the first, with the brand's past pairs as examples.

A sentence asks for pairs when it names both languages with a version or separate posts
("We publish separate French and English posts", "Versions française et anglaise
séparées"). In a platform's section (its heading names the platform) it makes pairs the
rule there ("always"), or for some posts when it is qualified ("major announcements":
"sometimes"); in a general section it makes them the usual rule everywhere ("usually"),
and the platforms its exceptions name ("an English-only post") get "sometimes".
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

from cmassist.domain.facts import extract
from cmassist.domain.factsheet import FactSheet, mentioned
from cmassist.domain.language import detect_language
from cmassist.domain.models import Kind
from cmassist.domain.platforms import PLATFORMS, Platform
from cmassist.domain.textmatch import fold_str
from cmassist.services.crisis import Passage
from cmassist.services.drafting.context import example_vectors
from cmassist.services.drafting.factlines import (
    brand_names,
    days_in,
    example_facts,
    facts_text,
    grounding_facts,
    name_group,
)
from cmassist.services.drafting.postprocess import excerpt_block
from cmassist.services.ports.store import Hit, Store

Level = Literal["always", "usually", "sometimes"]
LANGUAGE_LABELS = {"fr": "Français", "en": "English"}
PAIR_EXAMPLES = 3
PAIR_MINUTES = 90  # a pair's two posts go out minutes apart ("a few minutes before")
LENGTH_RATIO = (0.6, 1.6)  # English over French: French runs ~15% longer

_BOTH = re.compile(
    r"\b(?:french and (?:an? )?english|english and (?:a )?french|"
    r"versions? (?:francaises?|anglaises?) et (?:une versions? )?(?:anglaises?|francaises?)|"
    r"francais et (?:en )?anglais|anglais et (?:en )?francais)\b"
)
_PAIRED = re.compile(r"\b(?:versions?|separate|separees?|separes?|pairs?|paires?)\b")
_SOME = re.compile(r"\b(?:major|grandes?|important(?:e|es|s)?|big)\b")
_ONLY = re.compile(
    r"\b(?:english|french|anglais|francais)[- ]only\b|\b(?:en|in) (?:anglais|francais|english|"
    r"french) (?:seulement|uniquement|only)\b|\b(?:seulement|uniquement|only) (?:en|in) "
    r"(?:anglais|francais|english|french)\b"
)
_SENTENCE = re.compile(r"[^.!?\n]+[.!?]?")
_RANK = {"sometimes": 1, "usually": 2, "always": 3}


@dataclass(frozen=True)
class PairRule:
    """Whether a platform's posts come in French and English, and the sentence that says so."""

    platform: str
    level: Level
    reason: str  # the guideline sentence
    source: str = ""
    heading: str = ""
    line: int | None = None

    @property
    def required(self) -> bool:
        """Every post on the platform comes as a pair."""
        return self.level == "always"


@dataclass
class PairCheck:
    """Whether two versions of a post say the same thing, and what differs."""

    ok: bool
    problems: list[str] = field(default_factory=list)
    length_ratio: float = 1.0

    def public(self) -> dict[str, object]:
        """The check as the draft's provenance keeps it."""
        return {"ok": self.ok, "problems": self.problems, "length_ratio": self.length_ratio}


def platform_words(platform: Platform) -> set[str]:
    """The words that name a platform in a heading or a sentence ("x", "twitter", "linkedin")."""
    words = {platform.key, fold_str(platform.name.split("(")[0]).strip()}
    words |= {w.strip("()").lower() for w in platform.name.split() if w.startswith("(")}
    return {w for w in words if w}


def _named(text: str, platforms: Mapping[str, Platform]) -> list[str]:
    folded = f" {' '.join(re.findall(r'[a-z0-9]+', fold_str(text)))} "
    return [k for k, p in platforms.items() if any(f" {w} " in folded for w in platform_words(p))]


def pair_rules(
    passages: Iterable[Passage], platforms: Mapping[str, Platform] = PLATFORMS
) -> dict[str, PairRule]:
    """For each platform whose posts the guidelines ask for in French and English, the rule
    and the sentence that says so; platforms absent are published in one language."""
    specific: dict[str, PairRule] = {}
    general: PairRule | None = None
    exceptions: dict[str, PairRule] = {}
    for p in passages:
        section = _named(p.heading.rsplit(">", 1)[-1], platforms)
        for m in _SENTENCE.finditer(p.text):
            sentence = m.group().strip()
            folded = fold_str(sentence)
            if _ONLY.search(folded):
                for key in _named(sentence, platforms):
                    exceptions.setdefault(key, _rule(key, "sometimes", sentence, p))
                continue
            if not (_BOTH.search(folded) and _PAIRED.search(folded)):
                continue
            level: Level = "sometimes" if _SOME.search(folded) else "always"
            for key in section:
                old = specific.get(key)
                if old is None or _RANK[level] > _RANK[old.level]:
                    specific[key] = _rule(key, level, sentence, p)
            if not section and general is None:
                general = _rule("", "usually", sentence, p)
    out: dict[str, PairRule] = dict(specific)
    for key in platforms:
        if key in out:
            continue
        if key in exceptions:
            out[key] = exceptions[key]
        elif general is not None:
            out[key] = PairRule(
                key, "usually", general.reason, general.source, general.heading, general.line
            )
    return out


def _rule(key: str, level: Level, sentence: str, p: Passage) -> PairRule:
    return PairRule(key, level, sentence, p.source, p.heading, p.line)


def partner_language(language: str) -> str:
    """The other language of a pair."""
    return "en" if language == "fr" else "fr"


def pair_check(fr: str, en: str, sheet: FactSheet | None = None) -> PairCheck:
    """Whether a French and an English text say the same thing: the same facts (prices,
    times, dates, contacts; a link's site), the same weekdays and figures, the same names of
    the brand's (each in its own language's form), each in its language, of similar length."""
    problems: list[str] = []
    a, b = _fact_keys(fr), _fact_keys(en)
    fig_a, fig_b = _figures(fr), _figures(en)
    # "du 16 au 23 septembre" and "September 16 to 23": one date each, the other as a figure
    days_a, days_b = _days_of(a), _days_of(b)
    for kind, key in sorted(a - b):
        if not (kind == "date" and key.split("-")[1].lstrip("0") in fig_b):
            problems.append(f"the English version lacks the {kind} {key}")
    for kind, key in sorted(b - a):
        if not (kind == "date" and key.split("-")[1].lstrip("0") in fig_a):
            problems.append(f"the French version lacks the {kind} {key}")
    if days_in(fr) != days_in(en):
        problems.append("the two versions name different days")
    if [n for n in fig_a if n not in days_b] != [n for n in fig_b if n not in days_a]:
        problems.append("the two versions give different figures")
    if sheet is not None and len(sheet):
        names = brand_names(sheet)
        for one, other, lang in ((fr, en, "English"), (en, fr, "French")):
            for name in mentioned(names, one):
                if not mentioned(list(name_group(sheet, name)), other):
                    problems.append(f"the {lang} version does not name {name}")
    for text, lang in ((fr, "fr"), (en, "en")):
        if detect_language(text) not in (None, lang):
            problems.append(f"the {LANGUAGE_LABELS[lang]} version is not in {lang}")
    ratio = round(len(en) / max(len(fr), 1), 2)
    if not LENGTH_RATIO[0] <= ratio <= LENGTH_RATIO[1]:
        problems.append(f"the English version is {ratio:g} times the French one's length")
    return PairCheck(not problems, list(dict.fromkeys(problems)), ratio)


def _fact_keys(text: str) -> set[tuple[str, str]]:
    out: set[tuple[str, str]] = set()
    for f in extract(text):
        # a link's page is in each version's language (/en/...): its site is the fact
        out.add((f.kind, f.key.split("/", 1)[0] if f.kind == "url" else f.key))
    return out


def _days_of(keys: set[tuple[str, str]]) -> set[str]:
    return {key.split("-")[1].lstrip("0") for kind, key in keys if kind == "date"}


def _figures(text: str) -> list[str]:
    """The figures a text states outside its facts ("34 places", "10 years")."""
    for f in sorted(extract(text), key=lambda f: f.start, reverse=True):
        text = text[: f.start] + " " + text[f.end :]
    text = re.sub(r"(?<=\d)[ \u00a0\u202f,](?=\d{3}(?!\d))", "", text)  # 1 200, 1,200
    found = re.findall(r"(?<![\w.,])\d+(?:[.,]\d+)?(?![\w.,]*\d)", text)
    return sorted(n.replace(",", ".") for n in found)


def past_pairs(
    store: Store,
    brand: str,
    platform: str,
    language: str,
    text: str,
    k: int = PAIR_EXAMPLES,
    *,
    exclude: Sequence[str] = (),
) -> list[tuple[Hit, Hit]]:
    """The brand's past posts on `platform` in `language` that have their other-language
    version (same platform, published within `PAIR_MINUTES`), the `k` most like `text`
    first: (post, its version in the other language)."""
    other = partner_language(language)
    posts = [
        h
        for h in store.browse(brand, kind=Kind.POST, limit=5000, platform=platform)
        if h.id not in exclude and str(h.metadata.get("external_id") or "") not in exclude
    ]
    by_lang: dict[str, list[Hit]] = {}
    for h in posts:
        if isinstance(h.metadata.get("ts"), int):
            by_lang.setdefault(str(h.metadata.get("language")), []).append(h)
    pairs: list[tuple[Hit, Hit]] = []
    for h in by_lang.get(language, []):
        ts = int(h.metadata["ts"])
        near = [
            g
            for g in by_lang.get(other, [])
            if abs(int(g.metadata["ts"]) - ts) <= PAIR_MINUTES * 60
        ]
        if near:
            pairs.append((h, min(near, key=lambda g: abs(int(g.metadata["ts"]) - ts))))
    if not pairs:
        return []
    vectors = example_vectors(store.embedder, [p for p, _ in pairs])
    query = store.embedder.embed_one(text)
    order = sorted(range(len(pairs)), key=lambda i: -float(vectors[i] @ query))
    return [pairs[i] for i in order[:k]][::-1]  # the closest last, as in every prompt


def pair_vars(
    text: str,
    language: str,
    examples: Sequence[tuple[Hit, Hit]],
    sheet: FactSheet | None,
    *,
    brand_name: str,
    platform_name: str,
) -> dict[str, object]:
    """The variables of pair.j2: the first version, its language and the other's, the facts
    of the fact sheet in the other language, and the past pairs with their facts lines."""
    other = partner_language(language)
    facts = [line.text for line in grounding_facts(sheet, text, other)]
    return {
        "brand_name": brand_name,
        "platform_name": platform_name,
        "language": other,
        "from_label": LANGUAGE_LABELS.get(language, language),
        "to_label": LANGUAGE_LABELS.get(other, other),
        "text": text,
        "facts": facts,
        "examples": [
            {
                "source": excerpt_block(a.text, 600),
                "target": excerpt_block(b.text, 600),
                "facts": facts_text(example_facts(sheet, b.text, other)),
            }
            for a, b in examples
        ],
    }
