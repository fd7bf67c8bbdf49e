"""The publishing outbox worker: publishes the due items of the outbox, each once.

An item is claimed and passed through the review gate (`check_publishable`) in one
transaction; the publisher is called after that commit, outside any transaction, with
the exact text the gate returned, never with text read anywhere else. A worker that dies
mid-publish leaves its claim behind; after `publish_lease_seconds` another run takes the
item again with the same idempotency key, so a publisher that honours the key posts once.
Failures are retried with exponential backoff up to `publish_max_attempts`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.orm import Session

from cmassist.adapters.db.schema import DraftRow, OutboxRow, SettingRow
from cmassist.domain.errors import CmassistError, PublishBlockedError, PublishError
from cmassist.adapters.publishers import (
    Publisher,
    PublishRequest,
    PublishResult,
    build_publishers,
)
from cmassist.services.review import PAUSE_KEY, ReviewService

__all__ = [
    "PublishOutcome",
    "PublishReport",
    "PublishRequest",
    "PublishResult",
    "Publisher",
    "build_publishers",
    "publish_due",
    "run_pass",
]

WORKER = "outbox"  # the actor of the worker's audit entries
BACKOFF_BASE = timedelta(minutes=1)  # wait after the first failure; doubles every attempt
BACKOFF_CAP = timedelta(hours=1)


class PublishOutcome(BaseModel):
    item_id: int
    draft_id: int
    adapter: str
    idempotency_key: str
    attempts: int
    external_ref: str = ""
    error: str = ""
    next_attempt_at: datetime | None = None


class PublishReport(BaseModel):
    """What one run of the worker did, item by item."""

    at: datetime
    expired: int = 0  # drafts expired first (by `run_pass`): pending too long, approval expired
    paused: bool = False  # publishing is paused: nothing was published
    published: list[PublishOutcome] = Field(default_factory=list)
    retrying: list[PublishOutcome] = Field(default_factory=list)  # failed, tried again later
    failed: list[PublishOutcome] = Field(default_factory=list)  # failed for good
    blocked: list[PublishOutcome] = Field(default_factory=list)  # refused by the gate
    skipped: list[PublishOutcome] = Field(default_factory=list)  # due, but publishing paused

    @property
    def ok(self) -> bool:
        return not (self.failed or self.blocked)

    @property
    def quiet(self) -> bool:
        """Nothing expired, nothing was due: a pass with nothing to tell."""
        outcomes = (self.published, self.retrying, self.failed, self.blocked, self.skipped)
        return not self.expired and not any(outcomes)


class _Paused(Exception):
    """Publishing was paused between the run's start and this claim: roll the claim back."""


def run_pass(
    review: ReviewService,
    *,
    adapters: Mapping[str, Publisher] | None = None,
    by: str = "system",
    limit: int = 100,
) -> PublishReport:
    """One pass of the outbox, what `cmassist publish --due` and the publishing worker run:
    expire stale drafts and approvals (recorded under `by`), then publish what is due."""
    expired = review.expire(by=by)
    report = publish_due(review, adapters=adapters, limit=limit)
    report.expired = expired
    return report


def publish_due(
    review: ReviewService,
    *,
    adapters: Mapping[str, Publisher] | None = None,
    now: datetime | None = None,
    limit: int = 100,
) -> PublishReport:
    """Publish what is due: queued items whose time (or retry time) has come, and items
    whose worker stopped more than `publish_lease_seconds` ago. Nothing while paused.

    `adapters` defaults to `build_publishers(review.settings)`; `now` to the service's
    clock (read again for every claim when not given)."""
    clock: Callable[[], datetime] = review.now if now is None else (lambda: now)
    start = clock()
    if adapters is None:
        adapters = build_publishers(review.settings)
    report = PublishReport(at=start)
    due = _due(review, start, limit)
    if review.is_paused():
        report.paused = True
        report.skipped = [_outcome(row, error="publishing is paused") for row in due]
        return report
    for i, row in enumerate(due):
        try:
            _publish_one(review, row, adapters, clock, report)
        except _Paused:
            report.paused = True
            report.skipped.extend(_outcome(r, error="publishing is paused") for r in due[i:])
            break
    return report


# -- one item ---------------------------------------------------------------------------


def _due(review: ReviewService, now: datetime, limit: int) -> list[OutboxRow]:
    with review.session() as s:
        q = (
            select(OutboxRow)
            .where(_claimable(review, now, ignore_attempts=True))
            .order_by(func.coalesce(OutboxRow.next_attempt_at, OutboxRow.due_at), OutboxRow.id)
            .limit(max(0, limit))
        )
        return list(s.scalars(q))


def _claimable(review: ReviewService, now: datetime, *, ignore_attempts: bool = False) -> Any:
    lease_cutoff = now - timedelta(seconds=review.settings.publish_lease_seconds)
    condition = or_(
        and_(
            OutboxRow.state == "queued",
            OutboxRow.due_at <= now,
            func.coalesce(OutboxRow.next_attempt_at, OutboxRow.due_at) <= now,
        ),
        and_(OutboxRow.state == "publishing", OutboxRow.claimed_at <= lease_cutoff),
    )
    if ignore_attempts:
        return condition
    return and_(condition, OutboxRow.attempts < review.settings.publish_max_attempts)


def _publish_one(
    review: ReviewService,
    row: OutboxRow,
    adapters: Mapping[str, Publisher],
    clock: Callable[[], datetime],
    report: PublishReport,
) -> None:
    publisher = adapters.get(row.adapter)
    if publisher is None:
        _fail_unclaimed(
            review,
            row,
            clock(),
            f"no publisher named {row.adapter!r} is configured (configured: "
            f"{', '.join(sorted(adapters)) or 'none'}); configure it and schedule again",
            report,
        )
        return
    if row.state == "publishing" and row.attempts >= review.settings.publish_max_attempts:
        _fail_unclaimed(
            review,
            row,
            clock(),
            f"the worker stopped during the last of {row.attempts} attempts; whether the post "
            f"went out is unknown: check {row.adapter}",
            report,
        )
        return
    claim = _claim(review, row.id, clock(), report)
    if claim is None:
        return
    request, attempt = claim
    try:
        result = publisher.publish(request)
    except Exception as e:  # whatever the adapter raised is this item's failure, not the run's
        _record_failure(review, row.id, attempt, e, clock(), report)
        return
    _record_success(review, row.id, result, clock(), report)


def _claim(
    review: ReviewService, item_id: int, now: datetime, report: PublishReport
) -> tuple[PublishRequest, int] | None:
    """Claim the item and pass it through the gate, in one transaction. Returns what to
    publish and the attempt number, or None (taken by another worker, or blocked)."""
    with review.session() as s:
        # The UPDATE comes first so that SQLite takes its write lock before any read: the
        # gate below reads inside the same write transaction, so nothing changes under it.
        claimed = s.execute(
            update(OutboxRow)
            .where(OutboxRow.id == item_id, _claimable(review, now))
            .values(state="publishing", claimed_at=now, attempts=OutboxRow.attempts + 1)
            .execution_options(synchronize_session=False)
        )
        if claimed.rowcount != 1:
            return None
        pause = s.get(SettingRow, PAUSE_KEY)
        if pause is not None and pause.value == "1":
            raise _Paused
        item = s.get(OutboxRow, item_id)
        assert item is not None  # claimed just above
        try:
            draft, version, _ = review.check_publishable(
                s, item.draft_id, item.version, item.text_hash, now
            )
        except PublishBlockedError as e:
            item.state, item.last_error, item.next_attempt_at = "failed", str(e), None
            review._audit(
                s,
                WORKER,
                "publish_blocked",
                draft_id=item.draft_id,
                before=item.text_hash,
                reason=str(e),
                **_details(item),
            )
            report.blocked.append(_outcome(item, error=str(e)))
            return None
        review._audit(
            s,
            WORKER,
            "publish_attempt",
            draft_id=item.draft_id,
            before=item.text_hash,
            after=version.text_hash,
            **_details(item),
        )
        request = PublishRequest(
            draft_id=draft.id,
            version=version.number,
            text=version.text,
            platform=version.platform,
            brand=draft.brand,
            language=draft.language,
            due_at=item.due_at,
            idempotency_key=item.idempotency_key,
        )
        return request, item.attempts


def _record_success(
    review: ReviewService, item_id: int, result: PublishResult, now: datetime, report: PublishReport
) -> None:
    with review.session() as s:
        # Whatever happened to the claim meanwhile, the post went out: record it.
        done = s.execute(
            update(OutboxRow)
            .where(OutboxRow.id == item_id, OutboxRow.state != "published")
            .values(
                state="published",
                external_ref=result.external_ref,
                published_at=now,
                last_error="",
                next_attempt_at=None,
            )
            .execution_options(synchronize_session=False)
        )
        if done.rowcount != 1:
            return  # another worker recorded it first
        item = s.get(OutboxRow, item_id)
        assert item is not None
        unpublished = s.scalar(
            select(func.count(OutboxRow.id)).where(
                OutboxRow.draft_id == item.draft_id,
                OutboxRow.version == item.version,
                OutboxRow.state.not_in(("published", "cancelled")),
            )
        )
        draft_state = None if unpublished else _set_draft_state(review, s, item, "published")
        review._audit(
            s,
            WORKER,
            "published",
            draft_id=item.draft_id,
            before=item.text_hash,
            after=item.text_hash,
            reason=result.external_ref,
            external_ref=result.external_ref,
            draft_state=draft_state,
            **_details(item),
        )
        report.published.append(_outcome(item))


def _record_failure(
    review: ReviewService,
    item_id: int,
    attempt: int,
    error: Exception,
    now: datetime,
    report: PublishReport,
) -> None:
    message = str(error) if isinstance(error, CmassistError) else f"{type(error).__name__}: {error}"
    # An adapter that did not say is assumed transient: the attempts are bounded anyway.
    transient = error.transient if isinstance(error, PublishError) else True
    final = not transient or attempt >= review.settings.publish_max_attempts
    values: dict[str, Any] = {"state": "failed", "last_error": message, "next_attempt_at": None}
    if not final:
        delay = min(BACKOFF_BASE * 2 ** (attempt - 1), BACKOFF_CAP)
        retry_after = error.retry_after if isinstance(error, PublishError) else None
        if retry_after:
            delay = max(delay, timedelta(seconds=retry_after))
        values.update(state="queued", next_attempt_at=now + delay)
    # Only while the claim is still ours: after a lease expiry another worker owns it.
    _settle_failure(
        review,
        item_id,
        "publishing",
        attempt,
        values,
        message,
        final=final,
        transient=transient,
        report=report,
    )


def _fail_unclaimed(
    review: ReviewService, row: OutboxRow, now: datetime, message: str, report: PublishReport
) -> None:
    """Fail an item for good without trying it (no publisher, or no attempts left)."""
    values = {"state": "failed", "last_error": message, "next_attempt_at": None}
    _settle_failure(
        review,
        row.id,
        row.state,
        row.attempts,
        values,
        message,
        final=True,
        transient=False,
        report=report,
    )


def _settle_failure(
    review: ReviewService,
    item_id: int,
    expected_state: str,
    expected_attempts: int,
    values: dict[str, Any],
    message: str,
    *,
    final: bool,
    transient: bool,
    report: PublishReport,
) -> None:
    """Record a failure if the item is still as the caller saw it; audit and report it."""
    with review.session() as s:
        done = s.execute(
            update(OutboxRow)
            .where(
                OutboxRow.id == item_id,
                OutboxRow.state == expected_state,
                OutboxRow.attempts == expected_attempts,
            )
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        if done.rowcount != 1:
            return
        item = s.get(OutboxRow, item_id)
        assert item is not None
        draft_state = _set_draft_state(review, s, item, "failed") if final else None
        review._audit(
            s,
            WORKER,
            "publish_failed",
            draft_id=item.draft_id,
            before=item.text_hash,
            reason=message,
            final=final,
            transient=transient,
            next_attempt_at=item.next_attempt_at,
            draft_state=draft_state,
            **_details(item),
        )
        (report.failed if final else report.retrying).append(_outcome(item, error=message))


def _set_draft_state(review: ReviewService, s: Session, item: OutboxRow, state: str) -> str | None:
    """Move a scheduled draft, still at the item's version, to `state`; bumps its row
    version so that anyone holding the old one gets a conflict. None if it moved on."""
    moved = s.execute(
        update(DraftRow)
        .where(
            DraftRow.id == item.draft_id,
            DraftRow.state == "scheduled",
            DraftRow.current_version == item.version,
        )
        .values(state=state, row_version=DraftRow.row_version + 1, updated_at=review.now())
        .execution_options(synchronize_session=False)
    )
    return state if moved.rowcount == 1 else None


def _details(item: OutboxRow) -> dict[str, Any]:
    return {
        "item": item.id,
        "adapter": item.adapter,
        "idempotency_key": item.idempotency_key,
        "version": item.version,
        "attempt": item.attempts,
    }


def _outcome(item: OutboxRow, *, error: str = "") -> PublishOutcome:
    return PublishOutcome(
        item_id=item.id,
        draft_id=item.draft_id,
        adapter=item.adapter,
        idempotency_key=item.idempotency_key,
        attempts=item.attempts,
        external_ref=item.external_ref or "",
        error=error or item.last_error or "",
        next_attempt_at=item.next_attempt_at,
    )
