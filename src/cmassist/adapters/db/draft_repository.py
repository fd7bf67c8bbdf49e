"""SQL repositories for drafts and their versions, and for reviewers' decisions, overrides
and comments."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from cmassist.adapters.db.repositories import to_record
from cmassist.adapters.db.tables import CommentRow, DecisionRow, DraftRow, OverrideRow, VersionRow
from cmassist.services.ports.persistence import (
    CommentRecord,
    DecisionRecord,
    DraftRecord,
    JSONValue,
    OverrideRecord,
    VersionRecord,
)


class SqlDraftRepository:
    def __init__(self, session: Session) -> None:
        self.s = session

    def get(self, draft_id: int) -> DraftRecord | None:
        row = self.s.get(DraftRow, draft_id, populate_existing=True)
        return None if row is None else to_record(DraftRecord, row)

    def add(
        self,
        *,
        brand: str,
        kind: str,
        platform: str,
        language: str,
        author_id: int,
        provenance: Mapping[str, JSONValue],
        context: str,
        at: datetime,
    ) -> DraftRecord:
        row = DraftRow(
            brand=brand,
            kind=kind,
            platform=platform,
            language=language,
            author_id=author_id,
            state="draft",
            current_version=1,
            row_version=1,
            provenance=dict(provenance),
            context=context,
            created_at=at,
            updated_at=at,
        )
        self.s.add(row)
        self.s.flush()
        return to_record(DraftRecord, row)

    def update(
        self,
        draft_id: int,
        *,
        seen: int,
        at: datetime,
        state: str | None = None,
        current_version: int | None = None,
        platform: str | None = None,
        submitted_at: datetime | None = None,
    ) -> DraftRecord | None:
        values: dict[str, Any] = {"row_version": seen + 1, "updated_at": at}
        given = {
            "state": state,
            "current_version": current_version,
            "platform": platform,
            "submitted_at": submitted_at,
        }
        values.update({k: v for k, v in given.items() if v is not None})
        done = self.s.execute(
            update(DraftRow)
            .where(DraftRow.id == draft_id, DraftRow.row_version == seen)
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        if getattr(done, "rowcount", 0) != 1:
            return None
        return self.get(draft_id)

    def search(
        self,
        *,
        state: str | None = None,
        brand: str | None = None,
        platform: str | None = None,
        author_id: int | None = None,
        limit: int = 500,
    ) -> list[DraftRecord]:
        q = select(DraftRow).order_by(DraftRow.updated_at.desc()).limit(limit)
        if state:
            q = q.where(DraftRow.state == state)
        if brand:
            q = q.where(DraftRow.brand == brand)
        if platform:
            q = q.where(DraftRow.platform == platform)
        if author_id is not None:
            q = q.where(DraftRow.author_id == author_id)
        return [to_record(DraftRecord, d) for d in self.s.scalars(q)]

    def in_states(self, states: Sequence[str]) -> list[DraftRecord]:
        q = select(DraftRow).where(DraftRow.state.in_(list(states))).order_by(DraftRow.id)
        return [to_record(DraftRecord, d) for d in self.s.scalars(q)]

    def finish_scheduled(self, draft_id: int, version: int, state: str, at: datetime) -> bool:
        moved = self.s.execute(
            update(DraftRow)
            .where(
                DraftRow.id == draft_id,
                DraftRow.state == "scheduled",
                DraftRow.current_version == version,
            )
            .values(state=state, row_version=DraftRow.row_version + 1, updated_at=at)
            .execution_options(synchronize_session=False)
        )
        return getattr(moved, "rowcount", 0) == 1

    def version(self, draft_id: int, number: int) -> VersionRecord:
        q = select(VersionRow).where(VersionRow.draft_id == draft_id, VersionRow.number == number)
        return to_record(VersionRecord, self.s.scalars(q).one())

    def versions(self, draft_id: int) -> list[VersionRecord]:
        q = select(VersionRow).where(VersionRow.draft_id == draft_id).order_by(VersionRow.number)
        return [to_record(VersionRecord, v) for v in self.s.scalars(q)]

    def add_version(
        self,
        *,
        draft_id: int,
        number: int,
        text: str,
        text_hash: str,
        platform: str,
        author_id: int,
        note: str,
        check_result: Mapping[str, JSONValue] | None,
        at: datetime,
    ) -> VersionRecord:
        row = VersionRow(
            draft_id=draft_id,
            number=number,
            text=text,
            text_hash=text_hash,
            platform=platform,
            author_id=author_id,
            created_at=at,
            note=note,
            check_result=None if check_result is None else dict(check_result),
        )
        self.s.add(row)
        self.s.flush()
        return to_record(VersionRecord, row)

    def set_check(self, version_id: int, check: Mapping[str, JSONValue] | None) -> None:
        row = self.s.get(VersionRow, version_id)
        if row is not None:
            row.check_result = None if check is None else dict(check)
            self.s.flush()


class SqlDecisionRepository:
    def __init__(self, session: Session) -> None:
        self.s = session

    def latest(self, draft_id: int) -> DecisionRecord | None:
        q = (
            select(DecisionRow)
            .where(DecisionRow.draft_id == draft_id)
            .order_by(DecisionRow.id.desc())
            .limit(1)
        )
        row = self.s.scalars(q).first()
        return None if row is None else to_record(DecisionRecord, row)

    def for_draft(self, draft_id: int) -> list[DecisionRecord]:
        q = select(DecisionRow).where(DecisionRow.draft_id == draft_id).order_by(DecisionRow.id)
        return [to_record(DecisionRecord, d) for d in self.s.scalars(q)]

    def add(
        self,
        *,
        draft_id: int,
        version: int,
        reviewer_id: int,
        decision: str,
        comment: str,
        text_hash: str,
        platform: str,
        at: datetime,
        expires_at: datetime | None,
    ) -> DecisionRecord:
        row = DecisionRow(
            draft_id=draft_id,
            version=version,
            reviewer_id=reviewer_id,
            decision=decision,
            comment=comment,
            text_hash=text_hash,
            platform=platform,
            created_at=at,
            expires_at=expires_at,
        )
        self.s.add(row)
        self.s.flush()
        return to_record(DecisionRecord, row)

    def override_for(self, draft_id: int, version: int, text_hash: str) -> OverrideRecord | None:
        q = (
            select(OverrideRow)
            .where(
                OverrideRow.draft_id == draft_id,
                OverrideRow.version == version,
                OverrideRow.text_hash == text_hash,
            )
            .order_by(OverrideRow.id.desc())
            .limit(1)
        )
        row = self.s.scalars(q).first()
        return None if row is None else to_record(OverrideRecord, row)

    def add_override(
        self,
        *,
        draft_id: int,
        version: int,
        text_hash: str,
        reviewer_id: int,
        reason: str,
        findings: Sequence[JSONValue],
        at: datetime,
    ) -> None:
        self.s.add(
            OverrideRow(
                draft_id=draft_id,
                version=version,
                text_hash=text_hash,
                reviewer_id=reviewer_id,
                reason=reason,
                findings=list(findings),
                created_at=at,
            )
        )
        self.s.flush()

    def comments(self, draft_id: int) -> list[CommentRecord]:
        q = select(CommentRow).where(CommentRow.draft_id == draft_id).order_by(CommentRow.id)
        return [to_record(CommentRecord, c) for c in self.s.scalars(q)]

    def add_comment(self, draft_id: int, user_id: int, body: str, at: datetime) -> None:
        self.s.add(CommentRow(draft_id=draft_id, user_id=user_id, body=body, created_at=at))
        self.s.flush()
