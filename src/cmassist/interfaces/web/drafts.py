"""Cards of drafts, shared by the Compose and Reply tabs: streamed as they are written,
saved for review as the user's, edited in place, checked again and submitted.

What the page shows while a request is chosen among candidates: the first candidate of
each variant is written into its card token by token; the status line then says which
further candidate is being written ("Choosing: candidate 4 of at most 6"), while the cards
keep their text; each card then gets its chosen draft (which may differ from the text
that streamed in) with a line on why it was chosen, or, when no candidate was good enough,
an empty card that says so, lists why each candidate was dropped and offers the brand's
closest past posts or replies and the relevant facts to start from."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import gradio as gr

from cmassist.domain.errors import CmassistError, InputError
from cmassist.domain.models import Draft
from cmassist.interfaces.i18n import Translator
from cmassist.interfaces.web.base import TabHandlers
from cmassist.interfaces.web.board import Board
from cmassist.interfaces.web.cards import (
    SLOT_FIELDS,
    SOURCE_COLUMNS,
    SOURCE_WIDTHS,
    draft_header,
    review_meta,
)
from cmassist.interfaces.web.errors import stopped_reason, user_errors
from cmassist.interfaces.web.findings import check_line, findings_frame, findings_highlight
from cmassist.interfaces.web.layout import L, findings_table, findings_text, table
from cmassist.interfaces.web.render import md, plural
from cmassist.interfaces.web.request import translator
from cmassist.interfaces.web.stops import Stops, close_events
from cmassist.services.drafting import DraftEvent
from cmassist.services.review import Actor

log = logging.getLogger(__name__)
_STOPS_MADE = threading.Lock()

# The cards the app lays out for one request's variants (per platform): Gradio lays out
# every card up front, so 5 keeps the page light; drafting itself takes up to
# cmassist.domain.limits.MAX_VARIANTS from the CLI and Python.
VARIANT_SLOTS = 5


@dataclass
class DraftStream:
    """A drafting under way, and how its cards are filled and saved."""

    events: Iterator[DraftEvent]
    total: int
    kind: str  # "post" | "reply"
    slots: int
    author: Actor | None = None  # who the drafts are saved for review as; None: not saved
    context: str = ""  # what they were drafted from (the brief, the customer's comment)


class DraftCardHandlers(TabHandlers):
    """The handlers of draft cards: the stream that fills them, and each card's buttons."""

    @property
    def stops(self) -> Stops:
        """The Stop flags of the sessions streaming drafts (one registry per tab's
        handlers), made once even when two sessions click at the same moment."""
        with _STOPS_MADE:
            if not hasattr(self, "_stops"):
                self._stops = Stops()
        return self._stops

    def posts_asked(self, request: gr.Request | None = None) -> None:
        """Draft posts was clicked: a Stop before its stream begins stops it."""
        self.stops.waiting(request, "post")

    def ideas_asked(self, request: gr.Request | None = None) -> None:
        """Suggest ideas was clicked: a Stop before its stream begins stops it."""
        self.stops.waiting(request, "ideas")

    def replies_asked(self, request: gr.Request | None = None) -> None:
        """Suggest replies was clicked: a Stop before its stream begins stops it."""
        self.stops.waiting(request, "reply")

    def stop_posts(self, request: gr.Request | None = None) -> None:
        """Compose's Stop: the session's post drafts and ideas stop at their next token."""
        self.stops.stop(request, "post", "ideas")

    def stop_replies(self, request: gr.Request | None = None) -> None:
        """Reply's Stop: the session's replies stop at their next token."""
        self.stops.stop(request, "reply")

    def stream(
        self, stream: DraftStream, tr: Translator, request: gr.Request | None = None
    ) -> Iterator[list[Any]]:
        """The page's updates as the drafts are written, each finished one saved; a Stop
        from the same session ends the drafting at its next event."""
        flag = self.stops.begin(request, stream.kind)
        try:
            yield from self._fill(stream, tr, flag)
        finally:
            self.stops.end(request, stream.kind, flag)

    def _fill(
        self, stream: DraftStream, tr: Translator, flag: threading.Event
    ) -> Iterator[list[Any]]:
        board = Board(stream.slots, stream.kind, tr)
        started = time.perf_counter()
        what = tr(plural(stream.kind, stream.total))
        yield board.reset(
            self.waiting(
                tr,
                tr(
                    "✍️ Retrieving guidelines and examples for {n} {what}…",
                    n=stream.total,
                    what=what,
                ),
            )
        )
        try:
            for event in stream.events:
                if flag.is_set():
                    close_events(stream.events)
                    yield board.stopped()
                    return
                if event.draft is not None:
                    out = board.finish(event.draft, self._save(stream, event.draft))
                    yield with_choice(board, out, event.draft, tr)
                elif event.type == "token":
                    yield board.token(event, stream.total)
                elif event.type == "choosing":
                    yield board.queued(choosing_line(event, tr))
        except Exception as e:
            yield board.abort(stopped_reason(e, tr))
            raise
        if flag.is_set():
            yield board.stopped()
            return
        yield board.done(done_line(stream, board, time.perf_counter() - started, tr))

    def _save(self, stream: DraftStream, draft: Draft) -> dict[str, Any]:
        """Keep a finished draft in the review store; a failure to save never hides its text."""
        if draft.no_good_draft:
            return {"unsaved": "Not saved: no candidate was good enough"}
        if stream.author is None:
            return {
                "unsaved": "Not saved for review: nobody is logged in (serve the app with "
                "`cmassist serve` to log in)"
            }
        try:
            saved = self.services.review.save_generated(
                stream.author, [draft], context=stream.context
            )
        except Exception as e:
            if not isinstance(e, CmassistError):
                log.exception("could not save a draft for review")
            return {"unsaved": f"Not saved for review: {e}"}
        return review_meta(saved[0]) if saved else {"unsaved": "Not saved: the draft is empty"}

    @user_errors
    def submit_draft(
        self, text: str, meta: dict[str, Any] | None, request: gr.Request | None = None
    ) -> tuple[Any, ...]:
        """Submit a card's draft for review, as the user edited it on the card."""
        tr = translator(request)
        author = self.actor(request)
        meta = dict(meta or {})
        review = meta.get("review") or {}
        if not review.get("id"):
            raise InputError(
                "this draft was not saved for review", "draft it again while logged in"
            )
        # An edit that changes nothing makes no new version; otherwise the reviewer sees
        # exactly the words on the card, as version 2.
        view = self.services.review.submit_edited(
            author,
            int(review["id"]),
            text or "",
            expected=review.get("row_version"),
            note="edited before submitting",
        )
        meta["review"] = review_meta(view)
        return (
            card_header(meta, text, tr),
            meta,
            gr.update(value=tr("Submitted for review ✓"), interactive=False),
        )

    @user_errors
    def recheck_slot(
        self, text: str, meta: dict[str, Any] | None, request: gr.Request | None = None
    ) -> tuple[Any, ...]:
        """Check a card's text again, as the user edited it; the header shows the new
        verdict."""
        tr = translator(request)
        meta = dict(meta or {})
        if not meta.get("platform"):
            raise InputError("this draft has no platform to check against", "draft it again")
        result = self.services.checker.check(
            text or "",
            platform=meta["platform"],
            brand=meta.get("brand") or self.services.settings.brand,
            kind=meta.get("kind") if meta.get("kind") in ("post", "reply") else "post",
            language=meta.get("language"),
        ).public()
        return (
            gr.update(
                value=findings_highlight(text, result, tr),
                label=check_line(result, tr),
                visible=True,
            ),
            findings_frame(text, result, tr),
            card_header({**meta, "check": result}, text, tr),
            {**meta, "check": result},
        )

    @staticmethod
    def recount(text: str, meta: dict[str, Any] | None, request: gr.Request | None = None) -> str:
        """The header of an edited draft, with the count of the text as it is now."""
        return card_header(meta or {}, text or "", translator(request))

    @staticmethod
    def stopped(*metas: dict[str, Any] | None) -> list[Any]:
        """After Stop: hide the draft that was being written, keep the finished ones."""
        out: list[Any] = ["⏹️"]
        for meta in metas:
            writing = bool(meta) and meta.get("status") == "writing"
            out += [gr.update(visible=False) if writing else gr.skip()] + [gr.skip()] * (
                len(SLOT_FIELDS) - 1
            )
        return out


# -- the choice, on the card and in the status line -------------------------------------------


def card_header(meta: dict[str, Any], text: str | None, tr: Translator) -> str:
    """A card's header (`cards.draft_header`) with why its draft was chosen, or why there
    is none and what to start from."""
    head = draft_header(meta, text, tr)
    block = choice_block(meta, tr)
    return f"{head}\n{block}" if head and block else head


def choice_block(meta: dict[str, Any], tr: Translator) -> str:
    """Markdown: why a draft was chosen (one line), or the "no good draft" path: why each
    candidate was dropped, then the past texts and facts to start from."""
    why = [md(tr.error(str(w))) for w in meta.get("why") or []]
    if not meta.get("no_good_draft"):
        return tr("🧭 Chosen: {why}", why=" · ".join(why)) if why else ""
    lines = [tr("🚫 **No good draft**: {why}", why=" · ".join(why) or "…")]
    for r in meta.get("rejected") or []:
        lines.append(
            tr(
                "- candidate {n}: {reasons}",
                n=r.get("candidate"),
                reasons="; ".join(md(tr.error(str(x))) for x in r.get("reasons") or []),
            )
        )
    points = meta.get("starting_points") or []
    if points:
        lines.append(
            tr("**Start from** these instead of a draft that would be wrong:")
            if meta.get("kind") != "reply"
            else tr("**Start from** these past replies and facts instead:")
        )
    labels = {"post": "📄 past post", "reply": "💬 past reply", "fact": "📌 fact"}
    for p in points:
        label = tr(labels.get(str(p.get("kind")), "📄 past post"))
        title = f" ({md(p['title'])})" if p.get("title") else ""
        if p.get("kind") == "reply" and p.get("title"):
            title = " " + tr("to «{comment}»", comment=md(p["title"]))
        lines.append(f"- {label}{title}: «{md(p.get('text', ''))}»")
    return "\n".join(lines)


def with_choice(board: Board, out: list[Any], draft: Draft, tr: Translator) -> list[Any]:
    """A finished card's update with its choice block in the header (kept for `done`)."""
    slot = board.index.get((draft.platform, draft.variant))
    if slot is None or slot not in board.finished:
        return out
    finished = board.finished[slot]
    header = card_header(finished["meta"], None, tr)
    finished["header"] = header
    out[1 + slot * len(SLOT_FIELDS) + SLOT_FIELDS.index("header")] = header
    return out


def choosing_line(event: DraftEvent, tr: Translator) -> str:
    """The status line while a further candidate is written, without streaming."""
    return tr(
        "🔎 Choosing: writing candidate {n} of at most {total}, to replace the ones dropped "
        "or find a better one…",
        n=event.candidates,
        total=event.total,
    )


def done_line(stream: DraftStream, board: Board, seconds: float, tr: Translator) -> str:
    """The status line once every card is filled: how many drafts, how many without one."""
    metas = [f["meta"] for f in board.finished.values()]
    none = sum(1 for m in metas if m.get("no_good_draft"))
    good = len(metas) - none
    took = tr.number(seconds, 1)
    if good == 0 and none:
        return tr(
            "⚠️ No good draft in {s} s: every candidate was dropped; start from the past "
            "texts and facts on the cards",
            s=took,
        )
    then = (
        tr("submit each one you want published for review")
        if stream.author
        else tr("copy them with the copy button")
    )
    if none:
        return tr(
            "✅ {n} {what} ready in {s} s, {m} without a good draft (see their cards) · "
            "edit them in place, then {then}",
            n=good,
            what=tr(plural(stream.kind, good)),
            m=none,
            s=took,
            then=then,
        )
    return tr(
        "✅ {n} {what} ready in {s} s · edit them in place, then {then}",
        n=good,
        what=tr(plural(stream.kind, good)),
        s=took,
        then=then,
    )


# -- layout -----------------------------------------------------------------------------------


@dataclass
class Slot:
    """The components of one card, in the order of SLOT_FIELDS."""

    box: gr.Column
    header: gr.Markdown
    text: gr.Textbox
    findings: gr.HighlightedText
    fixes: gr.Dataframe
    sources: gr.Dataframe
    meta: gr.State
    submit: gr.Button

    def outputs(self) -> list[Any]:
        return [getattr(self, name) for name in SLOT_FIELDS]


def slots(n: int, kind: str, handlers: DraftCardHandlers) -> list[Slot]:
    """`n` cards, hidden until a draft fills them, each with its own buttons wired."""
    return [_slot(kind, handlers) for _ in range(n)]


def _slot(kind: str, handlers: DraftCardHandlers) -> Slot:
    with gr.Column(visible=False, variant="panel") as box:
        header = gr.Markdown(latex_delimiters=[], line_breaks=True)
        # The copy button shows only with the label.
        text = gr.Textbox(
            label=L("Text: edit it here, then submit or copy it"),
            lines=4,
            max_lines=30,
            interactive=True,
            buttons=["copy"],
            placeholder=L("The post appears here")
            if kind == "post"
            else L("The reply appears here"),
        )
        # The text once, editable; its findings marked in it below, folded away.
        with gr.Accordion(L("Findings: what, why (the guideline) and the fix"), open=False):
            findings = findings_text(L("Check"), visible=False)
            fixes = findings_table()
            recheck = gr.Button(L("Check again"), size="sm")
        with gr.Accordion(L("Sources: guideline passages and past examples used"), open=False):
            sources = table(
                SOURCE_COLUMNS,
                "Sources",
                ["score"],
                max_height=320,
                column_widths=SOURCE_WIDTHS,
            )
        meta = gr.State({})
        submit = gr.Button(L("Submit for review"), visible=False, size="sm")
    text.input(
        handlers.recount,
        [text, meta],
        header,
        queue=False,
        show_progress="hidden",
        api_visibility="private",
        trigger_mode="always_last",
    )
    submit.click(
        handlers.submit_draft, [text, meta], [header, meta, submit], api_visibility="private"
    )
    recheck.click(
        handlers.recheck_slot,
        [text, meta],
        [findings, fixes, header, meta],
        api_visibility="private",
    )
    return Slot(box, header, text, findings, fixes, sources, meta, submit)


def flat(cards: Iterable[Slot]) -> list[Any]:
    """Every card's outputs, in order: what a stream updates."""
    return [c for s in cards for c in s.outputs()]
