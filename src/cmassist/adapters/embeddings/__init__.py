"""Embedding models behind the `Embedder` port: a local sentence-transformers model by
default (all-MiniLM-L6-v2, no network), an OpenAI-compatible endpoint, or a deterministic
fake for tests; each is a `cmassist.embedders` entry point."""

from cmassist.adapters.embeddings.base import BaseEmbedder, Embedder
from cmassist.adapters.embeddings.fake import FakeEmbedder
from cmassist.adapters.embeddings.local import DEFAULT_EMBEDDING_NAME, SentenceTransformerEmbedder
from cmassist.adapters.embeddings.openai_compat import OpenAIEmbedder
from cmassist.services.registry import build_embedder, embedders

__all__ = [
    "DEFAULT_EMBEDDING_NAME",
    "BaseEmbedder",
    "Embedder",
    "FakeEmbedder",
    "OpenAIEmbedder",
    "SentenceTransformerEmbedder",
    "build_embedder",
    "embedders",
]
