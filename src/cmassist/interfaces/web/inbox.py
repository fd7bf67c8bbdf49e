"""The Inbox tab: the triaged messages most urgent first, a message opened with the reasons
for its triage, bulk actions on ticked messages, a drafted reply, crisis alerts on top and
imports of message files."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import gradio as gr
import pandas as pd

from cmassist.domain.errors import InputError
from cmassist.interfaces.i18n import Translator
from cmassist.interfaces.web.crisis import CrisisHandlers, crisis_panel, wire_crisis
from cmassist.interfaces.web.errors import user_errors
from cmassist.interfaces.web.inbox_render import (
    INBOX_COLUMNS,
    INBOX_WIDTHS,
    REASON_COLUMNS,
    UNTICKED,
    import_summary,
    inbox_row,
    message_head,
    reasons_frame,
    ticked_line,
    ticked_table,
)
from cmassist.interfaces.web.inbox_reply import INBOX_REPLY_FIELDS, InboxReplyHandlers, reply_column
from cmassist.interfaces.web.inputs import ALL, message_ids, message_number, to_int, unless_all
from cmassist.interfaces.web.layout import LLM_EVENTS, PRIVATE, L, clear, table
from cmassist.interfaces.web.render import frame
from cmassist.interfaces.web.request import translator, username
from cmassist.interfaces.web.times import read_zone
from cmassist.services.inbox import STATUSES as INBOX_STATUSES
from cmassist.services.triage import ACTIONS, SENTIMENTS

INBOX_LIMIT = 500
INBOX_SUFFIXES = (".csv", ".json", ".jsonl")
INBOX_LANGUAGES = [(ALL, ALL), ("fr · français", "fr"), ("en · English", "en")]
IMPORT_ERROR_COLUMNS = ["where", "field", "problem"]
# What opening an inbox message fills, in order.
MESSAGE_FIELDS = ("message_no", "head", "author", "thread", "text", "reasons")
INBOX_DONE = {"hidden": "hidden", "handled": "marked handled", "new": "reopened"}


class InboxHandlers(CrisisHandlers, InboxReplyHandlers):
    """The queue, the open message, bulk actions and imports (crisis alerts and replies
    from their own classes)."""

    @user_errors
    def inbox_brands(self, request: gr.Request | None = None) -> dict[str, Any]:
        """The inbox's brand filter, refreshed when the page loads."""
        if not username(request):
            return gr.skip()
        self.actor(request)
        return gr.update(choices=[(translator(request)(ALL), ALL), *self.brand_options()])

    @user_errors
    def inbox_queue(
        self,
        brand: str | None,
        platform: str | None,
        action: str | None,
        sentiment: str | None,
        language: str | None,
        status: str | None,
        zone: str | None,
        selected: list[int] | None,
        request: gr.Request | None = None,
    ) -> tuple[pd.DataFrame, str, list[int], str]:
        """The messages that match the filters, most urgent first, with the ticked ones
        that are still shown (a ticked message that a filter hides is unticked, so that a
        bulk action never touches a message nobody sees)."""
        tr = translator(request)
        if not username(request):
            return frame([], INBOX_COLUMNS, tr), tr("Log in to see the inbox."), [], ""
        self.actor(request)
        tz = read_zone(zone)
        views = self.services.inbox.list(
            brand=unless_all(brand),
            platform=unless_all(platform),
            action=unless_all(action),
            sentiment=unless_all(sentiment),
            language=unless_all(language),
            status=unless_all(status),
            limit=INBOX_LIMIT,
        )
        shown = {v.id for v in views}
        ticked = [i for i in message_ids(selected) if i in shown]
        rows = [inbox_row(v, tz, v.id in ticked, tr) for v in views]
        info = self._queue_info(len(rows), unless_all(brand), tr)
        return frame(rows, INBOX_COLUMNS, tr), info, ticked, ticked_line(ticked, tr)

    def _queue_info(self, shown: int, brand: str | None, tr: Translator) -> str:
        """How many messages are shown, in each status, and how many wait for triage."""
        info = (
            tr("**{n}** message, most urgent first", n=shown)
            if shown == 1
            else tr("**{n}** messages, most urgent first", n=shown)
        )
        if shown == INBOX_LIMIT:
            info += tr(" (the {n} most urgent: narrow the filters)", n=INBOX_LIMIT)
        inbox = self.services.inbox
        counts = inbox.counts(brand)
        info += " · " + " · ".join(f"{tr(s)} {tr.number(counts.get(s, 0))}" for s in INBOX_STATUSES)
        pending = inbox.pending()
        if pending:
            info += tr(" · {n} waiting for triage", n=pending)
        info += tr(" · click {box} to tick a message, any other cell to open it", box=UNTICKED)
        return info

    @user_errors
    def inbox_open(
        self, message_id: float | None, zone: str | None, request: gr.Request | None = None
    ) -> tuple[Any, ...]:
        """A message in full, as plain text, with the reasons for its triage."""
        self.actor(request)
        tr = translator(request)
        message = self.services.inbox.get(message_number(message_id))
        tz = read_zone(zone)
        return (
            message.id,
            message_head(message, tz, tr),
            message.author,
            message.thread,
            message.text,
            reasons_frame(message, tr),
        )

    @user_errors
    def inbox_clicked(
        self,
        table: pd.DataFrame | None,
        selected: list[int] | None,
        zone: str | None,
        evt: gr.SelectData,
        request: gr.Request | None = None,
    ) -> tuple[Any, ...]:
        """A click in the queue: on the select cell it ticks or unticks the message,
        anywhere else it opens it."""
        row = evt.row_value or []
        skip_detail = [gr.skip()] * (len(MESSAGE_FIELDS) + len(INBOX_REPLY_FIELDS))
        tr = translator(request)
        message_id = to_int(row[1], 0) if len(row) > 1 else 0
        if not message_id:
            return (gr.skip(), gr.skip(), gr.skip(), *skip_detail)
        column = evt.index[1] if isinstance(evt.index, list | tuple) else None
        if column == 0:
            ticked = message_ids(selected)
            if message_id in ticked:
                ticked.remove(message_id)
            else:
                ticked.append(message_id)
            return (ticked_table(table, ticked), ticked, ticked_line(ticked, tr), *skip_detail)
        return (
            gr.skip(),
            gr.skip(),
            gr.skip(),
            *self.inbox_open(message_id, zone, request),
            *self.inbox_reply_cleared(request),
        )

    @staticmethod
    def inbox_tick_all(
        table: pd.DataFrame | None, request: gr.Request | None = None
    ) -> tuple[pd.DataFrame, list[int], str]:
        """Tick every message the queue shows."""
        ids = [] if table is None or table.empty else message_ids(list(table.iloc[:, 1]))
        return ticked_table(table, ids), ids, ticked_line(ids, translator(request))

    @staticmethod
    def inbox_untick_all(
        table: pd.DataFrame | None, request: gr.Request | None = None
    ) -> tuple[pd.DataFrame, list[int], str]:
        return ticked_table(table, []), [], ticked_line([], translator(request))

    def _inbox_status(
        self,
        status: str,
        selected: list[int] | None,
        reason: str | None,
        request: gr.Request | None,
    ) -> tuple[str, list[int]]:
        actor = self.actor(request)
        ids = message_ids(selected)
        if not ids:
            raise InputError(
                "no message is ticked", f"tick messages with {UNTICKED} in the first column"
            )
        n = self.services.inbox.set_status(actor, ids, status, reason=(reason or "").strip())
        tr = translator(request)
        what = tr("{n} message", n=n) if n == 1 else tr("{n} messages", n=n)
        return f"✅ {what} {tr(INBOX_DONE[status])}", []

    @user_errors
    def inbox_hide(
        self, selected: list[int] | None, reason: str | None, request: gr.Request | None = None
    ) -> tuple[str, list[int]]:
        return self._inbox_status("hidden", selected, reason, request)

    @user_errors
    def inbox_handled(
        self, selected: list[int] | None, reason: str | None, request: gr.Request | None = None
    ) -> tuple[str, list[int]]:
        return self._inbox_status("handled", selected, reason, request)

    @user_errors
    def inbox_reopen(
        self, selected: list[int] | None, reason: str | None, request: gr.Request | None = None
    ) -> tuple[str, list[int]]:
        return self._inbox_status("new", selected, reason, request)

    @user_errors
    def inbox_import(
        self,
        file: str | None,
        brand_name: str | None,
        skip_bad: bool | None,
        brand: str | None,
        request: gr.Request | None = None,
    ) -> tuple[str, pd.DataFrame]:
        """Import a file of messages, triage what is new and say which crisis alerts are
        open (the inbox's import workflow). A file with a bad row imports nothing, unless
        bad rows are to be skipped."""
        self.actor(request)
        tr = translator(request)
        path = _upload(file)
        target = self.brand((brand_name or "").strip() or brand)
        report = self.services.inbox.import_messages(
            path, brand=target, skip_bad=bool(skip_bad), name=path.name
        )
        problems = frame(
            [[e.where, e.field, tr.error(e.problem)] for e in report.errors],
            IMPORT_ERROR_COLUMNS,
            tr,
        )
        return import_summary(report, tr), problems


def _upload(file: str | None) -> Path:
    """The uploaded file of messages, of a kind the inbox reads."""
    if not file:
        raise InputError(
            "no file to import", f"upload a {', '.join(INBOX_SUFFIXES)} file of messages"
        )
    path = Path(str(file))
    if path.suffix.lower() not in INBOX_SUFFIXES:
        raise InputError(f"cannot import {path.name}", f"upload a {', '.join(INBOX_SUFFIXES)} file")
    return path  # its size and its rows are the inbox's to check


# -- layout -----------------------------------------------------------------------------------


def inbox_tab(
    app: gr.Blocks,
    h: InboxHandlers,
    brand: gr.Dropdown,
    zone: gr.Dropdown,
    platform_choices: list[tuple[str, str]],
) -> None:
    """The Inbox tab: an open crisis alert on top, then the triaged messages most urgent
    first, a message with the reasons for its triage, bulk actions, a drafted reply, and
    imports. Every message's text and author are shown as plain text (tables, text boxes)."""
    with gr.Tab(L("Inbox")) as tab:
        crisis = crisis_panel()
        import_in, import_btn, import_out = _import_section()
        dropdowns, refresh = _filters(platform_choices)
        info = gr.Markdown(latex_delimiters=[], elem_id="inbox-info")
        queue = table(
            INBOX_COLUMNS,
            "Inbox",
            ["id", "priority"],
            relabel=False,
            max_height=520,
            column_widths=INBOX_WIDTHS,
            elem_id="inbox-queue",
        )
        selected = gr.State([])
        tick_all, untick_all, ticked_info = _tick_row()
        note, status_buttons, action_status = _bulk_actions(h)
        with gr.Row(equal_height=False):
            detail, open_btn = _message_column()
            reply = reply_column()

    queue_in = [*dropdowns, zone, selected]
    brand_filter = dropdowns[0]
    queue_out = [queue, info, selected, ticked_info]
    loads = [app.load, tab.select, refresh.click]
    message_no = detail[0]
    reply_out = reply.outputs()
    app.load(h.inbox_brands, None, brand_filter, **PRIVATE)
    gr.on([*loads, *(f.input for f in dropdowns)], h.inbox_queue, queue_in, queue_out, **PRIVATE)
    crisis_in = [brand_filter, crisis.pick, zone]
    wire_crisis(h, crisis, crisis_in, [*loads, brand_filter.input])
    queue.select(
        h.inbox_clicked,
        [queue, selected, zone],
        [queue, selected, ticked_info, *detail, *reply_out],
        **PRIVATE,
    )
    tick_all.click(h.inbox_tick_all, queue, [queue, selected, ticked_info], **PRIVATE)
    untick_all.click(h.inbox_untick_all, queue, [queue, selected, ticked_info], **PRIVATE)
    for button, fn in status_buttons:
        button.click(fn, [selected, note], [action_status, selected], **PRIVATE).success(
            clear, None, note, **PRIVATE
        ).then(h.inbox_queue, queue_in, queue_out, **PRIVATE)
    gr.on(
        [open_btn.click, message_no.submit], h.inbox_open, [message_no, zone], detail, **PRIVATE
    ).success(h.inbox_reply_cleared, None, reply_out, **PRIVATE)
    reply.draft.click(h.inbox_draft_reply, message_no, reply_out, **PRIVATE, **LLM_EVENTS).success(
        h.inbox_open, [message_no, zone], detail, **PRIVATE
    ).then(h.inbox_queue, queue_in, queue_out, **PRIVATE)
    reply.submit.click(
        h.inbox_submit_reply,
        [reply.text, reply.saved],
        [reply.status, reply.check, reply.findings, reply.saved, reply.submit],
        **PRIVATE,
    )
    import_btn.click(
        h.inbox_import,
        [*import_in, brand],
        import_out,
        concurrency_limit=1,
        concurrency_id="inbox-import",
        **PRIVATE,
    ).success(h.inbox_queue, queue_in, queue_out, **PRIVATE).then(
        h.crisis_panel, crisis_in, crisis.outputs(), **PRIVATE
    )


def _tick_row() -> tuple[gr.Button, gr.Button, gr.Markdown]:
    with gr.Row(equal_height=True):
        tick_all = gr.Button(L("Tick all shown"), size="sm", scale=0, min_width=140)
        untick_all = gr.Button(L("Untick all"), size="sm", scale=0, min_width=120)
        ticked_info = gr.Markdown(latex_delimiters=[], elem_id="inbox-ticked")
    return tick_all, untick_all, ticked_info


def _bulk_actions(h: InboxHandlers) -> tuple[gr.Textbox, list[Any], gr.Markdown]:
    """The note and the buttons that act on the ticked messages, each with its handler."""
    with gr.Row(equal_height=True):
        note = gr.Textbox(label=L("Note (optional)"), max_lines=1, scale=3)
        hide = gr.Button(L("Hide"), variant="stop", scale=1)
        handled = gr.Button(L("Mark handled"), variant="primary", scale=1)
        reopen = gr.Button(L("Reopen"), scale=1)
    status = gr.Markdown(latex_delimiters=[], elem_id="inbox-action-status")
    buttons = [(hide, h.inbox_hide), (handled, h.inbox_handled), (reopen, h.inbox_reopen)]
    return note, buttons, status


def _import_section() -> tuple[list[Any], gr.Button, list[Any]]:
    """Import messages, folded away: the file, its brand, whether to skip bad rows; the
    summary and the problems. Returns the inputs, the button and the outputs."""
    with gr.Accordion(L("Import messages"), open=False), gr.Row():
        with gr.Column(scale=2, min_width=320):
            upload = gr.File(
                label=L(
                    "Messages (.csv, .json, .jsonl): id, platform, text, time, author, "
                    "thread, kind, brand"
                ),
                file_types=list(INBOX_SUFFIXES),
                type="filepath",
            )
            import_brand = gr.Textbox(
                label=L("Brand"),
                max_lines=1,
                placeholder=L("leave empty for the brand selected at the top"),
                info=L("For rows without a brand column"),
            )
            skip_bad = gr.Checkbox(label=L("Skip bad rows (import the good ones)"), value=False)
            import_btn = gr.Button(L("Import"), variant="primary")
        with gr.Column(scale=3):
            summary = gr.Markdown(latex_delimiters=[], elem_id="inbox-import-summary")
            problems = table(
                IMPORT_ERROR_COLUMNS,
                "Problems",
                column_widths=["30%", "12%", "58%"],
                max_height=300,
            )
    return [upload, import_brand, skip_bad], import_btn, [summary, problems]


def _filters(platform_choices: list[tuple[str, str]]) -> tuple[list[gr.Dropdown], gr.Button]:
    """The queue's six filters (brand, platform, action, sentiment, language, status) and
    its refresh button."""
    with gr.Row(equal_height=True):
        f_brand = gr.Dropdown([(L(ALL), ALL)], value=ALL, label=L("Brand"), allow_custom_value=True)
        f_platform = gr.Dropdown([(L(ALL), ALL), *platform_choices], value=ALL, label=L("Platform"))
        f_action = gr.Dropdown(
            [(L(ALL), ALL), *((L(a), a) for a in ACTIONS)], value=ALL, label=L("Action")
        )
        f_sentiment = gr.Dropdown(
            [(L(ALL), ALL), *((L(s), s) for s in SENTIMENTS)], value=ALL, label=L("Sentiment")
        )
        f_language = gr.Dropdown(L.choices(INBOX_LANGUAGES), value=ALL, label=L("Language"))
        f_status = gr.Dropdown(
            [(L(ALL), ALL), *((L(s), s) for s in INBOX_STATUSES)],
            value="new",
            label=L("Status"),
        )
        refresh = gr.Button(L("↻ Refresh"), size="md", scale=0, min_width=120)
    return [f_brand, f_platform, f_action, f_sentiment, f_language, f_status], refresh


def _message_column() -> tuple[list[Any], gr.Button]:
    """The open message: its number, facts, author, thread, text and reasons (in the order
    of MESSAGE_FIELDS), and the Open button."""
    with gr.Column(scale=1, variant="panel"):
        with gr.Row(equal_height=True):
            # No minimum: an empty box reads 0, which is no message, not an error.
            message_no = gr.Number(label=L("Message #"), precision=0, elem_id="inbox-message-no")
            open_btn = gr.Button(L("Open"), size="md", scale=0, min_width=100)
        head = gr.Markdown(latex_delimiters=[], elem_id="inbox-head")
        with gr.Row():
            author = gr.Textbox(label=L("From"), interactive=False, max_lines=1)
            thread = gr.Textbox(label=L("Thread"), interactive=False, max_lines=1)
        text = gr.Textbox(
            label=L("Message (plain text)"),
            interactive=False,
            lines=4,
            max_lines=20,
            buttons=["copy"],
            elem_id="inbox-text",
        )
        reasons = table(
            REASON_COLUMNS,
            "Why: the triage's reasons",
            column_widths=["18%", "82%"],
            elem_id="inbox-reasons",
        )
    return [message_no, head, author, thread, text, reasons], open_btn
