"""Wiring: one place that builds the store, the models and the services from settings.

The CLI, the Gradio app and tests all go through `Services`; every part is built on
first use, so `cmassist ingest` never loads the LLM and `--help` loads nothing.
"""

from __future__ import annotations

from functools import cached_property

from cmassist.config import Settings
from cmassist.drafting import Drafting
from cmassist.embeddings import Embedder, build_embedder
from cmassist.llm.base import LLM, build_llm
from cmassist.prompts import PromptLibrary
from cmassist.review import ReviewService
from cmassist.store import KnowledgeStore


class Services:
    def __init__(
        self,
        settings: Settings | None = None,
        *,
        llm: LLM | None = None,
        embedder: Embedder | None = None,
    ) -> None:
        self.settings = settings or Settings()
        self._llm = llm
        self._embedder = embedder

    @cached_property
    def embedder(self) -> Embedder:
        return self._embedder or build_embedder(self.settings)

    @cached_property
    def store(self) -> KnowledgeStore:
        return KnowledgeStore(self.settings, self.embedder)

    @cached_property
    def llm(self) -> LLM:
        return self._llm or build_llm(self.settings)

    @cached_property
    def prompts(self) -> PromptLibrary:
        return PromptLibrary(self.settings.resolved_prompts_dir())

    @cached_property
    def drafting(self) -> Drafting:
        return Drafting(self.store, self.llm, self.prompts, self.settings)

    @cached_property
    def review(self) -> ReviewService:
        return ReviewService(self.settings)
