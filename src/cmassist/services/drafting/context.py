"""What a draft is written from: the brand's guideline passages and its best, most similar
past posts or replies (few-shot examples), and the sources a draft cites for them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cmassist.domain.guidelines import BrandRules
from cmassist.domain.models import Kind, Source
from cmassist.domain.platforms import Platform
from cmassist.domain.textutil import excerpt
from cmassist.services.ports.store import Hit, Store

EXAMPLES = 4
EXAMPLE_CHARS = 2400  # few-shot budget, so prompts stay small enough for a 2-core laptop
GUIDELINES = 3


@dataclass(frozen=True)
class DraftContext:
    """The brand, the language and the passages and examples one draft request uses."""

    brand: str
    brand_name: str
    language: str
    rules: BrandRules
    guidelines: list[Hit]
    examples: list[Hit]


def gather_context(
    store: Store,
    brand: str,
    text: str,
    language: str,
    kind: Kind,
    platform: Platform | None,
    policy_query: str,
    examples: int = EXAMPLES,
) -> DraftContext:
    """The guideline passages closest to `text` and to `policy_query`, and the `examples`
    past records of `kind` most like it (same language and platform first, strong
    engagement preferred), within the few-shot budget."""
    query, policy = store.embedder.embed([text, policy_query])
    guidelines = merge_hits(
        store.search(brand, query, kind=Kind.GUIDELINE, k=GUIDELINES),
        store.search(brand, policy, kind=Kind.GUIDELINE, k=1),
    )
    pool: dict[str, Hit] = {}
    filters: list[dict[str, Any]] = [{"language": language}, {}]
    if platform:
        filters.insert(0, {"platform": platform.key, "language": language})
    for f in filters:
        for hit in store.search(brand, query, kind=kind, k=max(12, examples * 2), **f):
            pool.setdefault(hit.id, hit)
        if len(pool) >= examples * 2:
            break

    def rank(hit: Hit) -> float:
        score = hit.score or 0.0
        # The language and format of the examples are what a base model copies most.
        if hit.metadata.get("language") == language:
            score += 0.3
        if platform and hit.metadata.get("platform") == platform.key:
            score += 0.25
        rate = hit.metadata.get("engagement_rate")
        if isinstance(rate, int | float):
            score += 0.1 * min(float(rate) / 0.08, 1.0)  # a strong post: ~8% engagement
        return score

    chosen: list[Hit] = []
    budget = EXAMPLE_CHARS if examples <= EXAMPLES else EXAMPLE_CHARS * 2
    for hit in sorted(pool.values(), key=rank, reverse=True):
        if len(chosen) >= examples:
            break
        size = min(len(hit.text), 600) + len(str(hit.metadata.get("reply", "")))
        if chosen and size > budget:
            continue
        budget -= size
        chosen.append(hit)
    # Most similar last: base models imitate the nearest example most.
    chosen.reverse()
    return DraftContext(
        brand, store.brand_name(brand), language, store.rules(brand), guidelines, chosen
    )


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
