"""LLM backends behind one interface: embedded llama.cpp (default), any OpenAI-compatible
server, and a deterministic fake for tests. Each registers itself in `BACKENDS`."""

from cmassist.adapters.llm.base import (
    BACKENDS,
    LLM,
    GenParams,
    RenderedPrompt,
    Usage,
    build_llm,
    register_backend,
)
from cmassist.adapters.llm.fake import FakeLLM

__all__ = [
    "BACKENDS",
    "LLM",
    "FakeLLM",
    "GenParams",
    "RenderedPrompt",
    "Usage",
    "build_llm",
    "register_backend",
]
