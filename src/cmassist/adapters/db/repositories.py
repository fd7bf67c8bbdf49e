"""SQL repositories for users, the audit log, stored flags and worker heartbeats; each
reads and writes through the session of one unit of work."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import fields
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from cmassist.adapters.db.tables import AuditRow, SettingRow, User, WorkerRow
from cmassist.services.ports.persistence import (
    AuditRecord,
    JSONValue,
    UserRecord,
    WorkerRecord,
)

R = TypeVar("R")


def to_record(cls: type[R], row: object) -> R:
    """A frozen record of a row: the record's fields read from the row's attributes."""
    return cls(**{f.name: getattr(row, f.name) for f in fields(cls)})  # type: ignore[arg-type]


def as_json(value: object) -> Any:
    """Anything as plain JSON (times and other objects as text), as the database keeps it."""
    return json.loads(json.dumps(value, default=str))


class SqlUserRepository:
    def __init__(self, session: Session) -> None:
        self.s = session

    def by_name(self, name: str) -> UserRecord | None:
        row = self.s.scalar(select(User).where(User.name == name))
        return None if row is None else to_record(UserRecord, row)

    def by_id(self, user_id: int) -> UserRecord | None:
        row = self.s.get(User, user_id)
        return None if row is None else to_record(UserRecord, row)

    def add(
        self, *, name: str, display_name: str, role: str, password_hash: str, at: datetime
    ) -> UserRecord:
        row = User(
            name=name,
            display_name=display_name,
            role=role,
            password_hash=password_hash,
            disabled=False,
            created_at=at,
        )
        self.s.add(row)
        self.s.flush()
        return to_record(UserRecord, row)

    def all(self) -> list[UserRecord]:
        return [to_record(UserRecord, u) for u in self.s.scalars(select(User).order_by(User.name))]

    def count(self) -> int:
        return int(self.s.scalar(select(func.count(User.id))) or 0)

    def set_role(self, user_id: int, role: str) -> None:
        self.s.execute(update(User).where(User.id == user_id).values(role=role))

    def set_disabled(self, user_id: int, disabled: bool) -> None:
        self.s.execute(update(User).where(User.id == user_id).values(disabled=disabled))

    def names(self) -> dict[int, str]:
        return {i: n for i, n in self.s.execute(select(User.id, User.name))}


class SqlAuditRepository:
    def __init__(self, session: Session) -> None:
        self.s = session

    def add(
        self,
        *,
        at: datetime,
        actor: str,
        action: str,
        draft_id: int | None,
        hash_before: str | None,
        hash_after: str | None,
        reason: str,
        details: Mapping[str, JSONValue],
    ) -> None:
        self.s.add(
            AuditRow(
                at=at,
                actor=actor,
                action=action,
                draft_id=draft_id,
                hash_before=hash_before,
                hash_after=hash_after,
                reason=reason,
                details=as_json(dict(details)),
            )
        )

    def query(
        self,
        *,
        limit: int,
        draft_id: int | None = None,
        actor: str | None = None,
        actions: Sequence[str] | None = None,
    ) -> list[AuditRecord]:
        q = select(AuditRow).order_by(AuditRow.id.desc()).limit(max(0, limit))
        if draft_id is not None:
            q = q.where(AuditRow.draft_id == draft_id)
        if actor:
            q = q.where(AuditRow.actor == actor)
        if actions:
            q = q.where(AuditRow.action.in_(list(actions)))
        return [to_record(AuditRecord, r) for r in self.s.scalars(q)]


class SqlFlagRepository:
    def __init__(self, session: Session) -> None:
        self.s = session

    def get(self, key: str) -> str | None:
        row = self.s.get(SettingRow, key)
        return None if row is None else row.value

    def put(self, key: str, value: str, *, at: datetime, by: str) -> str | None:
        row = self.s.get(SettingRow, key)
        before = None if row is None else row.value
        if row is None:
            row = SettingRow(key=key, value=value, updated_at=at)
            self.s.add(row)
        row.value, row.updated_at, row.updated_by = value, at, by
        return before


class SqlWorkerRepository:
    def __init__(self, session: Session) -> None:
        self.s = session

    def get(self, worker_id: str) -> WorkerRecord | None:
        row = self.s.get(WorkerRow, worker_id)
        return None if row is None else to_record(WorkerRecord, row)

    def save(self, beat: WorkerRecord) -> None:
        row = self.s.get(WorkerRow, beat.id)
        if row is None:
            row = WorkerRow(id=beat.id)
            self.s.add(row)
        for f in fields(WorkerRecord):
            setattr(row, f.name, getattr(beat, f.name))

    def all(self) -> list[WorkerRecord]:
        q = select(WorkerRow).order_by(WorkerRow.beat_at.desc())
        return [to_record(WorkerRecord, r) for r in self.s.scalars(q)]

    def forget_before(self, cutoff: datetime) -> int:
        done = self.s.execute(delete(WorkerRow).where(WorkerRow.beat_at < cutoff))
        return int(getattr(done, "rowcount", 0) or 0)
