"""The OpenAI-compatible backend against a real HTTP server on loopback."""

from __future__ import annotations

import pytest

from cmassist.adapters.llm import GenParams, RenderedPrompt, Usage, build_llm
from cmassist.adapters.llm.openai_compat import OpenAICompatLLM
from cmassist.config import Settings
from cmassist.domain.errors import (
    ConfigError,
    LLMRateLimitError,
    LLMResponseError,
    LLMTimeoutError,
    LLMUnavailableError,
)

from .fake_openai_server import FakeOpenAIServer

PROMPT = RenderedPrompt("reply.j2", "0" * 64, "system\n\nuser", "You are kind.", "Hello")


@pytest.fixture
def server():
    with FakeOpenAIServer() as s:
        yield s


def _llm(server: FakeOpenAIServer, **kw) -> OpenAICompatLLM:
    kw.setdefault("max_retries", 2)
    return OpenAICompatLLM(
        model="test-model", api_key="local-key", base_url=server.url, backoff_base=0.01, **kw
    )


def test_streams_chat_completions(server: FakeOpenAIServer) -> None:
    server.script.append(("text", "Bonjour et merci !"))
    usage = Usage()
    pieces = list(_llm(server).stream(PROMPT, GenParams(max_tokens=20, stop=["###"]), usage))
    assert "".join(pieces).strip() == "Bonjour et merci !" and len(pieces) == 4
    body = server.requests[0]["body"]
    assert body["model"] == "test-model" and body["stream"] is True
    assert [m["role"] for m in body["messages"]] == ["system", "user"]
    assert body["stop"] == ["###"]
    assert body.get("max_tokens", body.get("max_completion_tokens")) == 20


def test_completions_api_for_base_models(server: FakeOpenAIServer) -> None:
    server.script.append(("text", "a post"))
    text = _llm(server, style="completion").complete(PROMPT, GenParams())
    assert text.strip() == "a post"
    assert server.requests[0]["path"].endswith("/completions")
    assert server.requests[0]["body"]["prompt"] in ("system\n\nuser", ["system\n\nuser"])


def test_429_and_5xx_are_retried_with_backoff(server: FakeOpenAIServer) -> None:
    server.script.extend([("status", (429, {"retry-after": "0"})), ("status", 503), ("text", "ok")])
    assert _llm(server).complete(PROMPT, GenParams()).strip() == "ok"
    assert len(server.requests) == 3


def test_retries_are_bounded(server: FakeOpenAIServer) -> None:
    server.script.extend([("status", 500)] * 5)
    with pytest.raises(LLMResponseError) as err:
        _llm(server, max_retries=2).complete(PROMPT, GenParams())
    assert err.value.status == 500 and "after 3 attempt(s)" in str(err.value)
    assert len(server.requests) == 3


def test_rate_limit_that_persists_says_so(server: FakeOpenAIServer) -> None:
    server.script.extend([("status", 429)] * 3)
    with pytest.raises(LLMRateLimitError, match="429"):
        _llm(server, max_retries=1).complete(PROMPT, GenParams())


def test_client_errors_are_not_retried(server: FakeOpenAIServer) -> None:
    server.script.extend([("status", 401), ("text", "never")])
    with pytest.raises(LLMResponseError, match="refused the API key"):
        _llm(server).complete(PROMPT, GenParams())
    assert len(server.requests) == 1
    server.script.appendleft(("status", 404))
    with pytest.raises(LLMResponseError, match="no model 'test-model'"):
        _llm(server).complete(PROMPT, GenParams())


def test_timeouts_say_which_setting_to_raise(server: FakeOpenAIServer) -> None:
    server.script.extend([("sleep", 1.0)] * 2)
    with pytest.raises(LLMTimeoutError, match="CMASSIST_LLM_TIMEOUT"):
        _llm(server, timeout=0.2, max_retries=0).complete(PROMPT, GenParams())


def test_unreachable_endpoint_names_the_url() -> None:
    llm = OpenAICompatLLM(
        model="m", api_key="k", base_url="http://127.0.0.1:9/v1", max_retries=1, backoff_base=0.01
    )
    with pytest.raises(LLMUnavailableError, match=r"127\.0\.0\.1:9.*CMASSIST_LLM_BASE_URL"):
        llm.complete(PROMPT, GenParams())


def test_a_custom_base_url_never_gets_the_openai_key(
    server: FakeOpenAIServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-secret-default")
    llm = build_llm(Settings(llm_base_url=server.url, llm_model="llama3"))
    assert llm.backend == "openai"
    llm.complete(PROMPT, GenParams())
    assert "sk-secret-default" not in (server.requests[0]["authorization"] or "")
    monkeypatch.setenv("MY_SERVER_KEY", "sk-for-my-server")
    build_llm(Settings(llm_base_url=server.url, llm_api_key_env="MY_SERVER_KEY")).complete(
        PROMPT, GenParams()
    )
    assert server.requests[1]["authorization"] == "Bearer sk-for-my-server"


def test_openai_without_a_key_names_both_fixes(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ConfigError) as err:
        build_llm(Settings(llm_backend="openai"))
    assert "OPENAI_API_KEY" in str(err.value) and "CMASSIST_LLM_API_KEY_ENV" in str(err.value)


def test_backend_is_chosen_by_configuration_alone() -> None:
    assert build_llm(Settings()).backend == "llama-cpp"
    assert build_llm(Settings(llm_backend="fake")).backend == "fake"
