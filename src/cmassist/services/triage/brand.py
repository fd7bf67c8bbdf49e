"""What triage knows of one brand: its topics (keywords and meaning) and its own labelled past
comments, and what they say of a message (its topic, the share of complaints among its
nearest past comments)."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from cmassist.domain.guidelines import BrandRules
from cmassist.domain.textmatch import term_pattern
from cmassist.services.triage.reading import quote


@dataclass
class BrandSignals:
    """What triage knows of one brand: its topics and its own labelled past comments."""

    rules: BrandRules
    topic_patterns: list[tuple[str, list[tuple[str, re.Pattern[str]]]]]
    topic_vectors: np.ndarray | None = None
    topic_names: list[str] = field(default_factory=list)
    past_vectors: np.ndarray | None = None
    past_complaint: np.ndarray | None = None
    past_topics: list[str | None] = field(default_factory=list)
    public_contacts: set[str] = field(default_factory=set)


def brand_signals(
    rules: BrandRules,
    embed: Callable[[Sequence[str]], Sequence[Sequence[float]]] | None = None,
    past: Sequence[tuple[str, bool]] = (),
    past_topics: Sequence[str | None] = (),
) -> BrandSignals:
    """A brand's signals from its rules and its labelled past comments (text, complaint or
    not), embedded with `embed` when one is given."""
    topics = []
    for t in rules.topics:
        topics.append((t.name, [(k, term_pattern(k)) for k in t.keywords]))
    sig = BrandSignals(rules, topics)
    if embed is not None and rules.topics:
        texts = [f"{t.name.replace('_', ' ')}: {', '.join(t.keywords)}" for t in rules.topics]
        sig.topic_vectors = np.asarray(embed(texts), dtype=np.float32)
        sig.topic_names = [t.name for t in rules.topics]
    if embed is not None and past:
        sig.past_vectors = np.asarray(embed([p[0] for p in past]), dtype=np.float32)
        sig.past_complaint = np.asarray([1.0 if p[1] else 0.0 for p in past], dtype=np.float32)
        names = {t.name for t in rules.topics}
        sig.past_topics = [t if t in names else None for t in past_topics] or [None] * len(past)
    return sig


def neighbours(brand: BrandSignals | None, vector: np.ndarray | None) -> tuple[float | None, str]:
    """Share of complaints among the 5 most similar past comments of the brand."""
    if (
        brand is None
        or vector is None
        or brand.past_vectors is None
        or brand.past_complaint is None
    ):
        return None, ""
    if brand.past_vectors.shape[1] != vector.shape[0]:
        return None, ""
    sims = brand.past_vectors @ vector
    k = min(5, len(sims))
    top = np.argsort(-sims)[:k]
    w = np.maximum(sims[top], 0.0) + 1e-6
    share = float((brand.past_complaint[top] * w).sum() / w.sum())
    if sims[top[0]] < 0.35:
        return None, ""
    n = round(float(brand.past_complaint[top].sum()))
    return share, f"{n} of the {k} most similar past comments were complaints"


def topic_of(
    brand: BrandSignals | None, folded: str, vector: np.ndarray | None
) -> tuple[str | None, str]:
    if brand is None or not brand.topic_patterns:
        return None, "the brand's guidelines list no topics"
    best: tuple[int, str, list[str]] | None = None
    for name, pats in brand.topic_patterns:
        found = [k for k, p in pats if p.search(folded)]
        if found and (best is None or len(found) > best[0]):
            best = (len(found), name, found)
    if best is not None:
        return best[1], f"{best[1]}: mentions {quote(best[2][:3])}"
    if (
        vector is not None
        and brand.past_vectors is not None
        and brand.past_vectors.shape[1] == vector.shape[0]
        and any(brand.past_topics)
    ):
        sims = brand.past_vectors @ vector
        top = [int(i) for i in np.argsort(-sims)[:3] if sims[i] >= 0.45 and brand.past_topics[i]]
        if top:
            votes: dict[str, float] = {}
            for i in top:
                past = brand.past_topics[i]
                if past:  # always: `top` keeps only past comments with a topic
                    votes[past] = votes.get(past, 0.0) + float(sims[i])
            name = max(votes, key=lambda k: votes[k])
            return (
                name,
                f"{name}: like the brand's past comments on it (similarity {max(sims[top]):.2f})",
            )
    if (
        vector is not None
        and brand.topic_vectors is not None
        and brand.topic_vectors.shape[1] == vector.shape[0]
    ):
        sims = brand.topic_vectors @ vector
        i = int(np.argmax(sims))
        if sims[i] >= 0.3:
            return brand.topic_names[
                i
            ], f"{brand.topic_names[i]}: closest in meaning (similarity {sims[i]:.2f})"
    return None, "none of the brand's topics"
