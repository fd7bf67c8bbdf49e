"""Parity: the same workflow through the `cmassist` command and through the service calls the
app makes, with the same results (ids and times aside). The CLI runs in process with its own
`Services` built from the environment, as `cmassist` does; the app's side is a `Services`
over the same data directory. The fake LLM stands in where the model is not the point."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from cmassist.bootstrap import Services
from cmassist.config import Settings
from cmassist.domain.timeutil import as_utc
from cmassist.interfaces.cli.main import main

from .conftest import ROOT

PASSWORDS = {"root": "root-password-1", "ana": "ana-password-1", "rev": "rev-password-1"}
# What differs between two runs of one workflow: ids, times, and the timing of generation.
VOLATILE = {
    "id",
    "draft_id",
    "created_at",
    "updated_at",
    "submitted_at",
    "approved_until",
    "expires_at",
    "due_at",
    "next_attempt_at",
    "published_at",
    "idempotency_key",
    "elapsed_s",
    "tokens",
}


def stable(data: Any) -> Any:
    """`data` without the keys that differ between two runs of the same workflow."""
    if isinstance(data, dict):
        return {k: stable(v) for k, v in data.items() if k not in VOLATILE}
    if isinstance(data, list):
        return [stable(v) for v in data]
    return data


def cli(capsys: pytest.CaptureFixture[str], *args: str, user: str | None = None) -> Any:
    """Run `cmassist ARGS --json` (as `user` when given); its JSON output."""
    if user is not None:
        args = (*args, "--user", user)
    with pytest.MonkeyPatch.context() as env:
        if user is not None:
            env.setenv("CMASSIST_PASSWORD", PASSWORDS[user])
        code = main([*args, "--json"])
    out, err = capsys.readouterr()
    assert code == 0, err
    return json.loads(out)


@pytest.fixture
def app(monkeypatch: pytest.MonkeyPatch, sample_settings: Settings, embedder: Any) -> Services:
    """The app's services over the sample brand, with the fake LLM chosen as the CLI's is
    (by the environment); the embedding model is the session's, the same one the CLI loads."""
    monkeypatch.setenv("CMASSIST_LLM_BACKEND", "fake")
    return Services(Settings(), embedder=embedder)


@pytest.fixture
def team(app: Services) -> dict[str, Any]:
    """root (admin), ana (author) and rev (reviewer), as actors of the app's services."""
    review = app.review
    review.add_user("root", PASSWORDS["root"], "admin", by="bootstrap")
    review.add_user("ana", PASSWORDS["ana"], "author", by="root")
    review.add_user("rev", PASSWORDS["rev"], "reviewer", by="root")
    return {name: review.authenticate(name, PASSWORDS[name]) for name in PASSWORDS}


TEXTS = [
    ("Notre nouveau café du Pérou arrive lundi! Venez le goûter en boutique.", "instagram", "post"),
    ("LE MEILLEUR CAFÉ AU MONDE!!! Achetez maintenant #cafe #promo #deal", "x", "post"),
    ("Désolés pour le retard, écrivez-nous au 418-555-0199 et on regarde ça.", "facebook", "reply"),
]


@pytest.mark.parametrize("text, platform, kind", TEXTS)
def test_checking_a_text(app: Services, capsys, text: str, platform: str, kind: str) -> None:
    by_cli = cli(capsys, "check", text, "-p", platform, "--kind", kind, "--fail-on", "never")
    by_app = app.checker.check(
        text, platform=platform, brand=app.settings.brand, kind=kind, sponsored=False
    ).public()
    assert by_cli == by_app


def test_a_draft_created_then_approved_through_review(app: Services, team, capsys) -> None:
    brief = "Nouveau café du Pérou, dès lundi"
    # CLI: draft as ana (saved for review), submitted by ana, approved by rev.
    drafts = cli(capsys, "draft", brief, "-p", "x", "--seed", "3", user="ana")["drafts"]
    cli_id = drafts[0]["draft_id"]
    cli(capsys, "review", "submit", str(cli_id), user="ana")
    by_cli = cli(capsys, "review", "approve", str(cli_id), "--comment", "ok", user="rev")["draft"]

    # The app: the drafting stream, each finished draft saved, then the review service.
    made = [
        e.draft
        for e in app.drafting.stream_posts(brief, platforms=["x"], variants=1, seed=3)
        if e.draft is not None
    ]
    saved = app.review.save_generated(team["ana"], made, context=brief)
    assert stable(drafts[0]) == stable(made[0].public())
    app.review.submit(team["ana"], saved[0].id)
    by_app = app.review.approve(team["rev"], saved[0].id, comment="ok")

    assert by_cli["state"] == by_app.state == "approved"
    assert stable(by_cli) == stable(by_app.model_dump(mode="json"))
    assert stable(cli(capsys, "review", "show", str(cli_id), user="rev")["draft"]) == stable(
        app.review.get(saved[0].id).model_dump(mode="json")
    )


def approved(app: Services, team: dict[str, Any], text: str) -> int:
    view = app.review.create_draft(team["ana"], brand="boreale", platform="x", text=text)
    app.review.submit(team["ana"], view.id)
    return app.review.approve(team["rev"], view.id).id


@pytest.mark.parametrize("minutes", [-5, 90])
def test_scheduling_an_approved_draft(app: Services, team, capsys, minutes: int) -> None:
    at = (datetime.now(UTC) + timedelta(minutes=minutes)).replace(second=0, microsecond=0)
    cli_id, app_id = (approved(app, team, "Fermé le 25 décembre.") for _ in range(2))

    by_cli = cli(capsys, "schedule", str(cli_id), "--at", at.isoformat(), user="rev")["draft"]
    # The app offers the configured publishers; the CLI's default is all of them.
    adapters = sorted(app.publisher_names())
    by_app = app.review.schedule(team["rev"], app_id, at, adapters=adapters)

    assert by_cli["state"] == by_app.state == "scheduled"
    assert stable(by_cli) == stable(by_app.model_dump(mode="json"))
    due = {as_utc(o["due_at"]) for o in by_cli["outbox"]}
    assert due == {as_utc(o.due_at) for o in by_app.outbox} == {at}


# -- the inbox --------------------------------------------------------------------------

INBOX_SAMPLE = ROOT / "brand_guidelines" / "inbox" / "sample.jsonl"
# A message's triage also keeps when it ran.
VOLATILE_TRIAGE = {"triaged_at", "raised_at", "window_start", "window_end"}


def inbox_state(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Messages or alerts as two runs compare them: their ids kept (both inboxes start
    empty and store the same file in the same order), times left out."""
    return [{k: v for k, v in r.items() if k not in VOLATILE_TRIAGE} for r in rows]


@pytest.fixture
def other_app(app: Services, sample_settings: Settings, tmp_path, embedder: Any) -> Services:
    """The app's services over a second copy of the sample data: the same import can run
    through the CLI in one and through the app in the other."""
    data = tmp_path / "app-data"
    shutil.copytree(sample_settings.data_dir, data)
    return Services(Settings(data_dir=data), embedder=embedder)


def test_importing_inbox_messages_with_triage_and_alerts(other_app: Services, capsys) -> None:
    by_cli = cli(capsys, "inbox", "import", str(INBOX_SAMPLE))
    by_app = other_app.inbox.import_messages(INBOX_SAMPLE, brand=other_app.settings.brand)
    assert by_cli == by_app.public()
    assert by_cli["triaged"] == 120 and by_cli["open_alerts"] >= 1

    listed = cli(capsys, "inbox", "list", "--status", "all", "--limit", "1000")["messages"]
    kept = [m.model_dump(mode="json") for m in other_app.inbox.list(status=None, limit=1000)]
    assert inbox_state(listed) == inbox_state(kept)
    alerts = cli(capsys, "inbox", "alerts")["alerts"]
    raised = [a.model_dump(mode="json") for a in other_app.inbox.alerts(status="open")]
    assert inbox_state(alerts) == inbox_state(raised) and alerts


def test_messages_received_over_http_are_triaged_like_an_import(
    other_app: Services, capsys
) -> None:
    """The endpoint stores each message through the inbox service, which triages them as
    the CLI's import does."""
    from fastapi.testclient import TestClient
    from pydantic import SecretStr

    from cmassist.interfaces.http.inbox_api import build_server

    cli(capsys, "inbox", "import", str(INBOX_SAMPLE))
    other_app.settings.inbox_token = SecretStr("t")
    server, _ = build_server(other_app)
    client = TestClient(server)  # no lifespan: triage runs below, not in the worker
    for line in INBOX_SAMPLE.read_text(encoding="utf-8").splitlines():
        answer = client.post(
            "/api/inbox/messages", json=json.loads(line), headers={"Authorization": "Bearer t"}
        )
        assert answer.status_code == 202, answer.text
    assert len(other_app.inbox.triage_all().ids) == 120

    listed = cli(capsys, "inbox", "list", "--status", "all", "--limit", "1000")["messages"]
    kept = [m.model_dump(mode="json") for m in other_app.inbox.list(status=None, limit=1000)]
    assert inbox_state(listed) == inbox_state(kept)
    alerts = cli(capsys, "inbox", "alerts")["alerts"]
    raised = [a.model_dump(mode="json") for a in other_app.inbox.alerts(status="open")]
    assert inbox_state(alerts) == inbox_state(raised)


def test_drafting_the_reply_to_an_inbox_message(
    app: Services, other_app: Services, team, capsys
) -> None:
    cli(capsys, "inbox", "import", str(INBOX_SAMPLE))
    other_app.inbox.import_messages(INBOX_SAMPLE, brand=other_app.settings.brand)
    other_app.review.add_user("ana", PASSWORDS["ana"], "author", by="bootstrap")
    ana = other_app.review.authenticate("ana", PASSWORDS["ana"])
    message = other_app.inbox.list(action="reply", limit=1)[0]

    by_cli = cli(capsys, "inbox", "draft", str(message.id), user="ana")["draft"]
    by_app = other_app.replies.draft_reply(ana, message.id).saved
    assert by_cli["kind"] == "reply" and by_cli["context"].startswith(
        f"Inbox message #{message.id}"
    )
    assert stable(by_cli) == stable(by_app.model_dump(mode="json"))
    shown = cli(capsys, "inbox", "show", str(message.id))["message"]
    assert shown["draft_id"] == by_cli["id"]
    assert other_app.inbox.get(message.id).draft_id == by_app.id
