"""Reviewers' decisions on a draft's current version: approve, reject, request changes, or
override its blocking findings; each by a second person, audited, refused ones too."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from cmassist.config import Settings
from cmassist.domain.errors import ForbiddenError, InputError, StateError
from cmassist.domain.textutil import clean
from cmassist.services.audit import AuditLog
from cmassist.services.gate import Gate
from cmassist.services.ports.persistence import Database
from cmassist.services.review_checks import ReviewChecks
from cmassist.services.review_views import DraftView, draft_view
from cmassist.services.users import Actor

DECISIONS = ("approved", "rejected", "changes_requested")


class ReviewDecisions:
    """What reviewers decide, through the gate's rules."""

    def __init__(
        self,
        database: Database,
        gate: Gate,
        checks: ReviewChecks,
        audit: AuditLog,
        settings: Callable[[], Settings],
    ) -> None:
        self.db = database
        self.gate = gate
        self.checks = checks
        self.audit = audit
        self.settings = settings

    def decide(
        self, actor: Actor, draft_id: int, decision: str, comment: str, expected: int | None
    ) -> DraftView:
        comment = (comment or "").strip()
        if decision != "approved" and not comment:
            raise InputError("a reason is required", "say what is wrong, so the author sees why")
        try:
            with self.db.transaction() as uow:
                draft = self.gate.open_draft(uow, draft_id, expected)
                current = self.gate.second_person(
                    uow, actor, draft, "review", "review it", "a second person must review it"
                )
                self.gate.require_move(draft, decision)
                if decision == "approved":
                    self.checks.require_none(uow, draft, current, "approved")
                now = self.db.now()
                ttl = timedelta(days=self.settings().approval_ttl_days)
                expires = now + ttl if decision == "approved" else None
                draft = self.gate.change(uow, draft, expected, now, state=decision)
                uow.decisions.add(
                    draft_id=draft.id,
                    version=draft.current_version,
                    reviewer_id=actor.id,
                    decision=decision,
                    comment=comment,
                    text_hash=current.text_hash,
                    platform=current.platform,
                    at=now,
                    expires_at=expires,
                )
                if comment:
                    uow.decisions.add_comment(draft.id, actor.id, comment, now)
                self.audit.record(
                    uow,
                    actor.name,
                    decision,
                    draft_id=draft.id,
                    before=current.text_hash,
                    after=current.text_hash,
                    reason=comment,
                    version=draft.current_version,
                    expires_at=expires,
                )
                return draft_view(uow, self.gate, draft, now)
        except (ForbiddenError, StateError) as e:
            self.audit.refused(actor.name, decision, e, draft_id)
            raise

    def override(
        self, actor: Actor, draft_id: int, *, reason: str, expected: int | None = None
    ) -> DraftView:
        """A reviewer lets the current text go on despite its blocking findings; audited."""
        reason = clean(reason or "")
        if not reason:
            raise InputError(
                "a reason is required to override findings",
                "say why the findings do not apply (e.g. 'price confirmed with the shop')",
            )
        try:
            with self.db.transaction() as uow:
                draft = self.gate.open_draft(uow, draft_id, expected)
                current = self.gate.second_person(
                    uow,
                    actor,
                    draft,
                    "override findings",
                    "override its findings",
                    "a second person must decide",
                )
                self.gate.require_move(draft, "overridden")
                blocking = self.checks.blocking(uow, draft, current)
                if not blocking:
                    raise StateError(
                        f"draft #{draft_id} has no blocking findings to override",
                        "submit or approve it as usual",
                    )
                summary = [f.summary(current.text) for f in blocking]
                now = self.db.now()
                draft = self.gate.change(uow, draft, expected, now)
                uow.decisions.add_override(
                    draft_id=draft.id,
                    version=current.number,
                    text_hash=current.text_hash,
                    reviewer_id=actor.id,
                    reason=reason,
                    findings=summary,
                    at=now,
                )
                self.audit.record(
                    uow,
                    actor.name,
                    "findings_overridden",
                    draft_id=draft.id,
                    before=current.text_hash,
                    after=current.text_hash,
                    reason=reason,
                    version=current.number,
                    findings=summary,
                )
                return draft_view(uow, self.gate, draft, now)
        except (ForbiddenError, StateError) as e:
            self.audit.refused(actor.name, "findings_overridden", e, draft_id)
            raise
