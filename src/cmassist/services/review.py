"""Review before publishing: drafts and their versions, checks, decisions and comments.

The promise: nothing is published that a second person has not approved, in exactly the
words and for the platform that were approved, within the approval's lifetime. The gate
(`services.gate`) decides what may move where and what may go out; every publishing path
(CLI, UI, worker, Python API) goes through the outbox, which asks the gate in the same
transaction that claims the item. Users, the audit log, authors' edits and submissions, and
scheduling are services of their own (`users`, `audit`, `authoring`, `scheduling`);
`ReviewService` holds them and keeps their methods.

Every change bumps the draft's row version; an action based on a stale version is refused
with a conflict, never a lost update.
"""

from __future__ import annotations

import builtins
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime

from cmassist.config import Settings
from cmassist.domain.errors import ConfigError, InputError
from cmassist.domain.models import Draft
from cmassist.domain.platforms import get_platform
from cmassist.domain.textutil import clean
from cmassist.services import registry
from cmassist.services.audit import AuditLog, AuditView
from cmassist.services.authoring import Authoring, draft_text
from cmassist.services.decisions import ReviewDecisions
from cmassist.services.gate import EDITABLE, STATES, Gate, Publishable, text_hash
from cmassist.services.ports.persistence import Clock, Database, DraftRecord, JSONValue, UnitOfWork
from cmassist.services.ports.publishing import Publishers
from cmassist.services.registry import build_publishers
from cmassist.services.review_checks import CheckFn, ReviewChecks
from cmassist.services.review_views import (
    CommentView,
    DecisionView,
    DraftView,
    OutboxView,
    VersionView,
    draft_view,
)
from cmassist.services.scheduling import (
    PAUSE_KEY,
    AdapterNames,
    CalendarEntry,
    PauseState,
    Scheduler,
)
from cmassist.services.users import Actor, UserService

__all__ = [
    "EDITABLE",
    "PAUSE_KEY",
    "STATES",
    "Actor",
    "AuditView",
    "CalendarEntry",
    "CheckFn",
    "CommentView",
    "DecisionView",
    "DraftView",
    "OutboxView",
    "PauseState",
    "ReviewService",
    "VersionView",
    "set_default_database",
    "text_hash",
]

MAX_CONTEXT_CHARS = 10_000  # of the brief or the comment replied to, kept with a draft
PublisherFactory = Callable[[Settings], Publishers]


DatabaseOpener = Callable[[Settings, Clock | None], Database]
_default_database: list[DatabaseOpener] = []


def set_default_database(opener: DatabaseOpener) -> None:
    """What `ReviewService(settings)` opens when given no database: the composition root
    (`cmassist.bootstrap`) installs the SQL database of the settings."""
    _default_database[:] = [opener]


def _open_default(settings: Settings, clock: Clock | None) -> Database:
    if not _default_database:
        raise ConfigError(
            "no review database is wired",
            "build the services with cmassist.bootstrap.Services(settings), or pass database=",
        )
    return _default_database[0](settings, clock)


class ReviewService:
    """The review workflow over one database (by default the one bootstrap installs, with
    `clock`). `publishers` builds the configured publishers for some settings (by default
    from the registry); `adapter_names` says which adapters a draft may be scheduled
    through (bootstrap: those the settings configure; by default every publisher the
    registry knows, so that a bare review store refuses unknown names too)."""

    def __init__(
        self,
        settings: Settings,
        *,
        database: Database | None = None,
        clock: Clock | None = None,
        checker: CheckFn | None = None,
        publishers: PublisherFactory | None = None,
        adapter_names: AdapterNames | None = None,
    ) -> None:
        if database is None:
            database = _open_default(settings, clock)
        self.settings = settings
        self.db = database
        self.publisher_factory: PublisherFactory = publishers or build_publishers
        self.audit = AuditLog(database)
        self.users = UserService(database, self.audit)
        self.gate = Gate(lambda: self.settings)
        self.checks = ReviewChecks(checker)
        self.authoring = Authoring(database, self.gate, self.checks, self.audit)
        self.decisions = ReviewDecisions(
            database, self.gate, self.checks, self.audit, lambda: self.settings
        )
        self.scheduler = Scheduler(
            database,
            self.gate,
            self.audit,
            lambda: self.settings,
            adapter_names or registry.publishers.names,
        )

    def now(self) -> datetime:
        return self.db.now()

    def publishers(self) -> Publishers:
        """The publishers configured by the current settings, built afresh."""
        return self.publisher_factory(self.settings)

    def check_publishable(
        self, uow: UnitOfWork, draft_id: int, version: int, expected_hash: str, now: datetime
    ) -> Publishable:
        """The gate (`Gate.check_publishable`), in the caller's unit of work."""
        return self.gate.check_publishable(uow, draft_id, version, expected_hash, now)

    # -- users and the audit log: their services, under the names callers use -------------

    def add_user(
        self, name: str, password: str, role: str, *, display_name: str = "", by: str = "system"
    ) -> Actor:
        return self.users.add(name, password, role, display_name=display_name, by=by)

    def list_users(self) -> list[dict[str, str | bool]]:
        return [u.as_dict() for u in self.users.list()]

    def disable_user(self, name: str, *, by: str = "system", reason: str = "") -> None:
        self.users.disable(name, by=by, reason=reason)

    def enable_user(self, name: str, *, by: str, reason: str = "") -> None:
        self.users.enable(name, by=by, reason=reason)

    def set_role(self, name: str, role: str, *, by: str) -> None:
        self.users.set_role(name, role, by=by)

    def has_users(self) -> bool:
        return self.users.exist()

    def authenticate(self, name: str, password: str) -> Actor:
        return self.users.authenticate(name, password)

    def actor(self, name: str) -> Actor:
        return self.users.actor(name)

    def audit_refusal(
        self, actor: str, action: str, error: Exception, draft_id: int | None = None
    ) -> None:
        self.audit.refused(actor, action, error, draft_id)

    def audit_log(
        self,
        *,
        limit: int = 200,
        draft_id: int | None = None,
        actor: str | None = None,
        action: str | None = None,
    ) -> list[AuditView]:
        return self.audit.entries(limit=limit, draft_id=draft_id, actor=actor, action=action)

    def export_audit(
        self,
        fmt: str,
        *,
        draft_id: int | None = None,
        actor: str | None = None,
        action: str | None = None,
    ) -> str:
        return self.audit.export(fmt, draft_id=draft_id, actor=actor, action=action)

    # -- scheduling: its service, under the names callers use -----------------------------

    def schedule(
        self,
        actor: Actor,
        draft_id: int,
        at: datetime,
        *,
        adapters: Sequence[str],
        expected: int | None = None,
    ) -> DraftView:
        """Queue an approved draft for publishing at `at` through each adapter; an adapter
        that is not configured is refused, naming those that are."""
        return self.scheduler.schedule(actor, draft_id, at, adapters=adapters, expected=expected)

    def outbox(
        self,
        *,
        state: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> list[OutboxView]:
        return self.scheduler.outbox(state=state, since=since, until=until)

    def calendar(
        self, since: datetime, until: datetime, *, brand: str | None = None
    ) -> builtins.list[CalendarEntry]:
        """The posts due from `since` until `until` (`Scheduler.calendar`)."""
        return self.scheduler.calendar(since, until, brand=brand)

    def is_paused(self) -> bool:
        return self.scheduler.is_paused()

    def publishing_state(self) -> PauseState:
        return self.scheduler.publishing_state()

    def set_paused(self, actor: Actor, paused: bool, *, reason: str = "") -> None:
        self.scheduler.set_paused(actor, paused, reason=reason)

    def expire(self, *, by: str = "system") -> int:
        return self.scheduler.expire(by=by)

    # -- reading ------------------------------------------------------------------------

    def _view(self, uow: UnitOfWork, draft: DraftRecord, *, full: bool = False) -> DraftView:
        return draft_view(uow, self.gate, draft, self.now(), full=full)

    def get(self, draft_id: int) -> DraftView:
        with self.db.transaction() as uow:
            return self._view(uow, self.gate.draft(uow, draft_id), full=True)

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
        with self.db.transaction() as uow:
            author_id = None
            if author:
                user = uow.users.by_name(author.strip().lower())
                author_id = user.id if user else -1
            drafts = uow.drafts.search(
                state=state,
                brand=brand,
                platform=get_platform(platform).key if platform else None,
                author_id=author_id,
                limit=limit,
            )
            return [self._view(uow, d) for d in drafts]

    # -- writing ------------------------------------------------------------------------

    def create_draft(
        self,
        actor: Actor,
        *,
        brand: str,
        platform: str,
        text: str,
        kind: str = "post",
        language: str = "en",
        provenance: Mapping[str, JSONValue] | None = None,
        context: str = "",
        check: Mapping[str, JSONValue] | None = None,
    ) -> DraftView:
        text = draft_text(text)
        platform = get_platform(platform).key
        now = self.now()
        if check is None or not self.checks.usable(check, text, platform):
            check = self.checks.run(text, brand, platform, kind, language, context)
        with self.db.transaction() as uow:
            draft = uow.drafts.add(
                brand=brand,
                kind=kind,
                platform=platform,
                language=language,
                author_id=actor.id,
                provenance=provenance or {},
                context=context[:MAX_CONTEXT_CHARS],
                at=now,
            )
            h = text_hash(text, platform)
            uow.drafts.add_version(
                draft_id=draft.id,
                number=1,
                text=text,
                text_hash=h,
                platform=platform,
                author_id=actor.id,
                note="generated" if provenance else "written",
                check_result=check,
                at=now,
            )
            self.audit.record(
                uow,
                actor.name,
                "created",
                draft_id=draft.id,
                after=h,
                brand=brand,
                platform=platform,
                kind=kind,
                model=(provenance or {}).get("model"),
            )
            return self._view(uow, draft)

    def save_generated(
        self,
        actor: Actor,
        drafts: Sequence[Draft],
        *,
        context: str = "",
        platform: str | None = None,
    ) -> builtins.list[DraftView]:
        """Keep drafts made by the drafting service, with their provenance."""
        out = []
        for d in drafts:
            if not d.text.strip():
                continue
            provenance: dict[str, JSONValue] = {
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
        return self.authoring.edit(
            actor, draft_id, text, expected=expected, platform=platform, note=note
        )

    def submit(self, actor: Actor, draft_id: int, *, expected: int | None = None) -> DraftView:
        return self.authoring.submit(actor, draft_id, expected=expected)

    def submit_edited(
        self,
        actor: Actor,
        draft_id: int,
        text: str,
        *,
        expected: int | None = None,
        note: str = "",
    ) -> DraftView:
        """Submit the draft as the author last edited it (`Authoring.submit_edited`): the
        text saved as a new version if it changed, then submitted."""
        return self.authoring.submit_edited(actor, draft_id, text, expected=expected, note=note)

    def approve(
        self, actor: Actor, draft_id: int, *, comment: str = "", expected: int | None = None
    ) -> DraftView:
        return self.decisions.decide(actor, draft_id, "approved", comment, expected)

    def reject(
        self, actor: Actor, draft_id: int, *, reason: str, expected: int | None = None
    ) -> DraftView:
        return self.decisions.decide(actor, draft_id, "rejected", reason, expected)

    def request_changes(
        self, actor: Actor, draft_id: int, *, reason: str, expected: int | None = None
    ) -> DraftView:
        return self.decisions.decide(actor, draft_id, "changes_requested", reason, expected)

    def override_findings(
        self, actor: Actor, draft_id: int, *, reason: str, expected: int | None = None
    ) -> DraftView:
        """A reviewer lets the current text go on despite its blocking findings; audited."""
        return self.decisions.override(actor, draft_id, reason=reason, expected=expected)

    def add_comment(self, actor: Actor, draft_id: int, body: str) -> None:
        body = clean(body or "")
        if not body:
            raise InputError("the comment is empty", "write something")
        with self.db.transaction() as uow:
            draft = self.gate.draft(uow, draft_id)
            uow.decisions.add_comment(draft.id, actor.id, body, self.now())
            self.audit.record(uow, actor.name, "commented", draft_id=draft.id, reason=body[:500])
