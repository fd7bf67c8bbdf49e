"""Review before publishing: drafts and versions, decisions, users, the audit log, and
the publishing gate.

The promise: nothing is published that a second person has not approved, in exactly the
words and for the platform that were approved, within the approval's lifetime. The gate
(`ReviewService.check_publishable`) is the only way to a publishable text, and every
publishing path (CLI, UI, worker, Python API) goes through the outbox, which calls it in
the same transaction that claims the item.

States: draft → submitted → approved | changes_requested | rejected;
approved → scheduled → published | failed; submitted or approved too long → expired.
Any edit after approval sends the draft back to review (submitted) and cancels its
scheduled items. Every change bumps the draft's row version; an action based on a stale
version is refused with a conflict, never a lost update.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from pydantic import BaseModel
from sqlalchemy import Engine, func, select, update
from sqlalchemy.orm import Session

from cmassist.domain.passwords import DUMMY_HASH, ROLES, hash_password, verify_password
from cmassist.config import Settings
from cmassist.adapters.db.schema import (
    AuditRow,
    CommentRow,
    DecisionRow,
    DraftRow,
    OutboxRow,
    OverrideRow,
    SettingRow,
    User,
    VersionRow,
    make_engine,
    make_sessionmaker,
)
from cmassist.domain.errors import (
    AuthError,
    BlockingFindingsError,
    CmassistError,
    ConflictError,
    ForbiddenError,
    InputError,
    NotFoundError,
    PublishBlockedError,
    StateError,
    UnknownBrandError,
)
from cmassist.domain.models import Draft
from cmassist.domain.platforms import get_platform
from cmassist.domain.textutil import clean, sha256

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
EDITABLE = {"draft", "submitted", "changes_requested", "approved", "scheduled", "failed", "expired"}
MAX_TEXT = 100_000
PAUSE_KEY = "publishing_paused"


def _describe(finding: dict[str, Any], text: str) -> str:
    words = text[finding.get("start", 0) : finding.get("end", 0)].strip()
    rule = finding.get("rule", "?")
    return f"{rule} “{words[:40]}”" if words else str(rule)


def text_hash(text: str, platform: str) -> str:
    """What an approval binds to: the exact text and the platform it is for."""
    return sha256(f"{platform}\x1f{text}")


@dataclass(frozen=True)
class Actor:
    id: int
    name: str
    role: str

    def can_review(self) -> bool:
        return self.role in ("reviewer", "admin")


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
    provenance: dict[str, Any]
    created_at: datetime
    updated_at: datetime
    submitted_at: datetime | None = None
    approved_until: datetime | None = None
    # The tone and compliance check of the current text, and a reviewer's override of its
    # blocking findings (bound to this exact text), if any.
    check: dict[str, Any] | None = None
    override: dict[str, Any] | None = None
    versions: list[VersionView] = []
    decisions: list[DecisionView] = []
    comments: list[CommentView] = []
    outbox: list[OutboxView] = []


class AuditView(BaseModel):
    id: int
    at: datetime
    actor: str
    action: str
    draft_id: int | None
    hash_before: str | None
    hash_after: str | None
    reason: str
    details: dict[str, Any]


# (text, brand=, platform=, kind=, language=) -> CheckResult.public(); raises on failure.
CheckFn = Callable[..., dict[str, Any]]


class ReviewService:
    def __init__(
        self,
        settings: Settings,
        *,
        engine: Engine | None = None,
        clock: Callable[[], datetime] | None = None,
        checker: CheckFn | None = None,
    ) -> None:
        self.settings = settings
        # Without a checker (a bare review store), drafts are not checked and nothing is
        # blocked by findings; `Services` always wires the tone and compliance checker.
        self.checker = checker
        self.engine = engine or make_engine(settings)
        self._sessions = make_sessionmaker(self.engine)
        self.clock = clock or (lambda: datetime.now(UTC))

    def now(self) -> datetime:
        return self.clock()

    @contextmanager
    def session(self) -> Iterator[Session]:
        """One transaction: committed if the block succeeds, rolled back otherwise."""
        with self._sessions() as s, s.begin():
            yield s

    # -- audit --------------------------------------------------------------------------

    def _audit(
        self,
        s: Session,
        actor: str,
        action: str,
        *,
        draft_id: int | None = None,
        before: str | None = None,
        after: str | None = None,
        reason: str = "",
        **details: Any,
    ) -> None:
        s.add(
            AuditRow(
                at=self.now(),
                actor=actor,
                action=action,
                draft_id=draft_id,
                hash_before=before,
                hash_after=after,
                reason=reason,
                details=json.loads(json.dumps(details, default=str)),
            )
        )

    def audit_refusal(
        self, actor: str, action: str, error: Exception, draft_id: int | None = None
    ) -> None:
        """Record a refused action in its own transaction (the action's was rolled back)."""
        with self.session() as s:
            self._audit(s, actor, "refused", draft_id=draft_id, reason=str(error), attempted=action)

    def audit_log(
        self,
        *,
        limit: int = 200,
        draft_id: int | None = None,
        actor: str | None = None,
        action: str | None = None,
    ) -> list[AuditView]:
        with self.session() as s:
            q = select(AuditRow).order_by(AuditRow.id.desc()).limit(limit)
            if draft_id is not None:
                q = q.where(AuditRow.draft_id == draft_id)
            if actor:
                q = q.where(AuditRow.actor == actor)
            if action:
                q = q.where(AuditRow.action == action)
            return [AuditView.model_validate(r, from_attributes=True) for r in s.scalars(q)]

    def export_audit(self, fmt: str, **filters: Any) -> str:
        rows = [r.model_dump(mode="json") for r in self.audit_log(limit=1_000_000, **filters)]
        rows.reverse()  # oldest first in exports
        if fmt == "json":
            return json.dumps(rows, ensure_ascii=False, indent=2)
        if fmt != "csv":
            raise InputError(f"unknown export format {fmt!r}", "use csv or json")
        out = io.StringIO()
        fields = [
            "id",
            "at",
            "actor",
            "action",
            "draft_id",
            "hash_before",
            "hash_after",
            "reason",
            "details",
        ]
        writer = csv.DictWriter(out, fieldnames=fields)
        writer.writeheader()
        for row in rows:
            writer.writerow({**row, "details": json.dumps(row["details"], ensure_ascii=False)})
        return out.getvalue()

    # -- users --------------------------------------------------------------------------

    def add_user(
        self, name: str, password: str, role: str, *, display_name: str = "", by: str = "system"
    ) -> Actor:
        name = (name or "").strip().lower()
        if not name or not name.replace("-", "").replace("_", "").replace(".", "").isalnum():
            raise InputError(
                f"invalid user name {name!r}", "use letters, digits, dots, dashes or underscores"
            )
        if role not in ROLES:
            raise InputError(f"unknown role {role!r}", f"use one of {', '.join(ROLES)}")
        if len(password or "") < 8:
            raise InputError("the password is shorter than 8 characters", "choose a longer one")
        with self.session() as s:
            if s.scalar(select(User).where(User.name == name)):
                raise InputError(f"user {name!r} already exists", "choose another name")
            user = User(
                name=name,
                display_name=display_name or name,
                role=role,
                password_hash=hash_password(password),
                disabled=False,
                created_at=self.now(),
            )
            s.add(user)
            s.flush()
            self._audit(s, by, "user_added", reason=f"{name} as {role}", user=name, role=role)
            return Actor(user.id, user.name, user.role)

    def list_users(self) -> list[dict[str, Any]]:
        with self.session() as s:
            return [
                {
                    "name": u.name,
                    "display_name": u.display_name,
                    "role": u.role,
                    "disabled": u.disabled,
                    "created_at": u.created_at.isoformat(),
                }
                for u in s.scalars(select(User).order_by(User.name))
            ]

    def disable_user(self, name: str, *, by: str = "system", reason: str = "") -> None:
        with self.session() as s:
            user = s.scalar(select(User).where(User.name == name.strip().lower()))
            if user is None:
                raise NotFoundError(f"unknown user {name!r}", "see `cmassist users list`")
            if user.name == by:
                # So there is always an enabled admin left: the one doing this.
                raise InputError("you cannot disable your own account", "ask another admin")
            user.disabled = True
            self._audit(s, by, "user_disabled", reason=reason, user=user.name)

    def set_role(self, name: str, role: str, *, by: str) -> None:
        """Change a user's role (audited); nobody takes their own admin role away, so an
        admin is always left."""
        if role not in ROLES:
            raise InputError(f"unknown role {role!r}", f"use one of {', '.join(ROLES)}")
        with self.session() as s:
            user = s.scalar(select(User).where(User.name == name.strip().lower()))
            if user is None:
                raise NotFoundError(f"unknown user {name!r}", "see `cmassist users list`")
            if user.name == by and role != user.role:
                raise InputError("you cannot change your own role", "ask another admin")
            if user.role != role:
                before, user.role = user.role, role
                self._audit(
                    s, by, "role_changed", reason=f"{user.name}: {before} to {role}",
                    user=user.name, role=role,
                )  # fmt: skip

    def enable_user(self, name: str, *, by: str, reason: str = "") -> None:
        with self.session() as s:
            user = s.scalar(select(User).where(User.name == name.strip().lower()))
            if user is None:
                raise NotFoundError(f"unknown user {name!r}", "see `cmassist users list`")
            if user.disabled:
                user.disabled = False
                self._audit(s, by, "user_enabled", reason=reason, user=user.name)

    def has_users(self) -> bool:
        with self.session() as s:
            return bool(s.scalar(select(func.count(User.id))))

    def authenticate(self, name: str, password: str) -> Actor:
        """The user, if the password is right and the account enabled; audited when refused."""
        key = (name or "").strip().lower()
        with self.session() as s:
            user = s.scalar(select(User).where(User.name == key))
            ok = verify_password(password or "", user.password_hash if user else DUMMY_HASH)
            if user is None or not ok:
                self._audit(
                    s,
                    key or "?",
                    "login_failed",
                    reason="unknown user" if user is None else "wrong password",
                )
                error = AuthError(
                    f"wrong user name or password for {key!r}",
                    "check them, or ask an admin (`cmassist users list`)",
                )
            elif user.disabled:
                self._audit(s, key, "login_failed", reason="account disabled")
                error = AuthError(f"the account {key!r} is disabled", "ask an admin to enable it")
            else:
                return Actor(user.id, user.name, user.role)
        raise error

    def actor(self, name: str) -> Actor:
        """An enabled user by name, for callers that authenticated already (the app)."""
        with self.session() as s:
            user = s.scalar(select(User).where(User.name == (name or "").strip().lower()))
            if user is None or user.disabled:
                raise AuthError(f"no enabled user {name!r}", "log in again")
            return Actor(user.id, user.name, user.role)

    def _require_admin(self, actor: Actor, action: str) -> None:
        if actor.role != "admin":
            raise ForbiddenError(f"{actor.name} ({actor.role}) may not {action}", "ask an admin")

    # -- reading ------------------------------------------------------------------------

    def _draft(self, s: Session, draft_id: int, expected: int | None = None) -> DraftRow:
        """The draft; with `expected`, only if nobody changed it since that row version."""
        draft = s.get(DraftRow, draft_id)
        if draft is None:
            raise NotFoundError(f"no draft #{draft_id}", "see `cmassist review list`")
        if expected is not None and draft.row_version != expected:
            raise ConflictError(
                f"draft #{draft.id} changed since you opened it (now version "
                f"{draft.current_version}, state {draft.state}); nothing was saved",
                "reload it and try again",
            )
        return draft

    def _current(self, s: Session, draft: DraftRow) -> VersionRow:
        return s.scalars(
            select(VersionRow).where(
                VersionRow.draft_id == draft.id, VersionRow.number == draft.current_version
            )
        ).one()

    def get(self, draft_id: int) -> DraftView:
        with self.session() as s:
            return self._view(s, self._draft(s, draft_id), full=True)

    def list(
        self,
        *,
        state: str | None = None,
        brand: str | None = None,
        platform: str | None = None,
        author: str | None = None,
        limit: int = 500,
    ) -> list[DraftView]:
        if state and state not in STATES:
            raise InputError(f"unknown state {state!r}", f"use one of {', '.join(STATES)}")
        with self.session() as s:
            q = select(DraftRow).order_by(DraftRow.updated_at.desc()).limit(limit)
            if state:
                q = q.where(DraftRow.state == state)
            if brand:
                q = q.where(DraftRow.brand == brand)
            if platform:
                q = q.where(DraftRow.platform == get_platform(platform).key)
            if author:
                user = s.scalar(select(User).where(User.name == author.strip().lower()))
                q = q.where(DraftRow.author_id == (user.id if user else -1))
            return [self._view(s, d) for d in s.scalars(q)]

    def _names(self, s: Session) -> dict[int, str]:
        return {u.id: u.name for u in s.scalars(select(User))}

    def _view(self, s: Session, draft: DraftRow, *, full: bool = False) -> DraftView:
        names = self._names(s)
        current = self._current(s, draft)
        approval = self._valid_approval(s, draft, current, self.now())
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
        override = self._override(s, draft, current)
        if override is not None:
            view.override = {
                "reviewer": names.get(override.reviewer_id, "?"),
                "reason": override.reason,
                "at": override.created_at.isoformat(),
                "findings": override.findings,
            }
        if full:
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
                for v in s.scalars(
                    select(VersionRow)
                    .where(VersionRow.draft_id == draft.id)
                    .order_by(VersionRow.number)
                )
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
                for d in s.scalars(
                    select(DecisionRow)
                    .where(DecisionRow.draft_id == draft.id)
                    .order_by(DecisionRow.id)
                )
            ]
            view.comments = [
                CommentView(user=names.get(c.user_id, "?"), body=c.body, created_at=c.created_at)
                for c in s.scalars(
                    select(CommentRow)
                    .where(CommentRow.draft_id == draft.id)
                    .order_by(CommentRow.id)
                )
            ]
            view.outbox = [
                OutboxView.model_validate(o, from_attributes=True)
                for o in s.scalars(
                    select(OutboxRow).where(OutboxRow.draft_id == draft.id).order_by(OutboxRow.id)
                )
            ]
        return view

    # -- writing ------------------------------------------------------------------------

    def _touch(self, s: Session, draft: DraftRow, expected: int | None, **values: Any) -> None:
        """Change the draft if nobody else did since `expected` (its row version)."""
        seen = draft.row_version if expected is None else expected
        values = {"row_version": seen + 1, "updated_at": self.now(), **values}
        result = s.execute(
            update(DraftRow)
            .where(DraftRow.id == draft.id, DraftRow.row_version == seen)
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        if result.rowcount != 1:
            version, state = s.execute(
                select(DraftRow.current_version, DraftRow.state).where(DraftRow.id == draft.id)
            ).one()
            raise ConflictError(
                f"draft #{draft.id} changed since you opened it (now version {version}, "
                f"state {state}); nothing was saved",
                "reload it and try again",
            )
        s.refresh(draft)

    def create_draft(
        self,
        actor: Actor,
        *,
        brand: str,
        platform: str,
        text: str,
        kind: str = "post",
        language: str = "en",
        provenance: dict[str, Any] | None = None,
        context: str = "",
        check: dict[str, Any] | None = None,
    ) -> DraftView:
        text = self._check_text(text)
        platform = get_platform(platform).key
        now = self.now()
        if check is None or check.get("text_hash") != text_hash(text, platform):
            check = self._run_check(text, brand, platform, kind, language, context)
        with self.session() as s:
            draft = DraftRow(
                brand=brand,
                kind=kind,
                platform=platform,
                language=language,
                author_id=actor.id,
                state="draft",
                current_version=1,
                row_version=1,
                provenance=provenance or {},
                context=context[:10_000],
                created_at=now,
                updated_at=now,
            )
            s.add(draft)
            s.flush()
            h = text_hash(text, platform)
            s.add(
                VersionRow(
                    draft_id=draft.id,
                    number=1,
                    text=text,
                    text_hash=h,
                    platform=platform,
                    author_id=actor.id,
                    created_at=now,
                    note="generated" if provenance else "written",
                    check_result=check,
                )
            )
            self._audit(
                s,
                actor.name,
                "created",
                draft_id=draft.id,
                after=h,
                brand=brand,
                platform=platform,
                kind=kind,
                model=(provenance or {}).get("model"),
            )
            s.flush()
            return self._view(s, draft)

    def save_generated(
        self,
        actor: Actor,
        drafts: Sequence[Draft],
        *,
        context: str = "",
        platform: str | None = None,
    ) -> list[DraftView]:
        """Keep drafts made by the drafting service, with their provenance."""
        out = []
        for d in drafts:
            if not d.text.strip():
                continue
            provenance = {
                "backend": d.backend,
                "model": d.model,
                "prompt": d.prompt.model_dump(),
                "sources": [src.public() for src in d.sources],
                "notes": d.notes,
                "variant": d.variant,
            }
            out.append(
                self.create_draft(
                    actor,
                    brand=d.brand,
                    platform=d.platform or platform or "facebook",
                    text=d.text,
                    kind=d.kind,
                    language=d.language,
                    provenance=provenance,
                    context=context,
                    check=d.check,
                )
            )
        return out

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
        text = self._check_text(text)
        try:
            with self.session() as s:
                draft = self._draft(s, draft_id, expected)
                if draft.state not in EDITABLE:
                    raise StateError(
                        f"draft #{draft_id} is {draft.state} and can no longer be edited",
                        "create a new draft",
                    )
                if actor.role == "author" and draft.author_id != actor.id:
                    raise ForbiddenError(
                        f"{actor.name} may not edit {self._names(s)[draft.author_id]}'s draft",
                        "ask a reviewer, or comment instead",
                    )
                current = self._current(s, draft)
                new_platform = get_platform(platform).key if platform else draft.platform
                h = text_hash(text, new_platform)
                if h == current.text_hash:
                    return self._view(s, draft)  # nothing changed: no new version
                state = draft.state
                cancelled = 0
                if state in ("approved", "scheduled", "failed"):
                    state = "submitted"  # the approval was for other words: back to review
                    cancelled = self._cancel_outbox(s, draft.id, "edited after approval")
                elif state == "expired":
                    state = "draft"
                number = draft.current_version + 1
                check = self._run_check(
                    text, draft.brand, new_platform, draft.kind, draft.language, draft.context
                )
                self._touch(
                    s, draft, expected, current_version=number, state=state, platform=new_platform
                )
                s.add(
                    VersionRow(
                        draft_id=draft.id,
                        number=number,
                        text=text,
                        text_hash=h,
                        platform=new_platform,
                        author_id=actor.id,
                        created_at=self.now(),
                        note=note,
                        check_result=check,
                    )
                )
                self._audit(
                    s,
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
                s.flush()
                return self._view(s, draft)
        except (ForbiddenError, StateError) as e:
            self.audit_refusal(actor.name, "edited", e, draft_id)
            raise

    def submit(self, actor: Actor, draft_id: int, *, expected: int | None = None) -> DraftView:
        try:
            with self.session() as s:
                draft = self._draft(s, draft_id, expected)
                if draft.author_id != actor.id and actor.role != "admin":
                    raise ForbiddenError(
                        f"only the author of draft #{draft_id} or an admin may submit it",
                        "ask its author",
                    )
                self._require_state(draft, ("draft", "changes_requested", "expired"), "submitted")
                self._require_no_blocking(s, draft, "submitted")
                h = self._current(s, draft).text_hash
                self._touch(s, draft, expected, state="submitted", submitted_at=self.now())
                self._audit(s, actor.name, "submitted", draft_id=draft.id, before=h, after=h)
                return self._view(s, draft)
        except (ForbiddenError, StateError) as e:
            self.audit_refusal(actor.name, "submitted", e, draft_id)
            raise

    def approve(
        self, actor: Actor, draft_id: int, *, comment: str = "", expected: int | None = None
    ) -> DraftView:
        return self._decide(actor, draft_id, "approved", comment, expected)

    def reject(
        self, actor: Actor, draft_id: int, *, reason: str, expected: int | None = None
    ) -> DraftView:
        return self._decide(actor, draft_id, "rejected", reason, expected)

    def request_changes(
        self, actor: Actor, draft_id: int, *, reason: str, expected: int | None = None
    ) -> DraftView:
        return self._decide(actor, draft_id, "changes_requested", reason, expected)

    def _second_person(
        self, s: Session, actor: Actor, draft: DraftRow, may: str, may_it: str, fix: str
    ) -> VersionRow:
        """The current version, if `actor` is a reviewer who wrote neither the draft nor that
        version (the two-person rule, where on); a ForbiddenError otherwise."""
        if not actor.can_review():
            raise ForbiddenError(
                f"{actor.name} is an {actor.role} and may not {may}", "ask a reviewer or an admin"
            )
        current = self._current(s, draft)
        if self.settings.two_person_rule and actor.id in (draft.author_id, current.author_id):
            raise ForbiddenError(
                f"{actor.name} wrote draft #{draft.id} (or its current version) and "
                f"may not {may_it}",
                f"{fix} (two-person rule)",
            )
        return current

    def _decide(
        self, actor: Actor, draft_id: int, decision: str, comment: str, expected: int | None
    ) -> DraftView:
        comment = (comment or "").strip()
        if decision != "approved" and not comment:
            raise InputError("a reason is required", "say what is wrong, so the author sees why")
        try:
            with self.session() as s:
                draft = self._draft(s, draft_id, expected)
                current = self._second_person(
                    s, actor, draft, "review", "review it", "a second person must review it"
                )
                self._require_state(draft, ("submitted",), decision)
                if decision == "approved":
                    self._require_no_blocking(s, draft, "approved")
                now = self.now()
                expires = (
                    now + timedelta(days=self.settings.approval_ttl_days)
                    if decision == "approved"
                    else None
                )
                self._touch(s, draft, expected, state=decision)
                s.add(
                    DecisionRow(
                        draft_id=draft.id,
                        version=draft.current_version,
                        reviewer_id=actor.id,
                        decision=decision,
                        comment=comment,
                        text_hash=current.text_hash,
                        platform=current.platform,
                        created_at=now,
                        expires_at=expires,
                    )
                )
                if comment:
                    s.add(
                        CommentRow(
                            draft_id=draft.id, user_id=actor.id, body=comment, created_at=now
                        )
                    )
                self._audit(
                    s,
                    actor.name,
                    decision,
                    draft_id=draft.id,
                    before=current.text_hash,
                    after=current.text_hash,
                    reason=comment,
                    version=draft.current_version,
                    expires_at=expires,
                )
                s.flush()
                return self._view(s, draft)
        except (ForbiddenError, StateError) as e:
            self.audit_refusal(actor.name, decision, e, draft_id)
            raise

    # -- tone and compliance findings --------------------------------------------------

    def _run_check(
        self, text: str, brand: str, platform: str, kind: str, language: str, context: str = ""
    ) -> dict[str, Any] | None:
        """The check of one text, kept with its version; an error is kept as such. A reply
        is checked against the comment it answers (`context`)."""
        if self.checker is None or kind not in ("post", "reply"):
            return None
        try:
            extra = {"replying_to": context} if kind == "reply" and context else {}
            result = self.checker(
                text, brand=brand, platform=platform, kind=kind, language=language, **extra
            )
        except UnknownBrandError as e:  # no knowledge store to check against: said, not blocked
            return {"unchecked": str(e), "text_hash": text_hash(text, platform)}
        except Exception as e:  # kept, and the gate then refuses until a reviewer decides
            message = str(e) if isinstance(e, CmassistError) else f"{type(e).__name__}: {e}"
            return {"error": message, "text_hash": text_hash(text, platform)}
        return {**result, "text_hash": text_hash(text, platform)}

    def _blocking(self, s: Session, draft: DraftRow, current: VersionRow) -> list[dict[str, Any]]:
        """The current version's blocking findings (an unchecked text counts as one)."""
        if self.checker is None or draft.kind not in ("post", "reply"):
            return []
        check = current.check_result
        if check is None or check.get("text_hash") != current.text_hash:
            check = self._run_check(
                current.text,
                draft.brand,
                current.platform,
                draft.kind,
                draft.language,
                draft.context,
            )
            current.check_result = check
            s.flush()
        if check is None or "unchecked" in check:
            return []
        if "error" in check:
            return [
                {
                    "rule": "check_failed",
                    "message": f"the text could not be checked: {check['error']}",
                }
            ]
        return [f for f in check.get("findings", []) if f.get("severity") == "block"]

    def _override(self, s: Session, draft: DraftRow, current: VersionRow) -> OverrideRow | None:
        """A reviewer's override for exactly the current text, if one was given."""
        return s.scalars(
            select(OverrideRow)
            .where(
                OverrideRow.draft_id == draft.id,
                OverrideRow.version == current.number,
                OverrideRow.text_hash == current.text_hash,
            )
            .order_by(OverrideRow.id.desc())
            .limit(1)
        ).first()

    def _require_no_blocking(self, s: Session, draft: DraftRow, action: str) -> None:
        current = self._current(s, draft)
        blocking = self._blocking(s, draft, current)
        if not blocking or self._override(s, draft, current) is not None:
            return
        listed = "; ".join(_describe(f, current.text) for f in blocking[:3])
        more = f" and {len(blocking) - 3} more" if len(blocking) > 3 else ""
        raise BlockingFindingsError(
            f"draft #{draft.id} has {len(blocking)} blocking finding"
            f"{'s' if len(blocking) > 1 else ''} ({listed}{more}) and cannot be {action}",
            "fix them (see the check), or a reviewer may override them with a reason",
        )

    def override_findings(
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
            with self.session() as s:
                draft = self._draft(s, draft_id, expected)
                current = self._second_person(
                    s,
                    actor,
                    draft,
                    "override findings",
                    "override its findings",
                    "a second person must decide",
                )
                self._require_state(
                    draft, ("draft", "changes_requested", "expired", "submitted"), "overridden"
                )
                blocking = self._blocking(s, draft, current)
                if not blocking:
                    raise StateError(
                        f"draft #{draft_id} has no blocking findings to override",
                        "submit or approve it as usual",
                    )
                summary = [
                    {
                        "rule": f.get("rule"),
                        "text": current.text[f.get("start", 0) : f.get("end", 0)],
                        "message": f.get("message", ""),
                    }
                    for f in blocking
                ]
                self._touch(s, draft, expected)
                s.add(
                    OverrideRow(
                        draft_id=draft.id,
                        version=current.number,
                        text_hash=current.text_hash,
                        reviewer_id=actor.id,
                        reason=reason,
                        findings=summary,
                        created_at=self.now(),
                    )
                )
                self._audit(
                    s,
                    actor.name,
                    "findings_overridden",
                    draft_id=draft.id,
                    before=current.text_hash,
                    after=current.text_hash,
                    reason=reason,
                    version=current.number,
                    findings=summary,
                )
                s.flush()
                return self._view(s, draft)
        except (ForbiddenError, StateError) as e:
            self.audit_refusal(actor.name, "findings_overridden", e, draft_id)
            raise

    def add_comment(self, actor: Actor, draft_id: int, body: str) -> None:
        body = clean(body or "")
        if not body:
            raise InputError("the comment is empty", "write something")
        with self.session() as s:
            draft = self._draft(s, draft_id)
            s.add(CommentRow(draft_id=draft.id, user_id=actor.id, body=body, created_at=self.now()))
            self._audit(s, actor.name, "commented", draft_id=draft.id, reason=body[:500])

    def schedule(
        self,
        actor: Actor,
        draft_id: int,
        at: datetime,
        *,
        adapters: Sequence[str],
        expected: int | None = None,
    ) -> DraftView:
        """Queue an approved draft for publishing at `at` through each adapter."""
        if at.tzinfo is None:
            raise InputError("the time has no timezone", "give one, e.g. 2026-12-01T09:00-05:00")
        if not adapters:
            raise InputError("no publishing adapter given", "name at least one adapter")
        try:
            with self.session() as s:
                draft = self._draft(s, draft_id, expected)
                self._require_state(draft, ("approved", "scheduled", "failed"), "scheduled")
                current = self._current(s, draft)
                if self._valid_approval(s, draft, current, self.now()) is None:
                    raise StateError(
                        f"draft #{draft_id} has no valid approval of its current text",
                        "have it approved again before scheduling",
                    )
                self._cancel_outbox(s, draft.id, "rescheduled")
                now = self.now()
                for adapter in dict.fromkeys(adapters):
                    key = (
                        f"cmassist-{draft.id}-v{current.number}-{adapter}-{current.text_hash[:12]}"
                    )
                    row = s.scalar(select(OutboxRow).where(OutboxRow.idempotency_key == key))
                    if row is not None and row.state == "published":
                        continue  # this exact text already went out through this adapter
                    if row is None:
                        row = OutboxRow(
                            draft_id=draft.id,
                            version=current.number,
                            text_hash=current.text_hash,
                            adapter=adapter,
                            idempotency_key=key,
                            attempts=0,
                            created_at=now,
                        )
                        s.add(row)
                    row.state, row.due_at, row.next_attempt_at = "queued", at, at
                    row.last_error = ""
                self._touch(s, draft, expected, state="scheduled")
                self._audit(
                    s,
                    actor.name,
                    "scheduled",
                    draft_id=draft.id,
                    before=current.text_hash,
                    after=current.text_hash,
                    at=at,
                    adapters=list(adapters),
                )
                s.flush()
                return self._view(s, draft, full=True)
        except (ForbiddenError, StateError) as e:
            self.audit_refusal(actor.name, "scheduled", e, draft_id)
            raise

    def outbox(
        self,
        *,
        state: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> list[OutboxView]:
        with self.session() as s:
            q = select(OutboxRow).order_by(OutboxRow.due_at)
            if state:
                q = q.where(OutboxRow.state == state)
            if since:
                q = q.where(OutboxRow.due_at >= since)
            if until:
                q = q.where(OutboxRow.due_at < until)
            return [OutboxView.model_validate(o, from_attributes=True) for o in s.scalars(q)]

    # -- the gate -----------------------------------------------------------------------

    def _valid_approval(
        self, s: Session, draft: DraftRow, current: VersionRow, now: datetime
    ) -> DecisionRow | None:
        """The latest approval of exactly the current text and platform, unexpired, by
        someone who wrote neither the draft nor that version; None if there is none."""
        latest = s.scalars(
            select(DecisionRow)
            .where(DecisionRow.draft_id == draft.id)
            .order_by(DecisionRow.id.desc())
            .limit(1)
        ).first()
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
        if self.settings.two_person_rule and latest.reviewer_id in (
            draft.author_id,
            current.author_id,
        ):
            return None
        reviewer = s.get(User, latest.reviewer_id)
        if reviewer is None or reviewer.role not in ("reviewer", "admin"):
            return None
        return latest

    def check_publishable(
        self, s: Session, draft_id: int, version: int, expected_hash: str, now: datetime
    ) -> tuple[DraftRow, VersionRow, DecisionRow]:
        """The gate. Called inside the transaction that claims an outbox item: returns the
        exact approved text, or raises PublishBlockedError saying why not."""
        draft = self._draft(s, draft_id)
        current = self._current(s, draft)
        if draft.state not in ("scheduled", "approved"):
            raise PublishBlockedError(
                f"draft #{draft_id} is {draft.state}, not approved", "submit it for review"
            )
        if current.number != version or current.text_hash != expected_hash:
            raise PublishBlockedError(
                f"draft #{draft_id} changed after it was scheduled",
                "it went back to review; schedule it again once approved",
            )
        approval = self._valid_approval(s, draft, current, now)
        if approval is None:
            raise PublishBlockedError(
                f"draft #{draft_id} has no valid approval of this exact text by a second person "
                "(missing, expired, or for other words)",
                "have it approved again",
            )
        return draft, current, approval

    def is_paused(self) -> bool:
        with self.session() as s:
            row = s.get(SettingRow, PAUSE_KEY)
            return bool(row and row.value == "1")

    def set_paused(self, actor: Actor, paused: bool, *, reason: str = "") -> None:
        action = "paused" if paused else "resumed"
        try:
            self._require_admin(actor, "pause or resume publishing")
        except ForbiddenError as e:
            self.audit_refusal(actor.name, action, e)
            raise
        if not (reason or "").strip():
            raise InputError("a reason is required", "say why, for the audit log")
        with self.session() as s:
            row = s.get(SettingRow, PAUSE_KEY)
            before = row.value if row else "0"
            if row is None:
                row = SettingRow(key=PAUSE_KEY, value="0", updated_at=self.now())
                s.add(row)
            row.value = "1" if paused else "0"
            row.updated_at = self.now()
            row.updated_by = actor.name
            self._audit(
                s,
                actor.name,
                "paused" if paused else "resumed",
                reason=reason,
                setting=PAUSE_KEY,
                before=before,
                after=row.value,
            )

    # -- time ---------------------------------------------------------------------------

    def expire(self, *, by: str = "system") -> int:
        """Expire drafts pending review too long and approvals past their lifetime."""
        now = self.now()
        count = 0
        with self.session() as s:
            pending_cutoff = now - timedelta(days=self.settings.pending_ttl_days)
            for draft in s.scalars(
                select(DraftRow).where(DraftRow.state.in_(("submitted", "approved", "scheduled")))
            ):
                current = self._current(s, draft)
                if draft.state == "submitted":
                    if draft.submitted_at and draft.submitted_at <= pending_cutoff:
                        reason = f"pending review for over {self.settings.pending_ttl_days:g} days"
                    else:
                        continue
                elif self._valid_approval(s, draft, current, now) is None:
                    reason = "approval expired"
                else:
                    continue
                cancelled = self._cancel_outbox(s, draft.id, reason)
                self._touch(s, draft, None, state="expired")
                self._audit(
                    s,
                    by,
                    "expired",
                    draft_id=draft.id,
                    before=current.text_hash,
                    after=current.text_hash,
                    reason=reason,
                    cancelled_outbox=cancelled,
                )
                count += 1
        return count

    # -- helpers ------------------------------------------------------------------------

    def _cancel_outbox(self, s: Session, draft_id: int, reason: str) -> int:
        result = s.execute(
            update(OutboxRow)
            .where(OutboxRow.draft_id == draft_id, OutboxRow.state == "queued")
            .values(state="cancelled", last_error=reason)
            .execution_options(synchronize_session=False)
        )
        return int(result.rowcount or 0)

    @staticmethod
    def _require_state(draft: DraftRow, allowed: Sequence[str], action: str) -> None:
        if draft.state not in allowed:
            raise StateError(
                f"draft #{draft.id} is {draft.state}; it can become {action} only "
                f"from {' or '.join(allowed)}",
                f"check its state with `cmassist review show {draft.id}`",
            )

    @staticmethod
    def _check_text(text: str) -> str:
        text = clean(text or "")
        if not text:
            raise InputError("the draft text is empty", "write the text to review")
        if len(text) > MAX_TEXT:
            raise InputError(f"the draft is {len(text)} characters, over {MAX_TEXT}", "shorten it")
        return text
