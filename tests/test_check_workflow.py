"""The checker in the workflow: drafts checked as they are made, blocking findings stopping
submission and approval until a reviewer overrides them with a reason (audited), the
`cmassist check` and `rewrite` commands, and the Check tab's handlers."""

from __future__ import annotations

import json
from typing import Any

import gradio as gr
import pytest

from cmassist.adapters.llm.fake import FakeLLM
from cmassist.bootstrap import Services
from cmassist.config import Settings
from cmassist.domain.errors import BlockingFindingsError, ForbiddenError, InputError
from cmassist.interfaces.cli.main import main
from cmassist.interfaces.i18n import Translator
from cmassist.interfaces.web.app import Handlers
from cmassist.interfaces.web.findings import findings_highlight
from cmassist.services.checking.checker import apply_fixes

BAD = "Our cheap coffee, now at bit.ly/deal."
GOOD = "The Tesfa Alem landed this morning in Saint-Henri: jasmine, bergamot and white peach."


@pytest.fixture
def team(services: Services) -> dict[str, Any]:
    review = services.review
    for name, role in (("ana", "author"), ("rev", "reviewer"), ("rita", "reviewer")):
        review.add_user(name, f"{name}-password-1", role)
    return {name: review.actor(name) for name in ("ana", "rev", "rita")}


def test_drafts_carry_their_check(services: Services, fake_llm: FakeLLM) -> None:
    fake_llm.enqueue(BAD)
    [draft] = services.drafting.draft_posts("New beans", platforms=["instagram"], brand="boreale")
    # the bad candidate is dropped with the rules its check found...
    [bad] = draft.rejected
    assert bad.candidate == 1 and set(bad.rules) >= {"banned_term", "link_domain"}
    # ...and the draft returned carries the check of its own text
    assert draft.text and draft.text != BAD and draft.check is not None
    assert draft.check["kind"] == "post" and draft.check["verdict"] in ("pass", "warn")


def test_blocking_findings_stop_submission_until_a_reviewer_overrides(
    services: Services, team: dict[str, Any]
) -> None:
    review = services.review
    ana, rev, rita = team["ana"], team["rev"], team["rita"]
    draft = review.create_draft(ana, brand="boreale", platform="instagram", text=BAD)
    assert draft.check["verdict"] == "block"
    with pytest.raises(BlockingFindingsError, match="banned_term “cheap”"):
        review.submit(ana, draft.id)
    with pytest.raises(InputError, match="reason"):
        review.override_findings(rev, draft.id, reason="  ")
    with pytest.raises(ForbiddenError):
        review.override_findings(ana, draft.id, reason="I know better")  # an author
    view = review.override_findings(rev, draft.id, reason="Quoting a customer, approved by legal")
    assert view.override["reviewer"] == "rev" and "legal" in view.override["reason"]
    submitted = review.submit(ana, draft.id)
    approved = review.approve(rita, draft.id, expected=submitted.row_version)
    assert approved.state == "approved"
    actions = [(e.action, e.actor) for e in review.audit_log(draft_id=draft.id)]
    assert ("findings_overridden", "rev") in actions
    assert ("submitted", "ana") in actions
    refusals = [e for e in review.audit_log(draft_id=draft.id) if e.action == "refused"]
    assert len(refusals) >= 2  # the blocked submit and the author's override attempt
    entry = next(
        e for e in review.audit_log(draft_id=draft.id) if e.action == "findings_overridden"
    )
    assert entry.reason.startswith("Quoting") and entry.details["findings"][0]["text"] == "cheap"


def test_an_edit_voids_the_override_and_a_clean_edit_needs_none(
    services: Services, team: dict[str, Any]
) -> None:
    review = services.review
    ana, rev = team["ana"], team["rev"]
    draft = review.create_draft(ana, brand="boreale", platform="instagram", text=BAD)
    review.override_findings(rev, draft.id, reason="ok for once")
    edited = review.edit(ana, draft.id, BAD + " Really.")
    assert edited.override is None
    with pytest.raises(BlockingFindingsError):
        review.submit(ana, draft.id)
    clean = review.edit(ana, draft.id, GOOD)
    assert clean.check["verdict"] in ("pass", "warn")
    assert review.submit(ana, draft.id).state == "submitted"


def test_a_reviewer_edit_that_adds_a_blocking_finding_blocks_approval(
    services: Services, team: dict[str, Any]
) -> None:
    review = services.review
    ana, rev, rita = team["ana"], team["rev"], team["rita"]
    draft = review.create_draft(ana, brand="boreale", platform="instagram", text=GOOD)
    review.submit(ana, draft.id)
    review.edit(rev, draft.id, GOOD + " Details: bit.ly/tesfa")
    with pytest.raises(BlockingFindingsError, match="approved"):
        review.approve(rita, draft.id)


def test_a_draft_for_a_brand_without_a_store_is_not_blocked(
    services: Services, team: dict[str, Any]
) -> None:
    review = services.review
    draft = review.create_draft(team["ana"], brand="acme", platform="x", text="Hello")
    assert "unchecked" in draft.check
    assert review.submit(team["ana"], draft.id).state == "submitted"


# -- the command -------------------------------------------------------------------------


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_check_command_prints_the_documented_json(sample_settings: Settings, capsys) -> None:
    code, out, _err = run(capsys, "check", BAD, "--platform", "x", "--json")
    data = json.loads(out)
    assert code == 1  # --fail-on block by default
    assert 0 <= data["score"] <= 100 and data["verdict"] == "block"
    f = data["findings"][0]
    assert set(f) >= {"rule", "severity", "start", "end", "message", "citation", "suggestion"}
    assert set(f["citation"]) >= {"source", "excerpt"}
    assert {BAD[x["start"] : x["end"]] for x in data["findings"]} >= {"cheap", "bit.ly/deal"}
    code, out, _ = run(capsys, "check", GOOD, "-p", "instagram", "--fail-on", "warn")
    assert code == 0 and out.startswith("PASS")


def test_check_command_text_output_names_line_rule_fix_and_guideline(
    sample_settings: Settings, capsys
) -> None:
    code, out, _ = run(capsys, "check", "Hello\nOur cheap coffee", "-p", "x", "--fail-on", "never")
    assert code == 0
    assert "2:5 block banned_term “cheap”" in out
    assert "fix: use “affordable” instead" in out and "see 02-vocabulary.md:" in out


@pytest.mark.parametrize(
    ("args", "needle", "code"),
    [
        (("check", "", "-p", "x"), "empty", 2),
        (("check", "hi", "-p", "myspace"), "unknown platform", 2),
        (("check", "hi", "-p", "x", "--brand", "nobody"), "nobody", 2),
        (("check", "hi", "-p", "x", "--language", "de"), "unsupported language", 2),
    ],
)
def test_check_command_bad_input(sample_settings: Settings, capsys, args, needle, code) -> None:
    got, _, err = run(capsys, *args)
    assert got == code and needle in err and len(err.strip().splitlines()) == 1


def test_check_command_reads_files_and_refuses_binary(
    sample_settings: Settings, capsys, tmp_path
) -> None:
    good = tmp_path / "post.txt"
    good.write_text(GOOD, encoding="utf-8")
    assert run(capsys, "check", "--file", str(good), "-p", "instagram")[0] == 0
    binary = tmp_path / "photo.jpg"
    binary.write_bytes(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00")
    code, _, err = run(capsys, "check", "--file", str(binary), "-p", "x")
    assert code == 2 and "not UTF-8" in err


def test_rewrite_command_checks_the_rewrite_and_names_lost_facts(
    sample_settings: Settings, capsys, monkeypatch
) -> None:
    monkeypatch.setenv("CMASSIST_LLM_BACKEND", "fake")
    code, out, _ = run(capsys, "rewrite", "Our CHEAP Tesfa Alem is $24!!!", "-p", "x", "--json")
    data = json.loads(out)
    assert code == 0 and data["before"]["verdict"] == "block"
    assert data["rewrite"]["check"] is not None
    assert any("lost these facts" in n and "$24" in n for n in data["rewrite"]["notes"])


# -- the UI's handlers ------------------------------------------------------------------------


def test_check_tab_highlights_findings_and_applies_fixes(services: Services) -> None:
    h = Handlers(services)
    text = "Our cheap coffee is great!!! #café"
    summary, pieces, table, _ = h.check_text(text, "instagram", "post", False, "auto", "boreale")
    assert summary.startswith("⛔")
    labelled = {piece: label for piece, label in pieces if label}
    # Highlights are labelled by severity (the colour map knows every one); the table names
    # the rule.
    assert labelled["cheap"] == "block"
    assert any("!!!" in piece and label == "warn" for piece, label in pieces)
    assert "".join(p for p, _ in pieces) == text  # the whole text, as plain text pieces
    assert set(table["rule"]) >= {"banned_term", "shouting", "hashtags"}
    fixed, summary2, *_ = h.apply_fixes(text, "instagram", "post", False, "auto", "boreale")
    assert fixed == "Our affordable coffee is great! #Cafe"
    assert not summary2.startswith("⛔")


def test_check_tab_errors_are_messages(services: Services) -> None:
    h = Handlers(services)
    with pytest.raises(gr.Error, match="empty"):
        h.check_text("", "x", "post", False, "auto", "boreale")


def test_rewrite_streams_then_shows_the_rewrite_check(
    services: Services, fake_llm: FakeLLM
) -> None:
    fake_llm.enqueue("The Tesfa Alem is here: jasmine and white peach.")
    outs = list(
        Handlers(services).rewrite(
            "Our cheap Tesfa Alem!!!", "instagram", "post", False, "auto", "boreale"
        )
    )
    status, text, _pieces, table = outs[-1]
    assert text == "The Tesfa Alem is here: jasmine and white peach."
    assert "block" not in status and next(iter(table.columns)) == "severity"
    prompt = fake_llm.history[-1].text
    assert "Our cheap Tesfa Alem" in prompt and "Post:" in prompt


def test_highlighting_and_fixes_are_pure_text_operations() -> None:
    check = {
        "findings": [
            {
                "rule": "banned_term",
                "severity": "block",
                "start": 4,
                "end": 9,
                "replacement": "fine",
            },
            {"rule": "shouting", "severity": "warn", "start": 4, "end": 9, "replacement": "Cheap"},
            {
                "rule": "reply_signature",
                "severity": "warn",
                "start": 9,
                "end": 9,
                "replacement": "\n— Team",
            },
        ]
    }
    pieces = findings_highlight("Our cheap", check, Translator("en"))
    assert pieces == [("Our ", None), ("cheap", "block")]
    assert findings_highlight("Our cheap", check, Translator("fr"))[1] == ("cheap", "bloquant")
    assert apply_fixes("Our cheap", check["findings"]) == "Our fine\n— Team"
