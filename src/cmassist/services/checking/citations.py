"""Which guideline passage a finding cites: the closest passage of the rule's own document,
preferring the one that names the term and the one in the text's language."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from cmassist.domain.findings import Citation
from cmassist.domain.guidelines import Rule
from cmassist.domain.textmatch import fold_str
from cmassist.domain.textutil import excerpt
from cmassist.domain.voice import unit_rows
from cmassist.services.checking.profile import BrandProfile, GuidelinePassage

EmbedOne = Callable[[str], Sequence[float]]


def cite(
    profile: BrandProfile,
    embed_one: EmbedOne,
    rule: Rule | None,
    query: str,
    language: str | None,
    term: str = "",
) -> Citation | None:
    """The guideline passage a rule rests on: the rule's own document, closest passage
    (remembered per profile, so a rule costs one embedding per brand and language)."""
    source = getattr(rule, "source", None) or ""
    cache_key = (f"{source}:{getattr(rule, 'line', '')}:{query}", language or "")
    if cache_key in profile.citations:
        return profile.citations[cache_key]
    idx = [i for i, p in enumerate(profile.passages) if not source or p.source == source]
    if not idx:
        idx = list(range(len(profile.passages)))
    citation: Citation | None = None
    if idx and len(profile.passage_vectors):
        best = _closest(profile, embed_one, idx, query, language, term)
        citation = Citation(
            source=best.source,
            heading=best.heading,
            line=best.line,
            excerpt=excerpt_around(best.text, term or query),
        )
    elif source:
        reason = getattr(rule, "reason", None) or query
        citation = Citation(source=source, line=getattr(rule, "line", None), excerpt=reason)
    profile.citations[cache_key] = citation
    return citation


def _closest(
    profile: BrandProfile,
    embed_one: EmbedOne,
    idx: list[int],
    query: str,
    language: str | None,
    term: str,
) -> GuidelinePassage:
    q = unit_rows([embed_one(query)])[0]
    sims = profile.passage_vectors[idx] @ q
    folded_term = fold_str(term) if term else ""
    scored = []
    for j, i in enumerate(idx):
        p = profile.passages[i]
        s = float(sims[j])
        if folded_term and folded_term in fold_str(p.text):
            s += 0.15  # the passage that names the term is the one to cite
        if language and p.language == language:
            s += 0.05
        scored.append((s, i))
    best = profile.passages[max(scored)[1]]
    if language and best.language != language:
        # Guidelines pair (EN) and (FR) subsections: cite the one in the text's language.
        parent = best.heading.rsplit(" > ", 1)[0]
        sibling = [
            profile.passages[i]
            for _, i in sorted(scored, reverse=True)
            if profile.passages[i].language == language
            and profile.passages[i].source == best.source
            and profile.passages[i].heading.rsplit(" > ", 1)[0] == parent
        ]
        best = sibling[0] if sibling else best
    return best


def excerpt_around(text: str, needle: str, limit: int = 260) -> str:
    """The sentences of a passage around the needle, or its start; heading line dropped."""
    body = "\n".join(ln for ln in text.splitlines() if not ln.lstrip().startswith("#")).strip()
    flat = " ".join(body.split())
    if not flat:
        return excerpt(text, limit)
    pos = fold_str(flat).find(fold_str(needle)) if needle else -1
    if pos < 0 or len(flat) <= limit:
        return excerpt(flat, limit)
    start = max(flat.rfind(". ", 0, pos) + 2, 0) if flat.rfind(". ", 0, pos) >= 0 else 0
    if pos - start > limit // 2:
        start = max(0, flat.rfind(" ", 0, pos - limit // 3) + 1)
    piece = flat[start:]
    return ("…" if start else "") + excerpt(piece, limit)
