"""The inbox: incoming comments, mentions and direct messages, imported, triaged and worked.

Messages arrive from CSV, JSON or JSONL files (`import_messages`, what `cmassist inbox
import` and the app's Inbox tab call) or one at a time through the HTTP endpoint (`receive`,
`cmassist.interfaces.http.inbox_api`); the schema is `cmassist.domain.messages`'s. Every
change is audited in the transaction that makes it.
"""

from __future__ import annotations

import builtins
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Literal, Protocol

from cmassist.domain.brands import brand_slug
from cmassist.domain.errors import InputError, NotFoundError
from cmassist.domain.messages import (
    STATUSES,
    IncomingMessage,
    MessageConflictError,
    RowError,
    check_message,
    parse_time,
)
from cmassist.domain.readers import SourceRow
from cmassist.services.audit import AuditLog
from cmassist.services.crisis_detection import CrisisPolicy, Wave, same_wave, subject_terms
from cmassist.services.inbox_import import (
    MAX_FILE_BYTES,
    ImportReport,
    InboxImportReport,
    check_rows,
    id_clash,
    read_message_file,
    read_messages,
)
from cmassist.services.ports.inbox import (
    AlertView,
    InboxDatabase,
    InboxUnitOfWork,
    MessageFilter,
    MessageView,
    NewAlert,
    TriageFn,
    TriageUpdate,
)

__all__ = [  # what the interfaces import from here
    "MAX_FILE_BYTES",
    "STATUSES",
    "AlertView",
    "CrisisPolicy",
    "ImportReport",
    "InboxImportReport",
    "InboxService",
    "IncomingMessage",
    "MessageView",
    "Receipt",
    "RowError",
    "TriageBatch",
    "parse_time",
    "subject_terms",
]

TRIAGE_BATCH = 256  # messages embedded and written at once


class Actor(Protocol):
    """Who acts: a logged-in user (`cmassist.services.review.Actor`)."""

    @property
    def name(self) -> str: ...


@dataclass(frozen=True)
class Receipt:
    """What became of one message received over HTTP."""

    status: Literal["accepted", "duplicate", "queue_full"]
    id: int | None  # the inbox id; None when the queue was full
    pending: int  # messages waiting for triage when it arrived


@dataclass
class TriageBatch:
    """One batch of triage: the messages triaged, and the crisis alerts it raised."""

    ids: list[int]
    alerts: list[AlertView]


class InboxService:
    """Inbox messages and crisis alerts in the review database (same transactions, same
    audit log)."""

    def __init__(
        self,
        database: InboxDatabase,
        audit: AuditLog,
        triage: TriageFn | None = None,
        *,
        crisis: CrisisPolicy | None = None,
    ) -> None:
        self.db = database
        self.audit = audit
        self.triage_fn = triage
        self.crisis = crisis or CrisisPolicy()
        # Counting the queue and storing a message under one lock: the bound is exact.
        self._admit = threading.Lock()

    # -- the import workflow ---------------------------------------------------------------

    def import_messages(
        self,
        path: str | Path,
        *,
        brand: str,
        skip_bad: bool = False,
        triage: bool = True,
        name: str | None = None,
    ) -> InboxImportReport:
        """Import a file of messages, triage everything waiting (in batches), and report
        the crisis alerts of the imported brands: raised now, and open.

        `name` is what messages call the file (default: the path as given; the app passes
        the upload's own name). A file with a bad row stores nothing unless `skip_bad`."""
        shown = name or str(path)
        rows = self.import_file(path, brand=brand, skip_bad=skip_bad, name=shown)
        brands = set(rows.brands) | ({brand_slug(brand)} if brand else set())
        written = not rows.errors or skip_bad
        report = InboxImportReport(shown, sorted(brands), rows, written)
        if written and triage:
            for batch in self.triage_batches():
                report.triage_batches += 1
                report.triaged += len(batch.ids)
                report.alerts_raised += [a for a in batch.alerts if a.brand in brands]
        report.open_alerts = [a for b in report.brands for a in self.alerts(brand=b)]
        return report

    def triage_batches(self, *, batch: int = TRIAGE_BATCH) -> Iterable[TriageBatch]:
        """Triage every message waiting, `batch` at a time; messages that arrive meanwhile
        wait for the next run, so this ends even under a steady flow."""
        left = self.pending()
        while left > 0:
            done = self.triage_batch(limit=min(batch, left))
            if not done.ids:
                return
            left -= len(done.ids)
            yield done

    def triage_all(self, *, batch: int = TRIAGE_BATCH) -> TriageBatch:
        """Triage every message waiting (`cmassist inbox triage`): their ids, and the crisis
        alerts raised."""
        done = TriageBatch([], [])
        for one in self.triage_batches(batch=batch):
            done.ids += one.ids
            done.alerts += one.alerts
        return done

    # -- intake ----------------------------------------------------------------------------

    def import_bytes(
        self,
        data: bytes,
        name: str,
        *,
        brand: str = "",
        skip_bad: bool = False,
        source: str | None = None,
    ) -> ImportReport:
        """Store the messages of a file's bytes (see `cmassist.services.inbox_import`)."""
        rows = read_messages(data, name)
        return self.add_rows(rows, brand=brand, skip_bad=skip_bad, source=source or Path(name).name)

    def import_file(
        self, path: str | Path, *, brand: str = "", skip_bad: bool = False, name: str | None = None
    ) -> ImportReport:
        """Store the messages of a file; `name` is what messages call it (default: the path)."""
        rows = read_message_file(path, name)
        return self.add_rows(rows, brand=brand, skip_bad=skip_bad, source=Path(path).name)

    def add_rows(
        self,
        rows: Iterable[SourceRow],
        *,
        brand: str = "",
        skip_bad: bool = False,
        source: str = "",
    ) -> ImportReport:
        """Check every row, then store the good ones in one transaction: all of them, or
        with `skip_bad` all but the bad ones; nothing when a row is bad otherwise."""
        checked = check_rows(rows, brand)
        report = checked.report
        if report.errors and not skip_bad:
            return report  # nothing written
        with self.db.transaction() as uow:
            existing = uow.inbox.content_hashes([(m.brand, m.id) for _, m in checked.good])
            new: list[IncomingMessage] = []
            for row, msg in checked.good:
                old = existing.get((msg.brand, msg.id))
                if old is None:
                    new.append(msg)
                elif old == msg.content_hash:
                    report.skipped += 1
                else:
                    report.errors.append(id_clash(row, msg))
            if report.errors and not skip_bad:
                return report  # nothing written
            now = self.db.now()
            report.added = [uow.inbox.add(m, at=now, source=source) for m in new]
        report.brands = sorted({m.brand for m in new})
        return report

    def add_one(self, raw: object, *, brand: str = "", source: str = "api") -> tuple[int, bool]:
        """Store one message durably: (inbox id, created). Raises InputError on a bad one,
        MessageConflictError when its id is already in the inbox with other content."""
        checked = check_message(raw, "message", brand)
        if checked.message is None:
            raise InputError("; ".join(f"field {e.field!r}: {e.problem}" for e in checked.errors))
        msg = checked.message
        with self.db.transaction() as uow:
            old = uow.inbox.find(msg.brand, msg.id)
            if old is not None:
                if old[1] != msg.content_hash:
                    raise MessageConflictError(
                        f"id {msg.id!r} is already in the inbox with other content",
                        "ids must be unique per brand",
                    )
                return old[0], False
            return uow.inbox.add(msg, at=self.db.now(), source=source), True

    def receive(self, raw: object, *, brand: str, queue_max: int) -> Receipt:
        """One message from the HTTP endpoint: stored before this returns, unless
        `queue_max` messages already wait for triage (then nothing is stored)."""
        with self._admit:
            pending = self.pending()
            if pending >= queue_max:
                return Receipt("queue_full", None, pending)
            inbox_id, created = self.add_one(raw, brand=brand)
        return Receipt("accepted" if created else "duplicate", inbox_id, pending)

    # -- triage ----------------------------------------------------------------------------

    def pending(self) -> int:
        """How many messages wait for triage."""
        with self.db.transaction() as uow:
            return uow.inbox.pending_count()

    def triage_pending(self, *, limit: int = TRIAGE_BATCH) -> list[int]:
        """Triage up to `limit` untriaged messages; returns their ids."""
        return self.triage_batch(limit=limit).ids

    def triage_batch(self, *, limit: int = TRIAGE_BATCH) -> TriageBatch:
        """Triage up to `limit` untriaged messages, then look for a crisis in each brand."""
        if self.triage_fn is None:
            return TriageBatch([], [])
        with self.db.transaction() as uow:
            work = uow.inbox.pending(limit)
        by_brand: dict[str, list[tuple[int, str]]] = {}
        for m in work:
            by_brand.setdefault(m.brand, []).append((m.id, m.text))
        done = TriageBatch([], [])
        for brand, items in by_brand.items():
            readings = self.triage_fn(brand, [t for _, t in items])
            now = self.db.now()
            with self.db.transaction() as uow:
                for (i, _), reading in zip(items, readings, strict=True):
                    if uow.inbox.set_triage(i, TriageUpdate.of(reading), at=now):
                        done.ids.append(i)
            done.alerts += self.detect_crisis(brand)
        return done

    # -- reading ---------------------------------------------------------------------------

    def list(
        self,
        *,
        brand: str | None = None,
        platform: str | None = None,
        action: str | None = None,
        sentiment: str | None = None,
        language: str | None = None,
        status: str | None = "new",
        topic: str | None = None,
        limit: int = 500,
    ) -> builtins.list[MessageView]:
        """Messages, most urgent first (priority, then newest)."""
        where = MessageFilter(
            brand_slug(brand) if brand else None,
            platform,
            action,
            sentiment,
            language,
            status,
            topic,
        )
        with self.db.transaction() as uow:
            return uow.inbox.search(where, limit)

    def get(self, message_id: int) -> MessageView:
        with self.db.transaction() as uow:
            found = uow.inbox.get(message_id)
        if found is None:
            raise NotFoundError(f"no inbox message {message_id}", "see `cmassist inbox list`")
        return found

    def counts(self, brand: str | None = None) -> dict[str, int]:
        """How many messages in each status, for one brand or all."""
        with self.db.transaction() as uow:
            return uow.inbox.counts(brand_slug(brand) if brand else None)

    def messages(self, ids: Sequence[int]) -> builtins.list[MessageView]:
        """The messages, oldest first."""
        with self.db.transaction() as uow:
            return uow.inbox.by_ids(ids)

    # -- working the queue -----------------------------------------------------------------

    def set_status(self, actor: Actor, ids: Sequence[int], status: str, *, reason: str = "") -> int:
        """Hide or mark handled (or reopen) several messages at once; audited."""
        if status not in STATUSES:
            raise InputError(f"unknown status {status!r}", f"use one of {', '.join(STATUSES)}")
        chosen = sorted({int(i) for i in ids})
        if not chosen:
            raise InputError("no messages selected", "select at least one message")
        with self.db.transaction() as uow:
            missing = uow.inbox.set_status(chosen, status, by=actor.name, at=self.db.now())
            if missing:
                raise NotFoundError(f"no inbox message {missing[0]}", "refresh the inbox")
            self.audit.record(uow, actor.name, f"inbox_{status}", reason=reason, messages=chosen)
        return len(chosen)

    def link_draft(self, actor: Actor, message_id: int, draft_id: int) -> None:
        """Remember the reply drafted for a message; audited."""
        with self.db.transaction() as uow:
            if not uow.inbox.link_draft(message_id, draft_id):
                raise NotFoundError(f"no inbox message {message_id}", "refresh the inbox")
            self.audit.record(
                uow, actor.name, "inbox_reply_drafted", draft_id=draft_id, messages=[message_id]
            )

    # -- crisis ----------------------------------------------------------------------------

    def detect_crisis(self, brand: str, *, at: datetime | None = None) -> builtins.list[AlertView]:
        """Raise (or extend) alerts where negative messages spike (see CrisisPolicy);
        returns the alerts raised."""
        brand = brand_slug(brand)
        with self.db.transaction() as uow:
            waves = self.crisis.waves(uow.inbox.negatives(brand, at))
            open_alerts = uow.alerts.open(brand)
            raised: builtins.list[AlertView] = []
            for wave in waves:
                if self._extend_alert(uow, open_alerts, wave):
                    continue
                spike = wave.spike
                alert = uow.alerts.add(
                    NewAlert(
                        brand, wave.topic, spike.start, spike.end, len(spike.message_ids),
                        spike.baseline, spike.reason, spike.message_ids,
                    ),
                    at=self.db.now(),
                )  # fmt: skip
                open_alerts.append(alert)
                self._audit_alert(uow, alert)
                raised.append(alert)
            return raised

    @staticmethod
    def _extend_alert(
        uow: InboxUnitOfWork, open_alerts: builtins.list[AlertView], wave: Wave
    ) -> bool:
        """Grow the open alert of the same wave, if there is one (True then)."""
        same = same_wave(wave, open_alerts)
        if same is None:
            return False
        merged = sorted(set(same.message_ids) | set(wave.spike.message_ids))
        if merged != sorted(same.message_ids):
            uow.alerts.extend(same.id, merged, wave.spike.end, wave.spike.reason)
            grown = same.model_copy(
                update={
                    "message_ids": merged,
                    "count": len(merged),
                    "window_end": max(same.window_end, wave.spike.end),
                    "reason": wave.spike.reason,
                }
            )
            open_alerts[open_alerts.index(same)] = grown
        return True

    def _audit_alert(self, uow: InboxUnitOfWork, alert: AlertView) -> None:
        self.audit.record(
            uow,
            "system",
            "crisis_alert",
            reason=alert.reason,
            brand=alert.brand,
            topic=alert.topic,
            alert=alert.id,
        )

    def alerts(
        self, *, status: str | None = "open", brand: str | None = None
    ) -> builtins.list[AlertView]:
        """Crisis alerts, the latest raised first."""
        with self.db.transaction() as uow:
            return uow.alerts.search(status=status, brand=brand_slug(brand) if brand else None)

    def alert(self, alert_id: int) -> AlertView:
        with self.db.transaction() as uow:
            found = uow.alerts.get(alert_id)
        if found is None:
            raise NotFoundError(f"no crisis alert {alert_id}", "see `cmassist inbox alerts`")
        return found

    def close_alert(self, actor: Actor, alert_id: int, *, reason: str = "") -> None:
        """Close a crisis alert; audited."""
        with self.db.transaction() as uow:
            if not uow.alerts.close(alert_id, by=actor.name, at=self.db.now()):
                raise NotFoundError(f"no crisis alert {alert_id}", "see `cmassist inbox alerts`")
            self.audit.record(uow, actor.name, "crisis_closed", reason=reason, alert=alert_id)

    def add_alert_drafts(self, alert_id: int, draft_ids: Sequence[int]) -> None:
        """Remember the holding-statement drafts written for an alert."""
        with self.db.transaction() as uow:
            uow.alerts.add_drafts(alert_id, draft_ids)
