"""The publishing worker: started by the server (no cron), run apart as `cmassist worker`,
its heartbeat in the database and the status any process reads from it. Real database,
real threads and processes; posts go to the in-memory publisher or the file publishers."""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from cmassist.adapters.db.uow import DB_FILE
from cmassist.adapters.llm.fake import FakeLLM
from cmassist.adapters.publishers import MemoryPublisher, PublishRequest, PublishResult
from cmassist.bootstrap import Services
from cmassist.config import Settings
from cmassist.domain.errors import ConfigError, PublishError
from cmassist.interfaces.cli.main import main
from cmassist.services.outbox_worker import OutboxWorker, worker_status
from cmassist.services.review import Actor, ReviewService
from tests.support import wait_until

from .conftest import ROOT

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


class Clock:
    def __init__(self, at: datetime) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at

    def advance(self, **delta: float) -> None:
        self.at += timedelta(**delta)


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Actor, Actor]:
    """A database with an author and a reviewer, made once: password hashing is slow."""
    data = tmp_path_factory.mktemp("worker-template") / "data"
    review = ReviewService(Settings(data_dir=data))
    author = review.add_user("ann", "password-ann", "author")
    reviewer = review.add_user("bob", "password-bob", "reviewer")
    review.db.dispose()  # type: ignore[attr-defined]  # checkpoints the WAL into the file
    return data / DB_FILE, author, reviewer


@pytest.fixture
def settings(tmp_path: Path, template: tuple[Path, Actor, Actor]) -> Settings:
    data = tmp_path / "data"
    data.mkdir(parents=True)
    shutil.copy(template[0], data / DB_FILE)
    return Settings(data_dir=data)


def scheduled(
    review: ReviewService,
    template: tuple[Path, Actor, Actor],
    at: datetime,
    *,
    text: str = "Spring opening: the trails are back, see you Saturday! #boreale",
    adapters: tuple[str, ...] = ("memory",),
) -> int:
    _, author, reviewer = template
    draft = review.create_draft(author, brand="boreale", platform="mastodon", text=text)
    review.submit(author, draft.id)
    review.approve(reviewer, draft.id, comment="good to go")
    review.schedule(reviewer, draft.id, at, adapters=list(adapters))
    return draft.id


def test_the_server_worker_publishes_a_due_post_without_cron(settings: Settings, template) -> None:
    review = ReviewService(settings, adapter_names=lambda: ["memory"])
    draft_id = scheduled(review, template, review.now() - timedelta(minutes=1))
    memory = MemoryPublisher()
    services = Services(settings, llm=FakeLLM())
    assert not services.outbox_worker_status().alive  # nothing runs yet: said so

    worker = services.start_publishing_worker(interval=0.2, adapters={"memory": memory})
    try:
        assert wait_until(lambda: review.get(draft_id).state == "published")
        assert [c.draft_id for c in memory.calls] == [draft_id]
        status = services.outbox_worker_status()
        assert status.alive and status.where == "this server" and status.interval_s == 0.2
        assert status.last_run is not None and status.failures == [] and status.next_due is None
        assert services.start_publishing_worker() is worker  # one per process
        # Seen from another process, the same heartbeat is "another server".
        assert worker_status(ReviewService(settings)).where == "another server"
    finally:
        services.stop_publishing_worker()
    assert not worker.running
    status = services.outbox_worker_status()
    assert not status.alive and status.where == "none"
    assert status.workers[0].stopped_at is not None and status.workers[0].kind == "server"
    assert len(memory.calls) == 1  # published once, however many passes ran


def test_a_worker_that_falls_silent_is_reported_as_not_running(settings: Settings) -> None:
    clock = Clock(T0)
    review = ReviewService(settings, clock=clock)
    never = worker_status(review)
    assert not never.alive and never.silent_s is None and never.last_run is None
    assert "no publishing worker has ever run" in never.summary()

    OutboxWorker(review, kind="worker", interval=60, adapters={}).run_once()
    elsewhere = ReviewService(settings, clock=clock)  # the app, in another process
    status = worker_status(elsewhere)
    assert status.alive and status.where == "separate worker" and status.last_run == T0
    clock.advance(seconds=119)
    assert worker_status(elsewhere).alive
    clock.advance(seconds=2)  # more than 2 intervals without a heartbeat: a dead worker
    status = worker_status(elsewhere)
    assert not status.alive and status.where == "none" and status.silent_s == 121
    assert status.last_run == T0  # the last run is still told
    assert "no publishing worker has run for 2 min (more than 2 intervals of 60 s)" in (
        status.summary()
    )


def test_the_status_shows_the_next_due_item_and_the_last_failures(
    settings: Settings, template
) -> None:
    clock = Clock(T0)
    review = ReviewService(settings, clock=clock, adapter_names=lambda: ["broken", "memory"])
    broken_id = scheduled(review, template, T0 + timedelta(minutes=5), adapters=("broken",))
    later_id = scheduled(review, template, T0 + timedelta(hours=3), text="Later post #boreale")
    flaky_id = scheduled(review, template, T0 + timedelta(minutes=5), text="Flaky #boreale")
    broken = MemoryPublisher("broken")
    broken.fail_next(PublishError("the account is suspended", transient=False))
    flaky = MemoryPublisher("flaky")
    review.schedule(template[2], flaky_id, T0 + timedelta(minutes=5), adapters=["memory"])
    memory = MemoryPublisher()
    memory.fail_transient()
    worker = OutboxWorker(
        review, interval=60, adapters={"broken": broken, "memory": memory, "flaky": flaky}
    )
    status = worker_status(review)
    assert status.next_due == T0 + timedelta(minutes=5) and status.due_now == 0

    clock.advance(minutes=6)
    assert worker_status(review).due_now == 2  # due, and no worker ran yet
    worker.run_once()
    status = worker_status(review)
    by_draft = {f.draft_id: f for f in status.failures}
    assert set(by_draft) == {broken_id, flaky_id}
    assert by_draft[broken_id].adapter == "broken" and by_draft[broken_id].final
    assert "the account is suspended" in by_draft[broken_id].error
    assert by_draft[flaky_id].adapter == "memory" and not by_draft[flaky_id].final
    assert status.failures[0].at == clock.at and status.due_now == 0
    # The flaky item is retried a minute later: that is the next time something is due.
    assert status.next_due == clock.at + timedelta(minutes=1)
    assert review.get(later_id).state == "scheduled"


def test_a_failed_pass_is_kept_in_the_heartbeat_and_the_worker_goes_on(
    settings: Settings, template
) -> None:
    broken = settings.model_copy(update={"webhook_url": "http://127.0.0.1:9/hook"})
    review = ReviewService(broken)  # the webhook has no secret: every pass fails
    with pytest.raises(ConfigError, match="webhook secret"):
        OutboxWorker(review, kind="once").run_once()
    worker = OutboxWorker(review, interval=0.1).start()
    try:
        assert wait_until(lambda: _last_run(review, worker) is not None)
        first = _last_run(review, worker)
        assert wait_until(lambda: _last_run(review, worker) != first)  # not stopped by it
    finally:
        worker.stop()
    beat = next(b for b in worker_status(review).workers if b.id == worker.id)
    assert "webhook secret" in beat.last_error and beat.stopped_at is not None


def _last_run(review: ReviewService, worker: OutboxWorker) -> datetime | None:
    return next((b.last_run for b in worker_status(review).workers if b.id == worker.id), None)


class SlowPublisher(MemoryPublisher):
    """Holds each post until released, to stop a worker in the middle of a pass."""

    def __init__(self) -> None:
        super().__init__()
        self.entered = threading.Event()
        self.release = threading.Event()

    def publish(self, item: PublishRequest) -> PublishResult:
        self.entered.set()
        assert self.release.wait(30)
        return super().publish(item)


def test_stop_waits_for_the_pass_under_way_and_leaves_nothing_claimed(
    settings: Settings, template
) -> None:
    review = ReviewService(settings, adapter_names=lambda: ["memory"])
    draft_id = scheduled(review, template, review.now() - timedelta(minutes=1))
    slow = SlowPublisher()
    worker = OutboxWorker(review, interval=0.1, adapters={"memory": slow}).start()
    assert slow.entered.wait(30)
    stopper = threading.Thread(target=worker.stop)
    stopper.start()
    time.sleep(0.3)
    assert stopper.is_alive() and worker.running  # waits for the post under way
    slow.release.set()
    stopper.join(30)
    assert not stopper.is_alive() and not worker.running
    draft = review.get(draft_id)
    assert draft.state == "published" and [o.state for o in draft.outbox] == ["published"]
    assert worker_status(review).workers[0].stopped_at is not None


# -- the `cmassist worker` command ----------------------------------------------------------


def test_worker_once_publishes_through_the_file_publishers(
    settings: Settings, template, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    monkeypatch.setenv("CMASSIST_DATA_DIR", str(settings.data_dir))
    review = ReviewService(settings)
    draft_id = scheduled(review, template, review.now() - timedelta(minutes=1), adapters=("csv",))
    assert main(["worker", "--once"]) == 0
    out = capsys.readouterr().out
    assert f"published  #{draft_id} via csv" in out
    assert list((settings.data_dir / "outbox" / "hootsuite").glob("*.csv"))
    assert main(["worker", "--once"]) == 0
    assert capsys.readouterr().out.strip() == "nothing was due"
    # A one-off pass (cron) counts as publishing while it is recent; one row per host.
    status = worker_status(review)
    assert status.alive and status.where == "one-off runs" and len(status.workers) == 1


def test_worker_runs_in_its_own_process_until_sigterm(settings: Settings, template) -> None:
    review = ReviewService(settings)
    draft_id = scheduled(review, template, review.now() - timedelta(minutes=1), adapters=("ics",))
    env = {"CMASSIST_DATA_DIR": str(settings.data_dir), "HF_HUB_OFFLINE": "1", "PATH": ""}
    proc = subprocess.Popen(
        [sys.executable, "-m", "cmassist", "worker", "--interval", "0.2"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert wait_until(lambda: review.get(draft_id).state == "published", 60)
        # Read from this process: the heartbeat is in the DB (written after the pass).
        assert wait_until(lambda: worker_status(review).alive, 30)
        status = worker_status(review)
        assert status.alive and status.where == "separate worker" and status.interval_s == 0.2
        assert status.workers[0].pid == proc.pid
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate(timeout=30)  # reaped, its pipes closed
    assert proc.returncode == 0, err
    assert f"published  #{draft_id} via ics" in out and "publishing worker stopped" in out
    status = worker_status(review)
    assert not status.alive and status.workers[0].stopped_at is not None


# -- `cmassist serve` -------------------------------------------------------------------------


@pytest.fixture
def serve(monkeypatch: pytest.MonkeyPatch, settings: Settings) -> Callable[..., Any]:
    """`cmassist serve` with the web server replaced: `while_serving(services)` runs where
    uvicorn would serve, and what it returns is given back."""
    import uvicorn

    import cmassist.interfaces.http.inbox_api
    import cmassist.interfaces.web.app

    monkeypatch.setenv("CMASSIST_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("CMASSIST_PUBLISH_INTERVAL", "0.2")
    monkeypatch.setattr(cmassist.interfaces.web.app, "build_app", lambda services: None)
    box: dict[str, Any] = {}

    def build_server(services: Services, app: Any, **_: Any) -> tuple[Any, Any]:
        box["services"] = services
        return object(), None

    monkeypatch.setattr(cmassist.interfaces.http.inbox_api, "build_server", build_server)

    def run(*args: str, while_serving: Callable[[Services], Any]) -> tuple[int, Any]:
        def serving(*_: Any, **__: Any) -> None:
            box["value"] = while_serving(box["services"])

        monkeypatch.setattr(uvicorn, "run", serving)
        code = main(["serve", "--no-warm-up", *args])
        return code, box.get("value")

    return run


def test_serve_publishes_due_posts_while_it_serves(serve, settings: Settings, template) -> None:
    review = ReviewService(settings)
    draft_id = scheduled(review, template, review.now() - timedelta(minutes=1), adapters=("csv",))

    def while_serving(services: Services) -> Any:
        assert wait_until(lambda: review.get(draft_id).state == "published")
        return services.outbox_worker_status(), services

    code, (status, services) = serve(while_serving=while_serving)
    assert code == 0
    assert status.alive and status.where == "this server" and status.interval_s == 0.2
    assert not services.publishing_worker.running  # stopped with the server
    assert not worker_status(review).alive


def test_serve_no_worker_publishes_nothing_and_says_so(
    serve, settings: Settings, template, capsys
) -> None:
    review = ReviewService(settings)
    draft_id = scheduled(review, template, review.now() - timedelta(minutes=1), adapters=("csv",))

    def while_serving(services: Services) -> Any:
        time.sleep(0.5)  # passes of 0.2 s would have run
        return services.outbox_worker_status()

    code, status = serve("--no-worker", while_serving=while_serving)
    assert code == 0 and "publishing worker off: run `cmassist worker`" in capsys.readouterr().out
    assert not status.alive and status.where == "none"
    assert review.get(draft_id).state == "scheduled"
