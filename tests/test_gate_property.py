"""The publishing gate, as a property: over random sequences of actions by several users
(drafting, editing, submitting, reviewing, scheduling, time passing, pausing, expiring,
even tampering with the database), nothing is ever published that was not approved, in
those exact words and for that platform, by someone other than its author, before the
approval expired; nothing is published while paused; nothing is published twice."""

from __future__ import annotations

import shutil
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, invariant, rule
from sqlalchemy import select, text

from cmassist.adapters.db.tables import DecisionRow, DraftRow, OutboxRow, VersionRow
from cmassist.adapters.db.uow import SqlDatabase
from cmassist.adapters.publishers.memory import MemoryPublisher
from cmassist.config import Settings
from cmassist.domain.errors import CmassistError
from cmassist.services.outbox import publish_due
from cmassist.services.review import ReviewService, text_hash

USERS = {"ann": "author", "abe": "author", "rita": "reviewer", "rob": "reviewer", "ada": "admin"}
TEXTS = st.sampled_from(
    [
        "Nouveau café ☕",
        "New roast is in",
        "Fermé le 25 décembre",
        "Holiday hours: 8-3",
        "Latte art night, Friday 7 pm",
    ]
)


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


class GateMachine(RuleBasedStateMachine):
    drafts = Bundle("drafts")

    def __init__(self) -> None:
        super().__init__()
        self.dir = Path(tempfile.mkdtemp(prefix="gate-"))
        self.clock = Clock()
        settings = Settings(data_dir=self.dir)
        self.db = SqlDatabase.open(settings, clock=self.clock)
        self.review = ReviewService(settings, database=self.db, adapter_names=lambda: ["mem"])
        self.actors = {
            name: self.review.add_user(name, f"{name}-password", role)
            for name, role in USERS.items()
        }
        self.publisher = MemoryPublisher("mem")
        self.forged: list[int] = []

    def teardown(self) -> None:
        self.db.dispose()
        shutil.rmtree(self.dir, ignore_errors=True)

    def _try(self, action, *args, **kwargs):
        try:
            return action(*args, **kwargs)
        except CmassistError:
            return None  # refusals are fine; what matters is what gets published

    @rule(
        target=drafts,
        who=st.sampled_from(sorted(USERS)),
        body=TEXTS,
        platform=st.sampled_from(["x", "mastodon", "instagram"]),
    )
    def create(self, who: str, body: str, platform: str) -> int:
        return self.review.create_draft(
            self.actors[who], brand="b", platform=platform, text=body
        ).id

    @rule(
        target=drafts,
        author=st.sampled_from(sorted(USERS)),
        reviewer=st.sampled_from(sorted(USERS)),
        body=TEXTS,
        hours=st.integers(0, 24 * 10),
    )
    def the_usual_path(self, author: str, reviewer: str, body: str, hours: int) -> int:
        """Draft, submit, review, schedule: most real sequences, so publishing happens often."""
        draft = self.review.create_draft(self.actors[author], brand="b", platform="x", text=body).id
        self._try(self.review.submit, self.actors[author], draft)
        self._try(self.review.approve, self.actors[reviewer], draft)
        self._try(
            self.review.schedule,
            self.actors[reviewer],
            draft,
            self.clock.now + timedelta(hours=hours),
            adapters=["mem"],
        )
        return draft

    @rule(
        target=drafts,
        author=st.sampled_from(sorted(USERS)),
        reviewer=st.sampled_from(sorted(USERS)),
        body=TEXTS,
        attack=st.sampled_from(["rewrite", "forge"]),
    )
    def attack_a_due_post(self, author: str, reviewer: str, body: str, attack: str) -> int:
        """A post due now; someone rewrites its text, or forges an approval by its author,
        in the database right before the worker runs."""
        draft = self.the_usual_path(author, reviewer, body, 0)
        if attack == "rewrite":
            self.tamper_with_the_text(draft, body)
        else:
            self.forge_a_self_approval(draft)
        self.publish()
        return draft

    @rule(
        who=st.sampled_from(sorted(USERS)),
        draft=drafts,
        body=TEXTS,
        platform=st.none() | st.sampled_from(["x", "mastodon"]),
    )
    def edit(self, who: str, draft: int, body: str, platform: str | None) -> None:
        self._try(self.review.edit, self.actors[who], draft, body, platform=platform)

    @rule(who=st.sampled_from(sorted(USERS)), draft=drafts)
    def submit(self, who: str, draft: int) -> None:
        self._try(self.review.submit, self.actors[who], draft)

    @rule(
        who=st.sampled_from(sorted(USERS)),
        draft=drafts,
        decision=st.sampled_from(["approve", "reject", "request_changes"]),
        stale=st.booleans(),
    )
    def decide(self, who: str, draft: int, decision: str, stale: bool) -> None:
        expected = None
        if stale:
            expected = self.review.get(draft).row_version - 1
        if decision == "approve":
            self._try(self.review.approve, self.actors[who], draft, expected=expected)
        else:
            self._try(
                getattr(self.review, decision),
                self.actors[who],
                draft,
                reason="not quite",
                expected=expected,
            )

    @rule(who=st.sampled_from(sorted(USERS)), draft=drafts, hours=st.integers(0, 72))
    def schedule(self, who: str, draft: int, hours: int) -> None:
        self._try(
            self.review.schedule,
            self.actors[who],
            draft,
            self.clock.now + timedelta(hours=hours),
            adapters=["mem"],
        )

    @rule(hours=st.integers(1, 24 * 9))
    def time_passes(self, hours: int) -> None:
        self.clock.now += timedelta(hours=hours)

    @rule()
    def expire(self) -> None:
        self.review.expire()

    @rule(who=st.sampled_from(sorted(USERS)), paused=st.booleans())
    def pause(self, who: str, paused: bool) -> None:
        self._try(self.review.set_paused, self.actors[who], paused, reason="test")

    @rule(draft=drafts, body=TEXTS)
    def tamper_with_the_text(self, draft: int, body: str) -> None:
        """Someone rewrites the current version's text straight in the database."""
        with self.db.sessions() as s, s.begin():
            d = s.get(DraftRow, draft)
            s.execute(
                text("UPDATE draft_versions SET text = :t WHERE draft_id = :d AND number = :n"),
                {"t": body + " (forged)", "d": draft, "n": d.current_version},
            )

    @rule(draft=drafts)
    def forge_a_self_approval(self, draft: int) -> None:
        """Someone inserts an approval by the draft's own author straight in the database."""
        self.forged.append(draft)
        with self.db.sessions() as s, s.begin():
            d = s.get(DraftRow, draft)
            v = s.scalars(
                select(VersionRow).where(
                    VersionRow.draft_id == draft, VersionRow.number == d.current_version
                )
            ).one()
            s.add(
                DecisionRow(
                    draft_id=draft,
                    version=v.number,
                    reviewer_id=d.author_id,
                    decision="approved",
                    comment="",
                    text_hash=v.text_hash,
                    platform=v.platform,
                    created_at=self.clock.now,
                    expires_at=self.clock.now + timedelta(days=7),
                )
            )
            d.state = "scheduled"
            s.add(
                OutboxRow(
                    draft_id=draft,
                    version=v.number,
                    text_hash=v.text_hash,
                    adapter="mem",
                    due_at=self.clock.now,
                    state="queued",
                    attempts=0,
                    idempotency_key=f"forged-{draft}-{len(self.forged)}",
                    next_attempt_at=self.clock.now,
                    created_at=self.clock.now,
                )
            )

    @rule()
    def publish(self) -> None:
        before = len(self.publisher.calls)
        paused = self.review.is_paused()
        publish_due(self.review, adapters={"mem": self.publisher}, now=self.clock.now)
        if paused:
            assert len(self.publisher.calls) == before, "published while paused"
        for request in self.publisher.calls[before:]:
            self._assert_approved(request, self.clock.now)

    def _assert_approved(self, request, at: datetime) -> None:
        with self.db.sessions() as s, s.begin():
            draft = s.get(DraftRow, request.draft_id)
            version = s.scalars(
                select(VersionRow).where(
                    VersionRow.draft_id == request.draft_id, VersionRow.number == request.version
                )
            ).one()
            decisions = s.scalars(
                select(DecisionRow)
                .where(DecisionRow.draft_id == request.draft_id, DecisionRow.created_at <= at)
                .order_by(DecisionRow.id)
            ).all()
        assert decisions, "published without any decision"
        last = decisions[-1]
        assert last.decision == "approved", "the last decision was not an approval"
        assert last.version == request.version
        assert last.text_hash == text_hash(request.text, request.platform), "other words"
        assert request.text == version.text and request.platform == version.platform
        assert last.reviewer_id not in (draft.author_id, version.author_id), "self-approved"
        assert last.expires_at is not None and at < last.expires_at, "approval expired"
        assert USERS[self._name(last.reviewer_id)] in ("reviewer", "admin")

    def _name(self, user_id: int) -> str:
        return next(n for n, a in self.actors.items() if a.id == user_id)

    @invariant()
    def nothing_goes_out_twice(self) -> None:
        keys = [c.idempotency_key for c in self.publisher.calls]
        assert len(keys) == len(set(keys)), "the same item was published twice"
        bodies = [(c.draft_id, c.version, c.platform) for c in self.publisher.calls]
        assert len(bodies) == len(set(bodies)), "the same approved text went out twice"


GateMachine.TestCase.settings = settings(
    max_examples=60,
    stateful_step_count=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
TestPublishingGate = GateMachine.TestCase
