"""When no candidate is good enough: the brand's closest past posts (or past replies) to
the brief (or comment), and the facts of its fact sheet that the brief or comment is
about, for a person to start from instead of a draft that is nonsense."""

from __future__ import annotations

from cmassist.domain.factsheet import FactSheet
from cmassist.domain.models import Kind, StartingPoint
from cmassist.domain.platforms import Platform
from cmassist.domain.textutil import excerpt
from cmassist.services.checking.checker import Checker
from cmassist.services.drafting.factlines import grounding_facts
from cmassist.services.ports.store import Hit, Store

PAST = 3  # past posts or replies offered
FACTS = 6
PAST_CHARS = 400


def starting_points(
    store: Store,
    checker: Checker | None,
    *,
    brand: str,
    text: str,
    language: str,
    kind: str,
    platform: Platform | None,
) -> list[StartingPoint]:
    """The closest past posts (for a post) or replies (for a reply) to `text` in the brand's
    store, same language (and platform) first, then the facts `text` is about."""
    record_kind = Kind.REPLY if kind == "reply" else Kind.POST
    hits: dict[str, Hit] = {}
    filters: list[dict[str, str]] = [{"language": language}, {}]
    if platform is not None and kind == "post":
        filters.insert(0, {"language": language, "platform": platform.key})
    for f in filters:
        for hit in store.search(brand, text, kind=record_kind, k=PAST, **f):
            hits.setdefault(hit.id, hit)
        if len(hits) >= PAST:
            break
    ranked = sorted(hits.values(), key=lambda h: h.score or 0.0, reverse=True)[:PAST]
    points = [past_point(h) for h in ranked]
    sheet = checker.profile(brand).factsheet if checker is not None else None
    points.extend(fact_points(sheet, text, language, kind, store))
    return points


def past_point(hit: Hit) -> StartingPoint:
    """A past post, or a past reply (with what it answered), as a starting point."""
    if hit.kind == Kind.REPLY:
        return StartingPoint(
            kind="reply",
            text=excerpt(str(hit.metadata.get("reply", "")), PAST_CHARS),
            id=hit.id,
            title=excerpt(hit.text, 120),  # the comment it answered
            score=round(hit.score, 3) if hit.score is not None else None,
        )
    where = " · ".join(str(hit.metadata[k]) for k in ("platform", "date") if hit.metadata.get(k))
    return StartingPoint(
        kind="post",
        text=excerpt(hit.text, PAST_CHARS),
        id=hit.id,
        title=where or None,
        score=round(hit.score, 3) if hit.score is not None else None,
    )


def fact_points(
    sheet: FactSheet | None, text: str, language: str, kind: str, store: Store
) -> list[StartingPoint]:
    """The fact sheet's lines about `text`, each with the passage it was read from."""
    if sheet is None or not len(sheet):
        return []
    lines = grounding_facts(sheet, text, language, kind=kind, embed=store.embedder.embed)
    out = []
    for line in lines[:FACTS]:
        src = line.source
        title = None
        if src is not None:
            title = src.source + (f" › {src.heading}" if src.heading else "")
            title += f":{src.line}" if src.line else ""
        out.append(StartingPoint(kind="fact", text=line.text, title=title))
    return out
