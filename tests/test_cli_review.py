"""The review workflow through the `cmassist` command: users, logins, decisions, the audit
log and publishing, in process on a real SQLite database (and once as a real subprocess)."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import click
import pytest

from cmassist.config import Settings
from cmassist.interfaces.cli.main import main
from cmassist.services.review import ReviewService

from .conftest import ROOT

PASSWORDS = {
    "root": "root-password-1",
    "ana": "ana-password-1",
    "rev": "rev-password-1",
    "max": "max-password-1",
}


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def refused(
    capsys: pytest.CaptureFixture[str], code: int, needle: str, *args: str
) -> dict[str, Any]:
    """Run a command that must fail: one line on stderr, the exit code, and a JSON error."""
    got, out, err = run(capsys, *args, "--json")
    lines = err.strip().splitlines()
    assert got == code, (got, err)
    assert len(lines) == 1 and lines[0].startswith("cmassist: error:"), err
    assert needle in lines[0], lines[0]
    return json.loads(out)["error"]


def login(monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    monkeypatch.setenv("CMASSIST_USER", name)
    monkeypatch.setenv("CMASSIST_PASSWORD", PASSWORDS[name])


def ok(capsys: pytest.CaptureFixture[str], *args: str) -> Any:
    code, out, err = run(capsys, *args, "--json")
    assert code == 0, err
    return json.loads(out)


def service() -> ReviewService:
    return ReviewService(Settings())  # CMASSIST_DATA_DIR points at this test's folder


@pytest.fixture
def team(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """root (admin, created by bootstrap), ana (author), rev (reviewer)."""
    monkeypatch.setenv("CMASSIST_NEW_PASSWORD", PASSWORDS["root"])
    assert ok(capsys, "users", "add", "root", "--role", "admin")["bootstrap"] is True
    login(monkeypatch, "root")
    for name, role in (("ana", "author"), ("rev", "reviewer")):
        monkeypatch.setenv("CMASSIST_NEW_PASSWORD", PASSWORDS[name])
        assert ok(capsys, "users", "add", name, "--role", role)["user"]["role"] == role
    monkeypatch.delenv("CMASSIST_NEW_PASSWORD")
    monkeypatch.delenv("CMASSIST_USER")
    monkeypatch.delenv("CMASSIST_PASSWORD")


def new_draft(text: str = "Nouveau café du Pérou, dès lundi ☕", *, submit: bool = True) -> int:
    svc = service()
    ana = svc.actor("ana")
    view = svc.create_draft(ana, brand="boreale", platform="x", text=text)
    return svc.submit(ana, view.id).id if submit else view.id


def audit_actions(capsys, monkeypatch, **filters: str) -> list[dict[str, Any]]:
    login(monkeypatch, "root")
    args = ["audit", "--limit", "500"]
    for key, value in filters.items():
        args += [f"--{key}", value]
    return ok(capsys, *args)["audit"]


# -- users and logins -------------------------------------------------------------------


def test_bootstrap_and_admin_only_user_management(capsys, monkeypatch) -> None:
    code, out, _ = run(capsys, "users", "list")
    assert code == 0 and "no users yet" in out
    monkeypatch.setenv("CMASSIST_NEW_PASSWORD", PASSWORDS["ana"])
    refused(capsys, 2, "the first user must be an admin", "users", "add", "ana", "--role", "author")

    monkeypatch.setenv("CMASSIST_NEW_PASSWORD", PASSWORDS["root"])
    code, out, err = run(capsys, "users", "add", "Root", "--role", "admin")
    assert code == 0 and "added root as admin (first admin)" in out, err

    # Afterwards: an admin must be named, and logged in.
    monkeypatch.setenv("CMASSIST_NEW_PASSWORD", PASSWORDS["ana"])
    refused(capsys, 6, "this command needs a user", "users", "add", "ana", "--role", "author")
    monkeypatch.setenv("CMASSIST_PASSWORD", PASSWORDS["root"])
    got = ok(capsys, "users", "add", "ana", "--role", "author", "--user", "root")
    assert got == {
        "user": {"name": "ana", "role": "author", "display_name": "ana"},
        "bootstrap": False,
    }
    refused(
        capsys, 2, "already exists", "users", "add", "ana", "--role", "author", "--user", "root"
    )

    # A non-admin may not add users: refused with exit 6 and audited.
    login(monkeypatch, "ana")
    monkeypatch.setenv("CMASSIST_NEW_PASSWORD", PASSWORDS["max"])
    refused(capsys, 6, "ana (author) may not add users", "users", "add", "max", "--role", "admin")
    refused(capsys, 2, "'boss' is not one of", "users", "add", "max", "--role", "boss")

    login(monkeypatch, "root")
    names = {u["name"]: u for u in ok(capsys, "users", "list")["users"]}
    assert set(names) == {"root", "ana"} and names["ana"]["role"] == "author"
    refused(capsys, 2, "cannot disable your own account", "users", "disable", "root")
    refused(capsys, 2, "unknown user 'nobody'", "users", "disable", "nobody")
    entries = audit_actions(capsys, monkeypatch)
    assert [e["actor"] for e in entries if e["action"] == "user_added"] == ["root", "bootstrap"]
    refusal = next(e for e in entries if e["action"] == "refused")
    assert refusal["actor"] == "ana" and refusal["details"]["attempted"] == "user_add"


def test_the_new_password_is_asked_twice_and_hidden(capsys, monkeypatch) -> None:
    asked: list[dict[str, Any]] = []

    def fake_prompt(text: str, **kw: Any) -> str:
        asked.append({"text": text, **kw})
        return PASSWORDS["root"]

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.setattr(click, "prompt", fake_prompt)
    monkeypatch.setattr(sys, "stdin", Terminal())
    code, _, err = run(capsys, "users", "add", "root", "--role", "admin")
    assert code == 0, err
    assert asked[0]["hide_input"] and asked[0]["confirmation_prompt"]
    # The login password is asked too when CMASSIST_PASSWORD is not set (here: the group
    # option, `cmassist --user NAME ...`).
    code, out, err = run(capsys, "--user", "root", "users", "list", "--json")
    assert code == 0 and json.loads(out)["users"][0]["name"] == "root", err
    assert asked[1]["hide_input"] and not asked[1]["confirmation_prompt"]
    assert "root" in asked[1]["text"]


def test_failed_logins_exit_6_and_are_audited(team, capsys, monkeypatch) -> None:
    monkeypatch.setenv("CMASSIST_USER", "ana")
    monkeypatch.setenv("CMASSIST_PASSWORD", "not-her-password")
    refused(capsys, 6, "wrong user name or password for 'ana'", "review", "list")
    refused(
        capsys, 6, "wrong user name or password for 'ghost'", "review", "list", "--user", "ghost"
    )

    login(monkeypatch, "root")
    ok(capsys, "users", "disable", "rev", "--reason", "left the team")
    login(monkeypatch, "rev")
    refused(capsys, 6, "the account 'rev' is disabled", "review", "list")

    failed = audit_actions(capsys, monkeypatch, action="login_failed")
    assert [(e["actor"], e["reason"]) for e in failed] == [
        ("rev", "account disabled"),
        ("ghost", "unknown user"),
        ("ana", "wrong password"),
    ]
    users = {u["name"]: u for u in ok(capsys, "users", "list")["users"]}
    assert users["rev"]["disabled"] is True


def test_without_stdin_or_password_the_command_says_what_to_set(team, tmp_path: Path) -> None:
    """A real process with no terminal: it must not hang on a prompt."""
    env = {k: v for k, v in os.environ.items() if k != "CMASSIST_PASSWORD"}
    env.update(CMASSIST_DATA_DIR=str(tmp_path / "data"), CMASSIST_USER="ana")
    proc = subprocess.run(
        [sys.executable, "-m", "cmassist", "review", "list"],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=120,
    )
    assert proc.returncode == 6 and proc.stdout == ""
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "set CMASSIST_PASSWORD" in lines[0], proc.stderr
    assert "standard input is not a terminal" in lines[0]


# -- the review workflow ----------------------------------------------------------------


@pytest.fixture
def fake_backend(monkeypatch: pytest.MonkeyPatch, sample_settings: Settings) -> Settings:
    monkeypatch.setenv("CMASSIST_LLM_BACKEND", "fake")
    return sample_settings


def test_drafted_submitted_and_approved_by_a_second_person(
    fake_backend, team, capsys, monkeypatch
) -> None:
    # Without a user nothing is kept.
    drafts = ok(capsys, "draft", "Nouveau café du Pérou", "-p", "x")["drafts"]
    assert drafts and "draft_id" not in drafts[0]

    login(monkeypatch, "ana")
    assert ok(capsys, "review", "list")["drafts"] == []
    drafts = ok(capsys, "draft", "Nouveau café du Pérou", "-p", "x", "-p", "linkedin")["drafts"]
    ids = [d["draft_id"] for d in drafts]
    assert len(ids) == 2 and all(isinstance(i, int) for i in ids)
    code, out, _ = run(capsys, "draft", "Horaires des fêtes", "-p", "x", "--user", "ana")
    assert code == 0 and "saved for review: #3 (x)" in out

    listed = ok(capsys, "review", "list", "--author", "ana", "--platform", "linkedin")["drafts"]
    assert [d["id"] for d in listed] == [ids[1]] and listed[0]["state"] == "draft"
    shown = ok(capsys, "review", "show", str(ids[0]))["draft"]
    assert shown["context"] == "Nouveau café du Pérou" and shown["provenance"]["backend"] == "fake"
    assert shown["text"] == drafts[0]["text"]

    submitted = ok(capsys, "review", "submit", str(ids[0]), "--expect-version", "1")["draft"]
    assert submitted["state"] == "submitted" and submitted["row_version"] == 2

    # The author may not approve her own draft: exit 6, one line, audited as refused.
    error = refused(capsys, 6, "may not review", "review", "approve", str(ids[0]))
    assert error["type"] == "ForbiddenError"

    login(monkeypatch, "rev")
    approved = ok(capsys, "review", "approve", str(ids[0]), "--comment", "Parfait")["draft"]
    assert approved["state"] == "approved" and approved["approved_until"]
    shown = ok(capsys, "review", "show", str(ids[0]))["draft"]
    assert [
        (d["reviewer"], d["decision"], d["comment"], d["valid"]) for d in shown["decisions"]
    ] == [("rev", "approved", "Parfait", True)]
    assert shown["comments"][0]["user"] == "rev"
    code, out, _ = run(capsys, "review", "show", str(ids[0]))
    assert code == 0 and "rev approved [valid]: Parfait" in out and "approved until" in out

    entries = audit_actions(capsys, monkeypatch, draft=str(ids[0]))
    assert [e["action"] for e in entries] == ["approved", "refused", "submitted", "created"]
    assert entries[1]["actor"] == "ana" and entries[1]["details"]["attempted"] == "approved"


def test_reply_with_a_user_is_saved_for_its_platform(
    fake_backend, team, capsys, monkeypatch
) -> None:
    login(monkeypatch, "ana")
    replies = ok(capsys, "reply", "Où est ma commande ?", "-p", "instagram")["replies"]
    saved = ok(capsys, "review", "show", str(replies[0]["draft_id"]))["draft"]
    assert saved["kind"] == "reply" and saved["platform"] == "instagram"
    assert saved["context"] == "Où est ma commande ?"


def test_missing_drafts_wrong_states_and_stale_versions(team, capsys, monkeypatch) -> None:
    login(monkeypatch, "rev")
    error = refused(capsys, 2, "no draft #999", "review", "approve", "999")
    assert error["type"] == "NotFoundError"
    refused(capsys, 2, "no draft #999", "review", "show", "999")

    unsubmitted = new_draft(submit=False)
    error = refused(capsys, 2, "only from submitted", "review", "approve", str(unsubmitted))
    assert error["type"] == "StateError"

    draft_id = new_draft()  # row version 2 once submitted
    error = refused(
        capsys, 7, "changed since you opened it", "review", "approve", str(draft_id),
        "--expect-version", "1",
    )  # fmt: skip
    assert error["type"] == "ConflictError"
    assert ok(capsys, "review", "show", str(draft_id))["draft"]["state"] == "submitted"

    # Rejecting and requesting changes need a reason.
    refused(capsys, 2, "Missing option '--reason'", "review", "reject", str(draft_id))
    refused(capsys, 2, "a reason is required", "review", "reject", str(draft_id), "--reason", " ")
    refused(
        capsys, 2, "a reason is required", "review", "request-changes", str(draft_id),
        "--reason", "",
    )  # fmt: skip
    got = ok(
        capsys, "review", "request-changes", str(draft_id), "--reason", "Trop long",
        "--expect-version", "2",
    )["draft"]  # fmt: skip
    assert got["state"] == "changes_requested"
    refused(capsys, 2, "is changes_requested", "review", "reject", str(draft_id), "--reason", "x")

    other = new_draft("Fermé le 25 décembre.")
    assert (
        ok(capsys, "review", "reject", str(other), "--reason", "Déjà annoncé")["draft"]["state"]
        == "rejected"
    )

    # An author may not submit someone else's draft: refused and audited.
    login(monkeypatch, "root")
    monkeypatch.setenv("CMASSIST_NEW_PASSWORD", PASSWORDS["max"])
    ok(capsys, "users", "add", "max", "--role", "author")
    login(monkeypatch, "max")
    refused(capsys, 6, "only the author", "review", "submit", str(unsubmitted))
    refusals = audit_actions(capsys, monkeypatch, action="refused", actor="max")
    assert refusals[0]["details"]["attempted"] == "submitted"
    assert refusals[0]["draft_id"] == unsubmitted


def test_an_edit_after_approval_goes_back_to_review(team, capsys, monkeypatch) -> None:
    draft_id = new_draft("Nouveau café du Pérou.")
    login(monkeypatch, "rev")
    ok(capsys, "review", "approve", str(draft_id))

    login(monkeypatch, "ana")
    monkeypatch.setattr(sys, "stdin", io.StringIO("Nouveau café du Pérou, dès lundi.\n"))
    code, out, err = run(capsys, "review", "edit", str(draft_id), "--text", "-", "--note", "date")
    assert code == 0 and "the approval was for other words: back in review" in out, err
    edited = ok(capsys, "review", "show", str(draft_id))["draft"]
    assert edited["state"] == "submitted" and edited["version"] == 2
    assert edited["approved_until"] is None

    code, out, _ = run(capsys, "review", "show", str(draft_id))
    assert code == 0
    assert "-Nouveau café du Pérou." in out and "+Nouveau café du Pérou, dès lundi." in out
    assert "v2" in out and "(date)" in out

    code, out, _ = run(capsys, "review", "edit", str(draft_id), "--text", "Encore")
    assert code == 0 and out.startswith(f"draft #{draft_id} is at version 3, submitted (row")
    code, out, _ = run(capsys, "review", "edit", str(draft_id), "--text", "Encore")
    assert code == 0 and "unchanged: same text as version 3" in out
    refused(capsys, 2, "the draft text is empty", "review", "edit", str(draft_id), "--text", " ")
    refused(
        capsys, 7, "changed since you opened it", "review", "edit", str(draft_id),
        "--text", "Autre chose", "--expect-version", "2",
    )  # fmt: skip

    listed = ok(capsys, "review", "list", "--state", "submitted")["drafts"]
    assert [d["id"] for d in listed] == [draft_id]
    refused(capsys, 2, "'limbo' is not one of", "review", "list", "--state", "limbo")


def test_schedule_needs_a_timezone(team, capsys, monkeypatch) -> None:
    draft_id = new_draft()
    login(monkeypatch, "rev")
    ok(capsys, "review", "approve", str(draft_id))
    for when in ("2026-12-01T09:00", "2026-12-01"):
        refused(capsys, 2, "has no timezone", "schedule", str(draft_id), "--at", when)
    refused(capsys, 2, "cannot read the time", "schedule", str(draft_id), "--at", "tomorrow")
    assert ok(capsys, "review", "show", str(draft_id))["draft"]["state"] == "approved"


def test_only_admins_pause_and_resume_publishing(team, capsys, monkeypatch) -> None:
    login(monkeypatch, "rev")
    error = refused(capsys, 6, "may not pause or resume", "pause", "--reason", "incident")
    assert error["type"] == "ForbiddenError"
    refused(capsys, 2, "Missing option '--reason'", "pause")
    assert service().is_paused() is False

    login(monkeypatch, "root")
    assert ok(capsys, "pause", "--reason", "incident")["paused"] is True
    assert service().is_paused() is True
    code, out, _ = run(capsys, "resume", "--reason", "fixed")
    assert code == 0 and "publishing is resumed by root" in out
    assert service().is_paused() is False

    actions = [(e["actor"], e["action"]) for e in audit_actions(capsys, monkeypatch)[:3]]
    assert actions == [("root", "resumed"), ("root", "paused"), ("rev", "refused")]


def test_audit_lists_and_exports(team, capsys, monkeypatch, tmp_path: Path) -> None:
    draft_id = new_draft()
    login(monkeypatch, "rev")
    ok(capsys, "review", "approve", str(draft_id), "--comment", "ok")

    entries = audit_actions(capsys, monkeypatch)
    assert [e["action"] for e in entries] == [
        "approved",
        "submitted",
        "created",
        "user_added",
        "user_added",
        "user_added",
    ]
    assert {"id", "at", "actor", "action", "draft_id", "reason", "details"} <= set(entries[0])
    assert [e["actor"] for e in audit_actions(capsys, monkeypatch, actor="rev")] == ["rev"]
    assert len(ok(capsys, "audit", "--limit", "2")["audit"]) == 2
    code, out, _ = run(capsys, "audit", "--draft", str(draft_id))
    assert code == 0 and "approved" in out and f"#{draft_id}" in out

    csv_path = tmp_path / "audit.csv"
    got = ok(capsys, "audit", "--export", "csv", "--output", str(csv_path))
    assert got["entries"] == 6 and got["format"] == "csv"
    rows = list(csv.DictReader(csv_path.read_text(encoding="utf-8").splitlines()))
    assert [r["action"] for r in rows] == [e["action"] for e in reversed(entries)]
    assert json.loads(rows[-1]["details"])["version"] == 1

    json_path = tmp_path / "audit.json"
    code, out, _ = run(
        capsys, "audit", "--draft", str(draft_id), "--export", "json", "-o", str(json_path)
    )
    assert code == 0 and f"wrote 3 audit entries to {json_path}" in out
    exported = json.loads(json_path.read_text(encoding="utf-8"))
    assert [e["action"] for e in exported] == ["created", "submitted", "approved"]
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]

    refused(capsys, 2, "--export and --output go together", "audit", "--export", "csv")
    refused(
        capsys, 2, "cannot write to", "audit", "--export", "json",
        "--output", str(tmp_path / "missing" / "a.json"),
    )  # fmt: skip


# -- scheduling and publishing (through the real outbox and file publishers) ------------


def approved_draft(capsys, monkeypatch, text: str) -> int:
    draft_id = new_draft(text)
    login(monkeypatch, "rev")
    ok(capsys, "review", "approve", str(draft_id))
    return draft_id


def test_schedule_then_publish_due(team, capsys, monkeypatch, tmp_path: Path) -> None:
    draft_id = approved_draft(capsys, monkeypatch, "Nouveau café du Pérou, dès lundi ☕")
    past = (datetime.now(UTC) - timedelta(minutes=1)).isoformat(timespec="minutes")
    refused(
        capsys, 2, "unknown or unconfigured adapter 'myspace'", "schedule", str(draft_id),
        "--at", past, "--adapter", "myspace",
    )  # fmt: skip
    unapproved = new_draft("Pas encore relu.")
    login(monkeypatch, "rev")
    refused(capsys, 2, "only from approved", "schedule", str(unapproved), "--at", past)

    # Default adapters: every configured one (csv and ics without further settings).
    code, out, err = run(capsys, "schedule", str(draft_id), "--at", past)
    assert code == 0 and "through csv, ics" in out and "the time has passed" in out, err
    later = ok(capsys, "review", "show", str(draft_id))["draft"]
    assert later["state"] == "scheduled"
    assert sorted(o["adapter"] for o in later["outbox"]) == ["csv", "ics"]

    # No user needed: this is what cron runs.
    monkeypatch.delenv("CMASSIST_USER")
    report = ok(capsys, "publish", "--due")
    assert report["paused"] is False and report["expired"] == 0
    assert sorted(o["adapter"] for o in report["published"]) == ["csv", "ics"]
    assert not report["failed"] and not report["blocked"]
    outbox = tmp_path / "data" / "outbox"
    exported = (outbox / "hootsuite" / "boreale-x.csv").read_text(encoding="utf-8")
    assert "Nouveau café du Pérou, dès lundi ☕" in exported
    assert list((outbox / "calendar").glob("*.ics"))
    code, out, _ = run(capsys, "publish", "--due")
    assert code == 0 and out.strip() == "nothing was due"
    refused(capsys, 2, "use `cmassist publish --due`", "publish")

    login(monkeypatch, "rev")
    assert ok(capsys, "review", "show", str(draft_id))["draft"]["state"] == "published"
    actions = [e["action"] for e in audit_actions(capsys, monkeypatch, draft=str(draft_id))]
    assert actions.count("published") == 2 and "scheduled" in actions
    refusal = audit_actions(capsys, monkeypatch, action="refused", draft=str(unapproved))
    assert refusal[0]["details"]["attempted"] == "scheduled"


def test_publish_prints_failures_and_respects_the_pause(team, capsys, monkeypatch) -> None:
    draft_id = approved_draft(capsys, monkeypatch, "Fermé le 25 décembre.")
    past = datetime.now(UTC) - timedelta(minutes=1)
    # An item for an adapter nobody configured (a setting removed after scheduling).
    svc = ReviewService(Settings(), adapter_names=lambda: ["nowhere"])
    svc.schedule(svc.actor("rev"), draft_id, past, adapters=["nowhere"])

    login(monkeypatch, "root")
    ok(capsys, "pause", "--reason", "incident")
    code, out, err = run(capsys, "publish", "--due")
    assert code == 0 and "publishing is paused: 1 due item(s) wait" in out, err
    report = ok(capsys, "publish", "--due")
    assert report["paused"] is True and len(report["skipped"]) == 1 and not report["published"]

    ok(capsys, "resume", "--reason", "fixed")
    code, out, err = run(capsys, "publish", "--due")
    assert code == 0, err
    assert f"failed     #{draft_id} via nowhere: no publisher named 'nowhere'" in out
    assert ok(capsys, "review", "show", str(draft_id))["draft"]["state"] == "failed"
