"""The base class of the built-in embedders: they implement `embed` and `dimension`."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence

from cmassist.services.ports.models import Embedder

__all__ = ["BaseEmbedder", "Embedder"]


class BaseEmbedder(ABC):
    """Turns texts into unit-length vectors (cosine similarity = dot product); implements
    the `Embedder` port."""

    name: str

    @abstractmethod
    def embed(self, texts: Sequence[str]) -> list[list[float]]: ...

    def embed_one(self, text: str) -> list[float]:
        return self.embed([text])[0]

    @property
    @abstractmethod
    def dimension(self) -> int: ...
