"""kill -9: real processes killed with SIGKILL mid-publish and mid-approval. What they leave
must be consistent, and a restarted worker must finish the job, sending each post once.

The processes run tests/crash_worker.py with their settings in `CMASSIST_*` variables.
"""

from __future__ import annotations

import json
import os
import queue
import random
import signal
import subprocess
import sys
import threading
import time
from collections import defaultdict
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, text

from cmassist.adapters.db.tables import AuditRow, CommentRow, DecisionRow, DraftRow, VersionRow
from cmassist.adapters.db.uow import SqlDatabase
from cmassist.adapters.publishers import WebhookPublisher
from cmassist.config import Settings
from cmassist.services.outbox import publish_due
from cmassist.services.review import ReviewService

from .fake_publish_servers import WebhookReceiver

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs POSIX signals")

HELPER = Path(__file__).with_name("crash_worker.py")
SECRET = "crash-test-secret-0123456789"


def review_of(settings: Settings) -> tuple[ReviewService, SqlDatabase]:
    """A review service on a fresh engine, as a restarted process has."""
    database = SqlDatabase.open(settings)
    return ReviewService(settings, database=database), database


def env_for(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CMASSIST_")}
    env.update(CMASSIST_DATA_DIR=str(tmp_path / "data"), **extra)
    return env


class Worker:
    """A helper process whose output lines can be awaited with a timeout."""

    def __init__(self, command: str, env: dict[str, str], cwd: Path) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, str(HELPER), command],
            env=env,
            cwd=cwd,  # not the checkout: no stray .env file
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.lines: queue.Queue[str | None] = queue.Queue()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        with self.proc.stdout:  # closed by the one thread that reads it, at the end of the output
            for line in self.proc.stdout:
                self.lines.put(line.strip())
        self.lines.put(None)

    def _end(self) -> str:
        """Once the process ended: what it wrote on stderr, and both its pipes closed."""
        self.reader.join(timeout=10)
        assert self.proc.stderr is not None
        with self.proc.stderr:
            return self.proc.stderr.read()

    def line(self, timeout: float = 30) -> str:
        got = self.lines.get(timeout=timeout)
        if got is None:
            self.proc.wait(timeout=10)
            raise AssertionError(f"the worker ended early: {self._end()}")
        return got

    def kill(self) -> None:
        os.kill(self.proc.pid, signal.SIGKILL)
        assert self.proc.wait(timeout=10) == -signal.SIGKILL
        self._end()

    def finish(self, timeout: float = 60) -> str:
        """All the output, once the process ended by itself."""
        try:
            code = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            raise
        errors = self._end()
        assert code == 0, errors
        lines = []
        while (line := self.lines.get(timeout=10)) is not None:
            lines.append(line)
        return "\n".join(lines)


def test_worker_killed_mid_publish_sends_each_post_once(tmp_path: Path):
    lease = 3.0
    with WebhookReceiver(SECRET, hold_first=True) as rx:
        hook = f"{rx.url}/hook"
        env = env_for(
            tmp_path,
            CMASSIST_WEBHOOK_URL=hook,
            CMASSIST_WEBHOOK_SECRET=SECRET,
            CMASSIST_PUBLISH_LEASE_SECONDS=str(lease),
        )
        review, _ = review_of(
            Settings(data_dir=tmp_path / "data", webhook_url=hook, publish_lease_seconds=lease)
        )
        ann = review.add_user("ann", "password-ann", "author")
        bob = review.add_user("bob", "password-bob", "reviewer")
        drafts = []
        for i in range(3):
            d = review.create_draft(ann, brand="boreale", platform="x", text=f"Post {i}, due")
            review.submit(ann, d.id)
            review.approve(bob, d.id)
            review.schedule(
                bob, d.id, review.now() - timedelta(minutes=3 - i), adapters=["webhook"]
            )
            drafts.append(d.id)

        worker = Worker("publish", env, tmp_path)
        try:
            assert rx.first_arrived.wait(timeout=30), "the worker never reached the receiver"
        finally:
            worker.kill()  # while it waits for the receiver's answer
        rx.release.set()

        items = review.outbox()
        assert [(o.state, o.attempts) for o in items] == [
            ("publishing", 1),
            ("queued", 0),
            ("queued", 0),
        ]

        # Restarted at once, within the lease: the others go out, the claimed one waits.
        publisher = WebhookPublisher(hook, SECRET, timeout=10)
        report = publish_due(review, adapters={"webhook": publisher})
        assert [o.draft_id for o in report.published] == drafts[1:]
        assert review.outbox()[0].state == "publishing"

        # Restarted after the lease: the crashed claim is taken again, with the same key.
        claimed_at = review.audit_log(draft_id=drafts[0], action="publish_attempt")[0].at
        time.sleep(max(0.0, (claimed_at + timedelta(seconds=lease) - review.now()).total_seconds()))
        time.sleep(0.2)
        report = json.loads(Worker("publish", env, tmp_path).finish())
    assert [o["draft_id"] for o in report["published"]] == drafts[:1]

    keys = [o.idempotency_key for o in review.outbox()]
    assert rx.acted == {k: 1 for k in keys}  # each post acted on exactly once
    assert [r["key"] for r in rx.requests] == [keys[0], keys[1], keys[2], keys[0]]
    assert all(r["verified"] for r in rx.requests)
    assert [(o.state, o.attempts) for o in review.outbox()] == [
        ("published", 2),
        ("published", 1),
        ("published", 1),
    ]
    assert [review.get(d).state for d in drafts] == ["published"] * 3
    audit = [a.action for a in reversed(review.audit_log(draft_id=drafts[0]))]
    assert audit[-3:] == ["publish_attempt", "publish_attempt", "published"]


def check_consistent(
    settings: Settings, reviewer_id: int, acknowledged: set[int]
) -> dict[str, int]:
    """Every draft's state agrees with its decisions, versions, comments and audit rows."""
    review, database = review_of(settings)
    expected = {
        "draft": (["created"], 1),
        "submitted": (["created", "submitted"], 2),
        "approved": (["created", "submitted", "approved"], 3),
    }
    try:
        with database.sessions() as s, s.begin():
            assert s.execute(text("PRAGMA integrity_check")).scalar() == "ok"
            drafts = {d.id: d for d in s.scalars(select(DraftRow))}
            by_draft: dict[str, dict[int, list[Any]]] = {}
            for name, row in (
                ("versions", VersionRow),
                ("decisions", DecisionRow),
                ("comments", CommentRow),
            ):
                by_draft[name] = defaultdict(list)
                for r in s.scalars(select(row).order_by(row.id)):
                    by_draft[name][r.draft_id].append(r)
            audits: dict[int, list[AuditRow]] = defaultdict(list)
            for a in s.scalars(select(AuditRow).order_by(AuditRow.id)):
                if a.draft_id is not None:
                    audits[a.draft_id].append(a)
            for rows in (*by_draft.values(), audits):
                assert set(rows) <= set(drafts), "rows of a draft that does not exist"
            counts: dict[str, int] = defaultdict(int)
            for draft in drafts.values():
                counts[draft.state] += 1
                versions = by_draft["versions"][draft.id]
                decisions = by_draft["decisions"][draft.id]
                trail, row_version = expected[draft.state]
                assert [a.action for a in audits[draft.id]] == trail, draft.id
                assert draft.row_version == row_version and draft.current_version == 1
                assert (
                    len(versions) == 1 and audits[draft.id][0].hash_after == versions[0].text_hash
                )
                if draft.state == "approved":
                    (decision,) = decisions
                    assert decision.decision == "approved" and decision.reviewer_id == reviewer_id
                    assert (decision.version, decision.text_hash) == (1, versions[0].text_hash)
                    assert decision.expires_at is not None
                    assert audits[draft.id][-1].hash_after == versions[0].text_hash
                    assert len(by_draft["comments"][draft.id]) == 1
                else:
                    assert decisions == [] and by_draft["comments"][draft.id] == []
                    assert draft.id not in acknowledged, "an acknowledged approval was lost"
        for draft_id in acknowledged:
            assert review.get(draft_id).approved_until is not None  # the gate agrees
        return dict(counts)
    finally:
        database.dispose()


def test_killed_mid_approval_leaves_a_consistent_database(tmp_path: Path):
    settings = Settings(data_dir=tmp_path / "data")
    setup, database = review_of(settings)
    setup.add_user("ann", "password-ann", "author")
    bob = setup.add_user("bob", "password-bob", "reviewer")
    database.dispose()
    seed = random.randrange(2**32)
    rng = random.Random(seed)
    acknowledged: set[int] = set()
    total: dict[str, int] = {}
    for _ in range(3):
        worker = Worker("approve-loop", env_for(tmp_path), tmp_path)
        phase, target = rng.choice(["submitted", "approved"]), rng.randint(2, 20)
        try:
            seen = 0
            while seen < target:
                kind, draft_id = worker.line().split()
                if kind == "approved":
                    acknowledged.add(int(draft_id))
                seen += kind == phase
            time.sleep(rng.uniform(0, 0.01))  # somewhere inside the next approval, or near
        finally:
            worker.kill()
        total = check_consistent(settings, bob.id, acknowledged)
    assert total.get("approved", 0) >= len(acknowledged) >= 3, f"seed {seed}"
