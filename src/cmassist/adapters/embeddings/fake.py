"""A deterministic embedder for tests, shipped in the package beside the fake LLM: hashed word,
word-pair and character-trigram features, so texts that share words still rank close.

It loads nothing and needs no model: `CMASSIST_EMBEDDING_MODEL=fake` (or `fake:<dimension>`).
The same text gives the same vector in every process (the hash is BLAKE2, not `hash()`).
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Sequence
from functools import lru_cache
from itertools import pairwise

from cmassist.adapters.embeddings.base import BaseEmbedder
from cmassist.config import Settings
from cmassist.domain.errors import ConfigError
from cmassist.domain.textmatch import fold_str
from cmassist.services.registry import embedding_choice

DEFAULT_DIMENSION = 384
_WORD = re.compile(r"\w+")
# A word counts as much as all its trigrams together; a pair of neighbours half as much.
WORD_WEIGHT = 1.0
PAIR_WEIGHT = 0.5
TRIGRAMS_WEIGHT = 1.0


@lru_cache(maxsize=200_000)
def _slot(feature: str, dimension: int) -> tuple[int, float]:
    """The coordinate and sign a feature adds to (signed hashing keeps collisions unbiased)."""
    digest = int.from_bytes(hashlib.blake2b(feature.encode(), digest_size=8).digest(), "big")
    return digest % dimension, (1.0 if digest >> 63 else -1.0)


@lru_cache(maxsize=50_000)
def _word_features(word: str, dimension: int) -> tuple[tuple[int, float], ...]:
    padded = f"<{word}>"
    grams = [padded[i : i + 3] for i in range(len(padded) - 2)]
    index, sign = _slot("w:" + word, dimension)
    out = [(index, sign * WORD_WEIGHT)]
    share = TRIGRAMS_WEIGHT / math.sqrt(len(grams))
    for gram in grams:
        index, sign = _slot("c:" + gram, dimension)
        out.append((index, sign * share))
    return tuple(out)


class FakeEmbedder(BaseEmbedder):
    """Unit-length hashed-feature vectors; `calls` and `texts` count what was embedded."""

    def __init__(self, dimension: int = DEFAULT_DIMENSION, name: str | None = None) -> None:
        if dimension < 8:
            raise ValueError("a fake embedding needs at least 8 dimensions")
        self._dimension = dimension
        self.name = name or f"fake-hash-{dimension}"
        self.calls = 0
        self.texts = 0

    @property
    def dimension(self) -> int:
        return self._dimension

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        self.calls += 1
        self.texts += len(texts)
        return [self.vector(text) for text in texts]

    def vector(self, text: str) -> list[float]:
        """The embedding of one text: the sum of its features' signed weights, normalised."""
        dim = self._dimension
        acc = [0.0] * dim
        words = _WORD.findall(fold_str(text))
        for word in words:
            for index, weight in _word_features(word, dim):
                acc[index] += weight
        for first, second in pairwise(words):
            index, sign = _slot(f"p:{first} {second}", dim)
            acc[index] += sign * PAIR_WEIGHT
        norm = math.sqrt(sum(x * x for x in acc))
        if norm == 0.0:  # no word at all: one fixed direction, never a zero vector
            index, sign = _slot("empty", dim)
            acc[index] = sign
            return acc
        return [x / norm for x in acc]


def create(settings: Settings) -> FakeEmbedder:
    """The fake embedder (the `fake` entry point); `fake:<n>` sets the dimension."""
    _, model = embedding_choice(settings.embedding_model)
    if not model:
        return FakeEmbedder()
    try:
        return FakeEmbedder(int(model))
    except ValueError:
        raise ConfigError(
            f"the fake embedder's dimension {model!r} is not a number of at least 8",
            "set CMASSIST_EMBEDDING_MODEL to fake or fake:<dimension>",
        ) from None
