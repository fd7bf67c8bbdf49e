"""The base class of the built-in LLM backends: they implement `stream()`, the rest is derived.
Each backend module has a `create(settings)` factory, declared as a `cmassist.llm` entry point."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator
from typing import ClassVar

from cmassist.services.ports.models import LLM, GenParams, RenderedPrompt, Style, Usage
from cmassist.services.registry import build_llm

__all__ = ["LLM", "BaseLLM", "GenParams", "RenderedPrompt", "Style", "Usage", "build_llm"]


class BaseLLM(ABC):
    """The base of the built-in backends (the `LLM` port): subclasses implement `stream`;
    `complete` joins it.

    A backend that serves one call at a time (the embedded model) makes callers wait in
    line, up to `CMASSIST_LLM_QUEUE_TIMEOUT`, then raises `LLMBusyError`; `busy` and
    `waiting` say whether a new call would wait."""

    backend: ClassVar[str]
    can_stream: ClassVar[bool] = True
    needs_key: ClassVar[bool] = False
    style: Style = "completion"
    model_name: str = ""

    @abstractmethod
    def stream(
        self, prompt: RenderedPrompt, params: GenParams, usage: Usage | None = None
    ) -> Iterator[str]:
        """Yield the generated text piece by piece."""

    def complete(
        self, prompt: RenderedPrompt, params: GenParams, usage: Usage | None = None
    ) -> str:
        return "".join(self.stream(prompt, params, usage))

    @property
    def busy(self) -> bool:
        """True while the model serves a call, so that a new one waits its turn (the UI
        says "queued"). Backends that serve calls in parallel are never busy."""
        return False

    @property
    def waiting(self) -> int:
        """How many calls wait for their turn now (not counting the one being served)."""
        return 0

    def warm_up(self) -> None:  # noqa: B027 - optional hook, nothing to do by default
        """Load what a first call would load (the embedded model), so the first user waits less."""

    def describe(self) -> dict[str, str]:
        return {"backend": self.backend, "model": self.model_name, "style": self.style}
