"""The Inbox tab: its handlers called directly over the real store, embedding model, triage
and review database, with the fake LLM drafting replies."""

from __future__ import annotations

import itertools
import json
import shutil
from pathlib import Path
from typing import Any

import gradio as gr
import pandas as pd
import pytest

from cmassist.adapters.llm.fake import FakeLLM
from cmassist.bootstrap import Services
from cmassist.interfaces.web.app import Handlers, build_app
from cmassist.interfaces.web.inbox import MESSAGE_FIELDS
from cmassist.interfaces.web.inbox_render import INBOX_COLUMNS, TICKED, UNTICKED
from cmassist.interfaces.web.inbox_reply import INBOX_REPLY_FIELDS
from tests.support import model_answers
from tests.ui_support import assert_renders_no_markup, error_of

SAMPLE_INBOX = Path(__file__).resolve().parents[1] / "brand_guidelines" / "inbox" / "sample.jsonl"
PASSWORD = "correct horse battery"
TZ = "America/Toronto"
ALL = "all"
SCRIPT = "<script>alert(1)</script>"


@pytest.fixture
def team(services: Services) -> dict[str, gr.Request]:
    """Logged-in requests for an author, a reviewer and an admin."""
    for name, role in (("alice", "author"), ("bob", "reviewer"), ("root", "admin")):
        services.review.add_user(name, PASSWORD, role)
    return {name: gr.Request(username=name) for name in ("alice", "bob", "root")}


def upload(folder: Path, name: str, rows: list[dict[str, Any]]) -> str:
    """A file as Gradio hands an upload to a handler: a path that keeps the file's name."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8"
    )
    return str(path)


def import_sample(ui: Handlers, tmp_path: Path, who: gr.Request) -> str:
    path = tmp_path / "upload" / "sample.jsonl"
    path.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(SAMPLE_INBOX, path)
    summary, problems = ui.inbox_import(str(path), "", False, "boreale", who)
    assert problems.empty
    return summary


def queue(
    ui: Handlers,
    who: gr.Request | None,
    *,
    brand: str = ALL,
    platform: str = ALL,
    action: str = ALL,
    sentiment: str = ALL,
    language: str = ALL,
    status: str = "new",
    selected: list[int] | None = None,
) -> tuple[pd.DataFrame, str, list[int], str]:
    return ui.inbox_queue(
        brand, platform, action, sentiment, language, status, TZ, selected or [], who
    )


def click(
    ui: Handlers, table: pd.DataFrame, row: int, column: int, selected: list[int], who: gr.Request
) -> tuple[Any, ...]:
    """A click on a cell of the queue, as the browser sends it."""
    values = table.iloc[row].tolist()
    evt = gr.SelectData(
        None, {"index": [row, column], "value": values[column], "row_value": values}
    )
    return ui.inbox_clicked(table, selected, TZ, evt, who)


def detail(out: tuple[Any, ...]) -> dict[str, Any]:
    """An opened message's fields by name (a click's outputs start with the queue's)."""
    fields = MESSAGE_FIELDS + tuple(f"reply_{f}" for f in INBOX_REPLY_FIELDS)
    return dict(zip(fields, out[-len(fields) :], strict=True))


# -- the queue ---------------------------------------------------------------------------------


def test_the_queue_is_most_urgent_first_and_the_filters_narrow_it(
    ui: Handlers, team: dict[str, gr.Request], tmp_path: Path
) -> None:
    bob = team["bob"]
    summary = import_sample(ui, tmp_path, bob)
    assert summary.startswith("✅ 120 messages added · 0 already in the inbox · 120 triaged")

    table, info, ticked, _ = queue(ui, bob)
    assert list(table.columns) == INBOX_COLUMNS and len(table) == 120 and ticked == []
    assert info.startswith("**120** messages, most urgent first · new 120 · handled 0 · hidden 0")
    priorities = table["priority"].tolist()
    assert priorities == sorted(priorities, reverse=True) and priorities[0] > priorities[-1]
    assert set(table["select"]) == {UNTICKED}
    assert table["text"].str.len().max() <= 140 and (table["action"] != "not triaged").all()
    assert "injection" in ",".join(table["flags"]) and "spam" in ",".join(table["flags"])

    for name, column, value, shown in (
        ("platform", "platform", "x", "X (Twitter)"),
        ("action", "action", "escalate", "escalate"),
        ("sentiment", "sentiment", "negative", "negative"),
        ("language", "language", "fr", "fr"),
    ):
        narrowed, _, _, _ = queue(ui, bob, **{name: value})
        assert 0 < len(narrowed) < 120, name
        assert set(narrowed[column]) == {shown}, name
        assert narrowed["priority"].tolist() == sorted(narrowed["priority"], reverse=True)
    both, _, _, _ = queue(ui, bob, platform="instagram", language="en")
    assert set(both["platform"]) == {"Instagram"} and set(both["language"]) == {"en"}
    assert len(queue(ui, bob, brand="boreale")[0]) == 120
    assert queue(ui, bob, status="handled")[0].empty
    assert ui.inbox_brands(bob)["choices"][:2] == [
        (ALL, ALL),
        ("Brûlerie Boréale (boreale)", "boreale"),
    ]

    # Customer messages are for logged-in users only.
    table, info, _, _ = queue(ui, None)
    assert table.empty and info == "Log in to see the inbox."
    assert error_of(lambda: ui.inbox_open(1, TZ, None)).title == "Login needed"


def test_a_message_opens_in_full_with_the_reasons_for_its_triage(
    ui: Handlers, team: dict[str, gr.Request], tmp_path: Path
) -> None:
    bob = team["bob"]
    import_sample(ui, tmp_path, bob)
    table, _, _, _ = queue(ui, bob)
    top = table.iloc[0]
    shown = detail(click(ui, table, 0, INBOX_COLUMNS.index("text"), [], bob))
    message = ui.services.inbox.get(int(top["id"]))
    assert shown["message_no"] == message.id and shown["text"] == message.text
    assert shown["author"] == message.author and shown["thread"] == message.thread
    assert f"Message \\#{message.id}**" in shown["head"]
    assert f"priority **{message.priority}**" in shown["head"]
    assert f"suggested action **{message.action}**" in shown["head"]
    reasons = shown["reasons"]
    assert list(reasons.columns) == ["what", "reason"]
    what = reasons["what"].tolist()
    assert what[:2] == ["action", "urgency"] and what[-1] == "method"
    assert {"sentiment", "complaint", "language"} <= set(what)
    why = dict(zip(reasons["what"], reasons["reason"], strict=True))
    assert why["action"].startswith(message.action)
    assert why["method"] == (message.triage or {})["method"]
    # Opening a message empties the reply area of the one before.
    assert shown["reply_status"] == "" and shown["reply_text"] == ""
    assert shown["reply_findings"].empty

    # A message with an injection says so, and so does its row.
    flagged = table[table["flags"].str.contains("injection")].iloc[0]
    shown = detail(ui.inbox_open(int(flagged["id"]), TZ, bob) + ui.inbox_reply_cleared())
    assert "Possible prompt injection" in shown["head"]
    assert (
        "possible prompt injection"
        in dict(zip(shown["reasons"]["what"], shown["reasons"]["reason"], strict=True))["injection"]
    )

    assert "no inbox message 9999" in error_of(lambda: ui.inbox_open(9999, TZ, bob)).message
    assert "no message is open" in error_of(lambda: ui.inbox_open(None, TZ, bob)).message


def test_ticked_messages_are_hidden_or_handled_together_and_audited(
    ui: Handlers, team: dict[str, gr.Request], tmp_path: Path
) -> None:
    bob = team["bob"]
    import_sample(ui, tmp_path, bob)
    table, _, selected, line = queue(ui, bob, action="hide")
    assert len(table) >= 2 and "Tick messages" in line

    # Clicks on the select cell tick and untick; the table follows.
    for row in range(len(table)):
        table, selected, line, *rest = click(ui, table, row, 0, selected, bob)
        assert all(v == gr.skip() for v in rest)  # ticking opens nothing
    ids = [int(i) for i in table["id"]]
    assert selected == ids and set(table["select"]) == {TICKED}
    assert line == f"**{len(ids)}** messages ticked"
    table, selected, _, *_ = click(ui, table, 0, 0, selected, bob)
    assert selected == ids[1:] and table["select"].tolist()[0] == UNTICKED

    status, selected = ui.inbox_hide(selected, "spam", bob)
    n = len(ids) - 1
    assert status == f"✅ {n} messages hidden" and selected == []
    assert {ui.services.inbox.get(i).status for i in ids[1:]} == {"hidden"}
    assert ui.services.inbox.get(ids[0]).status == "new"
    hidden, _, _, _ = queue(ui, bob, status="hidden")
    assert sorted(hidden["id"]) == sorted(ids[1:])
    assert not set(ids[1:]) & set(queue(ui, bob)[0]["id"])

    # Tick all shown, mark handled; a filter that hides a ticked message unticks it.
    escalate, _, _, _ = queue(ui, bob, action="escalate")
    table, selected, _ = ui.inbox_tick_all(escalate)
    assert selected == [int(i) for i in escalate["id"]] and set(table["select"]) == {TICKED}
    _, _, kept, _ = queue(ui, bob, action="escalate", language="fr", selected=selected)
    assert 0 < len(kept) < len(selected) and set(kept) < set(selected)
    status, _ = ui.inbox_handled(selected, "", team["alice"])
    assert status == f"✅ {len(selected)} messages marked handled"
    assert {ui.services.inbox.get(i).handled_by for i in selected} == {"alice"}
    status, _ = ui.inbox_reopen(selected[:1], "", bob)
    assert status == "✅ 1 message reopened" and ui.services.inbox.get(selected[0]).status == "new"

    audit = ui.services.review.audit_log(limit=10)
    assert [(a.actor, a.action) for a in audit[:3]] == [
        ("bob", "inbox_new"),
        ("alice", "inbox_handled"),
        ("bob", "inbox_hidden"),
    ]
    assert audit[2].reason == "spam" and sorted(audit[2].details["messages"]) == sorted(ids[1:])

    err = error_of(lambda: ui.inbox_hide([], "", bob))
    assert "no message is ticked" in err.message and err.title == "Check your input"
    assert "nobody is logged in" in error_of(lambda: ui.inbox_hide(ids, "", None)).message
    assert ui.inbox_untick_all(table)[1] == []


# -- import ------------------------------------------------------------------------------------


def test_a_file_with_a_bad_row_imports_nothing_and_names_the_row(
    ui: Handlers, team: dict[str, gr.Request], tmp_path: Path
) -> None:
    bob = team["bob"]
    good = {
        "id": "m1",
        "platform": "instagram",
        "author": "lea",
        "text": "Vos grains sont rassis",
        "time": "2025-11-03T10:00:00-05:00",
    }
    bad = {
        "id": "m2",
        "platform": "myspace",
        "author": "max",
        "text": "Hello",
        "time": "2025-11-03T11:00:00-05:00",
    }
    path = upload(tmp_path / "u", "comments.jsonl", [good, bad])
    summary, problems = ui.inbox_import(path, "", False, "boreale", bob)
    assert summary.startswith("⛔ **Nothing imported**: 1 problem in 2 rows")
    assert problems.values.tolist() == [
        [
            "comments.jsonl: line 2",
            "platform",
            "unknown platform 'myspace' (use one of x, instagram, linkedin, facebook, threads, "
            "mastodon)",
        ]
    ]
    assert ui.services.inbox.counts() == {}
    assert str(tmp_path) not in summary + str(problems.values.tolist())

    summary, problems = ui.inbox_import(path, "boreale", True, None, bob)
    assert summary.startswith("⚠️ 1 message added · 0 already in the inbox · 1 triaged")
    assert "1 bad rows skipped" in summary and len(problems) == 1
    assert ui.services.inbox.counts() == {"new": 1}
    # Importing again is idempotent.
    summary, _ = ui.inbox_import(path, "", True, "boreale", bob)
    assert "0 messages added · 1 already in the inbox" in summary

    err = error_of(lambda: ui.inbox_import(None, "", False, "boreale", bob))
    assert "no file to import" in err.message
    exe = tmp_path / "u" / "tool.exe"
    exe.write_bytes(b"MZ")
    assert (
        "cannot import tool.exe"
        in error_of(lambda: ui.inbox_import(str(exe), "", False, "boreale", bob)).message
    )
    assert (
        "unknown brand 'nope'"
        in error_of(lambda: ui.inbox_import(path, "nope", False, "boreale", bob)).message
    )
    assert (
        "nobody is logged in"
        in error_of(lambda: ui.inbox_import(path, "", False, "boreale", None)).message
    )


# -- a drafted reply ---------------------------------------------------------------------------


def test_draft_reply_saves_a_review_draft_linked_to_the_message(
    ui: Handlers, team: dict[str, gr.Request], tmp_path: Path, fake_llm: FakeLLM
) -> None:
    alice = team["alice"]
    import_sample(ui, tmp_path, alice)
    table, _, _, _ = queue(ui, alice, action="reply")
    message = next(
        m
        for m in (ui.services.inbox.get(int(i)) for i in table["id"])
        if model_answers(ui.services, m)
    )
    fake_llm.enqueue(
        "So sorry about that! Please DM us your order number and we'll sort it out today."
    )
    outs = list(ui.inbox_draft_reply(message.id, alice))
    assert outs[0][0].endswith("✍️ drafting…") and outs[0][1] == ""
    partial = [o[1] for o in outs[1:-1]]
    assert len(partial) >= 3 and all(len(a) < len(b) for a, b in itertools.pairwise(partial))
    status, text, check, findings, *_ = outs[-1]
    view = ui.services.review.list(author="alice")[0]
    assert f"📝 Draft \\#{view.id} saved for review: edit it here and submit it" in status
    assert text == view.text and text.startswith("So sorry about that!")
    assert (view.brand, view.platform, view.kind, view.state) == (
        message.brand,
        message.platform,
        "reply",
        "draft",
    )
    assert message.text in view.context and f"#{message.id}" in view.context
    assert check["label"].split(" ")[0] in ("✅", "⚠️", "⛔")
    assert list(findings.columns)[:2] == ["severity", "rule"]
    assert ui.services.inbox.get(message.id).draft_id == view.id
    linked = ui.services.review.audit_log(action="inbox_reply_drafted")
    assert [(a.actor, a.draft_id, a.details["messages"]) for a in linked] == [
        ("alice", view.id, [message.id])
    ]
    # The message and its row say a reply was drafted.
    assert f"Reply draft \\#{view.id}" in ui.inbox_open(message.id, TZ, alice)[1]
    row = queue(ui, alice, action="reply")[0].set_index("id").loc[message.id]
    assert f"draft #{view.id}" in row["flags"]

    # A message flagged as an injection gets a warning first; drafting is still allowed.
    flagged = next(m for m in ui.services.inbox.list() if (m.triage or {}).get("injection"))
    outs = list(ui.inbox_draft_reply(flagged.id, alice))
    assert outs[0][0].startswith("⚠️ **Possible prompt injection**")
    assert "saved for review" in outs[-1][0] and "Possible prompt injection" in outs[-1][0]
    assert ui.services.inbox.get(flagged.id).draft_id is not None

    assert "no message is open" in error_of(lambda: ui.inbox_draft_reply(None, alice)).message
    assert "nobody is logged in" in error_of(lambda: ui.inbox_draft_reply(message.id, None)).message


def test_a_failed_draft_leaves_no_half_written_reply_and_saves_nothing(
    services: Services, team: dict[str, gr.Request], tmp_path: Path
) -> None:
    from cmassist.domain.errors import LLMTimeoutError

    broken = Services(
        services.settings,
        llm=FakeLLM(error=LLMTimeoutError("no answer in 60 s")),
        embedder=services.embedder,
    )
    ui = Handlers(broken)
    alice = team["alice"]
    import_sample(ui, tmp_path, alice)
    message = next(m for m in broken.inbox.list(action="reply") if model_answers(broken, m))
    outs: list[tuple[Any, ...]] = []
    with pytest.raises(gr.Error) as info:
        for out in ui.inbox_draft_reply(message.id, alice):
            outs.append(out)
    assert info.value.title == "The language model failed" and "\n" not in info.value.message
    assert "stopped" in outs[-1][0] and outs[-1][1] == ""
    assert broken.review.list() == [] and broken.inbox.get(message.id).draft_id is None


# -- crisis ------------------------------------------------------------------------------------


def test_the_sample_spike_shows_a_crisis_panel_that_drafts_a_holding_statement(
    ui: Handlers, team: dict[str, gr.Request], tmp_path: Path
) -> None:
    bob, root = team["bob"], team["root"]
    hidden = ui.crisis_panel(ALL, None, TZ, bob)
    assert hidden[0] == gr.update(visible=False) and hidden[3].empty

    summary = import_sample(ui, tmp_path, bob)
    assert "🚨 1 open crisis alert: see the top of this tab" in summary
    alert = ui.services.inbox.alerts()[0]
    box, pick, text, messages = ui.crisis_panel(ALL, None, TZ, bob)
    assert box == gr.update(visible=True) and pick["value"] == alert.id
    assert f"### 🚨 Crisis alert \\#{alert.id}:" in text
    assert f"**{alert.count} negative or complaint messages**" in text
    assert f"**{alert.baseline:g} expected**" in text and "Window: 2025\\-11\\-15" in text
    assert "Why: " in text and "(only an admin can pause it)" in text
    assert list(messages.columns) == ["id", "received", "platform", "author", "text"]
    assert sorted(messages["id"]) == sorted(alert.message_ids)
    assert all(str(t).startswith("2025-11-15") for t in messages["received"])
    # Only our own strings and numbers reach the Markdown: no message text, no author.
    assert not any(m.text[:30] in text for m in ui.services.inbox.messages(alert.message_ids))
    assert ui.crisis_panel("boreale", alert.id, TZ, bob)[0] == gr.update(visible=True)

    status = ui.crisis_holding(alert.id, bob)
    drafts = ui.services.inbox.alert(alert.id).draft_ids
    assert drafts and status.startswith("📝 Holding statement draft")
    assert all(f"\\#{i}" in status for i in drafts) and "open the **Review** tab" in status
    for i in drafts:
        view = ui.services.review.get(i)
        assert (view.author, view.brand, view.state) == ("bob", "boreale", "draft")
    assert "Holding statement drafts" in ui.crisis_panel(ALL, None, TZ, bob)[2]

    # Only an admin pauses publishing; the refusal is one clear line.
    err = error_of(lambda: ui.crisis_pause(alert.id, "", bob))
    assert err.title == "Not allowed" and "may not pause or resume publishing" in err.message
    assert not ui.services.review.is_paused()
    assert ui.crisis_pause(alert.id, "", root).startswith("⏸️ **Publishing is paused**")
    assert ui.services.review.is_paused()
    paused = ui.services.review.audit_log(action="paused")[0]
    assert paused.actor == "root" and paused.reason == f"crisis alert #{alert.id} on {alert.topic}"
    assert "⏸️ **Publishing is paused**" in ui.crisis_panel(ALL, None, TZ, bob)[2]
    assert "already paused" in ui.crisis_pause(alert.id, "", root)

    closed = ui.crisis_close(alert.id, "statement out", bob)
    assert closed == f"✅ Crisis alert \\#{alert.id} closed."
    assert ui.crisis_panel(ALL, None, TZ, bob)[0] == gr.update(visible=False)
    assert ui.services.review.audit_log(action="crisis_closed")[0].reason == "statement out"
    assert "no crisis alert is selected" in error_of(lambda: ui.crisis_close(None, "", bob)).message


# -- untrusted text is data, never HTML --------------------------------------------------------


def test_message_text_and_author_are_never_rendered_as_html(
    ui: Handlers, team: dict[str, gr.Request], tmp_path: Path, fake_llm: FakeLLM
) -> None:
    bob = team["bob"]
    evil = {
        "id": "evil-1",
        "platform": "facebook",
        "author": f"mallory{SCRIPT}",
        "thread": f"post {SCRIPT}",
        "text": f"Your beans are stale {SCRIPT} **bold** [x](y)",
        "time": "2025-11-03T10:00:00-05:00",
    }
    path = upload(tmp_path / "u", "evil.jsonl", [evil])
    summary, _ = ui.inbox_import(path, "", False, "boreale", bob)
    assert "<" not in summary

    table, info, _, _ = queue(ui, bob)
    row = table.iloc[0]
    assert row["author"] == f"mallory{SCRIPT}" and SCRIPT in row["text"]  # plain-text cells
    assert "<" not in info
    shown = detail(click(ui, table, 0, INBOX_COLUMNS.index("author"), [], bob))
    assert shown["text"] == evil["text"] and shown["author"] == evil["author"]  # text boxes
    assert shown["thread"] == evil["thread"]
    assert "<" not in shown["head"] and "mallory" not in shown["head"]
    assert all("<script>" not in str(v) for v in shown["reasons"]["what"])

    fake_llm.enqueue(f"Sorry to hear that {SCRIPT}")
    outs = list(ui.inbox_draft_reply(int(row["id"]), bob))
    assert any(SCRIPT in o[1] for o in outs[1:-1])  # as it streams: a text box, plain text
    status, text, *_ = outs[-1]
    # the reply that echoed the markup is dropped; the one saved and its status are plain
    assert "<" not in status and SCRIPT not in text and text

    # The components that show these values render no HTML or Markdown from them.
    app = build_app(ui.services)
    assert_renders_no_markup(app)
    opened = next(fn for fn in app.fns.values() if getattr(fn.fn, "__name__", "") == "inbox_open")
    assert [type(o) for o in opened.outputs] == [
        gr.Number,
        gr.Markdown,
        gr.Textbox,
        gr.Textbox,
        gr.Textbox,
        gr.Dataframe,
    ]
    crisis = next(fn for fn in app.fns.values() if getattr(fn.fn, "__name__", "") == "crisis_panel")
    assert [type(o) for o in crisis.outputs] == [gr.Column, gr.Dropdown, gr.Markdown, gr.Dataframe]
