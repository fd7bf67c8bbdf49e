"""The web app: its handlers called directly over the real store, embedding model and the
fake LLM, and the real app launched and driven over HTTP with gradio_client."""

from __future__ import annotations

import itertools
import os
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"  # before gradio is imported: no phoning home

import gradio as gr

from cmassist.errors import LLMTimeoutError
from cmassist.llm.base import GenParams, RenderedPrompt, Usage
from cmassist.llm.fake import FakeLLM
from cmassist.services import Services
from cmassist.ui import (
    POST_SLOTS,
    SLOT_FIELDS,
    Handlers,
    build_app,
    count_line,
    md,
)

XSS = '<img src=x onerror=alert(1)> <script>alert("x")</script>'
BRIEF = "Our Ethiopian single origin is back in the cafés on Friday"


@pytest.fixture(autouse=True)
def _offline(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GRADIO_ANALYTICS_ENABLED", "False")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")


@pytest.fixture
def ui(services: Services) -> Handlers:
    return Handlers(services)


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


def error_of(call: Any) -> gr.Error:
    with pytest.raises(gr.Error) as info:
        result = call()
        if isinstance(result, Iterator):
            list(result)
    return info.value


# -- compose ----------------------------------------------------------------------------------

def test_drafts_stream_tokens_then_show_counts_and_sources(ui: Handlers) -> None:
    outs = list(ui.draft_posts(BRIEF, ["instagram", "x"], 2, "auto", "boreale"))
    assert all(len(o) == 1 + len(SLOT_FIELDS) * POST_SLOTS for o in outs)
    texts = [field(o, 0, "text") for o in outs if not is_skip(field(o, 0, "text"))]
    # Reset, then growing partial text, then the final draft.
    partial = texts[1:texts.index(texts[-1])]
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
    assert count_line(40, None, None) == "40 characters"


def test_stop_hides_only_the_draft_being_written(ui: Handlers) -> None:
    out = ui.stopped({"status": "writing"}, {"kind": "post", "text": "done"}, {})
    assert out[0].startswith("⏹️") and len(out) == 1 + 3 * len(SLOT_FIELDS)
    assert field(out, 0, "box") == {"__type__": "update", "visible": False}
    assert is_skip(field(out, 1, "box")) and is_skip(field(out, 2, "box"))


def test_replies_stream_with_past_replies_as_sources(ui: Handlers, fake_llm: FakeLLM) -> None:
    fake_llm.enqueue("So sorry about the wait, please DM us your order number.",
                     "Thanks for telling us, we'll look into it today.")
    outs = list(ui.suggest_replies("My order is two weeks late, this is ridiculous",
                                   "instagram", 2, "auto", "boreale"))
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

    def stream(self, prompt: RenderedPrompt, params: GenParams,
               usage: Usage | None = None) -> Iterator[str]:
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
        encoding="utf-8")
    return path


def test_ingest_reports_the_bad_row_and_keeps_the_good_ones(ui: Handlers, tmp_path: Path) -> None:
    path = write_posts(tmp_path / "upload")
    summary, files, problems, brand = ui.ingest_files([str(path)], "", "auto", "boreale")
    assert summary.startswith("⚠️") and "2 added" in summary and "1 rejected" in summary
    assert files.iloc[0][["file", "kind", "added", "rejected"]].tolist() == [
        "my posts.csv", "posts", 2, 1]
    assert problems.values.tolist() == [
        ["my posts.csv", 3, "platform",
         "unknown platform 'myspace': use one of x, instagram, linkedin, facebook, threads, "
         "mastodon"]]
    hits = ui.services.store.browse("boreale", source="my posts.csv")
    assert sorted(h.metadata["external_id"] for h in hits) == ["u1", "u3"]
    assert brand["value"] == "boreale"


def test_ingest_into_a_new_brand_refreshes_the_brand_list(ui: Handlers, tmp_path: Path) -> None:
    guide = tmp_path / "voice.md"
    guide.write_text('---\nbrand_name: "Acme Café"\n---\n# Voice\n\n## Tone\n\n'
                     "We are friendly and precise in every post.\n", encoding="utf-8")
    summary, _files, problems, brand = ui.ingest_files(
        [str(guide), str(write_posts(tmp_path / "u"))], "acme", "auto", "boreale")
    assert "brand acme" in summary and len(problems) == 1
    assert brand["value"] == "acme" and ("Acme Café (acme)", "acme") in brand["choices"]
    assert "**Acme Café**" in ui.brand_info("acme") and "2 past posts" in ui.brand_info("acme")


def test_ingest_rejects_what_it_cannot_read(ui: Handlers, tmp_path: Path) -> None:
    assert "no files" in error_of(lambda: ui.ingest_files([], "", "auto", "boreale")).message
    exe = tmp_path / "tool.exe"
    exe.write_bytes(b"MZ")
    assert "cannot ingest tool.exe" in error_of(
        lambda: ui.ingest_files([str(exe)], "", "auto", "boreale")).message
    assert "invalid brand name" in error_of(
        lambda: ui.ingest_files([str(exe.with_suffix(".csv"))], "Bad Name!", "auto",
                                "boreale")).message
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

def test_untrusted_text_is_shown_as_plain_text(services: Services, fake_llm: FakeLLM,
                                               tmp_path: Path) -> None:
    ui = Handlers(services)
    fake_llm.enqueue(f"Thanks! {XSS}")
    outs = list(ui.suggest_replies(f"Great coffee {XSS}", "facebook", 1, "auto", "boreale"))
    slot = visible(final_slots(outs))[0]
    assert XSS in slot["text"]  # verbatim, in a Textbox: shown as text
    assert "<" not in slot["header"] and "<" not in outs[-1][0]

    # Uploaded content and names end up in tables of plain strings and escaped Markdown.
    guide = tmp_path / "evil.md"
    guide.write_text(f'---\nbrand_name: "{XSS.replace(chr(34), "")}"\n---\n# T\n\n## S\n\n'
                     f"{XSS} is not a tone.\n", encoding="utf-8")
    ui.ingest_files([str(guide), str(write_posts(tmp_path / "u", text=XSS))], "evil", "auto",
                    None)
    info = ui.brand_info("evil")
    assert "<" not in info and "&lt;img src=x onerror=alert\\(1\\)&gt;" in info
    rows, _, _ = ui.browse("all", 50, 0, "evil")
    assert any(XSS in text for text in rows["text"])
    assert "<" not in md(XSS) and "&lt;script&gt;" in md(XSS)

    # And the components that show those values render no HTML or Markdown from them.
    app = build_app(services)
    blocks = list(app.blocks.values())
    assert not any(isinstance(b, gr.HTML | gr.Chatbot) for b in blocks)
    for b in blocks:
        if isinstance(b, gr.Dataframe):
            types = b.datatype if isinstance(b.datatype, list) else [b.datatype]
            assert set(types) <= {"str", "number"}
        if isinstance(b, gr.Markdown):
            assert b.sanitize_html
    reply = next(fn for fn in app.fns.values() if fn.api_name == "reply")
    kinds = {name: {type(reply.outputs[1 + i * len(SLOT_FIELDS) + SLOT_FIELDS.index(name)])
                    for i in range(3)} for name in ("header", "text", "sources")}
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
        client = Client(f"http://127.0.0.1:{port}/", verbose=False, download_files=False,
                        analytics_enabled=False, httpx_kwargs={"timeout": 30})
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
