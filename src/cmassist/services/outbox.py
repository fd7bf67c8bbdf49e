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
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TypedDict

from pydantic import BaseModel, Field

from cmassist.domain.errors import CmassistError, PublishBlockedError, PublishError
from cmassist.services.ports.persistence import OutboxRecord, UnitOfWork
from cmassist.services.ports.publishing import Publisher, PublishRequest, PublishResult
from cmassist.services.registry import build_publishers
from cmassist.services.review import ReviewService
from cmassist.services.scheduling import PAUSE_KEY

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

    `adapters` defaults to the publishers the review service's settings configure
    (`review.publishers()`); `now` to the service's clock (read again for every claim when
    not given)."""
    clock: Callable[[], datetime] = review.now if now is None else (lambda: now)
    start = clock()
    if adapters is None:
        adapters = review.publishers()
    report = PublishReport(at=start)
    with review.db.transaction() as uow:
        due = uow.outbox.due(start, _lease_cutoff(review, start), limit)
    if review.is_paused():
        report.paused = True
        report.skipped = [_outcome(item, error="publishing is paused") for item in due]
        return report
    for i, item in enumerate(due):
        try:
            _publish_one(review, item, adapters, clock, report)
        except _Paused:
            report.paused = True
            report.skipped.extend(_outcome(r, error="publishing is paused") for r in due[i:])
            break
    return report


# -- one item ---------------------------------------------------------------------------


def _lease_cutoff(review: ReviewService, now: datetime) -> datetime:
    """Claims older than this are a stopped worker's: they may be taken again."""
    return now - timedelta(seconds=review.settings.publish_lease_seconds)


def _publish_one(
    review: ReviewService,
    item: OutboxRecord,
    adapters: Mapping[str, Publisher],
    clock: Callable[[], datetime],
    report: PublishReport,
) -> None:
    publisher = adapters.get(item.adapter)
    if publisher is None:
        message = (
            f"no publisher named {item.adapter!r} is configured (configured: "
            f"{', '.join(sorted(adapters)) or 'none'}); configure it and schedule again"
        )
        _fail_unclaimed(review, item, message, report)
        return
    if item.state == "publishing" and item.attempts >= review.settings.publish_max_attempts:
        message = (
            f"the worker stopped during the last of {item.attempts} attempts; whether the post "
            f"went out is unknown: check {item.adapter}"
        )
        _fail_unclaimed(review, item, message, report)
        return
    claim = _claim(review, item.id, clock(), report)
    if claim is None:
        return
    request, attempt = claim
    try:
        result = publisher.publish(request)
    except Exception as e:  # whatever the adapter raised is this item's failure, not the run's
        _record_failure(review, item.id, attempt, e, clock(), report)
        return
    _record_success(review, item.id, result, clock(), report)


def _claim(
    review: ReviewService, item_id: int, now: datetime, report: PublishReport
) -> tuple[PublishRequest, int] | None:
    """Claim the item and pass it through the gate, in one transaction. Returns what to
    publish and the attempt number, or None (taken by another worker, or blocked)."""
    with review.db.transaction() as uow:
        # The claim is written first so that SQLite takes its write lock before any read:
        # the gate below reads inside the same write transaction, so nothing changes under it.
        max_attempts = review.settings.publish_max_attempts
        if not uow.outbox.claim(item_id, now, _lease_cutoff(review, now), max_attempts):
            return None
        if uow.flags.get(PAUSE_KEY) == "1":
            raise _Paused
        item = _item(uow, item_id)
        try:
            ok = review.gate.check_publishable(
                uow, item.draft_id, item.version, item.text_hash, now
            )
        except PublishBlockedError as e:
            uow.outbox.block(item.id, str(e))
            item = _item(uow, item_id)
            review.audit.record(
                uow,
                WORKER,
                "publish_blocked",
                draft_id=item.draft_id,
                before=item.text_hash,
                reason=str(e),
                **_details(item),
            )
            report.blocked.append(_outcome(item, error=str(e)))
            return None
        review.audit.record(
            uow,
            WORKER,
            "publish_attempt",
            draft_id=item.draft_id,
            before=item.text_hash,
            after=ok.version.text_hash,
            **_details(item),
        )
        request = PublishRequest(
            draft_id=ok.draft.id,
            version=ok.version.number,
            text=ok.version.text,
            platform=ok.version.platform,
            brand=ok.draft.brand,
            language=ok.draft.language,
            due_at=item.due_at,
            idempotency_key=item.idempotency_key,
        )
        return request, item.attempts


def _record_success(
    review: ReviewService, item_id: int, result: PublishResult, now: datetime, report: PublishReport
) -> None:
    with review.db.transaction() as uow:
        # Whatever happened to the claim meanwhile, the post went out: record it.
        if not uow.outbox.mark_published(item_id, result.external_ref, now):
            return  # another worker recorded it first
        item = _item(uow, item_id)
        unpublished = uow.outbox.unsettled(item.draft_id, item.version)
        draft_state = None if unpublished else _finish_draft(review, uow, item, "published")
        review.audit.record(
            uow,
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


@dataclass(frozen=True)
class _Failure:
    """How a failed item is left: failed for good, or queued for a retry."""

    message: str
    final: bool
    transient: bool
    next_attempt_at: datetime | None = None


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
    retry_at = None
    if not final:
        delay = min(BACKOFF_BASE * 2 ** (attempt - 1), BACKOFF_CAP)
        retry_after = error.retry_after if isinstance(error, PublishError) else None
        if retry_after:
            delay = max(delay, timedelta(seconds=retry_after))
        retry_at = now + delay
    # Only while the claim is still ours: after a lease expiry another worker owns it.
    failure = _Failure(message, final, transient, retry_at)
    _settle_failure(review, item_id, "publishing", attempt, failure, report)


def _fail_unclaimed(
    review: ReviewService, item: OutboxRecord, message: str, report: PublishReport
) -> None:
    """Fail an item for good without trying it (no publisher, or no attempts left)."""
    failure = _Failure(message, final=True, transient=False)
    _settle_failure(review, item.id, item.state, item.attempts, failure, report)


def _settle_failure(
    review: ReviewService,
    item_id: int,
    expected_state: str,
    expected_attempts: int,
    failure: _Failure,
    report: PublishReport,
) -> None:
    """Record a failure if the item is still as the caller saw it; audit and report it."""
    with review.db.transaction() as uow:
        settled = uow.outbox.settle(
            item_id,
            expected_state=expected_state,
            expected_attempts=expected_attempts,
            state="failed" if failure.final else "queued",
            last_error=failure.message,
            next_attempt_at=failure.next_attempt_at,
        )
        if not settled:
            return
        item = _item(uow, item_id)
        draft_state = _finish_draft(review, uow, item, "failed") if failure.final else None
        review.audit.record(
            uow,
            WORKER,
            "publish_failed",
            draft_id=item.draft_id,
            before=item.text_hash,
            reason=failure.message,
            final=failure.final,
            transient=failure.transient,
            next_attempt_at=item.next_attempt_at,
            draft_state=draft_state,
            **_details(item),
        )
        (report.failed if failure.final else report.retrying).append(
            _outcome(item, error=failure.message)
        )


def _item(uow: UnitOfWork, item_id: int) -> OutboxRecord:
    item = uow.outbox.get(item_id)
    if item is None:  # claimed or settled in this very transaction: it cannot be gone
        raise LookupError(f"outbox item #{item_id} vanished")
    return item


def _finish_draft(
    review: ReviewService, uow: UnitOfWork, item: OutboxRecord, state: str
) -> str | None:
    """Move a scheduled draft, still at the item's version, to `state`; bumps its row
    version so that anyone holding the old one gets a conflict. None if it moved on."""
    moved = uow.drafts.finish_scheduled(item.draft_id, item.version, state, review.now())
    return state if moved else None


class _ItemDetails(TypedDict):
    """What every audit entry of the worker says about its item."""

    item: int
    adapter: str
    idempotency_key: str
    version: int
    attempt: int


def _details(item: OutboxRecord) -> _ItemDetails:
    return {
        "item": item.id,
        "adapter": item.adapter,
        "idempotency_key": item.idempotency_key,
        "version": item.version,
        "attempt": item.attempts,
    }


def _outcome(item: OutboxRecord, *, error: str = "") -> PublishOutcome:
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
