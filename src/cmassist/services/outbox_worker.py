"""The publishing worker: runs the outbox pass (`outbox.run_pass`, the same code as
`cmassist publish --due`) every `publish_interval` seconds, in a thread of `cmassist serve`
or in the foreground with `cmassist worker`.

Every pass writes a heartbeat to the review database, so that any process (the app's Admin
tab, another server) can tell whether publishing really runs, and says so when it does not.
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
import threading
from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Literal

from pydantic import BaseModel, Field

from cmassist.domain.errors import CmassistError
from cmassist.services.audit import AuditView
from cmassist.services.outbox import WORKER, PublishReport, run_pass
from cmassist.services.ports.persistence import WorkerRecord
from cmassist.services.ports.publishing import Publisher
from cmassist.services.review import ReviewService

log = logging.getLogger(__name__)

Kind = Literal["server", "worker", "once"]
# Where publishing runs, as the Admin tab says it (the UI translates these words).
Where = Literal["this server", "separate worker", "another server", "one-off runs", "none"]
FORGET_AFTER = timedelta(days=7)  # heartbeats of workers gone this long are deleted
STALE_INTERVALS = 2  # a worker silent for more than this many intervals is not running
STALE_FLOOR_S = 10.0  # ...and for at least this long (a loaded machine delays short passes)


class WorkerFailure(BaseModel):
    """An item the worker could not publish, from the audit log."""

    at: datetime
    item_id: int | None = None
    draft_id: int | None = None
    adapter: str = ""
    error: str = ""
    final: bool = True  # failed for good (or blocked by the gate); False: retried later


class WorkerBeat(BaseModel):
    """One worker's last heartbeat."""

    id: str
    kind: Kind
    host: str
    pid: int
    interval_s: float
    started_at: datetime
    beat_at: datetime
    last_run: datetime | None = None
    stopped_at: datetime | None = None
    last_error: str = ""
    alive: bool = False  # beat within STALE_INTERVALS of its interval, not stopped
    here: bool = False  # runs in the process that asked


class WorkerStatus(BaseModel):
    """Whether publishing runs, and how it went: what the Admin tab shows."""

    at: datetime
    alive: bool  # a worker runs (or one-off passes ran within STALE_INTERVALS intervals)
    where: Where
    interval_s: float  # of the running worker, else the configured interval
    last_run: datetime | None = None  # the last pass, by any worker
    silent_s: float | None = None  # seconds since the last heartbeat of any worker
    next_due: datetime | None = None  # the next queued item's time (or retry time)
    due_now: int = 0  # queued items whose time has come and that still wait
    paused: bool = False
    failures: list[WorkerFailure] = Field(default_factory=list)  # newest first
    workers: list[WorkerBeat] = Field(default_factory=list)  # newest heartbeat first

    def summary(self) -> str:
        """One line in English, for the CLI and logs."""
        if self.alive:
            when = self.last_run.isoformat(timespec="seconds") if self.last_run else "not yet"
            line = f"publishing worker: {self.where}, every {self.interval_s:g} s, last run {when}"
        elif self.silent_s is None:
            line = "no publishing worker has ever run: nothing is published"
        else:
            line = (
                f"no publishing worker has run for {self.silent_s / 60:.0f} min (more than "
                f"{STALE_INTERVALS} intervals of {self.interval_s:g} s): nothing is published"
            )
        if not self.alive:
            line += "; run `cmassist serve` (it starts one) or `cmassist worker`"
        if self.paused:
            line += "; publishing is paused"
        if self.due_now:
            line += f"; {self.due_now} item(s) due and waiting"
        return line


class OutboxWorker:
    """Runs outbox passes every `interval` seconds until stopped, writing heartbeats.

    `run()` loops in the calling thread (`cmassist worker`); `start()` runs it in a daemon
    thread (`cmassist serve`). `stop()` ends it after the pass under way, if any."""

    def __init__(
        self,
        review: ReviewService,
        *,
        kind: Kind = "worker",
        interval: float | None = None,
        adapters: Mapping[str, Publisher] | None = None,
        by: str = "system",
        limit: int = 100,
        on_pass: Callable[[PublishReport], None] | None = None,
    ) -> None:
        self.review = review
        self.kind = kind
        self.interval = interval or review.settings.publish_interval
        self.adapters = adapters
        self.by = by  # who the expiries are recorded under
        self.limit = limit
        self.on_pass = on_pass
        self.host = socket.gethostname()
        self.pid = os.getpid()
        # One-off passes share a row per host, so that a cron job adds no row per run.
        suffix = "once" if kind == "once" else f"{self.pid}-{secrets.token_hex(3)}"
        self.id = f"{self.host}-{suffix}"[:120]
        self.last_report: PublishReport | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._started_at: datetime | None = None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def run_once(self) -> PublishReport:
        """One pass and its heartbeat. A failure of the pass itself (the database is
        unreachable, a publisher is misconfigured) is kept in the heartbeat and raised."""
        if self._started_at is None:
            self._started_at = self.review.now()
            self._forget_old()
        once = self.kind == "once"
        try:
            report = run_pass(self.review, adapters=self.adapters, by=self.by, limit=self.limit)
        except Exception as e:
            message = str(e) if isinstance(e, CmassistError) else f"{type(e).__name__}: {e}"
            self._beat(ran=True, error=message, stopped=once)
            raise
        self.last_report = report
        self._beat(ran=True, stopped=once)
        if self.on_pass is not None:
            self.on_pass(report)
        return report

    def run(self) -> None:
        """Pass after pass until `stop()`; a failed pass is logged and tried again at the
        next one. The heartbeat says when it stopped."""
        self._stop.clear()
        if self._started_at is None:
            self._started_at = self.review.now()
            self._forget_old()
        self._beat()  # running from now on, even while a long first pass is under way
        try:
            while not self._stop.is_set():
                try:
                    self.run_once()
                except CmassistError as e:  # said in one line: it repeats every pass
                    log.error("publishing pass failed: %s; next try in %g s", e, self.interval)
                except Exception:
                    log.exception("publishing pass failed; next try in %g s", self.interval)
                self._stop.wait(self.interval)
        finally:
            self._beat(stopped=True)

    def start(self) -> OutboxWorker:
        if not self.running:
            self._stop.clear()
            self._thread = threading.Thread(target=self.run, name="outbox worker", daemon=True)
            self._thread.start()
        return self

    def stop(self, timeout: float = 60.0) -> None:
        """Stop after the pass under way (each item is settled, none is left claimed).
        Safe from a signal handler of the thread that runs `run()`."""
        self._stop.set()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)
            if not thread.is_alive():
                self._thread = None

    def _beat(self, *, ran: bool = False, error: str = "", stopped: bool = False) -> None:
        now = self.review.now()
        try:
            with self.review.db.transaction() as uow:
                old = uow.workers.get(self.id)
                beat = WorkerRecord(
                    id=self.id,
                    kind=self.kind,
                    host=self.host,
                    pid=self.pid,
                    interval=self.interval,
                    started_at=old.started_at if old else self._started_at or now,
                    beat_at=now,
                    last_run_at=old.last_run_at if old else None,
                    stopped_at=now if stopped else None,
                    last_error=old.last_error if old else "",
                )
                if ran:
                    beat = replace(beat, last_run_at=now, last_error=error)
                uow.workers.save(beat)
        except Exception:
            log.exception("cannot write the publishing worker's heartbeat")

    def _forget_old(self) -> None:
        cutoff = self.review.now() - FORGET_AFTER
        try:
            with self.review.db.transaction() as uow:
                uow.workers.forget_before(cutoff)
        except Exception:
            log.exception("cannot clean up old publishing worker heartbeats")


def worker_status(
    review: ReviewService,
    *,
    here: OutboxWorker | None = None,
    failures: int = 10,
    now: datetime | None = None,
) -> WorkerStatus:
    """Whether publishing runs and where, from the heartbeats in the database (so a
    `cmassist worker` in another process counts), with the next item due and the last
    `failures` failed or blocked items. `here`: the worker of the asking process, if any."""
    now = now or review.now()
    max_attempts = review.settings.publish_max_attempts
    with review.db.transaction() as uow:
        beats = [_beat_view(row, now, here) for row in uow.workers.all()]
        next_due = uow.outbox.next_due(max_attempts)
        due_now = uow.outbox.due_count(now, max_attempts)
    failed = review.audit.entries(
        limit=max(0, failures), actor=WORKER, actions=("publish_failed", "publish_blocked")
    )
    alive = [b for b in beats if b.alive]
    where: Where = "none"
    if any(b.here for b in alive):
        where = "this server"
    elif any(b.kind == "worker" for b in alive):
        where = "separate worker"
    elif any(b.kind == "server" for b in alive):
        where = "another server"
    elif alive:
        where = "one-off runs"
    runs = [b.last_run for b in beats if b.last_run is not None]
    interval = alive[0].interval_s if alive else review.settings.publish_interval
    return WorkerStatus(
        at=now,
        alive=bool(alive),
        where=where,
        interval_s=interval,
        last_run=max(runs) if runs else None,
        silent_s=(now - beats[0].beat_at).total_seconds() if beats else None,
        next_due=next_due,
        due_now=due_now,
        paused=review.is_paused(),
        failures=[_failure(entry) for entry in failed],
        workers=beats,
    )


def _beat_view(row: WorkerRecord, now: datetime, here: OutboxWorker | None) -> WorkerBeat:
    silence = max(STALE_INTERVALS * row.interval, STALE_FLOOR_S)
    recent = now - row.beat_at <= timedelta(seconds=silence)
    # A one-off pass (cron) is stopped as soon as it ends: it counts while recent.
    alive = recent and (row.stopped_at is None or row.kind == "once")
    return WorkerBeat(
        id=row.id,
        kind=row.kind,  # type: ignore[arg-type]
        host=row.host,
        pid=row.pid,
        interval_s=row.interval,
        started_at=row.started_at,
        beat_at=row.beat_at,
        last_run=row.last_run_at,
        stopped_at=row.stopped_at,
        last_error=row.last_error,
        alive=alive,
        here=here is not None and here.running and row.id == here.id,
    )


def _failure(entry: AuditView) -> WorkerFailure:
    details = entry.details
    item = details.get("item")
    return WorkerFailure(
        at=entry.at,
        item_id=item if isinstance(item, int) else None,
        draft_id=entry.draft_id,
        adapter=str(details.get("adapter", "")),
        error=entry.reason,
        final=entry.action == "publish_blocked" or bool(details.get("final", True)),
    )
