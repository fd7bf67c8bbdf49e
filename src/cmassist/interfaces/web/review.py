"""The Review tab: the queue of drafts, a draft opened with its versions side by side, a
second person's decision, the author's edits, and scheduling an approved draft."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

import gradio as gr
import pandas as pd

from cmassist.domain.errors import InputError
from cmassist.domain.textutil import excerpt
from cmassist.interfaces.i18n import Translator
from cmassist.interfaces.web.base import TabHandlers
from cmassist.interfaces.web.errors import user_errors
from cmassist.interfaces.web.inputs import ALL, draft_number, opened_draft, to_int, unless_all
from cmassist.interfaces.web.layout import PRIVATE, L, clear, clear_all, table
from cmassist.interfaces.web.render import frame, platform_name, word_diff
from cmassist.interfaces.web.request import translator, username
from cmassist.interfaces.web.review_panel import (
    PANEL_FIELDS,
    draft_panel,
    draft_records,
    render_panel,
)
from cmassist.interfaces.web.times import read_publish_time, read_zone, when
from cmassist.services.review import STATES, Actor, DraftView

QUEUE_COLUMNS = [
    "draft",
    "state",
    "brand",
    "platform",
    "kind",
    "author",
    "version",
    "updated",
    "text",
]
QUEUE_WIDTHS = ["6%", "11%", "8%", "9%", "6%", "8%", "7%", "12%", "33%"]
QUEUE_LIMIT = 200


class ReviewHandlers(TabHandlers):
    """The queue, the open draft, and what its reviewer or author does with it."""

    @user_errors
    def queue(
        self,
        brand: str | None,
        platform: str | None,
        state: str | None,
        author: str | None,
        zone: str | None,
        request: gr.Request | None = None,
    ) -> tuple[pd.DataFrame, str]:
        """The drafts that match the filters, the most recently changed first."""
        tr = translator(request)
        if not username(request):
            return frame([], QUEUE_COLUMNS, tr), tr("Log in to see the review queue.")
        self.actor(request)
        tz = read_zone(zone)
        views = self.services.review.list(
            state=unless_all(state),
            brand=unless_all(brand),
            platform=unless_all(platform),
            author=unless_all(author),
            limit=QUEUE_LIMIT,
        )
        rows = [_queue_row(v, tz, tr) for v in views]
        info = tr("{n} draft", n=len(rows)) if len(rows) == 1 else tr("{n} drafts", n=len(rows))
        if len(rows) == QUEUE_LIMIT:
            info += tr(" (the {n} most recently changed: narrow the filters)", n=QUEUE_LIMIT)
        return frame(rows, QUEUE_COLUMNS, tr), info + tr(" · click a row to open it")

    @user_errors
    def open_draft(
        self, draft_id: float | None, zone: str | None, request: gr.Request | None = None
    ) -> tuple[Any, ...]:
        """A draft with its versions side by side, its decisions, comments and outbox."""
        actor = self.actor(request)
        view = self.services.review.get(draft_number(draft_id))
        return render_panel(view, read_zone(zone), actor, translator(request))

    @user_errors
    def open_selected(
        self, zone: str | None, evt: gr.SelectData, request: gr.Request | None = None
    ) -> tuple[Any, ...]:
        """Open the draft of the queue row that was clicked."""
        row = evt.row_value or []
        if not row or row[0] in (None, ""):
            return tuple(gr.skip() for _ in PANEL_FIELDS)
        return self.open_draft(row[0], zone, request)

    @staticmethod
    def compare(
        a: float | None,
        b: float | None,
        opened: dict[str, Any] | None,
    ) -> tuple[Any, Any]:
        """Two versions of the open draft, side by side, words removed and added marked."""
        texts = (opened or {}).get("texts") or {}
        if not texts:
            return [], []
        old = texts.get(to_int(a, 0), "")
        new = texts.get(to_int(b, 0), "")
        return word_diff(old, new)

    def _act(
        self,
        opened: dict[str, Any] | None,
        zone: str | None,
        request: gr.Request | None,
        done: str,
        action: Callable[[Actor, int, int | None], Any],
    ) -> tuple[Any, ...]:
        """Run an action on the open draft with the row version the user saw, then show the
        draft as it is now. A stale view is a conflict: nothing is written."""
        actor = self.actor(request)
        tr = translator(request)
        tz = read_zone(zone)
        draft_id, expected = opened_draft(opened)
        action(actor, draft_id, expected)  # a ConflictError if the draft changed since
        view = self.services.review.get(draft_id)
        status = tr(
            "✅ Draft #{id} {done}: now {state}.",
            id=view.id,
            done=tr.error(done),
            state=tr(view.state.replace("_", " ")),
        )
        return (status, *render_panel(view, tz, actor, tr))

    @user_errors
    def approve(
        self,
        opened: dict[str, Any] | None,
        comment: str | None,
        zone: str | None,
        request: gr.Request | None = None,
    ) -> tuple[Any, ...]:
        return self._act(
            opened,
            zone,
            request,
            "approved",
            lambda actor, i, seen: self.services.review.approve(
                actor, i, comment=comment or "", expected=seen
            ),
        )

    @user_errors
    def request_changes(
        self,
        opened: dict[str, Any] | None,
        comment: str | None,
        zone: str | None,
        request: gr.Request | None = None,
    ) -> tuple[Any, ...]:
        return self._act(
            opened,
            zone,
            request,
            "sent back for changes",
            lambda actor, i, seen: self.services.review.request_changes(
                actor, i, reason=comment or "", expected=seen
            ),
        )

    @user_errors
    def reject(
        self,
        opened: dict[str, Any] | None,
        comment: str | None,
        zone: str | None,
        request: gr.Request | None = None,
    ) -> tuple[Any, ...]:
        return self._act(
            opened,
            zone,
            request,
            "rejected",
            lambda actor, i, seen: self.services.review.reject(
                actor, i, reason=comment or "", expected=seen
            ),
        )

    @user_errors
    def override(
        self,
        opened: dict[str, Any] | None,
        reason: str,
        zone: str | None,
        request: gr.Request | None = None,
    ) -> tuple[Any, ...]:
        """A reviewer lets the open draft's blocking findings go, with a reason (audited)."""
        return self._act(
            opened,
            zone,
            request,
            "has its blocking findings overridden",
            lambda actor, draft_id, seen: self.services.review.override_findings(
                actor, draft_id, reason=reason or "", expected=seen
            ),
        )

    @user_errors
    def comment(
        self,
        opened: dict[str, Any] | None,
        comment: str | None,
        zone: str | None,
        request: gr.Request | None = None,
    ) -> tuple[Any, ...]:
        return self._act(
            opened,
            zone,
            request,
            "commented",
            lambda actor, i, _seen: self.services.review.add_comment(actor, i, comment or ""),
        )

    @user_errors
    def save_edit(
        self,
        opened: dict[str, Any] | None,
        text: str | None,
        note: str | None,
        zone: str | None,
        request: gr.Request | None = None,
    ) -> tuple[Any, ...]:
        """Save the text as a new version (an edit after approval goes back to review)."""
        seen = opened or {}
        if (text or "").strip() == (seen.get("texts") or {}).get(seen.get("version"), ""):
            raise InputError(
                "nothing to save: the text is the same as the current version",
                "edit the text first",
            )
        return self._act(
            opened,
            zone,
            request,
            "saved",
            lambda actor, i, seen: self.services.review.edit(
                actor, i, text or "", expected=seen, note=_note(note)
            ),
        )

    @user_errors
    def save_and_submit(
        self,
        opened: dict[str, Any] | None,
        text: str | None,
        note: str | None,
        zone: str | None,
        request: gr.Request | None = None,
    ) -> tuple[Any, ...]:
        """Save the text if it changed, then submit the draft for review."""
        return self._act(
            opened,
            zone,
            request,
            "submitted for review",
            lambda actor, i, seen: self.services.review.submit_edited(
                actor, i, text or "", expected=seen, note=_note(note)
            ),
        )

    @user_errors
    def schedule(
        self,
        opened: dict[str, Any] | None,
        at: str | float | None,
        zone: str | None,
        adapters: list[str] | None,
        request: gr.Request | None = None,
    ) -> tuple[Any, ...]:
        """Queue an approved draft for publishing at a time, through the chosen adapters."""
        tz = read_zone(zone)
        moment = read_publish_time(at, tz, self.services.review.now())
        chosen = list(dict.fromkeys(adapters or []))
        if not chosen:
            raise InputError("no publishing adapter is ticked", "tick at least one")
        # An adapter that is not configured is refused by the review service, naming those
        # that are.
        return self._act(
            opened,
            zone,
            request,
            translator(request)(
                "scheduled for {when} ({zone})", when=when(moment, tz), zone=tz.key
            ),
            lambda actor, i, seen: self.services.review.schedule(
                actor, i, moment, adapters=chosen, expected=seen
            ),
        )


def _note(note: str | None) -> str:
    """What the author says changed, for the version and the audit log."""
    return (note or "").strip() or "edited in the app"


def _queue_row(v: DraftView, tz: ZoneInfo, tr: Translator) -> list[Any]:
    return [
        v.id,
        tr(v.state.replace("_", " ")),
        v.brand,
        platform_name(v.platform),
        tr(v.kind),
        v.author,
        v.version,
        when(v.updated_at, tz),
        excerpt(v.text, 160),
    ]


# -- layout -----------------------------------------------------------------------------------


@dataclass
class _Decide:
    comment: gr.Textbox
    buttons: list[tuple[gr.Button, Callable[..., Any]]]  # each button and its handler
    status: gr.Markdown


@dataclass
class _Edit:
    text: gr.Textbox
    note: gr.Textbox
    buttons: list[tuple[gr.Button, Callable[..., Any]]]
    status: gr.Markdown


@dataclass
class _Schedule:
    at: gr.DateTime
    through: gr.CheckboxGroup
    button: gr.Button
    status: gr.Markdown


def review_tab(
    app: gr.Blocks, h: ReviewHandlers, zone: gr.Dropdown, platform_choices: list[tuple[str, str]]
) -> list[gr.Dropdown]:
    """The Review tab: the queue, a draft's versions side by side, decisions, edits and
    scheduling. Returns the filters whose choices the page load refreshes."""
    with gr.Tab(L("Review")) as tab:
        brand, platform, state, author, refresh = _filters(platform_choices)
        queue_info, queue, draft_no, open_btn, status = _queue_section()
        shown = draft_panel()
        with gr.Row():
            decide = _decide_column(h)
            edit = _edit_column(h)
            schedule = _schedule_column(h)
        decisions, comments, outbox = draft_records()

    filters = [brand, platform, state, author, zone]
    queue_out = [queue, queue_info]
    statuses = [status, decide.status, edit.status, schedule.status]
    panel = [
        draft_no,
        shown.summary,
        shown.opened,
        shown.context,
        shown.version_a,
        shown.version_b,
        shown.diff_a,
        shown.diff_b,
        edit.text,
        shown.check,
        shown.findings,
        decisions,
        comments,
        outbox,
    ]
    gr.on(
        [app.load, tab.select, refresh.click, *(f.input for f in filters[:4])],
        h.queue,
        filters,
        queue_out,
        **PRIVATE,
    )
    gr.on(
        [open_btn.click, draft_no.submit], h.open_draft, [draft_no, zone], panel, **PRIVATE
    ).success(clear_all, None, statuses, **PRIVATE)
    queue.select(h.open_selected, [zone], panel, **PRIVATE).success(
        clear_all, None, statuses, **PRIVATE
    )
    gr.on(
        [shown.version_a.input, shown.version_b.input],
        h.compare,
        [shown.version_a, shown.version_b, shown.opened],
        [shown.diff_a, shown.diff_b],
        **PRIVATE,
    )
    _wire_actions(h, shown.opened, zone, panel, (decide, edit, schedule), (filters, queue_out))
    return [brand, author]


def _wire_actions(
    h: ReviewHandlers,
    opened: gr.State,
    zone: gr.Dropdown,
    panel: list[Any],
    columns: tuple[_Decide, _Edit, _Schedule],
    queue: tuple[list[Any], list[Any]],
) -> None:
    """The buttons of the three action columns: each shows the draft as it is after its
    action, then refreshes the queue (`queue`: its inputs and outputs)."""
    decide, edit, schedule = columns
    filters, queue_out = queue
    # A refused action (a conflict above all) leaves the comment or the edit in its box.
    for button, fn in decide.buttons:
        button.click(
            fn, [opened, decide.comment, zone], [decide.status, *panel], **PRIVATE
        ).success(clear, None, decide.comment, **PRIVATE).then(
            h.queue, filters, queue_out, **PRIVATE
        )
    for button, fn in edit.buttons:
        button.click(
            fn, [opened, edit.text, edit.note, zone], [edit.status, *panel], **PRIVATE
        ).success(clear, None, edit.note, **PRIVATE).then(h.queue, filters, queue_out, **PRIVATE)
    schedule.button.click(
        h.schedule,
        [opened, schedule.at, zone, schedule.through],
        [schedule.status, *panel],
        **PRIVATE,
    ).success(h.queue, filters, queue_out, **PRIVATE)


def _queue_section() -> tuple[Any, ...]:
    """The queue, its line of counts, and the box to open a draft by its number with the
    status line beside it."""
    queue_info = gr.Markdown(latex_delimiters=[])
    queue = table(
        QUEUE_COLUMNS,
        "Review queue",
        ["draft", "version"],
        relabel=False,
        max_height=320,
        column_widths=QUEUE_WIDTHS,
    )
    with gr.Row(equal_height=True):
        draft_no = gr.Number(
            label=L("Draft #"),
            precision=0,
            minimum=1,
            scale=1,
            min_width=120,
            elem_id="review-draft-no",
        )
        open_btn = gr.Button(L("Open"), size="md", scale=0, min_width=120)
        with gr.Column(scale=5):
            status = gr.Markdown(latex_delimiters=[])
    return queue_info, queue, draft_no, open_btn, status


def _filters(platform_choices: list[tuple[str, str]]) -> tuple[Any, ...]:
    """The queue's filters (brand, platform, state, author) and its refresh button."""
    with gr.Row(equal_height=True):
        brand = gr.Dropdown([(L(ALL), ALL)], value=ALL, label=L("Brand"), allow_custom_value=True)
        platform = gr.Dropdown([(L(ALL), ALL), *platform_choices], value=ALL, label=L("Platform"))
        state = gr.Dropdown(
            [(L(ALL), ALL), *((L(s.replace("_", " ")), s) for s in STATES)],
            value="submitted",
            label=L("State"),
        )
        author = gr.Dropdown([(L(ALL), ALL)], value=ALL, label=L("Author"), allow_custom_value=True)
        refresh = gr.Button(L("↻ Refresh"), size="md", scale=0, min_width=120)
    return brand, platform, state, author, refresh


def _decide_column(h: ReviewHandlers) -> _Decide:
    with gr.Column(variant="panel"):
        gr.Markdown(L("### Decide (reviewers)"))
        comment = gr.Textbox(
            label=L("Comment"),
            lines=3,
            max_lines=10,
            info=L("Required to request changes or reject"),
            elem_id="review-comment",
        )
        with gr.Row():
            approve = gr.Button(L("Approve"), variant="primary", size="md")
            changes = gr.Button(L("Request changes"), size="md")
            reject = gr.Button(L("Reject"), variant="stop", size="md")
            comment_btn = gr.Button(L("Comment only"), size="md")
        # Each action says what it did next to its buttons, where the eye is.
        status = gr.Markdown(latex_delimiters=[], elem_id="review-decide-status")
        override = gr.Button(
            L("Override blocking findings (the comment is the reason)"),
            size="sm",
            elem_id="review-override",
        )
    buttons = [
        (approve, h.approve),
        (changes, h.request_changes),
        (reject, h.reject),
        (comment_btn, h.comment),
        (override, h.override),
    ]
    return _Decide(comment, buttons, status)


def _edit_column(h: ReviewHandlers) -> _Edit:
    with gr.Column(variant="panel"):
        gr.Markdown(L("### Edit (authors)"))
        text = gr.Textbox(
            label=L("Current text"),
            lines=4,
            max_lines=20,
            interactive=True,
            buttons=["copy"],
            elem_id="review-text",
        )
        note = gr.Textbox(label=L("What changed (optional)"), max_lines=1, elem_id="review-note")
        with gr.Row():
            save = gr.Button(L("Save changes"), size="md")
            resubmit = gr.Button(L("Save and submit for review"), variant="primary", size="md")
        status = gr.Markdown(latex_delimiters=[], elem_id="review-edit-status")
    return _Edit(text, note, [(save, h.save_edit), (resubmit, h.save_and_submit)], status)


def _schedule_column(h: ReviewHandlers) -> _Schedule:
    with gr.Column(variant="panel"):
        gr.Markdown(L("### Schedule (approved drafts)"))
        adapters = h.services.publisher_names()
        at = gr.DateTime(
            label=L("Publish at"),
            include_time=True,
            type="string",
            info=L("In the time zone at the top"),
            elem_id="schedule-at",
        )
        through = gr.CheckboxGroup(adapters, value=adapters[:1], label=L("Publish through"))
        button = gr.Button(L("Schedule"), variant="primary", size="md", elem_id="schedule-btn")
        status = gr.Markdown(latex_delimiters=[], elem_id="schedule-status")
    return _Schedule(at, through, button, status)
