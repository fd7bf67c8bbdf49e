"""The Review tab's open draft: its versions side by side with the words that changed, its
check, decisions, comments and outbox, laid out and rendered from a DraftView."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

import gradio as gr

from cmassist.interfaces.i18n import Translator
from cmassist.interfaces.web.findings import check_line, findings_frame, findings_highlight
from cmassist.interfaces.web.layout import L, findings_table, findings_text, table
from cmassist.interfaces.web.render import frame, md, platform_name, word_diff
from cmassist.interfaces.web.times import when
from cmassist.services.review import Actor, DraftView

# What opening a draft in the Review tab fills, in order (see render_panel).
PANEL_FIELDS = (
    "draft_id",
    "summary",
    "opened",
    "context",
    "version_a",
    "version_b",
    "diff_a",
    "diff_b",
    "text",
    "check",
    "findings",
    "decisions",
    "comments",
    "outbox",
)
DIFF_COLORS = {"removed": "#fca5a5", "added": "#86efac"}
DECISION_COLUMNS = ["version", "reviewer", "decision", "comment", "at", "approval valid until"]
COMMENT_COLUMNS = ["at", "user", "comment"]
OUTBOX_COLUMNS = ["adapter", "due", "state", "attempts", "published", "error"]


# -- layout -----------------------------------------------------------------------------------


@dataclass
class DraftPanel:
    """The components that show the open draft, above the Review tab's actions."""

    summary: gr.Markdown
    opened: gr.State
    version_a: gr.Dropdown
    version_b: gr.Dropdown
    diff_a: gr.HighlightedText
    diff_b: gr.HighlightedText
    check: gr.HighlightedText
    findings: gr.Dataframe
    context: gr.Textbox


def draft_panel() -> DraftPanel:
    """The open draft's summary, its versions compared, its check and what it was drafted
    from."""
    summary = gr.Markdown(latex_delimiters=[], line_breaks=True)
    opened = gr.State(None)
    with gr.Row():
        version_a = gr.Dropdown(choices=[], label=L("Compare version"), interactive=True)
        version_b = gr.Dropdown(choices=[], label=L("with version"), interactive=True)
    with gr.Row():
        diff_options = {
            "color_map": DIFF_COLORS,
            "show_legend": False,
            "show_inline_category": False,
            "combine_adjacent": True,
            "interactive": False,
        }
        diff_a = gr.HighlightedText(label=L("Older version: removed words marked"), **diff_options)
        diff_b = gr.HighlightedText(label=L("Newer version: added words marked"), **diff_options)
    check = findings_text(L("Check"), elem_id="review-check")
    with gr.Accordion(L("Findings on the current text"), open=True):
        findings = findings_table()
    with gr.Accordion(L("Drafted from"), open=False):
        context = gr.Textbox(
            label=L("Brief or customer comment"), interactive=False, lines=2, max_lines=10
        )
    return DraftPanel(
        summary, opened, version_a, version_b, diff_a, diff_b, check, findings, context
    )


def draft_records() -> tuple[gr.Dataframe, gr.Dataframe, gr.Dataframe]:
    """The open draft's decisions, comments and outbox, a tab each."""
    with gr.Tabs():
        with gr.Tab(L("Decisions")):
            decisions = table(
                DECISION_COLUMNS,
                "Decisions",
                ["version"],
                column_widths=["8%", "12%", "14%", "36%", "15%", "15%"],
            )
        with gr.Tab(L("Comments")):
            comments = table(COMMENT_COLUMNS, "Comments", column_widths=["15%", "12%", "73%"])
        with gr.Tab(L("Outbox")):
            outbox = table(
                OUTBOX_COLUMNS,
                "Outbox",
                ["attempts"],
                column_widths=["12%", "16%", "12%", "10%", "16%", "34%"],
            )
    return decisions, comments, outbox


# -- rendering --------------------------------------------------------------------------------


def render_panel(view: DraftView, tz: ZoneInfo, actor: Actor, tr: Translator) -> tuple[Any, ...]:
    """The values of PANEL_FIELDS for a draft, as `actor` sees it."""
    texts = {v.number: v.text for v in view.versions}
    numbers = sorted(texts)
    b = view.version
    # A draft with one version is shown as it is, not compared with itself.
    a = max((n for n in numbers if n < b), default=b)
    choices = _version_choices(view, tz, tr)
    old, new = word_diff(texts.get(a, ""), texts.get(b, ""))
    opened = {
        "id": view.id,
        "row_version": view.row_version,
        "state": view.state,
        "version": view.version,
        "texts": texts,
    }
    comments = [[when(c.created_at, tz), c.user, c.body] for c in view.comments]
    single = len(numbers) < 2
    return (
        view.id,
        _summary(view, actor, tz, tr),
        opened,
        view.context,
        gr.update(choices=choices, value=a, visible=not single),
        gr.update(choices=choices, value=b, visible=not single),
        [] if single else old,
        new,
        view.text,
        gr.update(
            value=findings_highlight(view.text, view.check, tr), label=_check_label(view, tr)
        ),
        findings_frame(view.text, view.check, tr),
        frame(_decision_rows(view, tz, tr), DECISION_COLUMNS, tr),
        frame(comments, COMMENT_COLUMNS, tr),
        frame(_outbox_rows(view, tz, tr), OUTBOX_COLUMNS, tr),
    )


def _version_choices(view: DraftView, tz: ZoneInfo, tr: Translator) -> list[tuple[str, int]]:
    return [
        (
            f"v{v.number} · {v.author} · {when(v.created_at, tz)}"
            + (f" · {tr.error(v.note)}" if v.note else ""),
            v.number,
        )
        for v in view.versions
    ]


def _decision_rows(view: DraftView, tz: ZoneInfo, tr: Translator) -> list[list[Any]]:
    return [
        [
            d.version,
            d.reviewer,
            tr(d.decision.replace("_", " ")),
            d.comment,
            when(d.created_at, tz),
            (when(d.expires_at, tz) + ("" if d.valid else tr(" (no longer valid)")))
            if d.expires_at
            else "",
        ]
        for d in view.decisions
    ]


def _outbox_rows(view: DraftView, tz: ZoneInfo, tr: Translator) -> list[list[Any]]:
    return [
        [
            o.adapter,
            when(o.due_at, tz),
            tr(o.state),
            o.attempts,
            when(o.published_at, tz),
            tr.error(o.last_error or ""),
        ]
        for o in view.outbox
    ]


def _check_label(view: DraftView, tr: Translator) -> str:
    label = check_line(view.check, tr) or tr("Check: not run for this draft")
    if view.override:
        o = view.override
        label += tr(
            " · blocking findings overridden by {reviewer}: {reason}",
            reviewer=o["reviewer"],
            reason=o["reason"],
        )
    return label


def _summary(view: DraftView, actor: Actor, tz: ZoneInfo, tr: Translator) -> str:
    head = " · ".join(
        (
            tr("**Draft {number}**", number=md("#" + str(view.id))),
            md(view.brand),
            md(platform_name(view.platform)),
            md(tr(view.kind)),
            md(view.language.upper()),
            tr("by **{author}**", author=md(view.author)),
        )
    )
    state = tr(
        "State **{state}** · version {version} · row version {row}",
        state=md(tr(view.state.replace("_", " "))),
        version=view.version,
        row=view.row_version,
    )
    if view.approved_until:
        state += tr(" · approval valid until {when}", when=md(when(view.approved_until, tz)))
    return "\n".join((head, state, f"👉 {md(tr(_next_step(view, actor)))}"))


def _next_step(view: DraftView, actor: Actor) -> str:
    """What the user looking at a draft can do with it now."""
    mine = view.author == actor.name
    if view.state == "submitted":
        if mine:
            return "Waiting for a second person's review; you can still edit it."
        if actor.can_review():
            return "Read it, then approve it, request changes or reject it below."
        return "Waiting for a reviewer."
    if view.state in ("draft", "changes_requested", "expired"):
        if mine or actor.role == "admin":
            return "Edit it below if needed, then save and submit it for review."
        return "Its author has not submitted it for review yet."
    return {
        "approved": "Approved: schedule it below. Any edit sends it back to review.",
        "scheduled": "Scheduled: see the Calendar tab. Any edit sends it back to review and "
        "cancels the schedule.",
        "published": "Published.",
        "rejected": "Rejected: draft a new one.",
        "failed": "Publishing failed: see the outbox below, then schedule it again.",
    }.get(view.state, "")
