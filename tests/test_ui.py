"""The web app: its handlers called directly over the real store, embedding model and the
fake LLM, and the real app launched and driven over HTTP with gradio_client."""

from __future__ import annotations

import csv
import io
import itertools
import json
import socket
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import gradio as gr
import pytest

from cmassist.adapters.llm.base import GenParams, RenderedPrompt, Usage
from cmassist.adapters.llm.fake import FakeLLM
from cmassist.bootstrap import Services
from cmassist.domain.errors import ConfigError, LLMTimeoutError
from cmassist.interfaces.i18n import Translator
from cmassist.interfaces.web.app import Handlers, build_app
from cmassist.interfaces.web.auth import app_auth
from cmassist.interfaces.web.cards import SLOT_FIELDS, count_line
from cmassist.interfaces.web.compose import POST_SLOTS
from cmassist.interfaces.web.render import md, word_diff
from cmassist.interfaces.web.review_panel import PANEL_FIELDS
from cmassist.interfaces.web.times import WEEK_DAYS
from cmassist.services.review import DraftView
from tests.ui_support import assert_renders_no_markup, error_of

XSS = '<img src=x onerror=alert(1)> <script>alert("x")</script>'
# Too short to be the post itself (`drafting.from_brief`): the (fake) model writes each draft.
BRIEF = "Ethiopia back Friday"


def is_skip(value: Any) -> bool:
    return isinstance(value, dict) and value == gr.skip()


def field(out: list[Any], slot: int, name: str) -> Any:
    return out[1 + slot * len(SLOT_FIELDS) + SLOT_FIELDS.index(name)]


def final_slots(outs: list[list[Any]]) -> list[dict[str, Any]]:
    """What the page shows after a stream: each slot's fields with the updates applied."""
    slots: list[dict[str, Any]] = [{} for _ in range((len(outs[0]) - 1) // len(SLOT_FIELDS))]
    for out in outs:
        for i, slot in enumerate(slots):
            for name in SLOT_FIELDS:
                value = field(out, i, name)
                if not is_skip(value):
                    slot[name] = value
    return slots


def visible(slots: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [s for s in slots if s.get("box", {}).get("visible")]


# -- compose ----------------------------------------------------------------------------------


def test_drafts_stream_tokens_then_show_counts_and_sources(ui: Handlers) -> None:
    outs = list(ui.draft_posts(BRIEF, ["instagram", "x"], 2, "auto", "boreale"))
    assert all(len(o) == 1 + len(SLOT_FIELDS) * POST_SLOTS for o in outs)
    texts = [field(o, 0, "text") for o in outs if not is_skip(field(o, 0, "text"))]
    # Reset, then growing partial text, then the final draft.
    partial = texts[1 : texts.index(texts[-1])]
    assert texts[0] == "" and len(partial) >= 3
    assert all(len(a) < len(b) for a, b in itertools.pairwise(partial))
    assert "ready" in outs[-1][0]

    shown = visible(final_slots(outs))
    assert len(shown) == 4
    for slot in shown:
        meta = slot["meta"]
        assert meta["kind"] == "post" and slot["text"] == meta["text"]
        assert f"{meta['length']:,} / {meta['limit']:,}" in slot["header"]
        assert "🟢" in slot["header"] and "fake / fake\\-1" in slot["header"]
        assert "post\\.j2 @ " in slot["header"]
        sources = slot["sources"]
        assert list(sources.columns) == ["kind", "title", "excerpt", "score"]
        assert {"guideline", "post"} <= set(sources["kind"])
    assert [s["meta"]["platform"] for s in shown] == ["instagram", "instagram", "x", "x"]


def test_an_edited_draft_is_recounted_with_a_clear_over_limit_mark(ui: Handlers) -> None:
    outs = list(ui.draft_posts(BRIEF, ["x"], 1, "en", "boreale"))
    meta = visible(final_slots(outs))[0]["meta"]
    header = ui.recount("é" * 250 + " 🎉" * 20, meta)  # emoji count twice on X
    assert "🔴 **310 / 280**" in header and "30 over the limit" in header and "edited" in header
    assert "🟢 **5 / 280**" in ui.recount("short", meta)
    assert count_line(40, None, None, Translator("en")) == "40 characters"


def test_stop_hides_only_the_draft_being_written(ui: Handlers) -> None:
    out = ui.stopped({"status": "writing"}, {"kind": "post", "text": "done"}, {})
    assert out[0].startswith("⏹️") and len(out) == 1 + 3 * len(SLOT_FIELDS)
    assert field(out, 0, "box") == {"__type__": "update", "visible": False}
    assert is_skip(field(out, 1, "box")) and is_skip(field(out, 2, "box"))


class _EndlessLLM(FakeLLM):
    """Streams words until it is closed, and says when it was."""

    def __init__(self) -> None:
        super().__init__()
        self.closed = 0

    def stream(
        self, prompt: RenderedPrompt, params: GenParams, usage: Usage | None = None
    ) -> Iterator[str]:
        self.history.append(prompt)
        try:
            while True:
                yield "more "
        finally:
            self.closed += 1


def test_stop_ends_the_stream_at_its_next_token_and_the_next_click_runs(
    services: Services,
) -> None:
    def written(out: list[Any]) -> str:
        text = field(out, 0, "text")
        return text if isinstance(text, str) else ""

    llm = _EndlessLLM()
    ui = Handlers(Services(services.settings, llm=llm, embedder=services.embedder))
    alice = gr.Request(session_hash="alice-tab", headers={}, cookies={})
    bob = gr.Request(session_hash="bob-tab", headers={}, cookies={})
    theirs = ui.draft_posts(BRIEF, ["x"], 1, "en", "boreale", request=bob)
    mine = ui.draft_posts(BRIEF, ["x"], 1, "en", "boreale", request=alice)
    outs = [next(mine) for _ in range(4)]
    next(theirs)
    assert any(written(o) for o in outs)  # it is streaming
    ui.stop_replies(alice)  # another tab's Stop stops nothing here
    assert written(next(mine))
    ui.stop_posts(alice)
    rest = list(mine)  # ends by itself: no cancellation from outside
    assert len(rest) == 1 and rest[0][0] == "⏹️" and llm.closed == 1
    assert field(rest[0], 0, "box") == {"__type__": "update", "visible": False}
    assert written(next(theirs))  # another session's draft goes on
    theirs.close()
    # the next click of the same session is not stopped by the earlier Stop
    again = ui.draft_posts(BRIEF, ["x"], 1, "en", "boreale", request=alice)
    assert sum(1 for _, o in zip(range(5), again, strict=False) if written(o)) >= 3
    again.close()
    # a Stop with nothing waiting or streaming is forgotten: the next click runs
    ui.stop_posts(bob)
    later = ui.draft_posts(BRIEF, ["x"], 1, "en", "boreale", request=bob)
    assert sum(1 for _, o in zip(range(5), later, strict=False) if written(o)) >= 3
    later.close()
    # a Stop while the request still waits in line stops it as soon as it begins
    ui.posts_asked(bob)
    ui.stop_posts(bob)
    queued = list(ui.draft_posts(BRIEF, ["x"], 1, "en", "boreale", request=bob))
    assert queued[-1][0] == "⏹️" and not any(written(o) for o in queued)


def test_replies_stream_with_past_replies_as_sources(ui: Handlers, fake_llm: FakeLLM) -> None:
    fake_llm.enqueue(
        "So sorry about the wait, please DM us your order number.",
        "Thanks for telling us, we'll look into it today.",
    )
    outs = list(
        ui.suggest_replies(
            "My order is two weeks late, this is ridiculous", "instagram", 2, "auto", "boreale"
        )
    )
    shown = visible(final_slots(outs))
    assert len(shown) == 2
    for slot in shown:
        assert slot["meta"]["kind"] == "reply"
        assert slot["text"].startswith(("So sorry", "Thanks for telling"))
        assert "Reply" in slot["header"] and "/ " in slot["header"]
        assert {"guideline", "reply"} <= set(slot["sources"]["kind"])


def test_ideas_are_a_numbered_list_with_sources(ui: Handlers) -> None:
    outs = list(ui.ideas("Holiday gift boxes", 4, "en", "boreale"))
    assert len(outs) > 3  # streamed
    text, picker, sources, info = outs[-1]
    lines = text.splitlines()
    assert len(lines) == 4 and [line[:3] for line in lines] == ["1. ", "2. ", "3. ", "4. "]
    assert not any(line[3:].startswith(("1.", "2.")) for line in lines)
    assert picker["choices"] == [line[3:] for line in lines]
    assert len(sources) > 0 and "4 ideas" in info


# -- errors: one line, escaped, nothing generated ----------------------------------------------


def test_empty_or_oversized_brief_is_a_one_line_error(ui: Handlers, fake_llm: FakeLLM) -> None:
    err = error_of(lambda: ui.draft_posts("   ", ["instagram"], 1, "auto", "boreale"))
    assert "brief is empty" in err.message and "\n" not in err.message
    assert err.title == "Check your input"
    err = error_of(lambda: ui.draft_posts("x" * 2001, ["instagram"], 1, "auto", "boreale"))
    assert "over the 2,000 limit" in err.message
    err = error_of(lambda: ui.draft_posts(BRIEF, [], 1, "auto", "boreale"))
    assert "no platform" in err.message
    err = error_of(lambda: ui.draft_posts(BRIEF, ["x"], 9, "auto", "boreale"))
    assert "from 1 to 5" in err.message
    err = error_of(lambda: ui.suggest_replies("", None, 1, "auto", "boreale"))
    assert "comment is empty" in err.message
    assert fake_llm.history == []


def test_unknown_platform_and_brand_are_reported_escaped(ui: Handlers) -> None:
    err = error_of(lambda: ui.draft_posts(BRIEF, ["myspace"], 1, "auto", "boreale"))
    assert "unknown platform 'myspace'" in err.message and "instagram" in err.message
    err = error_of(lambda: ui.suggest_replies("Hello", XSS, 1, "auto", "boreale"))
    assert "<" not in err.message and "&lt;img src=x onerror=alert(1)&gt;" in err.message
    err = error_of(lambda: ui.draft_posts(BRIEF, ["x"], 1, "auto", "nope"))
    assert "unknown brand 'nope'" in err.message and "boreale" in err.message
    err = error_of(lambda: ui.draft_posts(BRIEF, ["x"], 1, "auto", None))
    assert "no brand is selected" in err.message


class _FailingLLM(FakeLLM):
    """Streams a few words, then times out: the half-written draft must not stay on screen."""

    def stream(
        self, prompt: RenderedPrompt, params: GenParams, usage: Usage | None = None
    ) -> Iterator[str]:
        self.history.append(prompt)
        yield from ("Our ", "new ", "coffee ")
        raise LLMTimeoutError("the model did not answer in 60 s", "try again")


def test_an_llm_failure_mid_stream_hides_the_partial_draft(services: Services) -> None:
    ui = Handlers(Services(services.settings, llm=_FailingLLM(), embedder=services.embedder))
    outs: list[list[Any]] = []
    with pytest.raises(gr.Error) as info:
        for out in ui.draft_posts(BRIEF, ["x"], 1, "auto", "boreale"):
            outs.append(out)
    assert info.value.title == "The language model failed"
    assert "did not answer" in info.value.message and "\n" not in info.value.message
    assert any(field(o, 0, "text") == "Our new " for o in outs)  # it was streaming
    slot = final_slots(outs)[0]
    assert slot["box"]["visible"] is False and slot["text"] == "" and slot["meta"] == {}
    assert outs[-1][0].startswith("⚠️ Stopped after 0 finished")

    ideas: list[tuple[Any, ...]] = []
    with pytest.raises(gr.Error):
        for out in ui.ideas("Holiday gift boxes", 3, "en", "boreale"):
            ideas.append(out)
    assert ideas[-2][0] == "Our new coffee " and ideas[-1][0] == ""


# -- knowledge --------------------------------------------------------------------------------


def write_posts(folder: Path, name: str = "my posts.csv", text: str = "Fresh beans today") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(
        "id,platform,date,language,text\n"
        f"u1,instagram,2025-05-01,en,{text}\n"
        "u2,myspace,2025-05-02,en,This row names an unknown platform\n"
        "u3,x,2025-05-03,fr,Nouveau café éthiopien en magasin\n",
        encoding="utf-8",
    )
    return path


def test_ingest_reports_the_bad_row_and_keeps_the_good_ones(ui: Handlers, tmp_path: Path) -> None:
    path = write_posts(tmp_path / "upload")
    summary, files, problems, brand = ui.ingest_files([str(path)], "", "auto", "boreale")
    assert summary.startswith("⚠️") and "2 added" in summary and "1 rejected" in summary
    assert files.iloc[0][["file", "kind", "added", "rejected"]].tolist() == [
        "my posts.csv",
        "posts",
        2,
        1,
    ]
    assert problems.values.tolist() == [
        [
            "my posts.csv",
            3,
            "platform",
            "unknown platform 'myspace': use one of x, instagram, linkedin, facebook, threads, "
            "mastodon",
        ]
    ]
    hits = ui.services.store.browse("boreale", source="my posts.csv")
    assert sorted(h.metadata["external_id"] for h in hits) == ["u1", "u3"]
    assert brand["value"] == "boreale"


def test_ingest_into_a_new_brand_refreshes_the_brand_list(ui: Handlers, tmp_path: Path) -> None:
    guide = tmp_path / "voice.md"
    guide.write_text(
        '---\nbrand_name: "Acme Café"\n---\n# Voice\n\n## Tone\n\n'
        "We are friendly and precise in every post.\n",
        encoding="utf-8",
    )
    summary, _files, problems, brand = ui.ingest_files(
        [str(guide), str(write_posts(tmp_path / "u"))], "acme", "auto", "boreale"
    )
    assert "brand acme" in summary and len(problems) == 1
    assert brand["value"] == "acme" and ("Acme Café (acme)", "acme") in brand["choices"]
    assert "**Acme Café**" in ui.brand_info("acme") and "2 past posts" in ui.brand_info("acme")


def test_ingest_rejects_what_it_cannot_read(ui: Handlers, tmp_path: Path) -> None:
    assert "no files" in error_of(lambda: ui.ingest_files([], "", "auto", "boreale")).message
    exe = tmp_path / "tool.exe"
    exe.write_bytes(b"MZ")
    assert (
        "cannot ingest tool.exe"
        in error_of(lambda: ui.ingest_files([str(exe)], "", "auto", "boreale")).message
    )
    assert (
        "invalid brand name"
        in error_of(
            lambda: ui.ingest_files([str(exe.with_suffix(".csv"))], "Bad Name!", "auto", "boreale")
        ).message
    )
    latin = tmp_path / "latin.csv"
    latin.write_bytes("text,platform\ncaf\xe9,x\n".encode("latin-1"))
    summary, files, problems, _ = ui.ingest_files([str(latin)], "", "auto", "boreale")
    assert "not UTF-8" in files.iloc[0]["error"] and str(tmp_path) not in files.iloc[0]["error"]
    assert problems.iloc[0]["file"] == "latin.csv" and "skipped" in summary


def test_browse_pages_and_search_the_sample_brand(ui: Handlers) -> None:
    first, info, offset = ui.browse("all", 10, 0, "boreale")
    assert len(first) == 10 and offset == 0 and info.startswith("Records 1–10 of ")
    second, info, offset = ui.browse_next("all", 10, 0, "boreale")
    assert offset == 10 and "11–20" in info and set(first["id"]).isdisjoint(second["id"])
    assert ui.browse_previous("all", 10, 10, "boreale")[2] == 0
    replies, info, _ = ui.browse("reply", 5, 0, "boreale")
    assert set(replies["kind"]) == {"reply"} and all(replies["reply"].str.len() > 0)
    assert info == "Replies 1–5 of 48"
    guides, _, _ = ui.browse("guideline", 5, 0, "boreale")
    assert all(guides["platform / heading"].str.len() > 0)

    results = ui.search("my delivery is late", "reply", 3, "boreale")
    assert len(results) == 3 and list(results["score"]) == sorted(results["score"], reverse=True)
    assert set(results["kind"]) == {"reply"}
    assert "query is empty" in error_of(lambda: ui.search(" ", "all", 3, "boreale")).message


# -- untrusted text is data, never HTML --------------------------------------------------------


def test_untrusted_text_is_shown_as_plain_text(
    services: Services, fake_llm: FakeLLM, tmp_path: Path
) -> None:
    ui = Handlers(services)
    fake_llm.enqueue(f"Thanks! {XSS}", f"Thanks! {XSS}")
    outs = list(ui.suggest_replies(f"Great coffee {XSS}", "facebook", 1, "auto", "boreale"))
    streamed = [field(o, 0, "text") for o in outs if not is_skip(field(o, 0, "text"))]
    assert any(XSS in str(t) for t in streamed)  # verbatim, in a Textbox: shown as text
    slot = visible(final_slots(outs))[0]
    assert XSS not in slot["text"]  # dropped for its markup: never returned as the draft
    assert "<" not in slot["header"] and "<" not in outs[-1][0]
    assert "&lt;img" in slot["header"]  # why it was dropped quotes it, escaped

    # Uploaded content and names end up in tables of plain strings and escaped Markdown.
    guide = tmp_path / "evil.md"
    guide.write_text(
        f'---\nbrand_name: "{XSS.replace(chr(34), "")}"\n---\n# T\n\n## S\n\n'
        f"{XSS} is not a tone.\n",
        encoding="utf-8",
    )
    ui.ingest_files([str(guide), str(write_posts(tmp_path / "u", text=XSS))], "evil", "auto", None)
    info = ui.brand_info("evil")
    assert "<" not in info and "&lt;img src=x onerror=alert\\(1\\)&gt;" in info
    rows, _, _ = ui.browse("all", 50, 0, "evil")
    assert any(XSS in text for text in rows["text"])
    assert "<" not in md(XSS) and "&lt;script&gt;" in md(XSS)

    # And the components that show those values render no HTML or Markdown from them.
    app = build_app(services)
    assert_renders_no_markup(app)
    reply = next(fn for fn in app.fns.values() if fn.api_name == "reply")
    kinds = {
        name: {
            type(reply.outputs[1 + i * len(SLOT_FIELDS) + SLOT_FIELDS.index(name)])
            for i in range(3)
        }
        for name in ("header", "text", "sources")
    }
    assert kinds == {"header": {gr.Markdown}, "text": {gr.Textbox}, "sources": {gr.Dataframe}}
    assert all(reply.outputs[1 + i * len(SLOT_FIELDS) + 2].buttons == ["copy"] for i in range(3))


# -- the real app over HTTP -------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.slow
def test_the_launched_app_drafts_over_http(services: Services) -> None:
    from gradio_client import Client

    app = build_app(services)
    port = free_port()
    app.launch(prevent_thread_lock=True, server_port=port, server_name="127.0.0.1", quiet=True)
    try:
        client = Client(
            f"http://127.0.0.1:{port}/",
            verbose=False,
            download_files=False,
            analytics_enabled=False,
            httpx_kwargs={"timeout": 30},
        )
        job = client.submit(BRIEF, ["instagram", "x"], 1, "auto", "boreale", api_name="/draft")
        result = job.result(timeout=120)
        assert "2 posts ready" in result[0]
        flat = [str(v) for v in result]
        assert any(v.startswith("Fake draft") for v in flat)
        assert any("/ 280" in v for v in flat)

        with pytest.raises(Exception, match="brief is empty"):
            client.submit("", ["x"], 1, "auto", "boreale", api_name="/draft").result(timeout=60)
        rows = client.predict("late delivery", "reply", 2, "boreale", api_name="/search")
        assert len(rows["data"]) == 2
    finally:
        app.close()


# -- review: drafts saved with their author, the queue, decisions, conflicts -------------------

PASSWORD = "correct horse battery"
TZ = "America/Toronto"


@pytest.fixture
def team(services: Services) -> dict[str, gr.Request]:
    """Logged-in requests for an author, two reviewers and an admin."""
    for name, role in (
        ("alice", "author"),
        ("bob", "reviewer"),
        ("carol", "reviewer"),
        ("root", "admin"),
    ):
        services.review.add_user(name, PASSWORD, role)
    return {name: gr.Request(username=name) for name in ("alice", "bob", "carol", "root")}


def submitted(
    services: Services, author: str = "alice", text: str = "Our beans are back", **fields: Any
) -> DraftView:
    review = services.review
    actor = review.actor(author)
    draft = review.create_draft(
        actor,
        brand=fields.pop("brand", "boreale"),
        platform=fields.pop("platform", "instagram"),
        text=text,
        **fields,
    )
    return review.submit(actor, draft.id, expected=draft.row_version)


def panel(out: tuple[Any, ...]) -> dict[str, Any]:
    """An opened draft's fields by name (an action's outputs start with its status line)."""
    assert len(out) in (len(PANEL_FIELDS), len(PANEL_FIELDS) + 1)
    return dict(zip(PANEL_FIELDS, out[-len(PANEL_FIELDS) :], strict=True))


def test_drafts_are_saved_with_their_author_and_submitted_from_their_card(
    ui: Handlers, team: dict[str, gr.Request]
) -> None:
    outs = list(ui.draft_posts(BRIEF, ["instagram", "x"], 1, "en", "boreale", team["alice"]))
    shown = visible(final_slots(outs))
    assert len(shown) == 2 and "submit each one" in outs[-1][0]
    review = ui.services.review
    for slot in shown:
        saved = slot["meta"]["review"]
        view = review.get(saved["id"])
        assert (view.author, view.brand, view.state, view.text) == (
            "alice",
            "boreale",
            "draft",
            slot["text"],
        )
        assert view.platform == slot["meta"]["platform"]
        assert view.provenance["model"] == "fake-1"
        assert view.provenance["prompt"]["template"] == "post.j2"
        assert view.provenance["sources"] and view.context == f"Brief: {BRIEF}"
        assert f"Draft **\\#{view.id}** · **draft**" in slot["header"]
        assert slot["submit"]["visible"] is True

    # Submitted as edited on the card: the reviewer sees those words, as version 2.
    first = shown[0]
    header, meta, button = ui.submit_draft("Edited on the card", first["meta"], team["alice"])
    view = review.get(meta["review"]["id"])
    assert (view.state, view.version, view.text) == ("submitted", 2, "Edited on the card")
    assert "**submitted**" in header and button["interactive"] is False
    # The second card, unedited, is submitted as version 1.
    _, meta, _ = ui.submit_draft(shown[1]["text"], shown[1]["meta"], team["alice"])
    assert review.get(meta["review"]["id"]).version == 1
    err = error_of(lambda: ui.submit_draft("again", meta, team["alice"]))
    assert "is submitted" in err.message and err.title == "Not possible now"


def test_without_a_login_drafts_are_shown_but_not_saved(ui: Handlers) -> None:
    outs = list(ui.draft_posts(BRIEF, ["x"], 1, "en", "boreale"))
    slot = visible(final_slots(outs))[0]
    assert "Not saved for review: nobody is logged in" in slot["header"]
    assert slot["submit"]["visible"] is False
    assert ui.services.review.list() == []
    frame_, info = ui.queue("all", "all", "all", "all", TZ, None)
    assert frame_.empty and info == "Log in to see the review queue."
    err = error_of(lambda: ui.approve({"id": 1, "row_version": 1}, "", TZ, None))
    assert "nobody is logged in" in err.message and err.title == "Login needed"


def test_the_review_queue_filters_by_brand_platform_state_and_author(
    ui: Handlers, team: dict[str, gr.Request]
) -> None:
    one = submitted(ui.services, "alice", "Alice on Instagram")
    two = submitted(ui.services, "alice", "Alice on X", platform="x")
    three = submitted(ui.services, "bob", "Bob for another brand", brand="acme")
    review = ui.services.review
    review.create_draft(review.actor("carol"), brand="boreale", platform="x", text="Not sent")
    bob = team["bob"]

    def ids(
        brand: str = "all", platform: str = "all", state: str = "all", author: str = "all"
    ) -> list[int]:
        rows, _ = ui.queue(brand, platform, state, author, TZ, bob)
        assert list(rows.columns)[:3] == ["draft", "state", "brand"]
        return sorted(rows["draft"])

    assert ids(state="submitted") == [one.id, two.id, three.id]
    assert len(ids()) == 4
    assert ids(brand="acme") == [three.id]
    assert ids(platform="x", state="submitted") == [two.id]
    assert ids(author="alice") == [one.id, two.id]
    assert ids(author="alice", platform="instagram") == [one.id]
    rows, info = ui.queue("all", "all", "submitted", "all", TZ, bob)
    assert info.startswith("3 drafts") and set(rows["platform"]) == {"Instagram", "X (Twitter)"}
    filters = ui.filter_choices(bob)
    assert ("alice", "alice") in filters[1]["choices"] and filters[1] == filters[2]
    assert all(is_skip(f) for f in ui.filter_choices(None))


def test_a_second_person_approves_and_nobody_approves_their_own_draft(
    ui: Handlers, team: dict[str, gr.Request]
) -> None:
    own = submitted(ui.services, "bob", "Bob wrote this one")
    opened = panel(ui.open_draft(own.id, TZ, team["bob"]))["opened"]
    err = error_of(lambda: ui.approve(opened, "fine by me", TZ, team["bob"]))
    assert err.title == "Not allowed" and "two-person rule" in err.message
    assert "\n" not in err.message
    assert ui.services.review.get(own.id).state == "submitted"
    # An author may not review at all.
    err = error_of(lambda: ui.approve(opened, "", TZ, team["alice"]))
    assert "may not review" in err.message

    out = ui.approve(opened, "Lovely, ship it", TZ, team["carol"])
    shown = panel(out)
    assert out[0] == f"✅ Draft #{own.id} approved: now approved."
    assert shown["decisions"].values.tolist()[0][:4] == [1, "carol", "approved", "Lovely, ship it"]
    assert "approval valid until" in shown["summary"] and "schedule it below" in shown["summary"]
    assert shown["opened"]["row_version"] > opened["row_version"]
    assert shown["comments"]["comment"].tolist() == ["Lovely, ship it"]


def test_two_reviewers_deciding_on_the_same_version_conflict_and_nothing_is_lost(
    ui: Handlers, team: dict[str, gr.Request]
) -> None:
    draft = submitted(ui.services)
    bob_sees = panel(ui.open_draft(draft.id, TZ, team["bob"]))["opened"]
    carol_sees = panel(ui.open_draft(draft.id, TZ, team["carol"]))["opened"]
    assert bob_sees["row_version"] == carol_sees["row_version"]

    ui.request_changes(bob_sees, "Say which cafés", TZ, team["bob"])
    err = error_of(lambda: ui.approve(carol_sees, "Looks good", TZ, team["carol"]))
    assert err.title == "Someone else changed this draft"
    assert f"draft #{draft.id} changed since you opened it" in err.message
    assert "state changes_requested" in err.message and "nothing was saved" in err.message
    assert "\n" not in err.message
    view = ui.services.review.get(draft.id)
    assert [(d.reviewer, d.decision) for d in view.decisions] == [("bob", "changes_requested")]

    # The author edits from two tabs opened on the same version: the second save is refused
    # by the row version, and the first one's words stay.
    tab_1 = panel(ui.open_draft(draft.id, TZ, team["alice"]))["opened"]
    tab_2 = dict(tab_1)
    ui.save_edit(tab_1, "Our beans are back in the Mile End café", "", TZ, team["alice"])
    err = error_of(lambda: ui.save_edit(tab_2, "Something else", "", TZ, team["alice"]))
    assert err.title == "Someone else changed this draft" and "nothing was saved" in err.message
    view = ui.services.review.get(draft.id)
    assert view.text == "Our beans are back in the Mile End café" and view.version == 2


def test_changes_are_requested_then_the_author_edits_and_resubmits_with_a_diff(
    ui: Handlers, team: dict[str, gr.Request]
) -> None:
    draft = submitted(ui.services, text="Our beans are back on Friday")
    opened = panel(ui.open_draft(draft.id, TZ, team["bob"]))["opened"]
    err = error_of(lambda: ui.reject(opened, "  ", TZ, team["bob"]))
    assert "a reason is required" in err.message
    ui.request_changes(opened, "Name the café", TZ, team["bob"])

    mine = panel(ui.open_draft(draft.id, TZ, team["alice"]))
    assert "Edit it below" in mine["summary"]
    err = error_of(lambda: ui.save_edit(mine["opened"], mine["text"], "", TZ, team["alice"]))
    assert "nothing to save" in err.message
    out = ui.save_and_submit(
        mine["opened"],
        "Our beans are back at Mile End on Friday",
        "named the café",
        TZ,
        team["alice"],
    )
    shown = panel(out)
    assert out[0].endswith("now submitted.") and shown["opened"]["version"] == 2
    assert shown["version_a"]["value"] == 1 and shown["version_b"]["value"] == 2
    assert [label for label, _ in shown["version_b"]["choices"]][1].endswith("named the café")
    removed = [text for text, mark in shown["diff_a"] if mark]
    added = [text for text, mark in shown["diff_b"] if mark]
    assert removed == [] and added == ["at Mile End "]
    assert "".join(text for text, _ in shown["diff_b"]) == (
        "Our beans are back at Mile End on Friday"
    )
    assert Handlers.compare(2, 2, shown["opened"]) == word_diff(*[shown["text"]] * 2)
    old, new = Handlers.compare(2, 1, shown["opened"])
    assert [t for t, m in old if m] == ["at Mile End "] and not [t for t, m in new if m]


def test_a_scheduled_post_shows_in_its_week_of_the_calendar(
    ui: Handlers, team: dict[str, gr.Request]
) -> None:
    draft = submitted(ui.services, text="Beans are back, see you at the café")
    opened = panel(ui.open_draft(draft.id, TZ, team["bob"]))["opened"]
    opened = panel(ui.approve(opened, "", TZ, team["bob"]))["opened"]
    zone = ZoneInfo(TZ)
    at = (datetime.now(zone) + timedelta(days=10)).replace(
        hour=9, minute=30, second=0, microsecond=0
    )
    err = error_of(lambda: ui.schedule(opened, "tomorrow", TZ, ["csv"], team["bob"]))
    assert "cannot read the time 'tomorrow'" in err.message
    err = error_of(
        lambda: ui.schedule(opened, at.strftime("%Y-%m-%d %H:%M:%S"), TZ, ["fax"], team["bob"])
    )
    assert "unknown or unconfigured adapter 'fax'" in err.message and "csv" in err.message
    err = error_of(lambda: ui.schedule(opened, "2020-01-01 09:00", TZ, ["csv"], team["bob"]))
    assert "in the past" in err.message
    out = ui.schedule(opened, at.strftime("%Y-%m-%d %H:%M:%S"), TZ, ["csv", "ics"], team["bob"])
    assert "scheduled for" in out[0] and panel(out)["outbox"]["adapter"].tolist() == ["csv", "ics"]
    # Stored in UTC, due at 09:30 in Toronto.
    due = {o.due_at for o in ui.services.review.outbox()}
    assert due == {at}

    def day_of(result: tuple[Any, ...]) -> dict[str, str]:
        assert len(result) == 2 + WEEK_DAYS
        return {box["label"]: box["value"] for box in result[1:-1]}

    title, *_days, week = result = ui.calendar(at.date().isoformat(), TZ, team["alice"])
    monday = at.date() - timedelta(days=at.weekday())
    assert week == monday.isoformat() and "1 post" in title and "America/Toronto" in title
    label = f"{at:%a} {at.day} {at:%b} · 1 post"
    line = day_of(result)[label]
    assert line.startswith(f"09:30 · #{draft.id} · boreale · Instagram · csv, ics · queued · ")
    assert line.endswith("Beans are back, see you at the café")
    assert sum(v != "–" for v in day_of(result).values()) == 1

    before = ui.calendar_previous(week, TZ, team["alice"])
    assert "0 posts" in before[0] and set(day_of(before).values()) == {"–"}
    again = ui.calendar_next(before[-1], TZ, team["alice"])
    assert again[-1] == week and day_of(again)[label] == line
    # In another time zone the same post is at another hour.
    paris = ui.calendar(at.date().isoformat(), "Europe/Paris", team["alice"])
    assert any("15:30 · #" in v for v in day_of(paris).values())
    err = error_of(lambda: ui.calendar("next week", TZ, team["alice"]))
    assert "cannot read the day" in err.message
    assert (
        "unknown time zone"
        in error_of(lambda: ui.calendar(None, "Mars/Olympus", team["alice"])).message
    )


def test_the_audit_log_filters_and_exports_files_that_parse(
    ui: Handlers, team: dict[str, gr.Request]
) -> None:
    draft = submitted(ui.services, text=f"Careful {XSS}")
    opened = panel(ui.open_draft(draft.id, TZ, team["bob"]))["opened"]
    ui.reject(opened, f"No: {XSS}", TZ, team["bob"])
    root = team["root"]

    rows, info = ui.audit("all", "all", 0, 200, TZ, root)
    assert list(rows.columns) == [
        "at",
        "actor",
        "action",
        "draft",
        "hash before",
        "hash after",
        "reason",
    ]
    assert rows["action"].tolist()[:3] == ["rejected", "submitted", "created"]
    assert "entries, newest first" in info
    rows, _ = ui.audit("bob", "all", 0, 200, TZ, root)
    assert rows[["actor", "action", "draft"]].values.tolist() == [["bob", "rejected", draft.id]]
    assert rows["reason"].tolist() == [f"No: {XSS}"]  # a plain-text cell
    rows, _ = ui.audit("all", "created", draft.id, 200, TZ, root)
    assert rows["actor"].tolist() == ["alice"] and len(rows["hash after"][0]) == 12

    path = Path(ui.export_audit("csv", "all", "all", draft.id, root))
    entries = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))
    assert [e["action"] for e in entries] == ["created", "submitted", "rejected"]
    assert entries[2]["reason"] == f"No: {XSS}" and len(entries[0]["hash_after"]) == 64
    assert json.loads(entries[2]["details"])["version"] == 1
    path = Path(ui.export_audit("json", "bob", "all", 0, root))
    assert path.suffix == ".json"
    assert [e["action"] for e in json.loads(path.read_text(encoding="utf-8"))] == ["rejected"]

    rows, info = ui.audit("all", "all", 0, 200, TZ, team["alice"])
    assert rows.empty and info == "The audit log is for reviewers and admins."
    err = error_of(lambda: ui.export_audit("csv", "all", "all", 0, team["alice"]))
    assert err.title == "Not allowed"


def test_only_an_admin_pauses_and_resumes_publishing(
    ui: Handlers, team: dict[str, gr.Request]
) -> None:
    state, pause, resume = ui.publishing(TZ, team["bob"])
    assert state.startswith("🟢") and "Only an admin" in state
    assert pause["interactive"] is False and resume["interactive"] is False
    err = error_of(lambda: ui.pause("", TZ, team["bob"]))
    assert err.title == "Not allowed" and "may not pause or resume publishing" in err.message
    assert not ui.services.review.is_paused()

    assert "a reason is required" in error_of(lambda: ui.pause(" ", TZ, team["root"])).message
    state, pause, resume = ui.pause("Crisis: <b>hold</b> everything", TZ, team["root"])
    assert ui.services.review.is_paused()
    assert "Publishing is paused** by root on " in state and "<b>" not in state
    assert pause["interactive"] is False and resume["interactive"] is True
    assert "publishing is paused" in ui.calendar(None, TZ, team["alice"])[0]
    state, pause, _ = ui.resume("Crisis over", TZ, team["root"])
    assert state.startswith("🟢") and pause["interactive"] is True
    actions = [a.action for a in ui.services.review.audit_log(actor="root")]
    assert actions == ["resumed", "paused"]


def test_review_text_is_shown_as_plain_text(ui: Handlers, team: dict[str, gr.Request]) -> None:
    draft = submitted(ui.services, text=f"Hi {XSS}", context=f"Brief: {XSS}")
    ui.services.review.add_comment(ui.services.review.actor("bob"), draft.id, XSS)
    shown = panel(ui.open_draft(draft.id, TZ, team["bob"]))
    assert "<" not in shown["summary"] and shown["text"] == f"Hi {XSS}"
    assert shown["context"] == f"Brief: {XSS}" and shown["comments"]["comment"][0] == XSS
    assert "".join(t for t, _ in shown["diff_b"]) == f"Hi {XSS}"
    rows, _ = ui.queue("all", "all", "all", "all", TZ, team["bob"])
    assert XSS in rows["text"][0]
    assert "<" not in ui.whoami(team["bob"])[0]

    app = build_app(ui.services)
    assert_renders_no_markup(app)
    assert any(isinstance(b, gr.HighlightedText) for b in app.blocks.values())


def test_the_login_check_and_the_first_admin(
    services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(ConfigError, match="cmassist users add NAME --role admin"):
        app_auth(services)
    monkeypatch.setenv("CMASSIST_ADMIN_USER", "Boss")
    monkeypatch.setenv("CMASSIST_ADMIN_PASSWORD", PASSWORD)
    check = app_auth(services)
    assert [u["name"] for u in services.review.list_users()] == ["boss"]
    assert services.review.actor("boss").role == "admin"
    assert check("boss", PASSWORD) and check("Boss", PASSWORD)
    assert not check("boss", "wrong password") and not check("nobody", PASSWORD)
    # Users exist: the variables are ignored, nobody else is created.
    monkeypatch.setenv("CMASSIST_ADMIN_USER", "other")
    app_auth(services)
    assert [u["name"] for u in services.review.list_users()] == ["boss"]
    services.review.disable_user("boss")
    assert not check("boss", PASSWORD)
    with pytest.raises(gr.Error, match=r"no enabled user 'boss'"):
        Handlers(services).whoami(gr.Request(username="boss"))
