"""The one interface every LLM backend implements: `stream()` text for a rendered prompt."""

from __future__ import annotations

import importlib
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import ClassVar, Literal

from cmassist.config import Settings
from cmassist.domain.errors import ConfigError

Style = Literal["completion", "chat"]


@dataclass
class RenderedPrompt:
    """A prompt template rendered for one call; its name and hash travel with the draft."""

    template: str
    sha256: str
    text: str  # the whole prompt, for completion models
    system: str = ""  # for chat models
    user: str = ""


@dataclass
class GenParams:
    max_tokens: int = 200
    temperature: float = 0.8
    top_p: float = 0.95
    stop: list[str] = field(default_factory=list)
    seed: int | None = None


@dataclass
class Usage:
    """Filled in by a backend as it streams."""

    prompt_tokens: int | None = None
    completion_tokens: int = 0
    finish_reason: str | None = None


class LLM(ABC):
    """A text generator. Subclasses implement `stream`; `complete` joins it.

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


BACKENDS: dict[str, Callable[[Settings], LLM]] = {}
_MODULES = {
    "llama-cpp": "cmassist.adapters.llm.llama",
    "openai": "cmassist.adapters.llm.openai_compat",
    "fake": "cmassist.adapters.llm.fake",
}


def register_backend(name: str) -> Callable[[Callable[[Settings], LLM]], Callable[[Settings], LLM]]:
    """Register a factory `Settings -> LLM` under a backend name (built-ins use this too)."""

    def decorator(factory: Callable[[Settings], LLM]) -> Callable[[Settings], LLM]:
        BACKENDS[name] = factory
        return factory

    return decorator


def build_llm(settings: Settings) -> LLM:
    name = settings.resolved_llm_backend()
    if name not in BACKENDS and name in _MODULES:
        importlib.import_module(_MODULES[name])  # registers itself
    try:
        factory = BACKENDS[name]
    except KeyError:
        raise ConfigError(
            f"unknown LLM backend {name!r}",
            f"set CMASSIST_LLM_BACKEND to one of {', '.join(_MODULES)}",
        ) from None
    return factory(settings)
