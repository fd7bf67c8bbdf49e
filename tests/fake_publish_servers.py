"""Local receivers on loopback for the publishing tests: a webhook receiver that checks the
HMAC signature and acts once per idempotency key, and a fake Mastodon instance.

Both can be scripted per request (an HTTP status, or a delay longer than the client's
timeout), and the webhook receiver can hold its first request until the test releases it,
so a test can kill the worker while it waits for the answer.
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections import Counter, deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

from cmassist.adapters.publishers.webhook import verify_signature


class _Server:
    """A threaded HTTP server on 127.0.0.1, started and stopped as a context manager."""

    def __init__(self) -> None:
        self.script: deque[Any] = deque()  # per request: an int status, or ("sleep", seconds)
        self.lock = threading.Lock()
        self.release = threading.Event()  # lets held requests go (set on exit)
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                # The client may have given up (timeout tests) or been killed (crash tests).
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    owner.handle(self)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> _Server:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release.set()
        self.httpd.shutdown()
        self.httpd.server_close()
        self._thread.join(timeout=5)

    def handle(self, h: BaseHTTPRequestHandler) -> None:
        raise NotImplementedError

    def scripted(self, h: BaseHTTPRequestHandler) -> bool:
        """Play the next scripted answer, if any; True if it answered the request."""
        with self.lock:
            action = self.script.popleft() if self.script else None
        if action is None:
            return False
        if isinstance(action, tuple) and action[0] == "sleep":
            time.sleep(action[1])
            self.reply(h, 200, {"late": True})
        else:
            self.reply(h, int(action), {"error": f"scripted {action}"}, {"Retry-After": "7"})
        return True

    @staticmethod
    def reply(
        h: BaseHTTPRequestHandler,
        status: int,
        data: dict[str, Any],
        headers: dict[str, str] | None = None,
    ) -> None:
        payload = json.dumps(data).encode()
        h.send_response(status)
        for k, v in (headers or {}).items():
            h.send_header(k, v)
        h.send_header("content-type", "application/json")
        h.send_header("content-length", str(len(payload)))
        h.end_headers()
        h.wfile.write(payload)


class WebhookReceiver(_Server):
    """Checks every request's signature and acts once per idempotency key, like a careful
    real receiver: a repeated key is answered like the first time, without acting again."""

    def __init__(self, secret: str, *, hold_first: bool = False) -> None:
        super().__init__()
        self.secret = secret
        self.hold_first = hold_first
        self.first_arrived = threading.Event()
        self.requests: list[dict[str, Any]] = []  # every request that reached us
        self.acted: Counter[str] = Counter()  # times we acted on each key: 1 each, always
        self.payloads: dict[str, dict[str, Any]] = {}

    def handle(self, h: BaseHTTPRequestHandler) -> None:
        body = h.rfile.read(int(h.headers.get("content-length", 0)))
        key = h.headers.get("Idempotency-Key", "")
        verified = verify_signature(
            self.secret,
            h.headers.get("X-Cmassist-Timestamp", ""),
            body,
            h.headers.get("X-Cmassist-Signature", ""),
        )
        with self.lock:
            self.requests.append({"key": key, "verified": verified, "body": body})
        if not verified:
            self.reply(h, 401, {"error": "bad signature"})
            return
        if not key:
            self.reply(h, 400, {"error": "no Idempotency-Key"})
            return
        if self.scripted(h):
            return
        with self.lock:
            first = not self.acted
            if key not in self.acted:
                self.acted[key] += 1
                self.payloads[key] = json.loads(body)
        if first and self.hold_first:
            # Acted, but no answer yet: the test kills the worker while it waits here.
            self.first_arrived.set()
            self.release.wait(timeout=30)
        self.reply(h, 200, {"id": f"hook-{key}"})


class FakeMastodon(_Server):
    """Just enough of POST /api/v1/statuses: a Bearer token, Idempotency-Key honoured
    (a repeated key returns the same status), form or JSON parameters."""

    def __init__(self, token: str) -> None:
        super().__init__()
        self.token = token
        self.requests: list[dict[str, Any]] = []
        self.statuses: dict[str, dict[str, Any]] = {}  # by idempotency key

    def handle(self, h: BaseHTTPRequestHandler) -> None:
        body = h.rfile.read(int(h.headers.get("content-length", 0)))
        if "json" in h.headers.get("content-type", ""):
            params = json.loads(body)
        else:
            params = {k: v[0] for k, v in parse_qs(body.decode("utf-8")).items()}
        key = h.headers.get("Idempotency-Key", "")
        with self.lock:
            self.requests.append(
                {
                    "path": h.path,
                    "authorization": h.headers.get("Authorization"),
                    "key": key,
                    "params": params,
                }
            )
        if h.path != "/api/v1/statuses":
            self.reply(h, 404, {"error": "Record not found"})
            return
        if h.headers.get("Authorization") != f"Bearer {self.token}":
            self.reply(h, 401, {"error": "The access token is invalid"})
            return
        if self.scripted(h):
            return
        if not params.get("status"):
            self.reply(h, 422, {"error": "Validation failed: Text can't be blank"})
            return
        with self.lock:
            status = self.statuses.get(key) if key else None
            if status is None:
                number = str(110_000_000 + len(self.statuses) + 1)
                status = {
                    "id": number,
                    "url": f"{self.url}/@boreale/{number}",
                    "content": f"<p>{params['status']}</p>",
                    "language": params.get("language"),
                    "visibility": params.get("visibility", "public"),
                }
                if key:
                    self.statuses[key] = status
        self.reply(h, 200, status)
