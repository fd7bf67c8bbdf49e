"""The "no good draft" path of an inbox reply, in the Inbox tab and in `cmassist inbox draft`:
when every candidate the (fake) model writes is dropped, nothing is saved, and the person
reads why each candidate was dropped and the past replies and facts to start from, in
French or in English, with nothing of the comment rendered as HTML."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import gradio as gr
import pytest
from starlette.requests import Request

from cmassist.adapters.llm.fake import FakeLLM
from cmassist.bootstrap import Services
from cmassist.domain.triage import Triage
from cmassist.interfaces.cli.main import main
from cmassist.interfaces.web.app import Handlers

PASSWORD = "correct horse battery"
SCRIPT = "<script>alert(1)</script>"
COMMENTS = {
    # questions the fact sheet does not answer, so that no reply is composed (`compose`)
    "en": f"Hi! Is the Mile End café a good spot to work on Sundays? {SCRIPT} <b>thanks</b>",
    "fr": f"Bonjour, le café du Mile End, c'est bien pour travailler? {SCRIPT} <b>merci</b>",
}


def scaffolding(comment: str) -> str:
    """What a base model writes when it carries on the few-shot format: the comment again,
    markup included, then a reply; the checker drops it as scaffolding."""
    return f"Comment: «{comment}»\nReply: Merci! {SCRIPT}\n--- Comment: «{comment}»"


def import_comments(services: Services, tmp_path: Path) -> dict[str, int]:
    """The two comments in the inbox; their ids by language."""
    path = tmp_path / "comments.jsonl"
    rows = [
        {
            "id": f"hours-{lang}",
            "platform": "instagram",
            "author": f"client{SCRIPT}",
            "text": text,
            "time": "2025-11-02T10:00:00-05:00",
        }
        for lang, text in COMMENTS.items()
    ]
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    services.inbox.import_messages(path, brand="boreale")
    ids = {}
    for m in services.inbox.list(status=None, limit=100):
        lang = next(k for k, v in COMMENTS.items() if v == m.text)
        triage = Triage.from_public(m.triage) if m.triage else None
        assert services.replies.statement_for(m, triage) is None  # the model is asked
        ids[lang] = m.id
    return ids


def drafted(ui: Handlers, message_id: int, who: gr.Request) -> list[tuple[Any, ...]]:
    """Every update of the reply area as a reply is drafted (no gr.Error may come)."""
    return list(ui.inbox_draft_reply(message_id, who))


def test_the_inbox_tab_says_there_is_no_good_reply_and_what_to_start_from(
    ui: Handlers, fake_llm: FakeLLM, tmp_path: Path
) -> None:
    services = ui.services
    services.review.add_user("alice", PASSWORD, "author")
    ids = import_comments(services, tmp_path)
    fake_llm.responder = lambda prompt: scaffolding(
        next(c for c in COMMENTS.values() if c in prompt.text)
    )

    outs = drafted(ui, ids["en"], gr.Request(username="alice"))
    assert any(SCRIPT in str(o[1]) for o in outs[1:-1])  # streamed into a text box, plain
    status, text, *_ = outs[-1]
    assert text == ""  # the scaffolding that streamed in is gone
    assert "Not saved: no candidate was good enough" in status
    assert "🚫 **No good draft**" in status and "- candidate 1: " in status
    assert "prompt scaffolding" in status
    assert "**Start from** these past replies and facts instead:" in status
    assert re.search(r"instead:\n- (💬 past reply to «|📌 fact \()", status), status
    assert "<" not in status  # the comment's markup, if quoted, is escaped
    # nothing saved, nothing linked
    assert services.review.list() == [] and services.inbox.get(ids["en"]).draft_id is None

    scope = {"type": "http", "headers": [(b"accept-language", b"fr-CA,fr;q=0.9,en;q=0.5")]}
    fr = gr.Request(request=Request(scope), username="alice")
    status = drafted(ui, ids["fr"], fr)[-1][0]
    assert "Non enregistré : aucun candidat n'était assez bon" in status
    assert "🚫 **Aucun bon brouillon**" in status and "- candidat 1 : " in status
    assert "**Partez plutôt de** ces réponses passées et de ces faits :" in status
    assert re.search(r"faits :\n- (💬 réponse passée au commentaire «|📌 fait \()", status)
    assert "<" not in status and "No good draft" not in status
    assert services.review.list() == []


def test_the_cli_prints_the_no_good_path_and_fails(
    services: Services, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    services.review.add_user("alice", PASSWORD, "author")
    ids = import_comments(services, tmp_path)
    monkeypatch.setenv("CMASSIST_LLM_BACKEND", "fake")
    monkeypatch.setenv("CMASSIST_PASSWORD", PASSWORD)
    monkeypatch.setattr(
        "cmassist.adapters.llm.fake.default_answer",
        lambda prompt, n: scaffolding(next(c for c in COMMENTS.values() if c in prompt.text)),
    )

    assert main(["inbox", "draft", str(ids["en"]), "--user", "alice"]) == 5
    out, err = capsys.readouterr()
    assert "no good draft" in out and "candidate 1 dropped: prompt scaffolding" in out
    assert re.search(r"\n  start from:\n    (past reply to «|fact \()", out), out
    [line] = err.strip().splitlines()
    assert line.startswith("cmassist: error: the model gave no reply: no candidate was good")

    assert main(["inbox", "draft", str(ids["fr"]), "--user", "alice"]) == 5
    out, err = capsys.readouterr()
    assert "aucun bon brouillon" in out and "candidat 1 écarté" in out
    assert re.search(r"\n  partez de :\n    (réponse passée au commentaire «|fait \()", out), out

    assert main(["inbox", "draft", str(ids["en"]), "--user", "alice", "--json"]) == 5
    out, err = capsys.readouterr()
    data = json.loads(out)
    assert data["error"]["type"] == "NoGoodReply"
    assert data["no_good_draft"]["no_good_draft"] and data["no_good_draft"]["rejected"]
    assert data["no_good_draft"]["starting_points"] and len(err.strip().splitlines()) == 1
    assert services.review.list() == [] and services.inbox.get(ids["en"]).draft_id is None
