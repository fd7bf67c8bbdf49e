"""The app's smaller defects found trying it as a new user (issue 11), each pinned down:
escaped links, "v1 vs v1", blue blocking highlights, findings cut one word per line, the
text shown twice on a card, stale brand counts, a read-only inbox reply, users managed only
from the CLI, and messages in English for a French browser."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import gradio as gr
import pytest
from starlette.requests import Request

from cmassist.adapters.llm.fake import FakeLLM
from cmassist.bootstrap import Services
from cmassist.interfaces.i18n import Translator
from cmassist.interfaces.web.app import Handlers, build_app
from cmassist.interfaces.web.findings import (
    FINDING_COLORS_BY_LABEL,
    FINDING_WIDTHS,
    findings_highlight,
)
from cmassist.interfaces.web.render import md
from cmassist.interfaces.web.review_panel import PANEL_FIELDS
from tests.support import model_answers
from tests.ui_support import error_of

PASSWORD = "correct horse battery"
SAMPLE_INBOX = Path(__file__).resolve().parents[1] / "brand_guidelines" / "inbox" / "sample.jsonl"


@pytest.fixture
def team(services: Services) -> dict[str, gr.Request]:
    for name, role in (("alice", "author"), ("bob", "reviewer"), ("root", "admin")):
        services.review.add_user(name, PASSWORD, role)
    return {name: gr.Request(username=name) for name in ("alice", "bob", "root")}


def french(username: str | None = None) -> gr.Request:
    """A request from a browser whose language is French."""
    scope = {"type": "http", "headers": [(b"accept-language", b"fr-CA,fr;q=0.9,en;q=0.5")]}
    return gr.Request(request=Request(scope), username=username)


def test_a_link_in_our_markdown_shows_no_escapes() -> None:
    shown = md("voir http://bit.ly/promo et https://boreale.test/a-b")
    assert "://" not in shown  # no autolink, which would show the escapes inside it
    assert re.sub(r"\\(.)", r"\1", shown) == "voir http://bit.ly/promo et https://boreale.test/a-b"


def test_a_draft_with_one_version_is_not_compared_with_itself(
    ui: Handlers, services: Services, team: dict[str, gr.Request]
) -> None:
    alice = services.review.actor("alice")
    draft = services.review.create_draft(
        alice, brand="boreale", platform="instagram", text="Our beans are back"
    )
    shown = dict(zip(PANEL_FIELDS, ui.open_draft(draft.id, "UTC", team["bob"]), strict=True))
    assert shown["version_a"]["visible"] is False and shown["version_b"]["visible"] is False
    assert shown["diff_a"] == [] and "".join(t for t, _ in shown["diff_b"]) == draft.text


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_every_finding_is_coloured_by_its_severity_whatever_its_rule(lang: str) -> None:
    check = {
        "findings": [
            {"severity": sev, "rule": rule, "start": a, "end": a + 3}
            for a, (sev, rule) in enumerate(
                [
                    ("block", "injection_followed"),
                    ("block", "sensitive_data_request"),
                    ("warn", "a_rule_added_tomorrow"),
                    ("info", "voice"),
                ]
            )
            for a in [a * 4]
        ]
    }
    pieces = findings_highlight("abc def ghi jkl", check, Translator(lang))
    labels = {label for _, label in pieces if label}
    assert len(labels) == 3 and labels <= set(FINDING_COLORS_BY_LABEL)
    assert FINDING_COLORS_BY_LABEL[Translator(lang)("block")] == "#f87171"  # red, not blue


def test_findings_columns_are_wide_enough_that_no_word_breaks() -> None:
    widths = [int(w.removesuffix("px")) for w in FINDING_WIDTHS]
    assert min(widths) >= 90 and all(w.endswith("px") for w in FINDING_WIDTHS)


def test_a_card_shows_its_text_once_its_marked_copy_folded_away(services: Services) -> None:
    app = build_app(services)
    marked = [
        b
        for b in app.blocks.values()
        if isinstance(b, gr.HighlightedText) and getattr(b.parent, "open", True) is False
    ]
    # 25 post cards and 5 reply cards keep the marked text in a closed accordion
    assert len(marked) >= 30


def test_the_brand_s_counts_refresh_after_an_upload(services: Services) -> None:
    app = build_app(services)
    deps = app.config["dependencies"]
    ingest = next(d for d in deps if d.get("api_name") == "ingest")
    after = [d for d in deps if d.get("trigger_after") == ingest["id"]]
    assert any(app.fns[d["id"]].fn.__name__ == "brand_info" for d in after)


def test_statuses_show_next_to_the_buttons_that_caused_them(services: Services) -> None:
    app = build_app(services)
    by_id = {getattr(b, "elem_id", None): b for b in app.blocks.values()}
    assert by_id["schedule-status"].parent is by_id["schedule-btn"].parent
    assert by_id["review-decide-status"].parent is by_id["review-override"].parent


def test_the_inbox_reply_is_edited_and_submitted_in_place(
    ui: Handlers, services: Services, fake_llm: FakeLLM, team: dict[str, gr.Request], tmp_path
) -> None:
    path = tmp_path / "sample.jsonl"
    shutil.copy(SAMPLE_INBOX, path)
    ui.inbox_import(str(path), "", False, "boreale", team["alice"])
    message = next(m for m in services.inbox.list(action="reply") if model_answers(services, m))
    # both candidates: the model answers so
    fake_llm.enqueue(
        *["So sorry about that! Please DM us your order number. — The Boréale team"] * 2
    )
    _, text, _, _, saved, submit = list(ui.inbox_draft_reply(message.id, team["alice"]))[-1]
    assert submit["visible"] is True and saved["id"]
    edited = text.replace("So sorry", "We're so sorry")
    out = ui.inbox_submit_reply(edited, saved, team["alice"])
    view = services.review.get(saved["id"])
    assert view.state == "submitted" and view.text == edited and view.version == 2
    assert "submitted for review" in out[0] and out[-1]["interactive"] is False
    with pytest.raises(gr.Error, match="no reply is drafted"):
        ui.inbox_submit_reply("text", None, team["alice"])


def test_admins_add_users_change_roles_and_disable_them_in_the_app(
    ui: Handlers, services: Services, team: dict[str, gr.Request]
) -> None:
    assert "added as reviewer" in ui.add_user("dana", "long enough pw", "reviewer", team["root"])
    assert services.review.actor("dana").role == "reviewer"
    ui.change_user("dana", "admin", "disabled", team["root"])
    dana = next(u for u in services.review.list_users() if u["name"] == "dana")
    assert dana["role"] == "admin" and dana["disabled"] is True
    ui.change_user("dana", None, "active", team["root"])
    assert not next(u for u in services.review.list_users() if u["name"] == "dana")["disabled"]
    actions = [a.action for a in services.review.audit_log(limit=10)]
    assert {"user_added", "role_changed", "user_disabled", "user_enabled"} <= set(actions)
    # Only admins; an admin cannot demote themself; a bad password is a message.
    assert "may not manage users" in str(
        error_of(lambda: ui.add_user("eve", "x" * 9, "author", team["bob"]))
    )
    assert "your own role" in str(
        error_of(lambda: ui.change_user("root", "author", None, team["root"]))
    )
    assert "shorter than 8" in str(
        error_of(lambda: ui.add_user("eve", "short", "author", team["root"]))
    )
    table, _ = ui.users(team["root"])
    assert set(table.iloc[:, 0]) >= {"alice", "bob", "root", "dana"}
    assert ui.users(team["bob"])[0].empty  # nobody else sees the accounts


def test_a_french_browser_gets_french_statuses_tables_and_errors(
    ui: Handlers, services: Services
) -> None:
    services.review.add_user("zoe", PASSWORD, "author")
    info = ui.brand_info("boreale", french("zoe"))
    assert "passages des consignes" in info and "publications passées" in info
    table, _ = ui.queue("all", "all", "all", "all", "UTC", french("zoe"))
    assert "brouillon" in list(table.columns)
    error = error_of(lambda: ui.draft_posts("", ["instagram"], 1, "auto", "boreale", french("zoe")))
    assert "le champ consigne est vide" in str(error) and error.title == "Vérifiez votre saisie"
    assert ui.whoami(french("zoe"))[0].startswith("Connecté en tant que")
