"""What a draft is written from: the brand's guideline passages, its best past posts or
replies most like the request and unlike each other (few-shot examples), the facts of its
fact sheet the request is about (`factlines`), and the sources a draft cites for them."""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from cmassist.domain.factsheet import FactSheet
from cmassist.domain.guidelines import BrandRules
from cmassist.domain.models import Kind, Source
from cmassist.domain.platforms import Platform
from cmassist.domain.redact import redact
from cmassist.domain.textutil import excerpt
from cmassist.services.drafting.factlines import (
    FactLine,
    brief_facts,
    facts_text,
    grounding_facts,
)
from cmassist.services.drafting.factlines import (
    example_facts as example_facts_of,
)
from cmassist.services.drafting.postprocess import excerpt_block
from cmassist.services.ports.models import Embedder
from cmassist.services.ports.store import Hit, Store

EXAMPLES = 4
EXAMPLE_CHARS = 2400  # few-shot budget, so prompts stay small enough for a 2-core laptop
GUIDELINES = 3
# Maximal marginal relevance: each next example is the most relevant one, less
# (1 - DIVERSITY) times its likeness to the closest example already chosen; an example this
# close (cosine) to a chosen one is a near-copy and never joins the few-shot set.
DIVERSITY = 0.7
NEAR_COPY = 0.92
ADAPT_CANDIDATES = 3  # the past replies a reply may adapt: the closest ones
# the past replies a composed reply takes its opening and next step from (`compose`): more,
# so that praise finds the brand's thanks when the closest past comments were complaints
COMPOSE_CANDIDATES = 24  # enough that praise finds past thanks among complaints

_vectors: dict[tuple[str, str, int], npt.NDArray[np.float32]] = {}
_VECTORS_KEPT = 20_000


@dataclass(frozen=True)
class DraftContext:
    """The brand, the language and the passages and examples one draft request uses, the
    facts of the brand's fact sheet the request is about (`facts`, with each example's own
    `example_facts`), and the past replies closest to a comment (`nearest`, for adaptation
    and composition)."""

    brand: str
    brand_name: str
    language: str
    rules: BrandRules
    guidelines: list[Hit]
    examples: list[Hit]
    facts: list[FactLine] = field(default_factory=list)
    example_facts: dict[str, list[str]] = field(default_factory=dict)
    sheet: FactSheet | None = None
    nearest: list[Hit] = field(default_factory=list)
    brief_facts: list[str] = field(default_factory=list)


def gather_context(
    store: Store,
    brand: str,
    text: str,
    language: str,
    kind: Kind,
    platform: Platform | None,
    policy_query: str,
    examples: int = EXAMPLES,
    *,
    factsheet: FactSheet | None = None,
    exclude: Collection[str] = (),
) -> DraftContext:
    """The guideline passages closest to `text` and to `policy_query`; the `examples` past
    records of `kind` most like it, and unlike each other (same language and platform
    first, strong engagement preferred, maximal marginal relevance), within the few-shot
    budget; and the facts of `factsheet` that `text` is about.

    `exclude` are IDs (the store's, or the export's `external_id`) no example may be: a
    bench's held-out posts, or the record a test asks about."""
    query, policy = store.embedder.embed([text, policy_query])
    guidelines = merge_hits(
        store.search(brand, query, kind=Kind.GUIDELINE, k=GUIDELINES),
        store.search(brand, policy, kind=Kind.GUIDELINE, k=1),
    )
    banned = set(exclude)

    def allowed(hit: Hit) -> bool:
        return hit.id not in banned and str(hit.metadata.get("external_id") or "") not in banned

    pool = example_pool(store, brand, query, kind, platform, language, examples, allowed)

    def rank(hit: Hit) -> float:
        return example_rank(hit, language, platform)

    budget = EXAMPLE_CHARS if examples <= EXAMPLES else EXAMPLE_CHARS * 2
    ranked = sorted(pool, key=rank, reverse=True)
    chosen = diverse_examples(ranked, [rank(h) for h in ranked], store.embedder, examples, budget)
    # Most similar last: base models imitate the nearest example most.
    chosen.reverse()
    nearest: list[Hit] = []
    if kind == Kind.REPLY:
        found = store.search(
            brand, query, kind=kind, k=COMPOSE_CANDIDATES + len(banned), language=language
        )
        nearest = [h for h in found if allowed(h)][:COMPOSE_CANDIDATES]
    facts = grounding_facts(
        factsheet,
        text,
        language,
        kind="reply" if kind == Kind.REPLY else "post",
        embed=store.embedder.embed,
    )
    example_facts = {
        h.id: example_facts_of(factsheet, str(h.metadata.get("reply") or h.text), language)
        for h in chosen
    }
    return DraftContext(
        brand,
        store.brand_name(brand),
        language,
        store.rules(brand),
        guidelines,
        chosen,
        facts=facts,
        example_facts=example_facts,
        sheet=factsheet,
        nearest=nearest,
        brief_facts=brief_facts(text, facts) if kind == Kind.POST else [],
    )


def example_pool(
    store: Store,
    brand: str,
    query: Sequence[float],
    kind: Kind,
    platform: Platform | None,
    language: str,
    examples: int,
    allowed: Callable[[Hit], bool],
) -> list[Hit]:
    """The candidates for the few-shot set: same platform and language first, then same
    language, then any, until there are three for each example wanted."""
    pool: dict[str, Hit] = {}
    filters: list[dict[str, Any]] = [{"language": language}, {}]
    if platform:
        filters.insert(0, {"platform": platform.key, "language": language})
    for f in filters:
        for hit in store.search(brand, query, kind=kind, k=max(16, examples * 4), **f):
            if allowed(hit):
                pool.setdefault(hit.id, hit)
        if len(pool) >= examples * 3:
            break
    return list(pool.values())


def example_rank(hit: Hit, language: str, platform: Platform | None) -> float:
    """How good an example a past record is: its similarity, plus its language, platform
    and engagement (what a base model copies most is the examples' language and format)."""
    score = hit.score or 0.0
    if hit.metadata.get("language") == language:
        score += 0.3
    if platform and hit.metadata.get("platform") == platform.key:
        score += 0.25
    rate = hit.metadata.get("engagement_rate")
    if isinstance(rate, int | float):
        score += 0.1 * min(float(rate) / 0.08, 1.0)  # a strong post: ~8% engagement
    return score


def diverse_examples(
    ranked: Sequence[Hit],
    relevance: Sequence[float],
    embedder: Embedder,
    k: int,
    budget: int = EXAMPLE_CHARS,
) -> list[Hit]:
    """Up to `k` of `ranked` (best first) by maximal marginal relevance, within `budget`
    characters: never two near-copies, and not four variations of one post."""
    vectors = example_vectors(embedder, ranked)
    chosen: list[int] = []
    left = list(range(len(ranked)))
    while left and len(chosen) < k:

        def mmr(i: int) -> float:
            closest = max((float(vectors[i] @ vectors[j]) for j in chosen), default=0.0)
            return DIVERSITY * relevance[i] - (1 - DIVERSITY) * closest

        best = max(left, key=mmr)
        left.remove(best)
        if any(float(vectors[best] @ vectors[j]) >= NEAR_COPY for j in chosen):
            continue
        hit = ranked[best]
        size = min(len(hit.text), 600) + len(str(hit.metadata.get("reply", "")))
        if chosen and size > budget:
            continue
        budget -= size
        chosen.append(best)
    return [ranked[i] for i in chosen]


def example_vectors(embedder: Embedder, hits: Sequence[Hit]) -> npt.NDArray[np.float32]:
    """The hits' embeddings (of their text, a past reply's answer included), each computed
    once per process and embedder."""
    keys = [(embedder.name, h.id, hash(_example_text(h))) for h in hits]
    missing = [i for i, key in enumerate(keys) if key not in _vectors]
    if missing:
        if len(_vectors) > _VECTORS_KEPT:
            _vectors.clear()
        for i, vector in zip(
            missing, embedder.embed([_example_text(hits[i]) for i in missing]), strict=True
        ):
            _vectors[keys[i]] = np.asarray(vector, dtype=np.float32)
    if not keys:
        return np.zeros((0, embedder.dimension), np.float32)
    return np.stack([_vectors[k] for k in keys])


def _example_text(hit: Hit) -> str:
    reply = hit.metadata.get("reply")
    return f"{hit.text}\n{reply}" if reply else hit.text


def fact_texts(ctx: DraftContext) -> list[str]:
    """The request's facts as the prompt lists them: the fact sheet's lines, then what the
    brief itself states (a post's brief is a colleague's, trusted with its own facts)."""
    return [line.text for line in ctx.facts] + ctx.brief_facts


def post_examples(ctx: DraftContext) -> list[dict[str, str]]:
    """The few-shot posts as post.j2 reads them: topic, text and the facts line of each."""
    return [
        {
            "topic": str(h.metadata.get("topic") or excerpt(h.text, 80)),
            "text": excerpt_block(h.text, 600),
            "facts": facts_text(ctx.example_facts.get(h.id, [])),
        }
        for h in ctx.examples
    ]


def reply_examples(ctx: DraftContext, keep: Collection[str] = ()) -> list[dict[str, str]]:
    """The few-shot pairs as reply.j2 reads them: the comment (its personal data replaced,
    the brand's public contacts `keep` kept), the reply and the facts line of each."""
    return [
        {
            "comment": excerpt(redact(h.text, keep=set(keep)).text, 400),
            "reply": excerpt(str(h.metadata.get("reply", "")), 500),
            "facts": facts_text(ctx.example_facts.get(h.id, [])),
        }
        for h in ctx.examples
    ]


def merge_hits(*groups: list[Hit]) -> list[Hit]:
    seen: dict[str, Hit] = {}
    for group in groups:
        for hit in group:
            seen.setdefault(hit.id, hit)
    return list(seen.values())


def guideline_vars(hits: list[Hit]) -> list[dict[str, str]]:
    out = []
    for h in hits:
        body = h.text.split("\n", 1)[1] if h.text.startswith("#") and "\n" in h.text else h.text
        out.append({"heading": str(h.metadata.get("heading", "")), "text": body.strip()})
    return out


def draft_sources(ctx: DraftContext) -> list[Source]:
    out = []
    for h in ctx.guidelines:
        out.append(
            Source(
                id=h.id,
                kind=h.kind,
                excerpt=excerpt(h.text, 200),
                score=round(h.score, 4) if h.score is not None else None,
                title=f"{h.metadata.get('source', '')} › {h.metadata.get('heading', '')}",
            )
        )
    for h in ctx.examples:
        title = " · ".join(str(h.metadata[k]) for k in ("platform", "date") if h.metadata.get(k))
        text = h.text if h.kind != Kind.REPLY else f"{h.text} → {h.metadata.get('reply', '')}"
        out.append(
            Source(
                id=h.id,
                kind=h.kind,
                excerpt=excerpt(text, 200),
                score=round(h.score, 4) if h.score is not None else None,
                title=title or None,
            )
        )
    return out
