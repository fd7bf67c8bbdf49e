"""The persistence port: the records the review database keeps, the repositories that read
and write them, and the unit of work (one transaction, and the clock) that holds them."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

Clock = Callable[[], datetime]
"""What time it is: timezone-aware, in UTC. Tests pass a clock they move by hand."""

JSONValue = object
"""A value the database keeps as JSON (plain dicts, lists, strings, numbers, booleans)."""


# -- records ---------------------------------------------------------------------------


@dataclass(frozen=True)
class UserRecord:
    id: int
    name: str
    display_name: str
    role: str  # author | reviewer | admin
    password_hash: str
    disabled: bool
    created_at: datetime


@dataclass(frozen=True)
class DraftRecord:
    id: int
    brand: str
    kind: str  # post | reply
    platform: str
    language: str
    author_id: int
    state: str
    current_version: int
    # Optimistic lock: every change bumps it; a writer holding an old value gets a conflict.
    row_version: int
    provenance: dict[str, JSONValue]
    context: str  # the brief, or the comment replied to
    created_at: datetime
    updated_at: datetime
    submitted_at: datetime | None


@dataclass(frozen=True)
class VersionRecord:
    id: int
    draft_id: int
    number: int
    text: str
    text_hash: str
    platform: str
    author_id: int
    created_at: datetime
    note: str
    # The tone and compliance check of this exact text (the checker's public form), or an
    # error; None when the draft was never checked.
    check_result: dict[str, JSONValue] | None


@dataclass(frozen=True)
class DecisionRecord:
    """A reviewer's decision on one exact version: approved, rejected, changes_requested."""

    id: int
    draft_id: int
    version: int
    reviewer_id: int
    decision: str
    comment: str
    text_hash: str  # what an approval binds to
    platform: str
    created_at: datetime
    expires_at: datetime | None


@dataclass(frozen=True)
class OverrideRecord:
    """A reviewer's decision to let a version with blocking findings go on anyway."""

    id: int
    draft_id: int
    version: int
    text_hash: str  # the override binds to these words
    reviewer_id: int
    reason: str
    findings: list[JSONValue]
    created_at: datetime


@dataclass(frozen=True)
class CommentRecord:
    id: int
    draft_id: int
    user_id: int
    body: str
    created_at: datetime


@dataclass(frozen=True)
class AuditRecord:
    id: int
    at: datetime
    actor: str
    action: str
    draft_id: int | None
    hash_before: str | None
    hash_after: str | None
    reason: str
    details: dict[str, JSONValue]


@dataclass(frozen=True)
class OutboxRecord:
    id: int
    draft_id: int
    version: int
    text_hash: str
    adapter: str
    due_at: datetime
    # One key per (draft version, adapter): a retry reuses it, so nothing posts twice.
    idempotency_key: str
    state: str  # queued | publishing | published | failed | cancelled
    attempts: int
    next_attempt_at: datetime | None
    claimed_at: datetime | None
    last_error: str
    external_ref: str
    created_at: datetime
    published_at: datetime | None


@dataclass(frozen=True)
class WorkerRecord:
    """A publishing worker's last heartbeat."""

    id: str
    kind: str  # server | worker | once
    host: str
    pid: int
    interval: float  # seconds between passes
    started_at: datetime
    beat_at: datetime
    last_run_at: datetime | None
    stopped_at: datetime | None
    last_error: str  # of the pass itself, not of an item


# -- repositories ----------------------------------------------------------------------


class UserRepository(Protocol):
    def by_name(self, name: str) -> UserRecord | None: ...
    def by_id(self, user_id: int) -> UserRecord | None: ...
    def add(
        self, *, name: str, display_name: str, role: str, password_hash: str, at: datetime
    ) -> UserRecord: ...
    def all(self) -> list[UserRecord]:
        """Every user, by name."""
        ...

    def count(self) -> int: ...
    def set_role(self, user_id: int, role: str) -> None: ...
    def set_disabled(self, user_id: int, disabled: bool) -> None: ...
    def names(self) -> dict[int, str]:
        """User names by id, for showing who did what."""
        ...


class DraftRepository(Protocol):
    """Drafts and their versions."""

    def get(self, draft_id: int) -> DraftRecord | None: ...
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
    ) -> DraftRecord: ...
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
        """Change the draft if its row version is still `seen`, bumping it; None if
        someone changed it meanwhile (nothing is written then)."""
        ...

    def search(
        self,
        *,
        state: str | None = None,
        brand: str | None = None,
        platform: str | None = None,
        author_id: int | None = None,
        limit: int = 500,
    ) -> list[DraftRecord]:
        """Drafts, the last updated first."""
        ...

    def in_states(self, states: Sequence[str]) -> list[DraftRecord]: ...
    def finish_scheduled(self, draft_id: int, version: int, state: str, at: datetime) -> bool:
        """Move a draft still scheduled at `version` to `state` (published, failed), bumping
        its row version; False if it moved on meanwhile."""
        ...

    def version(self, draft_id: int, number: int) -> VersionRecord: ...
    def versions(self, draft_id: int) -> list[VersionRecord]: ...
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
    ) -> VersionRecord: ...
    def set_check(self, version_id: int, check: Mapping[str, JSONValue] | None) -> None: ...


class DecisionRepository(Protocol):
    """Reviewers' decisions, their overrides of blocking findings, and comments."""

    def latest(self, draft_id: int) -> DecisionRecord | None: ...
    def for_draft(self, draft_id: int) -> list[DecisionRecord]:
        """The draft's decisions, oldest first."""
        ...

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
    ) -> DecisionRecord: ...
    def override_for(self, draft_id: int, version: int, text_hash: str) -> OverrideRecord | None:
        """The latest override of exactly these words, if any."""
        ...

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
    ) -> None: ...
    def comments(self, draft_id: int) -> list[CommentRecord]: ...
    def add_comment(self, draft_id: int, user_id: int, body: str, at: datetime) -> None: ...


class OutboxRepository(Protocol):
    """The outbox items, and the steps of claiming and settling one (each a single
    conditional write, so that two workers never both win)."""

    def get(self, item_id: int) -> OutboxRecord | None: ...
    def by_key(self, idempotency_key: str) -> OutboxRecord | None: ...
    def search(
        self,
        *,
        state: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        draft_id: int | None = None,
    ) -> list[OutboxRecord]:
        """Items by due time (by id for one draft)."""
        ...

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
        """A new queued item due at `due_at`."""
        ...

    def requeue(self, item_id: int, due_at: datetime) -> None:
        """Queue an item again for `due_at`, its last error cleared."""
        ...

    def cancel_queued(self, draft_id: int, reason: str) -> int:
        """Cancel a draft's queued items; returns how many."""
        ...

    def due(self, now: datetime, lease_cutoff: datetime, limit: int) -> list[OutboxRecord]:
        """Queued items whose time (or retry time) has come, and claims older than
        `lease_cutoff`, the oldest first, whatever their attempts."""
        ...

    def claim(self, item_id: int, now: datetime, lease_cutoff: datetime, max_attempts: int) -> bool:
        """Take a due item (state publishing, one more attempt) if it is still claimable;
        written first in the transaction, so the database's write lock is held from here."""
        ...

    def block(self, item_id: int, error: str) -> None:
        """Fail an item the gate refused."""
        ...

    def mark_published(self, item_id: int, external_ref: str, at: datetime) -> bool:
        """Record a delivery, unless it was recorded already."""
        ...

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
        """Record a failure if the item is still as the caller saw it."""
        ...

    def unsettled(self, draft_id: int, version: int) -> int:
        """How many items of this version are neither published nor cancelled."""
        ...

    def next_due(self, max_attempts: int) -> datetime | None: ...
    def due_count(self, now: datetime, max_attempts: int) -> int: ...


class AuditRepository(Protocol):
    """The append-only audit log."""

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
    ) -> None: ...
    def query(
        self,
        *,
        limit: int,
        draft_id: int | None = None,
        actor: str | None = None,
        actions: Sequence[str] | None = None,
    ) -> list[AuditRecord]:
        """Entries, the newest first."""
        ...


class FlagRepository(Protocol):
    """Named settings kept in the database (publishing paused)."""

    def get(self, key: str) -> str | None: ...
    def put(self, key: str, value: str, *, at: datetime, by: str) -> str | None:
        """Set the value; returns the previous one."""
        ...


class WorkerRepository(Protocol):
    """The publishing workers' heartbeats."""

    def get(self, worker_id: str) -> WorkerRecord | None: ...
    def save(self, beat: WorkerRecord) -> None: ...
    def all(self) -> list[WorkerRecord]:
        """Every heartbeat, the newest first."""
        ...

    def forget_before(self, cutoff: datetime) -> int: ...


class UnitOfWork(Protocol):
    """One transaction over the review database: committed when its block ends, rolled
    back when the block raises. Everything read or written through it is part of it."""

    users: UserRepository
    drafts: DraftRepository
    decisions: DecisionRepository
    outbox: OutboxRepository
    audit: AuditRepository
    flags: FlagRepository
    workers: WorkerRepository


class Database(Protocol):
    """Where the review records live: opens units of work, and says what time it is."""

    def transaction(self) -> AbstractContextManager[UnitOfWork]: ...
    def now(self) -> datetime: ...
