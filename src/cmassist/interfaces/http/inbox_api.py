"""The HTTP endpoint that receives incoming messages one at a time.

    POST /api/inbox/messages
    Authorization: Bearer <CMASSIST_INBOX_TOKEN>
    Content-Type: application/json
    {"id": "...", "platform": "instagram", "text": "...", "time": "...", "author": "...",
     "thread": "...", "kind": "comment", "brand": "boreale"}

Answers: 202 accepted (stored; triage follows), 200 duplicate (same id, same content:
nothing changes), 400/413/415/422 bad message (one line naming the field), 401 no or wrong
token, 409 same id with other content, 429 queue full (with Retry-After), 503 no token set.

A message is written to the database before 202 is answered, so nothing accepted is lost,
even if the server stops before triage; a worker thread triages in the background and picks
up whatever is left untriaged at the next start. The queue of untriaged messages is
bounded: beyond `inbox_queue_max`, new messages get 429 and the sender retries later.
"""

from __future__ import annotations

import hmac
import json
import logging
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse

from cmassist.domain.errors import CmassistError, InputError
from cmassist.domain.messages import MessageConflictError

if TYPE_CHECKING:
    from cmassist.bootstrap import Services

log = logging.getLogger(__name__)
MAX_BODY_BYTES = 512 * 1024


def _error(status: int, problem: str, **headers: str) -> JSONResponse:
    return JSONResponse({"error": " ".join(problem.split())}, status_code=status, headers=headers)


class TriageWorker:
    """Triages untriaged inbox messages in the background, in small batches."""

    def __init__(self, services: Services, *, batch: int = 64) -> None:
        self.services = services
        self.batch = batch
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.errors = 0

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="inbox-triage", daemon=True)
            self._thread.start()
            self._wake.set()  # messages left from a previous run

    def wake(self) -> None:
        self._wake.set()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=10)

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.wait(timeout=5)
            self._wake.clear()
            while not self._stop.is_set():
                try:
                    done = self.services.inbox.triage_pending(limit=self.batch)
                except Exception:  # kept untriaged; retried on the next wake
                    self.errors += 1
                    log.exception("inbox triage failed; the messages stay queued")
                    break
                if not done:
                    break


def _read_body(body: bytes) -> dict[str, Any] | JSONResponse:
    """The message of a request body, or the error answer."""
    if len(body) > MAX_BODY_BYTES:
        return _error(413, f"the message is over {MAX_BODY_BYTES // 1024} KB")
    try:
        raw = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        return _error(400, f"the body is not UTF-8 JSON ({type(e).__name__})")
    if not isinstance(raw, dict):
        return _error(422, "send one message as a JSON object")
    return raw


def _refusal(request: Request, token: str) -> JSONResponse | None:
    """The answer to a request refused before its body is read (off, token, type, size)."""
    if not token:
        return _error(503, "the inbox endpoint is off: set CMASSIST_INBOX_TOKEN")
    auth = request.headers.get("authorization", "")
    given = auth[7:].strip() if auth.lower().startswith("bearer ") else ""
    if not given or not hmac.compare_digest(given.encode(), token.encode()):
        return _error(401, "missing or wrong token: send Authorization: Bearer <token>")
    if "json" not in request.headers.get("content-type", ""):
        return _error(415, "send the message as JSON (Content-Type: application/json)")
    length = request.headers.get("content-length")
    if length and length.isdigit() and int(length) > MAX_BODY_BYTES:
        return _error(413, f"the message is over {MAX_BODY_BYTES // 1024} KB")
    return None


def inbox_router(services: Services, worker: TriageWorker | None = None) -> APIRouter:
    """The inbox endpoint's routes; each message goes to `services.inbox.receive`."""
    settings = services.settings
    router = APIRouter()

    @router.post("/api/inbox/messages")
    async def receive(request: Request) -> JSONResponse:
        token = settings.inbox_token.get_secret_value() if settings.inbox_token else ""
        refused = _refusal(request, token)
        if refused is not None:
            return refused
        raw = _read_body(await request.body())
        if isinstance(raw, JSONResponse):
            return raw
        try:
            receipt = services.inbox.receive(
                raw, brand=settings.brand, queue_max=settings.inbox_queue_max
            )
        except MessageConflictError as e:
            return _error(409, str(e))
        except InputError as e:
            return _error(422, str(e))
        except CmassistError as e:
            return _error(503, str(e))
        if receipt.status == "queue_full":
            return _error(
                429,
                f"{receipt.pending} messages are waiting for triage; retry in a few seconds",
                **{"Retry-After": "5"},
            )
        created = receipt.status == "accepted"
        if worker is not None and created:
            worker.wake()
        return JSONResponse(
            {"id": receipt.id, "status": receipt.status}, status_code=202 if created else 200
        )

    @router.get("/api/inbox/health")
    async def health() -> JSONResponse:
        return JSONResponse({"pending": services.inbox.pending(), "max": settings.inbox_queue_max})

    return router


def build_server(
    services: Services, blocks: Any = None, **mount: Any
) -> tuple[FastAPI, TriageWorker]:
    """The FastAPI app: the inbox endpoint, and the Gradio app mounted at / when given."""
    worker = TriageWorker(services)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        worker.start()
        try:
            yield
        finally:
            worker.stop()

    app = FastAPI(title="cmassist", docs_url=None, redoc_url=None, lifespan=lifespan)
    app.include_router(inbox_router(services, worker))
    if blocks is not None:
        import gradio as gr

        from cmassist.interfaces.web.language import LanguageMiddleware

        # The app's labels in the user's language (see cmassist.interfaces.web.language).
        mount.setdefault("i18n", getattr(blocks, "i18n_instance", None))
        app.add_middleware(LanguageMiddleware)
        app = gr.mount_gradio_app(app, blocks, path="/", **mount)
    return app, worker
