"""The Audit tab: who did what to which draft, and the text's hash before and after,
filtered, and exported as CSV or JSON (reviewers and admins)."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import gradio as gr
import pandas as pd

from cmassist.domain.errors import ForbiddenError, InputError
from cmassist.interfaces.web.base import TabHandlers
from cmassist.interfaces.web.errors import user_errors
from cmassist.interfaces.web.inputs import ALL, draft_number, read_whole, unless_all
from cmassist.interfaces.web.layout import PRIVATE, L, table
from cmassist.interfaces.web.render import frame, md
from cmassist.interfaces.web.request import translator, username
from cmassist.interfaces.web.times import read_zone, when

AUDIT_COLUMNS = ["at", "actor", "action", "draft", "hash before", "hash after", "reason"]
AUDIT_WIDTHS = ["15%", "8%", "12%", "6%", "11%", "11%", "37%"]
AUDIT_ACTIONS = [
    "created",
    "edited",
    "submitted",
    "approved",
    "changes_requested",
    "rejected",
    "commented",
    "scheduled",
    "publish_attempt",
    "published",
    "publish_failed",
    "publish_blocked",
    "expired",
    "refused",
    "paused",
    "resumed",
    "login_failed",
    "user_added",
    "user_disabled",
    "user_enabled",
    "role_changed",
]


class AuditHandlers(TabHandlers):
    """The audit log and its export."""

    @user_errors
    def audit(
        self,
        actor: str | None,
        action: str | None,
        draft_id: float | None,
        limit: float,
        zone: str | None,
        request: gr.Request | None = None,
    ) -> tuple[pd.DataFrame, str]:
        """The audit log, newest first: who did what to which draft, and the text's hash
        before and after."""
        tr = translator(request)
        if not username(request):
            return frame([], AUDIT_COLUMNS, tr), tr("Log in to see the audit log.")
        if not self.actor(request).can_review():
            return frame([], AUDIT_COLUMNS, tr), tr("The audit log is for reviewers and admins.")
        tz = read_zone(zone)
        n = read_whole(limit, "the number of entries", 1, 10_000)
        entries = self.services.review.audit_log(limit=n, **_filters(actor, action, draft_id))
        rows = [
            [
                when(a.at, tz, seconds=True),
                a.actor,
                tr(a.action.replace("_", " ")),
                a.draft_id,
                (a.hash_before or "")[:12],
                (a.hash_after or "")[:12],
                a.reason,
            ]
            for a in entries
        ]
        info = tr(
            "{count}, newest first · times in {zone} · hashes shortened (full in the export)",
            count=tr("{n} entry", n=1) if len(rows) == 1 else tr("{n} entries", n=len(rows)),
            zone=md(tz.key),
        )
        return frame(rows, AUDIT_COLUMNS, tr), info

    @user_errors
    def export_audit(
        self,
        fmt: str,
        actor: str | None,
        action: str | None,
        draft_id: float | None,
        request: gr.Request | None = None,
    ) -> str:
        """The filtered audit log as a CSV or JSON file to download, oldest first."""
        user = self.actor(request)
        if not user.can_review():
            raise ForbiddenError(
                f"{user.name} ({user.role}) may not export the audit log",
                "ask a reviewer or an admin",
            )
        if fmt not in ("csv", "json"):
            raise InputError(f"unknown export format {fmt!r}", "choose csv or json")
        text = self.services.review.export_audit(fmt, **_filters(actor, action, draft_id))
        stamp = self.services.review.now().strftime("%Y%m%d-%H%M%S")
        path = Path(tempfile.mkdtemp(prefix="cmassist-audit-")) / f"audit-{stamp}.{fmt}"
        path.write_text(text, encoding="utf-8")
        return str(path)


def _filters(actor: str | None, action: str | None, draft_id: Any) -> dict[str, Any]:
    filters: dict[str, Any] = {}
    if unless_all((actor or "").strip()):
        filters["actor"] = (actor or "").strip().lower()
    if unless_all((action or "").strip()):
        filters["action"] = (action or "").strip()
    if draft_id not in (None, "", 0):
        filters["draft_id"] = draft_number(draft_id)
    return filters


def audit_tab(app: gr.Blocks, h: AuditHandlers, zone: gr.Dropdown) -> gr.Dropdown:
    """The Audit tab: the log with filters, and its export. Returns the user filter."""
    with gr.Tab(L("Audit")) as tab:
        with gr.Row(equal_height=True):
            who = gr.Dropdown([(L(ALL), ALL)], value=ALL, label=L("Who"), allow_custom_value=True)
            action = gr.Dropdown(
                [(L(ALL), ALL), *((L(a.replace("_", " ")), a) for a in AUDIT_ACTIONS)],
                value=ALL,
                label=L("Action"),
                allow_custom_value=True,
            )
            draft_id = gr.Number(0, label=L("Draft # (0: all)"), precision=0, minimum=0)
            limit = gr.Dropdown([50, 200, 1000, 5000], value=200, label=L("Entries"))
            show = gr.Button(L("Show"), variant="primary", scale=0, min_width=120)
        info = gr.Markdown(latex_delimiters=[])
        log = table(
            AUDIT_COLUMNS,
            "Audit log",
            ["draft"],
            relabel=False,
            max_height=560,
            column_widths=AUDIT_WIDTHS,
        )
        with gr.Row(equal_height=False):
            with gr.Column(scale=1):
                fmt = gr.Radio(
                    [("CSV", "csv"), ("JSON", "json")],
                    value="csv",
                    label=L("Export the filtered log as"),
                )
                export = gr.Button(L("Export"), size="md")
            download = gr.File(label=L("Download"), interactive=False, height=140, scale=2)
    inputs = [who, action, draft_id]
    gr.on(
        [app.load, tab.select, show.click, draft_id.submit],
        h.audit,
        [*inputs, limit, zone],
        [log, info],
        **PRIVATE,
    )
    export.click(h.export_audit, [fmt, *inputs], download, **PRIVATE)
    return who
