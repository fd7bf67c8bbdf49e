"""The author's side of review: a draft's text edited into a new version, the draft
submitted for review, or both at once (a draft submitted as the author edited it)."""

from __future__ import annotations

from cmassist.domain.errors import ForbiddenError, InputError, StateError
from cmassist.domain.limits import MAX_TEXT_CHARS
from cmassist.domain.platforms import get_platform
from cmassist.domain.textutil import clean
from cmassist.services.audit import AuditLog
from cmassist.services.gate import APPROVED, Gate, state_after_edit, text_hash
from cmassist.services.ports.persistence import Database
from cmassist.services.review_checks import ReviewChecks
from cmassist.services.review_views import DraftView, draft_view
from cmassist.services.users import Actor


def draft_text(text: str) -> str:
    """A draft's text, cleaned; an InputError when it is empty or too long."""
    text = clean(text or "")
    if not text:
        raise InputError("the draft text is empty", "write the text to review")
    if len(text) > MAX_TEXT_CHARS:
        raise InputError(
            f"the draft is {len(text)} characters, over {MAX_TEXT_CHARS}", "shorten it"
        )
    return text


class Authoring:
    """Authors' edits and submissions, through the gate's rules; refusals are audited."""

    def __init__(
        self, database: Database, gate: Gate, checks: ReviewChecks, audit: AuditLog
    ) -> None:
        self.db = database
        self.gate = gate
        self.checks = checks
        self.audit = audit

    def edit(
        self,
        actor: Actor,
        draft_id: int,
        text: str,
        *,
        expected: int | None = None,
        platform: str | None = None,
        note: str = "",
    ) -> DraftView:
        """The text as a new version, checked again; the same words make no new version,
        and an edit after approval cancels the queued posts and goes back to review."""
        text = draft_text(text)
        try:
            with self.db.transaction() as uow:
                draft = self.gate.open_draft(uow, draft_id, expected)
                author = uow.users.by_id(draft.author_id)
                self.gate.require_editable(actor, draft, author.name if author else "?")
                current = self.gate.current(uow, draft)
                new_platform = get_platform(platform).key if platform else draft.platform
                h = text_hash(text, new_platform)
                if h == current.text_hash:  # nothing changed: no new version
                    return draft_view(uow, self.gate, draft, self.db.now())
                state = state_after_edit(draft.state)
                cancelled = 0
                if draft.state in APPROVED:  # the approval was for other words
                    cancelled = uow.outbox.cancel_queued(draft.id, "edited after approval")
                number = draft.current_version + 1
                check = self.checks.run(
                    text, draft.brand, new_platform, draft.kind, draft.language, draft.context
                )
                draft = self.gate.change(
                    uow,
                    draft,
                    expected,
                    self.db.now(),
                    current_version=number,
                    state=state,
                    platform=new_platform,
                )
                uow.drafts.add_version(
                    draft_id=draft.id,
                    number=number,
                    text=text,
                    text_hash=h,
                    platform=new_platform,
                    author_id=actor.id,
                    note=note,
                    check_result=check,
                    at=self.db.now(),
                )
                self.audit.record(
                    uow,
                    actor.name,
                    "edited",
                    draft_id=draft.id,
                    before=current.text_hash,
                    after=h,
                    reason=note,
                    version=number,
                    state=state,
                    cancelled_outbox=cancelled,
                )
                return draft_view(uow, self.gate, draft, self.db.now())
        except (ForbiddenError, StateError) as e:
            self.audit.refused(actor.name, "edited", e, draft_id)
            raise

    def submit(self, actor: Actor, draft_id: int, *, expected: int | None = None) -> DraftView:
        """Submit the current version for a second person's review (none with blocking
        findings, unless a reviewer overrode them)."""
        try:
            with self.db.transaction() as uow:
                draft = self.gate.open_draft(uow, draft_id, expected)
                self.gate.require_submitter(actor, draft)
                self.gate.require_move(draft, "submitted")
                current = self.gate.current(uow, draft)
                self.checks.require_none(uow, draft, current, "submitted")
                h = current.text_hash
                now = self.db.now()
                draft = self.gate.change(
                    uow, draft, expected, now, state="submitted", submitted_at=now
                )
                self.audit.record(
                    uow, actor.name, "submitted", draft_id=draft.id, before=h, after=h
                )
                return draft_view(uow, self.gate, draft, now)
        except (ForbiddenError, StateError) as e:
            self.audit.refused(actor.name, "submitted", e, draft_id)
            raise

    def submit_edited(
        self,
        actor: Actor,
        draft_id: int,
        text: str,
        *,
        expected: int | None = None,
        note: str = "",
    ) -> DraftView:
        """Submit the draft as the author last edited it: `text` saved as a new version if
        it changed (`note` says where), then submitted. `expected` is the row version the
        author saw; the submission expects the one the edit left, so a change by someone
        else in between is still a conflict. The edit stays saved if the submission is
        refused (blocking findings, say)."""
        view = self.edit(actor, draft_id, text, expected=expected, note=note)
        return self.submit(actor, draft_id, expected=None if expected is None else view.row_version)
