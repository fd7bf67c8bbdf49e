"""The publishing outbox: the worker, the gate it goes through, and the publishers, with a
real database, real files and real HTTP servers on loopback (no internet)."""

from __future__ import annotations

import csv
import io
import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select, update

from cmassist.adapters.db.tables import DecisionRow, OutboxRow
from cmassist.adapters.db.uow import DB_FILE, SqlDatabase
from cmassist.adapters.publishers import (
    CsvPublisher,
    IcsPublisher,
    MastodonPublisher,
    MemoryPublisher,
    PublishRequest,
    PublishResult,
    WebhookPublisher,
    build_publishers,
    verify_signature,
)
from cmassist.adapters.publishers.ics import escape_text, fold
from cmassist.adapters.publishers.webhook import sign
from cmassist.config import Settings
from cmassist.domain.errors import ConfigError, ForbiddenError, InputError, PublishError
from cmassist.services.outbox import BACKOFF_BASE, PublishReport, publish_due
from cmassist.services.review import Actor, ReviewService

from .fake_publish_servers import FakeMastodon, WebhookReceiver

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
SECRET = "test-webhook-secret-0123456789"
# What the tests may schedule through; "nowhere" stands for an adapter configured when the
# draft was scheduled and gone by the time it is due.
ADAPTERS = ("memory", "other", "nowhere", "csv", "ics", "webhook", "mastodon")


def review_service(settings: Settings, clock: Any = None) -> ReviewService:
    database = SqlDatabase.open(settings, clock=clock)
    return ReviewService(settings, database=database, adapter_names=lambda: ADAPTERS)


@contextmanager
def raw(review: ReviewService) -> Iterator[Any]:
    """A SQL session straight on the database, as someone tampering with it would have."""
    with review.db.sessions() as s, s.begin():  # type: ignore[attr-defined]
        yield s


class Clock:
    def __init__(self, at: datetime) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at

    def advance(self, **delta: float) -> datetime:
        self.at += timedelta(**delta)
        return self.at


@dataclass(frozen=True)
class People:
    author: Actor
    reviewer: Actor
    admin: Actor


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, People]:
    """A database with the team in it, made once: password hashing is slow on purpose."""
    data = tmp_path_factory.mktemp("outbox-template") / "data"
    review = review_service(Settings(data_dir=data))
    team = People(
        author=review.add_user("ann", "password-ann", "author"),
        reviewer=review.add_user("bob", "password-bob", "reviewer"),
        admin=review.add_user("ada", "password-ada", "admin"),
    )
    review.db.dispose()  # type: ignore[attr-defined]  # checkpoints the WAL into the file
    return data / DB_FILE, team


@pytest.fixture
def clock() -> Clock:
    return Clock(T0)


@pytest.fixture
def make_review(tmp_path: Path, clock: Clock, template: tuple[Path, People]) -> Any:
    def make(**overrides: Any) -> ReviewService:
        data = tmp_path / "data"
        if not (data / DB_FILE).exists():
            data.mkdir(parents=True, exist_ok=True)
            shutil.copy(template[0], data / DB_FILE)
        settings = Settings(data_dir=data, **{"publish_max_attempts": 3, **overrides})
        return review_service(settings, clock)

    return make


@pytest.fixture
def review(make_review: Any) -> ReviewService:
    return make_review()


@pytest.fixture
def team(template: tuple[Path, People]) -> People:
    return template[1]


def scheduled(
    review: ReviewService,
    team: People,
    *,
    text: str = "Spring opening: the trails are back, see you Saturday! #boreale",
    platform: str = "mastodon",
    at: datetime | None = None,
    adapters: tuple[str, ...] = ("memory",),
    author: Actor | None = None,
) -> int:
    """A draft written by the author, approved by the reviewer, scheduled for `at`."""
    author = author or team.author
    draft = review.create_draft(author, brand="boreale", platform=platform, text=text)
    review.submit(author, draft.id)
    review.approve(team.reviewer, draft.id, comment="good to go")
    review.schedule(
        team.reviewer, draft.id, at or review.now() + timedelta(minutes=10), adapters=adapters
    )
    return draft.id


def item_of(review: ReviewService, draft_id: int, adapter: str = "memory") -> Any:
    return next(o for o in review.get(draft_id).outbox if o.adapter == adapter)


def actions(review: ReviewService, draft_id: int) -> list[str]:
    return [a.action for a in reversed(review.audit_log(draft_id=draft_id))]


def request(**overrides: Any) -> PublishRequest:
    values: dict[str, Any] = {
        "draft_id": 7,
        "version": 1,
        "text": 'Trails open Saturday, 9:00; bring water, "real" boots\nand a friend.',
        "platform": "instagram",
        "brand": "boreale",
        "language": "en",
        "due_at": datetime(2026, 3, 2, 14, 5, tzinfo=UTC),
        "idempotency_key": "cmassist-7-v1-csv-0123456789ab",
    }
    values.update(overrides)
    return PublishRequest(**values)


# -- the worker -----------------------------------------------------------------------------


def test_due_items_publish_once_and_others_wait(review: ReviewService, team: People, clock: Clock):
    soon = scheduled(review, team, at=T0 + timedelta(minutes=10))
    later = scheduled(review, team, text="Later post", at=T0 + timedelta(hours=2))
    memory = MemoryPublisher()

    clock.advance(minutes=5)
    report = publish_due(review, adapters={"memory": memory})
    assert report.published == [] and memory.calls == []

    clock.advance(minutes=6)
    report = publish_due(review, adapters={"memory": memory})
    assert [o.draft_id for o in report.published] == [soon]
    assert report.ok and not report.paused
    sent = memory.calls[0]
    draft = review.get(soon)
    item = item_of(review, soon)
    assert (sent.text, sent.platform, sent.brand, sent.language) == (
        draft.text,
        "mastodon",
        "boreale",
        "en",
    )
    assert sent.due_at == T0 + timedelta(minutes=10)
    assert sent.idempotency_key == item.idempotency_key
    assert (sent.draft_id, sent.version) == (soon, 1)

    assert publish_due(review, adapters={"memory": memory}).published == []
    assert len(memory.calls) == 1
    assert draft.state == "published"
    assert item.state == "published" and item.attempts == 1
    assert item.external_ref == f"memory:{item.idempotency_key}"
    assert item.published_at == clock.at
    assert review.get(later).state == "scheduled"
    assert item_of(review, later).state == "queued"
    assert actions(review, soon)[-2:] == ["publish_attempt", "published"]


def test_a_draft_is_published_when_all_its_items_are(
    review: ReviewService, team: People, clock: Clock
):
    draft_id = scheduled(review, team, adapters=("memory", "other"))
    memory, other = MemoryPublisher(), MemoryPublisher("other")
    other.fail_transient()
    clock.advance(minutes=11)
    publish_due(review, adapters={"memory": memory, "other": other})
    assert review.get(draft_id).state == "scheduled"  # one of two went out
    clock.advance(minutes=5)
    publish_due(review, adapters={"memory": memory, "other": other})
    assert review.get(draft_id).state == "published"
    assert len(memory.delivered) == len(other.delivered) == 1


def test_paused_publishes_nothing_until_resumed(review: ReviewService, team: People, clock: Clock):
    draft_id = scheduled(review, team)
    memory = MemoryPublisher()
    review.set_paused(team.admin, True, reason="crisis")
    clock.advance(minutes=11)

    report = publish_due(review, adapters={"memory": memory})
    assert report.paused
    assert [o.draft_id for o in report.skipped] == [draft_id]
    assert report.published == [] and memory.calls == []
    assert item_of(review, draft_id).state == "queued"

    review.set_paused(team.admin, False, reason="over")
    report = publish_due(review, adapters={"memory": memory})
    assert not report.paused and [o.draft_id for o in report.published] == [draft_id]
    assert len(memory.delivered) == 1


def test_a_pause_during_a_run_stops_the_rest(review: ReviewService, team: People, clock: Clock):
    first = scheduled(review, team, at=T0 + timedelta(minutes=1))
    second = scheduled(review, team, text="Second post", at=T0 + timedelta(minutes=2))

    class PausingPublisher(MemoryPublisher):
        def publish(self, item: PublishRequest) -> PublishResult:
            review.set_paused(team.admin, True, reason="pressed during the run")
            return super().publish(item)

    publisher = PausingPublisher()
    clock.advance(minutes=11)
    report = publish_due(review, adapters={"memory": publisher})
    assert [o.draft_id for o in report.published] == [first]
    assert report.paused and [o.draft_id for o in report.skipped] == [second]
    assert item_of(review, second).state == "queued"  # the claim was rolled back
    assert item_of(review, second).attempts == 0


def test_an_edit_after_scheduling_publishes_nothing(
    review: ReviewService, team: People, clock: Clock
):
    draft_id = scheduled(review, team)
    review.edit(team.author, draft_id, "A different text nobody approved")
    assert review.get(draft_id).state == "submitted"
    assert item_of(review, draft_id).state == "cancelled"
    memory = MemoryPublisher()
    clock.advance(minutes=11)
    report = publish_due(review, adapters={"memory": memory})
    assert report.published == report.blocked == [] and memory.calls == []

    # Even if the cancellation were lost, the gate sees that the text changed.
    with raw(review) as s:
        s.execute(update(OutboxRow).values(state="queued"))
    report = publish_due(review, adapters={"memory": memory})
    assert [o.draft_id for o in report.blocked] == [draft_id]
    assert memory.calls == []
    item = item_of(review, draft_id)
    assert item.state == "failed" and "is submitted, not approved" in item.last_error
    assert "publish_blocked" in actions(review, draft_id)


def test_an_approval_expired_before_the_due_time_is_blocked(
    make_review: Any, team: People, clock: Clock
):
    review = make_review(approval_ttl_days=1)
    draft_id = scheduled(review, team, at=T0 + timedelta(days=2))
    memory = MemoryPublisher()
    clock.advance(days=2, minutes=1)
    report = publish_due(review, adapters={"memory": memory})
    assert [o.draft_id for o in report.blocked] == [draft_id] and not report.ok
    assert memory.calls == []
    item = item_of(review, draft_id)
    assert item.state == "failed" and "no valid approval" in item.last_error
    blocked = review.audit_log(draft_id=draft_id, action="publish_blocked")
    assert len(blocked) == 1 and "expired" in blocked[0].reason
    assert blocked[0].actor == "outbox" and blocked[0].details["item"] == item.id
    # Blocked is final: later runs leave it alone.
    clock.advance(days=1)
    assert publish_due(review, adapters={"memory": memory}).blocked == []


def test_a_forged_self_approval_is_never_published(
    review: ReviewService, team: People, clock: Clock
):
    author = team.admin  # an admin may review, but not her own draft
    draft_id = scheduled(review, team, author=author)
    draft = review.get(draft_id)
    with pytest.raises(ForbiddenError):
        review.approve(author, draft_id)

    # Someone with database access adds an approval by the author herself, newer than the
    # reviewer's: the gate re-checks the two-person rule at publishing time.
    with raw(review) as s:
        s.add(
            DecisionRow(
                draft_id=draft_id,
                version=draft.version,
                reviewer_id=author.id,
                decision="approved",
                comment="lgtm",
                text_hash=draft.text_hash,
                platform=draft.platform,
                created_at=clock.at,
                expires_at=clock.at + timedelta(days=30),
            )
        )
    memory = MemoryPublisher()
    clock.advance(minutes=11)
    report = publish_due(review, adapters={"memory": memory})
    assert [o.draft_id for o in report.blocked] == [draft_id]
    assert memory.calls == []
    assert "second person" in item_of(review, draft_id).last_error


def test_a_transient_failure_is_retried_with_backoff_and_the_same_key(
    review: ReviewService, team: People, clock: Clock
):
    draft_id = scheduled(review, team)
    memory = MemoryPublisher()
    memory.fail_transient(2)
    clock.advance(minutes=11)

    report = publish_due(review, adapters={"memory": memory})
    assert [o.draft_id for o in report.retrying] == [draft_id] and report.ok
    item = item_of(review, draft_id)
    assert item.state == "queued" and item.attempts == 1
    assert item.next_attempt_at == clock.at + BACKOFF_BASE
    assert "busy" in item.last_error

    clock.advance(seconds=30)  # not yet
    assert publish_due(review, adapters={"memory": memory}).retrying == []
    assert len(memory.calls) == 1

    clock.advance(seconds=31)
    publish_due(review, adapters={"memory": memory})
    item = item_of(review, draft_id)
    assert item.attempts == 2 and item.next_attempt_at == clock.at + 2 * BACKOFF_BASE

    clock.advance(minutes=2, seconds=1)
    report = publish_due(review, adapters={"memory": memory})
    assert [o.draft_id for o in report.published] == [draft_id]
    item = item_of(review, draft_id)
    assert item.state == "published" and item.attempts == 3 and item.last_error == ""
    assert len(memory.calls) == 3
    assert {c.idempotency_key for c in memory.calls} == {item.idempotency_key}
    assert len(memory.delivered) == 1
    assert actions(review, draft_id).count("publish_failed") == 2


def test_retry_after_is_honoured(review: ReviewService, team: People, clock: Clock):
    draft_id = scheduled(review, team)
    memory = MemoryPublisher()
    memory.fail_next(PublishError("rate limited", transient=True, status=429, retry_after=600))
    clock.advance(minutes=11)
    publish_due(review, adapters={"memory": memory})
    assert item_of(review, draft_id).next_attempt_at == clock.at + timedelta(seconds=600)


def test_a_permanent_failure_fails_for_good(review: ReviewService, team: People, clock: Clock):
    draft_id = scheduled(review, team)
    memory = MemoryPublisher()
    memory.fail_next(PublishError("the platform refused the post (HTTP 422)", transient=False))
    clock.advance(minutes=11)
    report = publish_due(review, adapters={"memory": memory})
    assert [o.error for o in report.failed] == ["the platform refused the post (HTTP 422)"]
    draft = review.get(draft_id)
    assert draft.state == "failed"
    assert draft.outbox[0].state == "failed"
    assert draft.outbox[0].last_error == "the platform refused the post (HTTP 422)"
    assert [o.draft_id for o in review.outbox(state="failed")] == [draft_id]
    failed = review.audit_log(draft_id=draft_id, action="publish_failed")
    assert failed[0].details["final"] is True and failed[0].details["draft_state"] == "failed"
    clock.advance(days=1)
    publish_due(review, adapters={"memory": memory})
    assert len(memory.calls) == 1


def test_attempts_are_bounded(review: ReviewService, team: People, clock: Clock):
    draft_id = scheduled(review, team)
    memory = MemoryPublisher()
    memory.fail_next(RuntimeError("adapter bug"), *(PublishError("busy", transient=True),) * 5)
    clock.advance(minutes=11)
    for _ in range(6):
        publish_due(review, adapters={"memory": memory})
        clock.advance(hours=2)
    item = item_of(review, draft_id)
    assert item.state == "failed" and item.attempts == 3 == len(memory.calls)
    assert review.get(draft_id).state == "failed"
    assert (
        "RuntimeError: adapter bug"
        in review.audit_log(draft_id=draft_id, action="publish_failed")[-1].reason
    )


def test_scheduling_refuses_an_unknown_adapter(make_review: Any, team: People) -> None:
    """From Python too, not only from the CLI and the app: one line naming the known ones."""
    review = make_review()
    review.scheduler.adapter_names = lambda: ["csv", "ics"]
    draft = review.create_draft(team.author, brand="boreale", platform="x", text="Open Saturday")
    review.submit(team.author, draft.id)
    review.approve(team.reviewer, draft.id)
    at = review.now() + timedelta(minutes=10)
    with pytest.raises(InputError) as e:
        review.schedule(team.reviewer, draft.id, at, adapters=["csv", "fax", "myspace"])
    assert str(e.value) == ("unknown or unconfigured adapter 'fax', 'myspace': use one of csv, ics")
    assert "\n" not in str(e.value)
    after = review.get(draft.id)
    assert after.state == "approved" and after.outbox == []  # nothing was queued
    assert review.schedule(team.reviewer, draft.id, at, adapters=["csv"]).state == "scheduled"


def test_the_calendar_has_one_entry_per_post_without_cancelled_items(
    review: ReviewService, team: People, clock: Clock
) -> None:
    """A draft's version due at a time is one post, whatever its adapters; a rescheduled
    post shows only at its new time, an edited one not at all."""
    first = scheduled(review, team, at=T0 + timedelta(hours=2), adapters=("memory", "csv"))
    other = scheduled(
        review,
        team,
        text="Trail map updated #boreale",
        platform="x",
        at=T0 + timedelta(hours=1),
        adapters=("ics",),
    )
    review.schedule(team.reviewer, other, T0 + timedelta(hours=3), adapters=["ics"])
    gone = scheduled(review, team, text="Cancelled soon #boreale", at=T0 + timedelta(hours=4))
    review.edit(team.author, gone, "Cancelled now #boreale")
    week = review.calendar(T0, T0 + timedelta(days=7))
    assert [(e.draft_id, e.due_at, e.adapters) for e in week] == [
        (first, T0 + timedelta(hours=2), ("memory", "csv")),
        (other, T0 + timedelta(hours=3), ("ics",)),
    ]
    entry = week[0]
    assert entry.version == 1 and entry.brand == "boreale" and entry.platform == "mastodon"
    assert entry.text.startswith("Spring opening") and entry.states == ("queued",)
    assert week[1].platform == "x" and week[1].text == "Trail map updated #boreale"
    assert review.calendar(T0, T0 + timedelta(hours=2)) == []  # until is not included
    assert review.calendar(T0, T0 + timedelta(days=7), brand="other") == []
    assert len(review.calendar(T0, T0 + timedelta(days=7), brand="boreale")) == 2


def test_an_unconfigured_adapter_fails_clearly(review: ReviewService, team: People, clock: Clock):
    draft_id = scheduled(review, team, adapters=("nowhere",))
    clock.advance(minutes=11)
    report = publish_due(review, adapters={"memory": MemoryPublisher()})
    assert "no publisher named 'nowhere'" in report.failed[0].error
    assert item_of(review, draft_id, "nowhere").state == "failed"


def test_a_stuck_claim_is_taken_again_after_the_lease(make_review: Any, team: People, clock: Clock):
    review = make_review(publish_lease_seconds=60)
    draft_id = scheduled(review, team)

    class Crash(BaseException):
        """Stands for the worker dying mid-publish: nothing after the call runs."""

    memory = MemoryPublisher()
    memory.fail_next(Crash())
    clock.advance(minutes=11)
    with pytest.raises(Crash):
        publish_due(review, adapters={"memory": memory})
    assert item_of(review, draft_id).state == "publishing"

    clock.advance(seconds=30)  # within the lease: the claim still holds
    assert publish_due(review, adapters={"memory": memory}).published == []
    clock.advance(seconds=31)
    report = publish_due(review, adapters={"memory": memory})
    assert [o.draft_id for o in report.published] == [draft_id]
    assert item_of(review, draft_id).attempts == 2
    assert len({c.idempotency_key for c in memory.calls}) == 1 == len(memory.delivered)


def test_a_stuck_claim_on_its_last_attempt_is_failed_not_resent(
    make_review: Any, team: People, clock: Clock
):
    review = make_review(publish_max_attempts=1, publish_lease_seconds=60)
    scheduled(review, team)
    with raw(review) as s:
        s.execute(update(OutboxRow).values(state="publishing", attempts=1, claimed_at=clock.at))
    clock.advance(minutes=11)
    memory = MemoryPublisher()
    report = publish_due(review, adapters={"memory": memory})
    assert memory.calls == []
    assert "whether the post went out is unknown" in report.failed[0].error


def test_report_serialises(review: ReviewService, team: People, clock: Clock):
    scheduled(review, team)
    clock.advance(minutes=11)
    report = publish_due(review, adapters={"memory": MemoryPublisher()})
    again = PublishReport.model_validate_json(report.model_dump_json())
    assert again.published[0].idempotency_key == report.published[0].idempotency_key


# -- files: Hootsuite CSV and iCalendar -----------------------------------------------------


def read_csv(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))


def test_csv_is_in_hootsuite_bulk_format_and_idempotent(tmp_path: Path):
    publisher = CsvPublisher(tmp_path / "hootsuite")
    first = request()
    result = publisher.publish(first)
    path = tmp_path / "hootsuite" / "boreale-instagram.csv"
    assert result.external_ref == str(path)
    publisher.publish(first)  # a retry
    rows = read_csv(path)
    assert rows == [["02/03/2026 14:05", first.text, ""]]
    assert re.fullmatch(r"\d{2}/\d{2}/\d{4} \d{2}:\d{2}", rows[0][0])

    # Another post; a crash between the CSV and its key file; another platform.
    publisher.publish(request(idempotency_key="k2", text="Second, later", due_at=T0))
    (path.parent / (path.name + ".keys")).unlink()
    publisher.publish(first)
    publisher.publish(request(idempotency_key="k3", platform="linkedin"))
    assert [r[1] for r in read_csv(path)] == [first.text, "Second, later"]
    assert read_csv(path)[1][0] == "02/03/2026 09:00"
    assert len(read_csv(tmp_path / "hootsuite" / "boreale-linkedin.csv")) == 1
    assert not list((tmp_path / "hootsuite").glob("*.tmp"))


def test_csv_times_in_the_accounts_zone(tmp_path: Path):
    montreal = timezone(timedelta(hours=-5))
    CsvPublisher(tmp_path, tz=montreal).publish(request())
    assert read_csv(tmp_path / "boreale-instagram.csv")[0][0] == "02/03/2026 09:05"


def test_csv_row_count_stays_one_after_a_retry_through_the_worker(
    review: ReviewService, team: People, clock: Clock, tmp_path: Path
):
    class LostAnswer(CsvPublisher):
        """Writes the row, then fails as if the answer had been lost."""

        failures = 1

        def publish(self, item: PublishRequest) -> PublishResult:
            result = super().publish(item)
            if self.failures:
                self.failures -= 1
                raise PublishError("disk answered late", transient=True)
            return result

    publisher = LostAnswer(tmp_path / "out")
    draft_id = scheduled(review, team, adapters=("csv",))
    clock.advance(minutes=11)
    publish_due(review, adapters={"csv": publisher})
    clock.advance(minutes=2)
    publish_due(review, adapters={"csv": publisher})
    assert item_of(review, draft_id, "csv").state == "published"
    rows = read_csv(tmp_path / "out" / "boreale-mastodon.csv")
    assert rows == [["02/03/2026 09:10", review.get(draft_id).text, ""]]


def parse_ics(text: str) -> list[dict[str, str]]:
    """A small RFC 5545 reader: unfold, split into events, unescape TEXT values."""
    lines: list[str] = []
    for raw in text.split("\r\n"):
        if raw.startswith((" ", "\t")):
            lines[-1] += raw[1:]
        elif raw:
            lines.append(raw)
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-1] == "END:VCALENDAR"
    assert "VERSION:2.0" in lines and any(x.startswith("PRODID:") for x in lines)
    events: list[dict[str, str]] = []
    for line in lines:
        if line == "BEGIN:VEVENT":
            events.append({})
        elif events and line != "END:VEVENT" and not line.startswith("END:"):
            name, _, value = line.partition(":")
            events[-1][name] = re.sub(
                r"\\([\\;,nN])", lambda m: "\n" if m[1] in "nN" else m[1], value
            )
    return events


def test_ics_calendar_is_valid_folded_escaped_and_idempotent(tmp_path: Path):
    publisher = IcsPublisher(tmp_path / "calendar")
    long_text = (
        'Rendez-vous samedi à 9 h, au chalet; apportez de l\'eau, des bottes "vraies" '
        "et un ami 🌲🌲🌲. Back\\slash, é" * 3 + "\nSecond line\r\nthird"
    )
    first = request(text=long_text, idempotency_key="cmassist-1-v1-ics-aaaaaaaaaaaa")
    second = request(
        text="Short one",
        idempotency_key="cmassist-2-v1-ics-bbbbbbbbbbbb",
        due_at=datetime(2026, 3, 1, 8, 0, tzinfo=timezone(timedelta(hours=-5))),
        platform="x",
    )
    publisher.publish(first)
    publisher.publish(second)
    publisher.publish(first)  # a retry replaces its own event
    raw = (tmp_path / "calendar" / "boreale.ics").read_bytes()

    assert raw.endswith(b"\r\n") and b"\n" not in raw.replace(b"\r\n", b"")
    for physical in raw.split(b"\r\n"):
        assert len(physical) <= 75
        physical.decode("utf-8")  # a fold never splits a character
    assert max(len(p) for p in raw.split(b"\r\n")) >= 70  # long lines were folded, not cut

    events = parse_ics(raw.decode("utf-8"))
    assert [e["UID"] for e in events] == [second.idempotency_key, first.idempotency_key]
    by_uid = {e["UID"]: e for e in events}
    assert by_uid[first.idempotency_key]["DESCRIPTION"] == long_text.replace("\r\n", "\n")
    assert by_uid[first.idempotency_key]["DTSTART"] == "20260302T140500Z"
    assert by_uid[second.idempotency_key]["DTSTART"] == "20260301T130000Z"  # in UTC
    assert by_uid[second.idempotency_key]["SUMMARY"] == "x: Short one"
    assert by_uid[first.idempotency_key]["SUMMARY"].startswith("instagram: Rendez-vous samedi")
    assert all(re.fullmatch(r"\d{8}T\d{6}Z", e["DTSTAMP"]) for e in events)


def test_ics_helpers():
    assert escape_text("a,b;c\\d\ne") == "a\\,b\\;c\\\\d\\ne"
    folded = fold("DESCRIPTION:" + "é" * 100)
    parts = folded.split("\r\n")
    assert all(len(p.encode()) <= 75 for p in parts)
    assert all(p.startswith(" ") for p in parts[1:])
    assert "".join(p[1:] if i else p for i, p in enumerate(parts)) == "DESCRIPTION:" + "é" * 100


def test_build_publishers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    settings = Settings(data_dir=tmp_path / "data")
    built = build_publishers(settings)
    assert set(built) == {"csv", "ics"}
    assert built["csv"].directory == tmp_path / "data" / "outbox" / "hootsuite"  # type: ignore[attr-defined]

    settings = Settings(
        data_dir=tmp_path / "data",
        outbox_dir=tmp_path / "elsewhere",
        webhook_url="http://127.0.0.1:9/hook",
        mastodon_url="http://127.0.0.1:9",
    )
    with pytest.raises(ConfigError, match="CMASSIST_WEBHOOK_SECRET"):
        build_publishers(settings)
    monkeypatch.setenv("CMASSIST_WEBHOOK_SECRET", SECRET)
    with pytest.raises(ConfigError, match="CMASSIST_MASTODON_TOKEN"):
        build_publishers(settings)
    monkeypatch.setenv("CMASSIST_MASTODON_TOKEN", "token")
    built = build_publishers(settings)
    assert set(built) == {"csv", "ics", "webhook", "mastodon"}
    assert built["ics"].directory == tmp_path / "elsewhere" / "calendar"  # type: ignore[attr-defined]


# -- HTTP publishers ------------------------------------------------------------------------


def test_signature_helpers():
    body = b'{"a":1}'
    header = sign(SECRET, "1700000000", body)
    assert header.startswith("sha256=") and len(header) == 7 + 64
    assert verify_signature(SECRET, "1700000000", body, header, now=1700000100)
    assert not verify_signature(SECRET, "1700000000", body + b" ", header, now=1700000100)
    assert not verify_signature("other", "1700000000", body, header, now=1700000100)
    assert not verify_signature(SECRET, "1700000001", body, header, now=1700000100)
    assert not verify_signature(SECRET, "1700000000", body, header, now=1700009999)  # replay
    assert verify_signature(SECRET, "1700000000", body, header, max_age=None)
    assert not verify_signature(SECRET, "soon", body, header)


def test_webhook_delivers_signed_once_per_key():
    with WebhookReceiver(SECRET) as rx:
        publisher = WebhookPublisher(f"{rx.url}/hook", SECRET, timeout=5)
        item = request(idempotency_key="cmassist-7-v1-webhook-0123456789ab")
        first = publisher.publish(item)
        second = publisher.publish(item)  # a retry after a lost answer
    assert first == second == PublishResult(external_ref=f"hook-{item.idempotency_key}")
    assert [r["verified"] for r in rx.requests] == [True, True]
    assert [r["key"] for r in rx.requests] == [item.idempotency_key] * 2
    assert rx.acted == {item.idempotency_key: 1}
    payload = rx.payloads[item.idempotency_key]
    assert payload["text"] == item.text and payload["platform"] == "instagram"
    assert payload["due_at"] == "2026-03-02T14:05:00+00:00"


def test_webhook_sorts_failures_into_transient_and_permanent():
    with WebhookReceiver(SECRET) as rx:
        publisher = WebhookPublisher(rx.url, SECRET, timeout=0.5)
        rx.script.extend([500, 503, 429, 400, 404, ("sleep", 1.5)])
        outcomes = []
        for _ in range(6):
            with pytest.raises(PublishError) as e:
                publisher.publish(request())
            outcomes.append((e.value.status, e.value.transient))
        assert outcomes == [
            (500, True),
            (503, True),
            (429, True),
            (400, False),
            (404, False),
            (None, True),  # timed out
        ]
        with pytest.raises(PublishError) as e:  # the receiver refuses a wrong signature
            WebhookPublisher(rx.url, "wrong-secret", timeout=5).publish(request())
        assert e.value.status == 401 and not e.value.transient
    with pytest.raises(PublishError, match="could not be reached") as e:  # nobody listening
        WebhookPublisher(rx.url, SECRET, timeout=2).publish(request())
    assert e.value.transient


def test_webhook_through_the_worker(
    review: ReviewService, team: People, clock: Clock, monkeypatch: pytest.MonkeyPatch
):
    with WebhookReceiver(SECRET) as rx:
        monkeypatch.setenv("CMASSIST_WEBHOOK_SECRET", SECRET)
        review.settings = Settings(
            data_dir=review.settings.data_dir, webhook_url=f"{rx.url}/hook", publish_max_attempts=3
        )
        draft_id = scheduled(review, team, adapters=("webhook", "ics"))
        rx.script.append(503)
        clock.advance(minutes=11)
        first = publish_due(review)  # builds the configured publishers
        assert [o.adapter for o in first.retrying] == ["webhook"]
        assert [o.adapter for o in first.published] == ["ics"]
        clock.advance(minutes=2)
        second = publish_due(review)
    assert [o.adapter for o in second.published] == ["webhook"]
    key = item_of(review, draft_id, "webhook").idempotency_key
    assert rx.acted == {key: 1} and [r["key"] for r in rx.requests] == [key, key]
    assert review.get(draft_id).state == "published"
    assert (review.settings.data_dir / "outbox" / "calendar" / "boreale.ics").exists()


def test_mastodon_posts_with_token_and_idempotency_key():
    with FakeMastodon("secret-token") as masto:
        publisher = MastodonPublisher(masto.url + "/", "secret-token", visibility="unlisted")
        item = request(platform="mastodon", language="fr", idempotency_key="cmassist-9-v2-m")
        first = publisher.publish(item)
        again = publisher.publish(item)
        assert first == again and first.external_ref.startswith(f"{masto.url}/@boreale/")
        assert len(masto.statuses) == 1
        sent = masto.requests[0]
        assert sent["path"] == "/api/v1/statuses"
        assert sent["authorization"] == "Bearer secret-token"
        assert sent["key"] == "cmassist-9-v2-m"
        assert sent["params"] == {"status": item.text, "language": "fr", "visibility": "unlisted"}

        with pytest.raises(PublishError) as e:
            MastodonPublisher(masto.url, "stolen").publish(item)
        assert e.value.status == 401 and not e.value.transient
        masto.script.extend([502, 429])
        for status in (502, 429):
            with pytest.raises(PublishError) as e:
                publisher.publish(item)
            assert (e.value.status, e.value.transient) == (status, True)
        assert e.value.retry_after == 7
        with pytest.raises(PublishError, match="approved for instagram") as e:
            publisher.publish(request())
        assert not e.value.transient
        assert len(masto.requests) == 5  # the Instagram text never left


def test_mastodon_through_the_worker(
    review: ReviewService, team: People, clock: Clock, monkeypatch: pytest.MonkeyPatch
):
    with FakeMastodon("tok") as masto:
        monkeypatch.setenv("CMASSIST_MASTODON_TOKEN", "tok")
        review.settings = Settings(data_dir=review.settings.data_dir, mastodon_url=masto.url)
        draft_id = scheduled(review, team, adapters=("mastodon",))
        clock.advance(minutes=11)
        report = publish_due(review)
    item = item_of(review, draft_id, "mastodon")
    assert item.state == "published" and item.external_ref == report.published[0].external_ref
    assert masto.requests[0]["params"]["status"] == review.get(draft_id).text


def test_http_publishers_use_timeouts():
    publisher = WebhookPublisher("http://127.0.0.1:9", SECRET, timeout=3)
    assert isinstance(publisher.timeout, httpx.Timeout) and publisher.timeout.read == 3
    assert MastodonPublisher("http://127.0.0.1:9", "t").timeout.connect == 5


def test_only_the_gate_text_is_published(review: ReviewService, team: People, clock: Clock):
    """The item's own text hash is what the gate checks against: a forged hash on the
    item (pointing at other words) is blocked, whatever the draft says."""
    draft_id = scheduled(review, team)
    with raw(review) as s:
        s.execute(update(OutboxRow).values(text_hash="0" * 64))
        assert s.scalar(select(OutboxRow.state)) == "queued"
    memory = MemoryPublisher()
    clock.advance(minutes=11)
    report = publish_due(review, adapters={"memory": memory})
    assert [o.draft_id for o in report.blocked] == [draft_id] and memory.calls == []
