"""Stop, as the page's Stop buttons ask it: cooperative, per browser session.

A Stop click sets its session's flag; the stream that fills the cards looks at it after
every event and, once it is set, closes the drafting (which ends the model's turn at once)
and leaves the page as Stop drew it. The stream then ends normally, so the next click runs
straight away: Gradio's own cancellation (`cancels=`) has to wait for the handler's thread,
and its event could stay pending in the browser, so a click after Stop never ran.

A Stop clicked while the request still waits in line (its click marked it `waiting`, its
stream has not begun) is kept for `PENDING_S` seconds and stops that request as soon as it
begins; a Stop with nothing waiting or streaming is forgotten."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import gradio as gr

PENDING_S = 120.0  # how long a Stop waits for a queued request of its session to begin


class Stops:
    """The Stop flags of the sessions that are streaming."""

    def __init__(self) -> None:
        self._flags: dict[str, set[threading.Event]] = {}
        self._waiting: dict[str, float] = {}  # clicked, stream not begun: since when
        self._pending: dict[str, float] = {}  # a Stop before its stream began: when
        self._lock = threading.Lock()

    def waiting(self, request: gr.Request | None, kind: str) -> None:
        """A click of the session asked for a stream of `kind`, which waits in line."""
        key = _session(request, kind)
        if key:
            with self._lock:
                self._waiting[key] = time.monotonic()

    def begin(self, request: gr.Request | None, kind: str) -> threading.Event:
        """A fresh flag for the stream of `kind` ("post", "ideas", "reply") that `request`
        starts, already set when a Stop came while the request waited in line; a Stop of
        an earlier stream never stops it."""
        flag = threading.Event()
        key = _session(request, kind)
        if key:
            with self._lock:
                self._flags.setdefault(key, set()).add(flag)
                self._waiting.pop(key, None)
                asked = self._pending.pop(key, None)
            if asked is not None and time.monotonic() - asked < PENDING_S:
                flag.set()
        return flag

    def stop(self, request: gr.Request | None, *kinds: str) -> bool:
        """Ask the session's streams of these kinds to stop; False when none is streaming
        (the Stop then waits for a request of the session that is still in line)."""
        keys = [k for kind in kinds if (k := _session(request, kind))]
        now = time.monotonic()
        with self._lock:
            flags = [f for k in keys for f in self._flags.get(k, ())]
            for k in keys:
                if k not in self._flags and now - self._waiting.get(k, -PENDING_S) < PENDING_S:
                    self._pending[k] = now
        for flag in flags:
            flag.set()
        return bool(flags)

    def end(self, request: gr.Request | None, kind: str, flag: threading.Event) -> None:
        """Forget a stream's flag once it is over."""
        key = _session(request, kind)
        with self._lock:
            flags = self._flags.get(key, set()) if key else set()
            flags.discard(flag)
            if key and not flags:
                self._flags.pop(key, None)


def _session(request: gr.Request | None, kind: str) -> str | None:
    session = getattr(request, "session_hash", None) if request is not None else None
    return f"{session}/{kind}" if session else None


def close_events(events: Iterator[Any]) -> None:
    """End a drafting generator now: its model turn is cancelled as it closes."""
    close = getattr(events, "close", None)
    if close is not None:
        close()
