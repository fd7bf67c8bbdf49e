"""The review gate: which state a draft may move to from which, who may move it (nobody
reviews their own words), and whether an approval still lets exactly this text out.

States: draft → submitted → approved | changes_requested | rejected;
approved → scheduled → published | failed; submitted or approved too long → expired.
Any edit after approval sends the draft back to review (submitted).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from cmassist.config import Settings
from cmassist.domain.errors import (
    ConflictError,
    ForbiddenError,
    NotFoundError,
    PublishBlockedError,
    StateError,
)
from cmassist.domain.textutil import sha256
from cmassist.services.ports.persistence import (
    DecisionRecord,
    DraftRecord,
    UnitOfWork,
    VersionRecord,
)
from cmassist.services.users import Actor

STATES = (
    "draft",
    "submitted",
    "approved",
    "changes_requested",
    "rejected",
    "scheduled",
    "published",
    "failed",
    "expired",
)
EDITABLE = frozenset(
    {"draft", "submitted", "changes_requested", "approved", "scheduled", "failed", "expired"}
)
REVIEWERS = ("reviewer", "admin")

# The state a draft takes by each move, and the states it may take it from. Publishing
# (scheduled → published | failed) is the outbox's, through `check_publishable`.
MOVES: dict[str, tuple[str, ...]] = {
    "submitted": ("draft", "changes_requested", "expired"),
    "approved": ("submitted",),
    "rejected": ("submitted",),
    "changes_requested": ("submitted",),
    "scheduled": ("approved", "scheduled", "failed"),
    "overridden": ("draft", "changes_requested", "expired", "submitted"),
    "expired": ("submitted", "approved", "scheduled"),
}
PUBLISHABLE = ("scheduled", "approved")
APPROVED = ("approved", "scheduled", "failed")  # an edit in these voids the approval


def text_hash(text: str, platform: str) -> str:
    """What an approval binds to: the exact text and the platform it is for."""
    return sha256(f"{platform}\x1f{text}")


def state_after_edit(state: str) -> str:
    """An edit voids an approval (back to review) and revives an expired draft."""
    if state in APPROVED:
        return "submitted"
    return "draft" if state == "expired" else state


@dataclass(frozen=True)
class Publishable:
    """What the gate lets out: the draft, its exact approved version, and the approval."""

    draft: DraftRecord
    version: VersionRecord
    approval: DecisionRecord


class Gate:
    """The rules of the review workflow, over the records of one unit of work."""

    def __init__(self, settings: Callable[[], Settings]) -> None:
        self.settings = settings  # read at each decision: tests and admins change them

    @staticmethod
    def draft(uow: UnitOfWork, draft_id: int) -> DraftRecord:
        draft = uow.drafts.get(draft_id)
        if draft is None:
            raise NotFoundError(f"no draft #{draft_id}", "see `cmassist review list`")
        return draft

    @classmethod
    def open_draft(cls, uow: UnitOfWork, draft_id: int, expected: int | None) -> DraftRecord:
        """The draft; with `expected`, only if nobody changed it since that row version."""
        draft = cls.draft(uow, draft_id)
        if expected is not None and draft.row_version != expected:
            raise cls.conflict(draft)
        return draft

    @staticmethod
    def conflict(draft: DraftRecord) -> ConflictError:
        return ConflictError(
            f"draft #{draft.id} changed since you opened it (now version "
            f"{draft.current_version}, state {draft.state}); nothing was saved",
            "reload it and try again",
        )

    @classmethod
    def change(
        cls,
        uow: UnitOfWork,
        draft: DraftRecord,
        expected: int | None,
        at: datetime,
        *,
        state: str | None = None,
        current_version: int | None = None,
        platform: str | None = None,
        submitted_at: datetime | None = None,
    ) -> DraftRecord:
        """Change the draft if nobody else did since `expected` (its row version, by
        default the one read); a ConflictError otherwise, and nothing is written."""
        seen = draft.row_version if expected is None else expected
        changed = uow.drafts.update(
            draft.id,
            seen=seen,
            at=at,
            state=state,
            current_version=current_version,
            platform=platform,
            submitted_at=submitted_at,
        )
        if changed is None:
            raise cls.conflict(cls.draft(uow, draft.id))
        return changed

    @staticmethod
    def current(uow: UnitOfWork, draft: DraftRecord) -> VersionRecord:
        return uow.drafts.version(draft.id, draft.current_version)

    @staticmethod
    def require_move(draft: DraftRecord, move: str) -> None:
        """A StateError unless `draft` may take the state (or action) `move` from its own."""
        allowed = MOVES[move]
        if draft.state not in allowed:
            raise StateError(
                f"draft #{draft.id} is {draft.state}; it can become {move} only "
                f"from {' or '.join(allowed)}",
                f"check its state with `cmassist review show {draft.id}`",
            )

    @staticmethod
    def require_editable(actor: Actor, draft: DraftRecord, author_name: str) -> None:
        if draft.state not in EDITABLE:
            raise StateError(
                f"draft #{draft.id} is {draft.state} and can no longer be edited",
                "create a new draft",
            )
        if actor.role == "author" and draft.author_id != actor.id:
            raise ForbiddenError(
                f"{actor.name} may not edit {author_name}'s draft",
                "ask a reviewer, or comment instead",
            )

    @staticmethod
    def require_submitter(actor: Actor, draft: DraftRecord) -> None:
        if draft.author_id != actor.id and actor.role != "admin":
            raise ForbiddenError(
                f"only the author of draft #{draft.id} or an admin may submit it",
                "ask its author",
            )

    def second_person(
        self, uow: UnitOfWork, actor: Actor, draft: DraftRecord, may: str, may_it: str, fix: str
    ) -> VersionRecord:
        """The current version, if `actor` is a reviewer who wrote neither the draft nor that
        version (the two-person rule, where on); a ForbiddenError otherwise."""
        if not actor.can_review():
            raise ForbiddenError(
                f"{actor.name} is an {actor.role} and may not {may}", "ask a reviewer or an admin"
            )
        current = self.current(uow, draft)
        if self.settings().two_person_rule and actor.id in (draft.author_id, current.author_id):
            raise ForbiddenError(
                f"{actor.name} wrote draft #{draft.id} (or its current version) and "
                f"may not {may_it}",
                f"{fix} (two-person rule)",
            )
        return current

    def valid_approval(
        self, uow: UnitOfWork, draft: DraftRecord, current: VersionRecord, now: datetime
    ) -> DecisionRecord | None:
        """The latest approval of exactly the current text and platform, unexpired, by
        someone who wrote neither the draft nor that version; None if there is none."""
        latest = uow.decisions.latest(draft.id)
        if (
            latest is None
            or latest.decision != "approved"
            or latest.version != current.number
            or latest.text_hash != current.text_hash
            or latest.text_hash != text_hash(current.text, current.platform)
            or latest.platform != current.platform
            or latest.expires_at is None
            or latest.expires_at <= now
        ):
            return None
        if self.settings().two_person_rule and latest.reviewer_id in (
            draft.author_id,
            current.author_id,
        ):
            return None
        reviewer = uow.users.by_id(latest.reviewer_id)
        if reviewer is None or reviewer.role not in REVIEWERS:
            return None
        return latest

    def check_publishable(
        self, uow: UnitOfWork, draft_id: int, version: int, expected_hash: str, now: datetime
    ) -> Publishable:
        """The gate. Called inside the transaction that claims an outbox item: returns the
        exact approved text, or raises PublishBlockedError saying why not."""
        draft = self.draft(uow, draft_id)
        current = self.current(uow, draft)
        if draft.state not in PUBLISHABLE:
            raise PublishBlockedError(
                f"draft #{draft_id} is {draft.state}, not approved", "submit it for review"
            )
        if current.number != version or current.text_hash != expected_hash:
            raise PublishBlockedError(
                f"draft #{draft_id} changed after it was scheduled",
                "it went back to review; schedule it again once approved",
            )
        approval = self.valid_approval(uow, draft, current, now)
        if approval is None:
            raise PublishBlockedError(
                f"draft #{draft_id} has no valid approval of this exact text by a second person "
                "(missing, expired, or for other words)",
                "have it approved again",
            )
        return Publishable(draft, current, approval)
