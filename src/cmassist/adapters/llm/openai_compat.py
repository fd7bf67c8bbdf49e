"""Any OpenAI-compatible server (OpenAI, Azure OpenAI v1, Ollama, vLLM, llama.cpp server)
through langchain-openai, with our own bounded retries so that the policy is visible and
tested: retry 429, 5xx, timeouts and connection errors with exponential backoff, never
after the first token has been streamed, and turn every failure into an error that says
what to fix."""

from __future__ import annotations

import random
import time
from collections.abc import Iterator
from typing import Any

from cmassist.adapters.llm.base import BaseLLM, GenParams, RenderedPrompt, Usage
from cmassist.config import Settings
from cmassist.domain.errors import (
    LLMError,
    LLMRateLimitError,
    LLMResponseError,
    LLMTimeoutError,
    LLMUnavailableError,
)

DEFAULT_OPENAI_MODEL = "gpt-4o-mini"


class OpenAICompatLLM(BaseLLM):
    backend = "openai"
    needs_key = True

    def __init__(
        self,
        *,
        model: str,
        api_key: str,
        base_url: str | None = None,
        timeout: float = 60.0,
        max_retries: int = 3,
        style: str = "chat",
        backoff_base: float = 0.5,
    ) -> None:
        from langchain_openai import ChatOpenAI, OpenAI

        self.model_name = model
        self.base_url = base_url
        self.style = style  # type: ignore[assignment]
        self.max_retries = max_retries
        self.backoff_base = backoff_base
        common: dict[str, Any] = {
            "model": model,
            "api_key": api_key,
            "base_url": base_url,
            "timeout": timeout,
            "max_retries": 0,  # retries are ours, below
        }
        self._model = ChatOpenAI(**common) if style == "chat" else OpenAI(**common)

    def describe(self) -> dict[str, str]:
        return {**super().describe(), "base_url": self.base_url or "https://api.openai.com/v1"}

    def _where(self) -> str:
        return self.base_url or "the OpenAI API"

    def stream(
        self, prompt: RenderedPrompt, params: GenParams, usage: Usage | None = None
    ) -> Iterator[str]:
        import openai

        kwargs: dict[str, Any] = {
            "max_tokens": params.max_tokens,
            "temperature": params.temperature,
            "top_p": params.top_p,
        }
        if params.seed is not None:
            kwargs["seed"] = params.seed
        if self.style == "chat":
            from langchain_core.messages import HumanMessage, SystemMessage

            payload: Any = [SystemMessage(prompt.system), HumanMessage(prompt.user)]
        else:
            payload = prompt.text
        attempt = 0
        while True:
            started = False
            try:
                for chunk in self._model.stream(payload, stop=params.stop or None, **kwargs):
                    piece = chunk if isinstance(chunk, str) else _content(chunk)
                    if usage is not None:
                        usage.completion_tokens += 1
                    if piece:
                        started = True
                        yield piece
                return
            except (
                openai.RateLimitError,
                openai.InternalServerError,
                openai.APITimeoutError,
                openai.APIConnectionError,
            ) as e:
                if started or attempt >= self.max_retries:
                    raise self._error(e, attempt + 1) from e
                time.sleep(self._delay(e, attempt))
                attempt += 1
            except openai.APIStatusError as e:
                if e.status_code >= 500 and not started and attempt < self.max_retries:
                    time.sleep(self._delay(e, attempt))
                    attempt += 1
                    continue
                raise self._error(e, attempt + 1) from e

    def _delay(self, error: Exception, attempt: int) -> float:
        response = getattr(error, "response", None)
        retry_after = response.headers.get("retry-after") if response is not None else None
        if retry_after:
            try:
                return min(float(retry_after), 30.0)
            except ValueError:
                pass
        return self.backoff_base * (2**attempt) * (1 + random.random() / 4)

    def _error(self, e: Exception, attempts: int) -> LLMError:
        import openai

        tries = f" after {attempts} attempt(s)" if attempts > 1 else ""
        if isinstance(e, openai.RateLimitError):
            return LLMRateLimitError(
                f"{self._where()} is rate limiting requests (429){tries}",
                "wait a minute, or raise your quota",
            )
        if isinstance(e, openai.APITimeoutError):
            return LLMTimeoutError(
                f"{self._where()} did not answer in time{tries}",
                "retry, or raise CMASSIST_LLM_TIMEOUT",
            )
        if isinstance(e, openai.APIConnectionError):
            return LLMUnavailableError(
                f"cannot reach the LLM endpoint {self._where()}{tries}",
                "check CMASSIST_LLM_BASE_URL and that the server is running",
            )
        if isinstance(e, openai.AuthenticationError):
            return LLMResponseError(
                f"{self._where()} refused the API key (401)",
                "check the key in OPENAI_API_KEY or CMASSIST_LLM_API_KEY_ENV",
                status=401,
            )
        if isinstance(e, openai.NotFoundError):
            return LLMResponseError(
                f"{self._where()} has no model {self.model_name!r} (404)",
                "check CMASSIST_LLM_MODEL",
                status=404,
            )
        if isinstance(e, openai.APIStatusError):
            detail = _short(getattr(e, "message", "") or str(e))
            return LLMResponseError(
                f"{self._where()} answered {e.status_code}{tries}: {detail}",
                "check the request settings; retry later if it is a server error",
                status=e.status_code,
            )
        return LLMError(f"LLM call failed: {type(e).__name__}: {_short(str(e))}")


def _content(chunk: Any) -> str:
    content = getattr(chunk, "content", "")
    if isinstance(content, list):  # content blocks
        return "".join(b.get("text", "") if isinstance(b, dict) else str(b) for b in content)
    return str(content or "")


def _short(text: str, limit: int = 160) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def create(settings: Settings) -> BaseLLM:
    """A client of the configured server (the `openai` entry point)."""
    base_url = settings.llm_base_url
    return OpenAICompatLLM(
        model=settings.llm_model or DEFAULT_OPENAI_MODEL,
        api_key=settings.api_key(settings.llm_api_key_env, base_url, "llm"),
        base_url=base_url,
        timeout=settings.llm_timeout,
        max_retries=settings.llm_max_retries,
        style="completion" if settings.llm_api == "completions" else "chat",
    )
