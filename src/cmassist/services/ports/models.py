"""The model ports: what services ask of an LLM, an embedder and a prompt library, and the
records that cross them (a rendered prompt, generation parameters, token usage)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Literal, Protocol, runtime_checkable

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
    """Sampling parameters for one generation."""

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


@runtime_checkable
class LLM(Protocol):
    """A text generator: `stream` yields the text for a rendered prompt, `complete` joins it.

    `style` says which prompt form the model follows ("completion" for base models, "chat"
    for instruction models); `busy` and `waiting` say whether a new call would wait its turn.
    """

    backend: str
    style: Style
    model_name: str

    def stream(
        self, prompt: RenderedPrompt, params: GenParams, usage: Usage | None = None
    ) -> Iterator[str]: ...

    def complete(
        self, prompt: RenderedPrompt, params: GenParams, usage: Usage | None = None
    ) -> str: ...

    @property
    def busy(self) -> bool: ...

    @property
    def waiting(self) -> int: ...

    def warm_up(self) -> None: ...

    def describe(self) -> dict[str, str]: ...


@runtime_checkable
class Embedder(Protocol):
    """Turns texts into unit-length vectors (cosine similarity = dot product)."""

    name: str

    def embed(self, texts: Sequence[str]) -> list[list[float]]: ...

    def embed_one(self, text: str) -> list[float]: ...

    @property
    def dimension(self) -> int: ...


@runtime_checkable
class Prompts(Protocol):
    """Named prompt templates, rendered for a model's style."""

    def names(self) -> list[str]: ...

    def source_hash(self, name: str) -> str: ...

    def render(
        self, name: str, style: str = "completion", **variables: object
    ) -> RenderedPrompt: ...
