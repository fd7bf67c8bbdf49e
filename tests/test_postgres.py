"""The review store on a real PostgreSQL server (Debian's, started for the test on a
private socket and loopback port), through `CMASSIST_DB_URL` alone."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from cmassist.adapters.db.uow import SqlDatabase
from cmassist.adapters.publishers.memory import MemoryPublisher
from cmassist.config import Settings
from cmassist.domain.errors import ConflictError, ForbiddenError
from cmassist.services.outbox import publish_due
from cmassist.services.review import ReviewService


def _pg_bin() -> Path | None:
    for base in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True):
        if (base / "initdb").exists():
            return base
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def pg_url() -> Iterator[str]:
    binaries = _pg_bin()
    if binaries is None:
        pytest.skip("PostgreSQL server binaries not installed (Debian package postgresql)")
    root = Path(tempfile.mkdtemp(prefix="cmassist-pg-"))
    data = root / "data"
    run_as: list[str] = []
    if os.geteuid() == 0:  # PostgreSQL refuses to run as root
        shutil.chown(root, "postgres", "postgres")
        run_as = ["runuser", "-u", "postgres", "--"]
    port = _free_port()
    subprocess.run(
        [
            *run_as,
            str(binaries / "initdb"),
            "-D",
            str(data),
            "-U",
            "cmassist",
            "--auth=trust",
            "-E",
            "UTF8",
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    subprocess.run(
        [
            *run_as,
            str(binaries / "pg_ctl"),
            "-D",
            str(data),
            "-w",
            "-t",
            "60",
            "-l",
            str(root / "log"),
            "-o",
            f"-p {port} -k {root} -c listen_addresses=127.0.0.1",
            "start",
        ],
        check=True,
        capture_output=True,
        timeout=90,
    )
    try:
        yield f"postgresql+psycopg://cmassist@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(
            [*run_as, str(binaries / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
            capture_output=True,
            timeout=60,
        )
        shutil.rmtree(root, ignore_errors=True)


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 5, 4, 8, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


@contextmanager
def opened(settings: Settings, clock: Clock) -> Iterator[SqlDatabase]:
    """The review database, its connections closed at the end of the block."""
    database = SqlDatabase.open(settings, clock=clock)
    try:
        yield database
    finally:
        database.dispose()


def test_the_whole_workflow_on_postgresql(pg_url: str, tmp_path: Path) -> None:
    clock = Clock()
    settings = Settings(db_url=pg_url, data_dir=tmp_path)
    with opened(settings, clock) as database:
        review = ReviewService(settings, database=database, adapter_names=lambda: ["mem"])
        assert database.engine.dialect.name == "postgresql"
        ann = review.add_user("ann", "ann-password", "author")
        rita = review.add_user("rita", "rita-password", "reviewer")
        draft = review.create_draft(
            ann,
            brand="boreale",
            platform="mastodon",
            text="Nouveau café du Pérou ☕ — en magasin",
            provenance={"m": 1},
        )
        review.submit(ann, draft.id)
        with pytest.raises(ForbiddenError):
            review.approve(ann, draft.id)
        seen = review.get(draft.id).row_version
        review.approve(rita, draft.id, comment="ok", expected=seen)
        with pytest.raises(ConflictError):
            review.reject(rita, draft.id, reason="late", expected=seen)
        review.schedule(ann, draft.id, clock.now + timedelta(minutes=5), adapters=["mem"])
        publisher = MemoryPublisher("mem")
        assert not publish_due(review, adapters={"mem": publisher}, now=clock.now).published
        clock.now += timedelta(minutes=10)
        report = publish_due(review, adapters={"mem": publisher}, now=clock.now)
        assert len(report.published) == 1 and review.get(draft.id).state == "published"
        assert publisher.calls[0].text == "Nouveau café du Pérou ☕ — en magasin"
        assert not publish_due(review, adapters={"mem": publisher}, now=clock.now).published
        actions = [a.action for a in review.audit_log(draft_id=draft.id)]
        assert actions[0] == "published" and "approved" in actions and "refused" in actions
        with database.engine.begin() as conn, pytest.raises(Exception, match="append-only"):
            conn.execute(text("DELETE FROM audit_log"))
    with opened(settings, clock) as database:  # a restart
        again = ReviewService(settings, database=database)
        assert again.get(draft.id).state == "published"  # migrations are idempotent on restart
