"""SQL repositories for the inbox's messages and crisis alerts, over the session of one unit
of work; `register_inbox` adds them to a database's units of work as `inbox` and `alerts`."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from cmassist.adapters.db.tables import CrisisRow, InboxRow
from cmassist.adapters.db.uow import SqlDatabase
from cmassist.domain.messages import IncomingMessage
from cmassist.services.ports.inbox import (
    AlertView,
    MessageFilter,
    MessageView,
    NegativeMessage,
    NewAlert,
    PendingMessage,
    TriageUpdate,
)

_IN_CHUNK = 500  # ids per IN (...) clause: well under every database's limit


def register_inbox(database: SqlDatabase) -> None:
    """Give every unit of work of `database` the inbox's repositories."""
    database.register("inbox", SqlMessageRepository)
    database.register("alerts", SqlAlertRepository)


def _message(row: InboxRow) -> MessageView:
    return MessageView.model_validate(row, from_attributes=True)


def _alert(row: CrisisRow) -> AlertView:
    return AlertView.model_validate(row, from_attributes=True)


class SqlMessageRepository:
    def __init__(self, session: Session) -> None:
        self.s = session

    def content_hashes(self, keys: Sequence[tuple[str, str]]) -> dict[tuple[str, str], str]:
        by_brand: dict[str, list[str]] = {}
        for brand, external_id in keys:
            by_brand.setdefault(brand, []).append(external_id)
        out: dict[tuple[str, str], str] = {}
        for brand, ids in by_brand.items():
            for i in range(0, len(ids), _IN_CHUNK):
                q = select(InboxRow.external_id, InboxRow.text_hash).where(
                    InboxRow.brand == brand, InboxRow.external_id.in_(ids[i : i + _IN_CHUNK])
                )
                for ext, h in self.s.execute(q):
                    out[(brand, ext)] = h
        return out

    def find(self, brand: str, external_id: str) -> tuple[int, str] | None:
        q = select(InboxRow.id, InboxRow.text_hash).where(
            InboxRow.brand == brand, InboxRow.external_id == external_id
        )
        row = self.s.execute(q).first()
        return None if row is None else (int(row[0]), str(row[1]))

    def add(self, message: IncomingMessage, *, at: datetime, source: str) -> int:
        row = InboxRow(
            brand=message.brand,
            external_id=message.id,
            platform=message.platform,
            kind=message.kind,
            author=message.author,
            text=message.text,
            text_hash=message.content_hash,
            thread=message.thread,
            received_at=message.time,
            imported_at=at,
            source=source[:200],
            status="new",
        )
        self.s.add(row)
        self.s.flush()
        return row.id

    def pending_count(self) -> int:
        q = select(func.count()).select_from(InboxRow).where(InboxRow.triaged_at.is_(None))
        return int(self.s.scalar(q) or 0)

    def pending(self, limit: int) -> list[PendingMessage]:
        q = (
            select(InboxRow.id, InboxRow.brand, InboxRow.text)
            .where(InboxRow.triaged_at.is_(None))
            .order_by(InboxRow.id)
            .limit(limit)
        )
        return [PendingMessage(i, b, t) for i, b, t in self.s.execute(q)]

    def set_triage(self, message_id: int, update: TriageUpdate, *, at: datetime) -> bool:
        row = self.s.get(InboxRow, message_id)
        if row is None:
            return False
        row.triage = update.triage
        row.triaged_at = at
        row.priority = update.priority
        row.action = update.action
        row.sentiment = update.sentiment
        row.language = update.language
        row.topic = update.topic
        row.negative = update.negative
        return True

    def search(self, where: MessageFilter, limit: int) -> list[MessageView]:
        q = select(InboxRow)
        for col, value in (
            (InboxRow.brand, where.brand),
            (InboxRow.platform, where.platform),
            (InboxRow.action, where.action),
            (InboxRow.sentiment, where.sentiment),
            (InboxRow.language, where.language),
            (InboxRow.status, where.status),
            (InboxRow.topic, where.topic),
        ):
            if value:
                q = q.where(col == value)
        q = q.order_by(
            InboxRow.priority.desc(), InboxRow.received_at.desc(), InboxRow.id.desc()
        ).limit(limit)
        return [_message(r) for r in self.s.scalars(q)]

    def get(self, message_id: int) -> MessageView | None:
        row = self.s.get(InboxRow, message_id)
        return None if row is None else _message(row)

    def by_ids(self, ids: Sequence[int]) -> list[MessageView]:
        q = select(InboxRow).where(InboxRow.id.in_(list(ids))).order_by(InboxRow.received_at)
        return [_message(r) for r in self.s.scalars(q)]

    def counts(self, brand: str | None) -> dict[str, int]:
        q = select(InboxRow.status, func.count()).group_by(InboxRow.status)
        if brand:
            q = q.where(InboxRow.brand == brand)
        return {k: int(v) for k, v in self.s.execute(q)}

    def set_status(self, ids: Sequence[int], status: str, *, by: str, at: datetime) -> list[int]:
        rows = list(self.s.scalars(select(InboxRow).where(InboxRow.id.in_(list(ids)))))
        missing = sorted(set(ids) - {r.id for r in rows})
        if missing:
            return missing
        for r in rows:
            r.status = status
            r.handled_by = by if status != "new" else ""
            r.handled_at = at if status != "new" else None
        return []

    def link_draft(self, message_id: int, draft_id: int) -> bool:
        row = self.s.get(InboxRow, message_id)
        if row is None:
            return False
        row.draft_id = draft_id
        return True

    def negatives(self, brand: str, until: datetime | None) -> list[NegativeMessage]:
        q = select(InboxRow.id, InboxRow.topic, InboxRow.received_at, InboxRow.text).where(
            InboxRow.brand == brand, InboxRow.negative.is_(True)
        )
        if until is not None:
            q = q.where(InboxRow.received_at <= until)
        return [NegativeMessage(i, topic or "", t, text) for i, topic, t, text in self.s.execute(q)]


class SqlAlertRepository:
    def __init__(self, session: Session) -> None:
        self.s = session

    def open(self, brand: str) -> list[AlertView]:
        q = select(CrisisRow).where(CrisisRow.brand == brand, CrisisRow.status == "open")
        return [_alert(r) for r in self.s.scalars(q)]

    def add(self, alert: NewAlert, *, at: datetime) -> AlertView:
        row = CrisisRow(
            brand=alert.brand,
            topic=alert.topic,
            window_start=alert.window_start,
            window_end=alert.window_end,
            count=alert.count,
            baseline=alert.baseline,
            reason=alert.reason,
            message_ids=list(alert.message_ids),
            status="open",
            raised_at=at,
            draft_ids=[],
        )
        self.s.add(row)
        self.s.flush()
        return _alert(row)

    def extend(
        self, alert_id: int, message_ids: Sequence[int], window_end: datetime, reason: str
    ) -> None:
        row = self.s.get(CrisisRow, alert_id)
        if row is None:
            return
        row.message_ids = sorted(set(message_ids))
        row.count = len(row.message_ids)
        row.window_end = max(row.window_end, window_end)
        row.reason = reason

    def search(self, *, status: str | None, brand: str | None) -> list[AlertView]:
        q = select(CrisisRow).order_by(CrisisRow.raised_at.desc())
        if status:
            q = q.where(CrisisRow.status == status)
        if brand:
            q = q.where(CrisisRow.brand == brand)
        return [_alert(r) for r in self.s.scalars(q)]

    def get(self, alert_id: int) -> AlertView | None:
        row = self.s.get(CrisisRow, alert_id)
        return None if row is None else _alert(row)

    def close(self, alert_id: int, *, by: str, at: datetime) -> bool:
        done = self.s.execute(
            update(CrisisRow)
            .where(CrisisRow.id == alert_id)
            .values(status="closed", closed_by=by, closed_at=at)
        )
        return bool(done.rowcount)  # type: ignore[attr-defined]

    def add_drafts(self, alert_id: int, draft_ids: Sequence[int]) -> None:
        row = self.s.get(CrisisRow, alert_id)
        if row is not None:
            row.draft_ids = sorted(set(row.draft_ids) | set(draft_ids))
