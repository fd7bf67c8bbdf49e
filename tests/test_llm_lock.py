"""The embedded model serves one call at a time, and no caller can leave it held: a stream
closed, abandoned, resumed on another thread or broken by an exception frees it, and a
call that waits too long for its turn gets an error instead of waiting forever.

With the real GGUF model. Where a test needs a model that holds its turn for long, the
real llama.cpp stream is slowed down and lengthened (`hold`), never replaced."""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from cmassist.adapters.llm.base import GenParams, RenderedPrompt, build_llm
from cmassist.adapters.llm.llama import LlamaCppLLM
from cmassist.config import Settings
from cmassist.domain.errors import LLMBusyError, LLMError
from tests.support import wait_until

PROMPT = RenderedPrompt(
    template="lock-test",
    sha256="",
    text="Our café in Montréal opens on Monday. Here is the story of how it began:\n\n",
)
SHORT = GenParams(max_tokens=6, seed=1)
pytestmark = pytest.mark.slow  # the real GGUF model

BOUND = 180.0  # seconds: generous, the test machine may be a busy 2-core one
FILLER = {"choices": [{"text": " and", "finish_reason": None}]}


def test_the_queue_timeout_comes_from_the_settings() -> None:
    llm = build_llm(Settings(llm_backend="llama-cpp", llm_queue_timeout=7))
    assert isinstance(llm, LlamaCppLLM) and llm.queue_timeout == 7
    assert not llm.busy and llm.waiting == 0  # nothing loaded, nothing started


@pytest.fixture(scope="module")
def model() -> Iterator[LlamaCppLLM]:
    llm = LlamaCppLLM(n_threads=2)
    llm.warm_up()
    yield llm
    llm.close()


@pytest.fixture
def llm(model: LlamaCppLLM, monkeypatch: pytest.MonkeyPatch) -> Iterator[LlamaCppLLM]:
    assert wait_until(lambda: not model.busy, BOUND), "a previous test left the model busy"
    monkeypatch.setattr(model, "queue_timeout", BOUND)
    monkeypatch.setattr(model, "abandon_after", 60.0)
    yield model
    monkeypatch.undo()  # before waiting: a held model then runs at full speed
    assert wait_until(lambda: not model.busy, BOUND), "the test left the model busy"


def in_thread(fn: Callable[[], Any], timeout: float = BOUND) -> Any:
    """`fn()` on a new thread, as the next request on a Gradio worker thread would run it;
    fails the test instead of hanging when it waits for the model forever."""
    box: dict[str, Any] = {}

    def target() -> None:
        try:
            box["value"] = fn()
        except BaseException as e:
            box["error"] = e

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(timeout)
    if thread.is_alive():
        pytest.fail(f"still waiting for the model after {timeout:g} s: it was left held")
    if "error" in box:
        raise box["error"]
    return box["value"]


def generates_again(llm: LlamaCppLLM) -> None:
    text = in_thread(lambda: llm.complete(PROMPT, SHORT))
    assert text.strip()


def hold(
    llm: LlamaCppLLM,
    monkeypatch: pytest.MonkeyPatch,
    *,
    delay: float,
    real: int = 3,
    fail_after: int | None = None,
) -> list[int]:
    """Make the model hold its turn: its first `real` pieces come from llama.cpp, then a
    filler piece every `delay` seconds up to max_tokens; `fail_after` pieces, it raises.
    Returns the list of pieces produced so far (its length, read at any time)."""
    llama = llm._llama
    assert llama is not None
    original = llama.create_completion
    produced: list[int] = []

    def create_completion(*args: Any, **kwargs: Any) -> Iterator[dict[str, Any]]:
        chunks = original(*args, **kwargs)
        try:
            pieces = itertools.chain(itertools.islice(chunks, real), itertools.repeat(FILLER))
            for n, chunk in enumerate(itertools.islice(pieces, kwargs["max_tokens"])):
                if fail_after is not None and n >= fail_after:
                    raise RuntimeError("boom")
                if n >= real:
                    time.sleep(delay)
                produced.append(n)
                yield chunk
        finally:
            chunks.close()

    monkeypatch.setattr(llama, "create_completion", create_completion)
    return produced


def test_closing_a_stream_stops_the_generation_and_frees_the_model(
    llm: LlamaCppLLM, monkeypatch: pytest.MonkeyPatch
) -> None:
    produced = hold(llm, monkeypatch, delay=0.05)
    stream = llm.stream(PROMPT, GenParams(max_tokens=2000))  # 100 s if nothing stops it
    assert all(next(stream) for _ in range(3))
    stream.close()  # the Stop button
    assert wait_until(lambda: not llm.busy, 10), "the generation went on after close()"
    assert len(produced) < 2000
    monkeypatch.undo()
    generates_again(llm)


def test_an_abandoned_stream_resumed_on_another_thread_frees_the_model(
    llm: LlamaCppLLM, monkeypatch: pytest.MonkeyPatch
) -> None:
    produced = hold(llm, monkeypatch, delay=0.05)
    monkeypatch.setattr(llm, "abandon_after", 2.0)
    stream = llm.stream(PROMPT, GenParams(max_tokens=2000))
    assert next(stream)
    assert in_thread(lambda: next(stream))  # Gradio resumes a stream on any worker thread
    # A closed tab: the stream is never read again, nor closed, nor collected.
    assert wait_until(lambda: not llm.busy, 2.0 + 10), "an abandoned stream held the model"
    assert len(produced) < 2000
    generates_again(llm)  # from yet another thread
    stream.close()


def test_an_exception_mid_stream_frees_the_model(
    llm: LlamaCppLLM, monkeypatch: pytest.MonkeyPatch
) -> None:
    hold(llm, monkeypatch, delay=0.0, fail_after=3)
    stream = llm.stream(PROMPT, GenParams(max_tokens=50))
    assert next(stream)
    with pytest.raises(LLMError, match=r"generation failed \(RuntimeError: boom\)"):
        in_thread(lambda: list(stream))  # the model fails while another thread reads
    monkeypatch.undo()
    generates_again(llm)

    with pytest.raises(ValueError, match="the caller failed"):
        for _ in llm.stream(PROMPT, GenParams(max_tokens=50)):
            raise ValueError("the caller failed")
    generates_again(llm)


def test_a_second_call_waits_its_turn_then_runs(
    llm: LlamaCppLLM, monkeypatch: pytest.MonkeyPatch
) -> None:
    hold(llm, monkeypatch, delay=0.05)
    first = llm.stream(PROMPT, GenParams(max_tokens=60))
    assert next(first)
    assert llm.busy and llm.waiting == 0
    second: dict[str, str] = {}
    thread = threading.Thread(target=lambda: second.update(text=llm.complete(PROMPT, SHORT)))
    thread.start()
    assert wait_until(lambda: llm.waiting == 1, 10), "the second call is not in line"
    assert llm.busy and "text" not in second
    rest = "".join(first)  # the first call ends...
    assert rest
    thread.join(BOUND)  # ...and the second one gets its turn
    assert second.get("text", "").strip()
    assert wait_until(lambda: not llm.busy and llm.waiting == 0, 10)


def test_a_call_that_waits_too_long_gets_a_busy_error(
    llm: LlamaCppLLM, monkeypatch: pytest.MonkeyPatch
) -> None:
    hold(llm, monkeypatch, delay=0.1)
    monkeypatch.setattr(llm, "queue_timeout", 1.0)
    first = llm.stream(PROMPT, GenParams(max_tokens=2000))  # 200 s if nothing stops it
    assert next(first)
    started = time.monotonic()
    with pytest.raises(LLMBusyError, match="the embedded model is busy") as error:
        in_thread(lambda: llm.complete(PROMPT, SHORT), timeout=60)
    assert "CMASSIST_LLM_QUEUE_TIMEOUT" in str(error.value)
    assert time.monotonic() - started < 30
    assert llm.waiting == 0  # it gave up its place in line
    first.close()
    assert wait_until(lambda: not llm.busy, 10)
    generates_again(llm)  # the model is free: no wait, even with a 1 s queue timeout
