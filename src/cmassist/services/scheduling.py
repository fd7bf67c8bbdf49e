"""Scheduling approved drafts: outbox items per publishing adapter, the calendar of posts
due, the pause switch, and expiry of drafts pending review too long or approved too long ago."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from cmassist.config import Settings
from cmassist.domain.errors import ForbiddenError, InputError, StateError
from cmassist.services.audit import AuditLog
from cmassist.services.gate import MOVES, Gate
from cmassist.services.ports.persistence import Database, OutboxRecord
from cmassist.services.review_views import DraftView, OutboxView, draft_view
from cmassist.services.users import Actor, require_admin

PAUSE_KEY = "publishing_paused"

# The publishing adapters a draft may be scheduled through (those configured).
AdapterNames = Callable[[], Iterable[str]]


@dataclass(frozen=True)
class CalendarEntry:
    """A post on the calendar: one version of a draft due at a time, through one or more
    publishing adapters (its outbox items, cancelled ones left out)."""

    draft_id: int
    version: int
    due_at: datetime
    brand: str
    platform: str  # the draft's
    text: str  # the words of that version
    adapters: tuple[str, ...]  # in the outbox's order
    states: tuple[str, ...]  # of its items, each once, sorted: queued, published, failed...


@dataclass(frozen=True)
class PauseState:
    """Whether publishing is paused and, when it is, who paused it, when and why (from the
    last pause in the audit log; empty if none is found there)."""

    paused: bool
    by: str = ""
    reason: str = ""
    at: datetime | None = None


def idempotency_key(draft_id: int, version: int, adapter: str, text_hash: str) -> str:
    """One key per (draft version, adapter, words): a retry reuses it, so nothing posts twice."""
    return f"cmassist-{draft_id}-v{version}-{adapter}-{text_hash[:12]}"


class Scheduler:
    """Queues approved drafts in the outbox, pauses publishing, expires stale drafts."""

    def __init__(
        self,
        database: Database,
        gate: Gate,
        audit: AuditLog,
        settings: Callable[[], Settings],
        adapter_names: AdapterNames,
    ) -> None:
        self.db = database
        self.gate = gate
        self.audit = audit
        self.settings = settings
        self.adapter_names = adapter_names

    def require_known(self, adapters: Sequence[str]) -> None:
        """An InputError naming the unknown adapters and the known ones, if any is unknown."""
        known = list(self.adapter_names())
        unknown = [a for a in adapters if a not in known]
        if unknown:
            raise InputError(
                f"unknown or unconfigured adapter {', '.join(map(repr, unknown))}",
                f"use one of {', '.join(known) or '(none configured)'}",
            )

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
        chosen = list(dict.fromkeys(adapters))
        self.require_known(chosen)
        try:
            with self.db.transaction() as uow:
                now = self.db.now()
                draft = self.gate.open_draft(uow, draft_id, expected)
                self.gate.require_move(draft, "scheduled")
                current = self.gate.current(uow, draft)
                if self.gate.valid_approval(uow, draft, current, now) is None:
                    raise StateError(
                        f"draft #{draft_id} has no valid approval of its current text",
                        "have it approved again before scheduling",
                    )
                uow.outbox.cancel_queued(draft.id, "rescheduled")
                for adapter in chosen:
                    key = idempotency_key(draft.id, current.number, adapter, current.text_hash)
                    item = uow.outbox.by_key(key)
                    if item is None:
                        uow.outbox.add(
                            draft_id=draft.id,
                            version=current.number,
                            text_hash=current.text_hash,
                            adapter=adapter,
                            idempotency_key=key,
                            due_at=at,
                            at=now,
                        )
                    elif item.state != "published":  # this exact text went out there already
                        uow.outbox.requeue(item.id, at)
                draft = self.gate.change(uow, draft, expected, now, state="scheduled")
                self.audit.record(
                    uow,
                    actor.name,
                    "scheduled",
                    draft_id=draft.id,
                    before=current.text_hash,
                    after=current.text_hash,
                    at=at,
                    adapters=list(adapters),
                )
                return draft_view(uow, self.gate, draft, now, full=True)
        except (ForbiddenError, StateError) as e:
            self.audit.refused(actor.name, "scheduled", e, draft_id)
            raise

    def outbox(
        self,
        *,
        state: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> list[OutboxView]:
        with self.db.transaction() as uow:
            items = uow.outbox.search(state=state, since=since, until=until)
        return [OutboxView.model_validate(o, from_attributes=True) for o in items]

    def calendar(
        self, since: datetime, until: datetime, *, brand: str | None = None
    ) -> list[CalendarEntry]:
        """The posts due from `since` until `until` (of one brand, if given), by due time."""
        posts: dict[tuple[int, int, datetime], list[OutboxRecord]] = {}
        with self.db.transaction() as uow:
            for item in uow.outbox.search(since=since, until=until):
                if item.state != "cancelled":
                    posts.setdefault((item.draft_id, item.version, item.due_at), []).append(item)
            drafts = {i: self.gate.draft(uow, i) for i in sorted({key[0] for key in posts})}
            return [
                CalendarEntry(
                    draft_id=draft_id,
                    version=version,
                    due_at=due,
                    brand=drafts[draft_id].brand,
                    platform=drafts[draft_id].platform,
                    text=uow.drafts.version(draft_id, version).text,
                    adapters=tuple(i.adapter for i in items),
                    states=tuple(sorted({i.state for i in items})),
                )
                for (draft_id, version, due), items in sorted(
                    posts.items(), key=lambda kv: kv[0][2]
                )
                if brand is None or drafts[draft_id].brand == brand
            ]

    def is_paused(self) -> bool:
        with self.db.transaction() as uow:
            return uow.flags.get(PAUSE_KEY) == "1"

    def publishing_state(self) -> PauseState:
        """Whether publishing is paused, by whom, when and why."""
        with self.db.transaction() as uow:
            if uow.flags.get(PAUSE_KEY) != "1":
                return PauseState(paused=False)
            last = uow.audit.query(limit=1, actions=("paused",))
        if not last:
            return PauseState(paused=True)
        return PauseState(paused=True, by=last[0].actor, reason=last[0].reason, at=last[0].at)

    def set_paused(self, actor: Actor, paused: bool, *, reason: str = "") -> None:
        action = "paused" if paused else "resumed"
        try:
            require_admin(actor, "pause or resume publishing")
        except ForbiddenError as e:
            self.audit.refused(actor.name, action, e)
            raise
        if not (reason or "").strip():
            raise InputError("a reason is required", "say why, for the audit log")
        value = "1" if paused else "0"
        with self.db.transaction() as uow:
            before = uow.flags.put(PAUSE_KEY, value, at=self.db.now(), by=actor.name)
            self.audit.record(
                uow,
                actor.name,
                action,
                reason=reason,
                before=before or "0",
                after=value,
                setting=PAUSE_KEY,
            )

    def expire(self, *, by: str = "system") -> int:
        """Expire drafts pending review too long and approvals past their lifetime."""
        now = self.db.now()
        ttl = self.settings().pending_ttl_days
        pending_cutoff = now - timedelta(days=ttl)
        count = 0
        with self.db.transaction() as uow:
            for draft in uow.drafts.in_states(MOVES["expired"]):
                current = self.gate.current(uow, draft)
                if draft.state == "submitted":
                    if not (draft.submitted_at and draft.submitted_at <= pending_cutoff):
                        continue
                    reason = f"pending review for over {ttl:g} days"
                elif self.gate.valid_approval(uow, draft, current, now) is None:
                    reason = "approval expired"
                else:
                    continue
                cancelled = uow.outbox.cancel_queued(draft.id, reason)
                self.gate.change(uow, draft, None, now, state="expired")
                self.audit.record(
                    uow,
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
