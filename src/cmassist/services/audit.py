"""The audit log: every decision, refusal and change recorded (append-only), and the
queries and exports the app and the CLI show."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime

from pydantic import BaseModel

from cmassist.domain.errors import InputError
from cmassist.services.ports.persistence import Database, JSONValue, UnitOfWork

EXPORT_FIELDS = (
    "id",
    "at",
    "actor",
    "action",
    "draft_id",
    "hash_before",
    "hash_after",
    "reason",
    "details",
)


class AuditView(BaseModel):
    id: int
    at: datetime
    actor: str
    action: str
    draft_id: int | None
    hash_before: str | None
    hash_after: str | None
    reason: str
    details: dict[str, JSONValue]


class AuditLog:
    """Writes and reads the audit log of one database."""

    def __init__(self, database: Database) -> None:
        self.db = database

    def record(
        self,
        uow: UnitOfWork | None,
        actor: str,
        action: str,
        *,
        draft_id: int | None = None,
        before: str | None = None,
        after: str | None = None,
        reason: str = "",
        **details: JSONValue,
    ) -> None:
        """Record one entry: in `uow`'s transaction (it stands or falls with the change it
        records), or in a transaction of its own when `uow` is None. `before` and `after`
        are the text hashes around the change; `details` are kept as JSON (times as text)."""
        if uow is None:
            with self.db.transaction() as own:
                self.record(
                    own,
                    actor,
                    action,
                    draft_id=draft_id,
                    before=before,
                    after=after,
                    reason=reason,
                    **details,
                )
            return
        uow.audit.add(
            at=self.db.now(),
            actor=actor,
            action=action,
            draft_id=draft_id,
            hash_before=before,
            hash_after=after,
            reason=reason,
            details=details,
        )

    def refused(
        self, actor: str, action: str, error: Exception, draft_id: int | None = None
    ) -> None:
        """Record a refused action in its own transaction (the action's was rolled back)."""
        self.record(None, actor, "refused", draft_id=draft_id, reason=str(error), attempted=action)

    def entries(
        self,
        *,
        limit: int = 200,
        draft_id: int | None = None,
        actor: str | None = None,
        action: str | None = None,
        actions: tuple[str, ...] = (),
    ) -> list[AuditView]:
        """Entries, the newest first, filtered by draft, actor and action (or any of
        `actions`)."""
        wanted = (action,) if action else actions
        with self.db.transaction() as uow:
            rows = uow.audit.query(
                limit=limit, draft_id=draft_id, actor=actor, actions=wanted or None
            )
        return [AuditView.model_validate(r, from_attributes=True) for r in rows]

    def export(
        self,
        fmt: str,
        *,
        draft_id: int | None = None,
        actor: str | None = None,
        action: str | None = None,
    ) -> str:
        """The whole log (filtered), oldest first, as CSV or JSON."""
        if fmt not in ("csv", "json"):
            raise InputError(f"unknown export format {fmt!r}", "use csv or json")
        entries = self.entries(limit=1_000_000, draft_id=draft_id, actor=actor, action=action)
        rows = [r.model_dump(mode="json") for r in reversed(entries)]
        if fmt == "json":
            return json.dumps(rows, ensure_ascii=False, indent=2)
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=list(EXPORT_FIELDS))
        writer.writeheader()
        for row in rows:
            writer.writerow({**row, "details": json.dumps(row["details"], ensure_ascii=False)})
        return out.getvalue()
