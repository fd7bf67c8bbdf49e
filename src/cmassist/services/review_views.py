"""What the review workflow shows of a draft: its current text and state, its versions,
decisions, comments, outbox items, check and override, built from one unit of work."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

from cmassist.services.gate import Gate
from cmassist.services.ports.persistence import DraftRecord, JSONValue, UnitOfWork


class VersionView(BaseModel):
    number: int
    text: str
    text_hash: str
    platform: str
    author: str
    created_at: datetime
    note: str = ""


class DecisionView(BaseModel):
    version: int
    reviewer: str
    decision: str
    comment: str
    created_at: datetime
    expires_at: datetime | None = None
    valid: bool = False  # an approval that still allows publishing the current text


class CommentView(BaseModel):
    user: str
    body: str
    created_at: datetime


class OutboxView(BaseModel):
    id: int
    draft_id: int
    version: int
    adapter: str
    due_at: datetime
    state: str
    attempts: int
    idempotency_key: str
    last_error: str = ""
    external_ref: str = ""
    next_attempt_at: datetime | None = None
    published_at: datetime | None = None


class OverrideView(BaseModel):
    """A reviewer's override of the current text's blocking findings."""

    reviewer: str
    reason: str
    at: str  # ISO 8601
    findings: list[JSONValue]


class DraftView(BaseModel):
    id: int
    brand: str
    kind: str
    platform: str
    language: str
    author: str
    state: str
    version: int
    row_version: int
    text: str
    text_hash: str
    context: str
    provenance: dict[str, JSONValue]
    created_at: datetime
    updated_at: datetime
    submitted_at: datetime | None = None
    approved_until: datetime | None = None
    # The tone and compliance check of the current text, and a reviewer's override of its
    # blocking findings (bound to this exact text), if any.
    check: dict[str, JSONValue] | None = None
    override: dict[str, JSONValue] | None = None
    versions: list[VersionView] = []
    decisions: list[DecisionView] = []
    comments: list[CommentView] = []
    outbox: list[OutboxView] = []


def draft_view(
    uow: UnitOfWork, gate: Gate, draft: DraftRecord, now: datetime, *, full: bool = False
) -> DraftView:
    """The draft as shown; `full` adds its history (versions, decisions, comments, outbox)."""
    names = uow.users.names()
    current = gate.current(uow, draft)
    approval = gate.valid_approval(uow, draft, current, now)
    view = DraftView(
        id=draft.id,
        brand=draft.brand,
        kind=draft.kind,
        platform=draft.platform,
        language=draft.language,
        author=names.get(draft.author_id, "?"),
        state=draft.state,
        version=draft.current_version,
        row_version=draft.row_version,
        text=current.text,
        text_hash=current.text_hash,
        context=draft.context,
        provenance=draft.provenance or {},
        created_at=draft.created_at,
        updated_at=draft.updated_at,
        submitted_at=draft.submitted_at,
        approved_until=approval.expires_at if approval else None,
        check=current.check_result,
    )
    override = uow.decisions.override_for(draft.id, current.number, current.text_hash)
    if override is not None:
        view.override = OverrideView(
            reviewer=names.get(override.reviewer_id, "?"),
            reason=override.reason,
            at=override.created_at.isoformat(),
            findings=override.findings,
        ).model_dump()
    if not full:
        return view
    view.versions = [
        VersionView(
            number=v.number,
            text=v.text,
            text_hash=v.text_hash,
            platform=v.platform,
            author=names.get(v.author_id, "?"),
            created_at=v.created_at,
            note=v.note,
        )
        for v in uow.drafts.versions(draft.id)
    ]
    view.decisions = [
        DecisionView(
            version=d.version,
            reviewer=names.get(d.reviewer_id, "?"),
            decision=d.decision,
            comment=d.comment,
            created_at=d.created_at,
            expires_at=d.expires_at,
            valid=approval is not None and d.id == approval.id,
        )
        for d in uow.decisions.for_draft(draft.id)
    ]
    view.comments = [
        CommentView(user=names.get(c.user_id, "?"), body=c.body, created_at=c.created_at)
        for c in uow.decisions.comments(draft.id)
    ]
    view.outbox = [
        OutboxView.model_validate(o, from_attributes=True)
        for o in uow.outbox.search(draft_id=draft.id)
    ]
    return view
