"""The SQL outbox: publishing items, and the conditional writes that claim and settle them
so that two workers never both take or record the same item."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.orm import Session

from cmassist.adapters.db.repositories import to_record
from cmassist.adapters.db.tables import OutboxRow
from cmassist.domain.timeutil import as_utc
from cmassist.services.ports.persistence import OutboxRecord


def _claimable(now: datetime, lease_cutoff: datetime, max_attempts: int | None = None) -> Any:
    condition = or_(
        and_(
            OutboxRow.state == "queued",
            OutboxRow.due_at <= now,
            func.coalesce(OutboxRow.next_attempt_at, OutboxRow.due_at) <= now,
        ),
        and_(OutboxRow.state == "publishing", OutboxRow.claimed_at <= lease_cutoff),
    )
    if max_attempts is None:
        return condition
    return and_(condition, OutboxRow.attempts < max_attempts)


class SqlOutboxRepository:
    def __init__(self, session: Session) -> None:
        self.s = session

    def _change(self, item_id: int, *where: Any, **values: Any) -> bool:
        done = self.s.execute(
            update(OutboxRow)
            .where(OutboxRow.id == item_id, *where)
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        return getattr(done, "rowcount", 0) == 1

    def get(self, item_id: int) -> OutboxRecord | None:
        row = self.s.get(OutboxRow, item_id, populate_existing=True)
        return None if row is None else to_record(OutboxRecord, row)

    def by_key(self, idempotency_key: str) -> OutboxRecord | None:
        row = self.s.scalar(select(OutboxRow).where(OutboxRow.idempotency_key == idempotency_key))
        return None if row is None else to_record(OutboxRecord, row)

    def search(
        self,
        *,
        state: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        draft_id: int | None = None,
    ) -> list[OutboxRecord]:
        q = select(OutboxRow)
        if draft_id is not None:
            q = q.where(OutboxRow.draft_id == draft_id).order_by(OutboxRow.id)
        else:
            q = q.order_by(OutboxRow.due_at)
        if state:
            q = q.where(OutboxRow.state == state)
        if since:
            q = q.where(OutboxRow.due_at >= since)
        if until:
            q = q.where(OutboxRow.due_at < until)
        return [to_record(OutboxRecord, o) for o in self.s.scalars(q)]

    def add(
        self,
        *,
        draft_id: int,
        version: int,
        text_hash: str,
        adapter: str,
        idempotency_key: str,
        due_at: datetime,
        at: datetime,
    ) -> None:
        self.s.add(
            OutboxRow(
                draft_id=draft_id,
                version=version,
                text_hash=text_hash,
                adapter=adapter,
                idempotency_key=idempotency_key,
                state="queued",
                due_at=due_at,
                next_attempt_at=due_at,
                attempts=0,
                last_error="",
                external_ref="",
                created_at=at,
            )
        )
        self.s.flush()

    def requeue(self, item_id: int, due_at: datetime) -> None:
        self._change(item_id, state="queued", due_at=due_at, next_attempt_at=due_at, last_error="")

    def cancel_queued(self, draft_id: int, reason: str) -> int:
        done = self.s.execute(
            update(OutboxRow)
            .where(OutboxRow.draft_id == draft_id, OutboxRow.state == "queued")
            .values(state="cancelled", last_error=reason)
            .execution_options(synchronize_session=False)
        )
        return int(getattr(done, "rowcount", 0) or 0)

    def due(self, now: datetime, lease_cutoff: datetime, limit: int) -> list[OutboxRecord]:
        q = (
            select(OutboxRow)
            .where(_claimable(now, lease_cutoff))
            .order_by(func.coalesce(OutboxRow.next_attempt_at, OutboxRow.due_at), OutboxRow.id)
            .limit(max(0, limit))
        )
        return [to_record(OutboxRecord, o) for o in self.s.scalars(q)]

    def claim(self, item_id: int, now: datetime, lease_cutoff: datetime, max_attempts: int) -> bool:
        return self._change(
            item_id,
            _claimable(now, lease_cutoff, max_attempts),
            state="publishing",
            claimed_at=now,
            attempts=OutboxRow.attempts + 1,
        )

    def block(self, item_id: int, error: str) -> None:
        self._change(item_id, state="failed", last_error=error, next_attempt_at=None)

    def mark_published(self, item_id: int, external_ref: str, at: datetime) -> bool:
        return self._change(
            item_id,
            OutboxRow.state != "published",
            state="published",
            external_ref=external_ref,
            published_at=at,
            last_error="",
            next_attempt_at=None,
        )

    def settle(
        self,
        item_id: int,
        *,
        expected_state: str,
        expected_attempts: int,
        state: str,
        last_error: str,
        next_attempt_at: datetime | None,
    ) -> bool:
        return self._change(
            item_id,
            OutboxRow.state == expected_state,
            OutboxRow.attempts == expected_attempts,
            state=state,
            last_error=last_error,
            next_attempt_at=next_attempt_at,
        )

    def unsettled(self, draft_id: int, version: int) -> int:
        q = select(func.count(OutboxRow.id)).where(
            OutboxRow.draft_id == draft_id,
            OutboxRow.version == version,
            OutboxRow.state.not_in(("published", "cancelled")),
        )
        return int(self.s.scalar(q) or 0)

    def _queued(self, max_attempts: int) -> Any:
        return (OutboxRow.state == "queued") & (OutboxRow.attempts < max_attempts)

    def next_due(self, max_attempts: int) -> datetime | None:
        when = func.coalesce(OutboxRow.next_attempt_at, OutboxRow.due_at)
        at = self.s.scalar(select(func.min(when)).where(self._queued(max_attempts)))
        # An aggregate comes back without the column's type: SQLite gives the stored text.
        return None if at is None else as_utc(at)

    def due_count(self, now: datetime, max_attempts: int) -> int:
        when = func.coalesce(OutboxRow.next_attempt_at, OutboxRow.due_at)
        q = select(func.count(OutboxRow.id)).where(self._queued(max_attempts), when <= now)
        return int(self.s.scalar(q) or 0)
