"""The inbox rendered: the queue's rows with their tick boxes, a message's facts, and the
reasons for its triage. A message's text and author are shown as plain text only."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

import pandas as pd

from cmassist.domain.textutil import excerpt
from cmassist.interfaces.i18n import Translator
from cmassist.interfaces.web.inputs import to_int
from cmassist.interfaces.web.render import frame, md, platform_name
from cmassist.interfaces.web.times import when
from cmassist.services.inbox import InboxImportReport, MessageView

INBOX_COLUMNS = [
    "select",
    "id",
    "priority",
    "action",
    "urgency",
    "sentiment",
    "language",
    "topic",
    "platform",
    "author",
    "received",
    "text",
    "flags",
]
# In pixels, wide enough for the French words too ("escalader", "priorité"): no word breaks.
INBOX_WIDTHS = [
    "60px", "60px", "80px", "100px", "90px", "100px", "80px", "120px", "110px", "130px",
    "130px", "300px", "150px",
]  # fmt: skip
INBOX_TEXT_CHARS = 140
TICKED, UNTICKED = "☑", "☐"
# Flags of a triage worth seeing in the queue, most serious first.
INBOX_FLAGS = ("safety", "injection", "harassment", "toxic", "spam", "complaint", "question")
# The order of a triage's reasons in a message's detail; others follow.
REASON_ORDER = (
    "action",
    "urgency",
    "safety",
    "injection",
    "harassment",
    "toxicity",
    "spam",
    "complaint",
    "sentiment",
    "topic",
    "language",
    "llm",
)
REASON_COLUMNS = ["what", "reason"]
INJECTION_WARNING = (
    "⚠️ **Possible prompt injection**: this message tries to give instructions to an "
    "assistant. Read it yourself first; the drafted reply is checked, but review it with care."
)


def ticked_line(ids: list[int], tr: Translator) -> str:
    """How many messages are ticked, or how to tick them."""
    if not ids:
        return tr(
            "Tick messages with {box} in the first column to act on several at once.",
            box=UNTICKED,
        )
    if len(ids) == 1:
        return tr("**{n}** message ticked", n=1)
    return tr("**{n}** messages ticked", n=len(ids))


def ticked_table(table: pd.DataFrame | None, ids: list[int]) -> pd.DataFrame:
    """The queue as shown (its headers in the user's language), its select column (the
    first) following `ids`; the message id is the second column."""
    if table is None or table.empty or table.shape[1] < 2:
        return pd.DataFrame(columns=table.columns if table is not None else INBOX_COLUMNS)
    out = table.copy()
    ticked = set(ids)
    out.iloc[:, 0] = [TICKED if to_int(i, 0) in ticked else UNTICKED for i in out.iloc[:, 1]]
    return out


def _flags(message: MessageView, tr: Translator) -> str:
    triage = message.triage or {}
    flags = [tr(f) for f in INBOX_FLAGS if triage.get(f)]
    if message.draft_id:
        flags.append(tr("draft #{id}", id=message.draft_id))
    return ", ".join(flags)


def inbox_row(message: MessageView, tz: ZoneInfo, ticked: bool, tr: Translator) -> list[Any]:
    """A message's row in the queue."""
    triage = message.triage or {}
    return [
        TICKED if ticked else UNTICKED,
        message.id,
        message.priority,
        tr(message.action or "not triaged"),
        tr(str(triage.get("urgency") or "")) if triage.get("urgency") else "",
        tr(message.sentiment) if message.sentiment else "",
        message.language,
        message.topic,
        platform_name(message.platform),
        message.author,
        when(message.received_at, tz),
        excerpt(message.text, INBOX_TEXT_CHARS),
        _flags(message, tr),
    ]


def message_head(message: MessageView, tz: ZoneInfo, tr: Translator) -> str:
    """A message's facts as Markdown, from our own strings and numbers: its author and text
    are shown in text boxes."""
    triage = message.triage or {}
    lines = [
        " · ".join(
            (
                tr("**Message {number}**", number=md("#" + str(message.id))),
                md(platform_name(message.platform)),
                md(tr(message.kind)),
                tr("brand {brand}", brand=md(message.brand)),
                tr("received {when}", when=md(when(message.received_at, tz))),
            )
        )
    ]
    status = tr("Status **{status}**", status=md(tr(message.status)))
    if message.handled_by:
        status += tr(" by {who}", who=md(message.handled_by))
    if triage:
        status += " · " + " · ".join(
            (
                tr("priority **{n}**", n=message.priority),
                tr("suggested action **{action}**", action=md(tr(message.action or ""))),
                tr("urgency {urgency}", urgency=md(tr(triage.get("urgency") or ""))),
                tr("sentiment {sentiment}", sentiment=md(tr(message.sentiment or ""))),
                tr("language {language}", language=md(message.language)),
                tr("topic {topic}", topic=md(message.topic or tr("none"))),
            )
        )
    else:
        status += tr(" · not triaged yet")
    lines.append(status)
    if message.draft_id:
        lines.append(
            tr("📝 Reply draft {number} (Review tab)", number=md("#" + str(message.draft_id)))
        )
    if triage.get("injection"):
        lines.append(tr(INJECTION_WARNING))
    return "\n\n".join(lines)


def reasons_frame(message: MessageView, tr: Translator) -> pd.DataFrame:
    """Why the triage decided what it did: one row per decision, in a person's words."""
    triage = message.triage or {}
    if not triage:
        return frame(
            [[tr("triage"), tr("not triaged yet: refresh in a moment")]], REASON_COLUMNS, tr
        )
    reasons = {str(k): str(v) for k, v in (triage.get("reasons") or {}).items()}
    order = [k for k in REASON_ORDER if k in reasons] + [
        k for k in reasons if k not in REASON_ORDER
    ]
    rows = [[tr(k.replace("_", " ")), tr.error(reasons[k])] for k in order]
    rows.append([tr("method"), str(triage.get("method") or "")])
    return frame(rows, REASON_COLUMNS, tr)


def import_summary(report: InboxImportReport, tr: Translator) -> str:
    """What an import did: nothing, for a bad row; else the messages added, skipped,
    repaired and triaged, the bad rows skipped, and the open crisis alerts."""
    rows = report.rows
    bad = len(rows.errors)
    if not report.written:
        return tr(
            "⛔ **Nothing imported**: {bad} in {total} rows (below). Fix the file, or "
            "tick “Skip bad rows” to import the good ones.",
            bad=tr("{n} problem", n=bad) if bad == 1 else tr("{n} problems", n=bad),
            total=rows.total,
        )
    added = len(rows.added)
    summary = tr(
        "{added} added · {skipped} already in the inbox · {triaged} triaged",
        added=tr("{n} message", n=added) if added == 1 else tr("{n} messages", n=added),
        skipped=rows.skipped,
        triaged=report.triaged,
    )
    if rows.repaired:
        summary += tr(" · {n} with broken characters (U+FFFD) removed", n=rows.repaired)
    if bad:
        summary = "⚠️ " + summary + tr(" · {n} bad rows skipped (below)", n=bad)
    else:
        summary = f"✅ {summary}"
    alerts = report.open_alerts
    if alerts:
        summary += "\n\n" + (
            tr("🚨 {n} open crisis alert: see the top of this tab", n=1)
            if len(alerts) == 1
            else tr("🚨 {n} open crisis alerts: see the top of this tab", n=len(alerts))
        )
    return summary
