"""LLM backends behind one port: embedded llama.cpp (default), any OpenAI-compatible
server, and a deterministic fake for tests; each is a `cmassist.llm` entry point."""

from cmassist.adapters.llm.base import LLM, BaseLLM, GenParams, RenderedPrompt, Usage
from cmassist.adapters.llm.fake import FakeLLM
from cmassist.services.registry import build_llm, llm_backends

__all__ = [
    "LLM",
    "BaseLLM",
    "FakeLLM",
    "GenParams",
    "RenderedPrompt",
    "Usage",
    "build_llm",
    "llm_backends",
]
