"""Any OpenAI-compatible /embeddings endpoint (OpenAI, Azure, Ollama, vLLM, llama.cpp), chosen
by `CMASSIST_EMBEDDING_MODEL=openai:<model>`."""

from __future__ import annotations

import math
from collections.abc import Sequence

from cmassist.adapters.embeddings.base import BaseEmbedder
from cmassist.config import Settings
from cmassist.domain.errors import LLMUnavailableError
from cmassist.services.registry import embedding_choice


class OpenAIEmbedder(BaseEmbedder):
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


def create(settings: Settings) -> OpenAIEmbedder:
    """The endpoint's model named after `openai:` (the `openai` entry point)."""
    _, model = embedding_choice(settings.embedding_model)
    return OpenAIEmbedder(model, settings)
