"""A deterministic LLM for tests, shipped in the package so users can test their own code.

Queue answers with `enqueue()`, or give a `responder(prompt) -> str`; every prompt is kept
in `history`. Without either, it answers with a short text derived from the prompt.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Callable, Iterator

from cmassist.adapters.llm.base import BaseLLM, GenParams, RenderedPrompt, Usage
from cmassist.config import Settings


class FakeLLM(BaseLLM):
    backend = "fake"
    # Set by a test to show the "queued" state of a busy embedded model.
    busy: bool = False
    waiting: int = 0

    def __init__(
        self,
        responses: list[str] | None = None,
        *,
        responder: Callable[[RenderedPrompt], str] | None = None,
        error: Exception | None = None,
        style: str = "completion",
        model_name: str = "fake-1",
    ) -> None:
        self.queue: deque[str] = deque(responses or [])
        self.responder = responder
        self.error = error
        self.style = style  # type: ignore[assignment]
        self.model_name = model_name
        self.history: list[RenderedPrompt] = []
        self.params: list[GenParams] = []

    def enqueue(self, *texts: str) -> None:
        self.queue.extend(texts)

    def stream(
        self, prompt: RenderedPrompt, params: GenParams, usage: Usage | None = None
    ) -> Iterator[str]:
        self.history.append(prompt)
        self.params.append(params)
        if self.error is not None:
            raise self.error
        if self.queue:
            text = self.queue.popleft()
        elif self.responder is not None:
            text = self.responder(prompt)
        else:
            text = default_answer(prompt, len(self.history))
        pieces = re.findall(r"\S+\s*|\s+", text)
        if usage is not None:
            usage.prompt_tokens = len(prompt.text.split())
        for piece in pieces:
            if usage is not None:
                usage.completion_tokens += 1
            yield piece
        if usage is not None:
            usage.finish_reason = "stop"


def default_answer(prompt: RenderedPrompt, n: int) -> str:
    """A plausible, deterministic answer: the last line of the prompt's data, numbered."""
    if prompt.template.startswith("ideas"):
        return "\n".join(f"{i}. Idea {i} (call {n})" for i in range(1, 6))
    return f"Fake draft {n} from {prompt.template}."


def create(settings: Settings) -> BaseLLM:
    """A fresh fake (the `fake` entry point)."""
    return FakeLLM()
