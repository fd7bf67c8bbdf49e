"""The brand's voice references for the checker: its best past posts and replies and the
on- and off-voice example sentences of its voice guide, embedded and calibrated."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from cmassist.domain.guidelines import BrandRules
from cmassist.domain.voice import BrandVoice, Example, parse_examples, unit_rows
from cmassist.services.ports.models import Embedder

if TYPE_CHECKING:
    from cmassist.services.checking.profile import GuidelinePassage
    from cmassist.services.ports.store import StoredRecord

# The most past posts (and past replies) a voice model keeps as references.
MAX_REFERENCES = 3000


def voice_examples(
    rules: BrandRules, passages: list[GuidelinePassage]
) -> tuple[list[Example], list[Example]]:
    """The on-voice and off-voice example sentences of the voice guide's sections."""
    on: list[Example] = []
    off: list[Example] = []
    v = rules.voice
    for p in passages:
        heading = p.heading.casefold()
        for section, bucket in (
            (v.on_examples_section if v else None, on),
            (v.off_examples_section if v else None, off),
        ):
            if section and section.casefold() in heading:
                for sentence, why in parse_examples(p.text):
                    bucket.append(Example(sentence, why, p.source, p.heading, p.line, p.language))
    return on, off


def build_voice(
    rules: BrandRules,
    passages: list[GuidelinePassage],
    posts: list[StoredRecord],
    replies: list[StoredRecord],
    embedder: Embedder,
) -> BrandVoice:
    """The brand's voice model, per language, from its references."""
    on, off = voice_examples(rules, passages)
    # The brand's best past posts: the top two thirds by engagement rate, where known.
    order = sorted(range(len(posts)), key=lambda i: -engagement(posts[i].metadata))
    keep = order[: max(1, (len(order) * 2 + 2) // 3)][:MAX_REFERENCES] if order else []
    post_vecs = vectors(posts)
    reply_vecs = vectors(replies)
    on_vecs = _embedded(embedder, [e.text for e in on])
    off_vecs = _embedded(embedder, [e.text for e in off])
    known = [m for m in (post_vecs, reply_vecs, on_vecs, off_vecs) if m.ndim == 2 and m.shape[1]]
    dim = known[0].shape[1] if known else embedder.dimension

    def arr(m: npt.NDArray[np.float32] | None) -> npt.NDArray[np.float32]:
        return np.zeros((0, dim), dtype=np.float32) if m is None or not len(m) else m

    return BrandVoice.build(
        (
            arr(post_vecs[keep] if len(keep) else None),
            [posts[i].language for i in keep],
        ),
        (
            arr(reply_vecs[:MAX_REFERENCES]),
            [r.language for r in replies[:MAX_REFERENCES]],
        ),
        (arr(on_vecs), on),
        (arr(off_vecs), off),
    )


def vectors(records: list[StoredRecord]) -> npt.NDArray[np.float32]:
    """The records' embeddings as unit rows."""
    return unit_rows([r.embedding for r in records if r.embedding is not None])


def _embedded(embedder: Embedder, texts: list[str]) -> npt.NDArray[np.float32]:
    return unit_rows(embedder.embed(texts)) if texts else np.zeros((0, 0), dtype=np.float32)


def engagement(meta: Mapping[str, object]) -> float:
    """A past post's engagement rate (interactions per impression), or interactions per
    thousand where impressions are not known."""

    def num(k: str) -> float:
        try:
            return float(str(meta.get(k) or 0))
        except (TypeError, ValueError):
            return 0.0

    interactions = num("likes") + num("comments") * 2 + num("shares") * 3
    views = num("impressions")
    return interactions / views if views > 0 else interactions / 1000
