"""Crisis alerts, on top of the Inbox tab: the open alert with its messages, holding
statements drafted from the brand's crisis guidelines, publishing paused, the alert closed."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

import gradio as gr

from cmassist.domain.textutil import excerpt
from cmassist.interfaces.i18n import Translator
from cmassist.interfaces.web.base import TabHandlers
from cmassist.interfaces.web.errors import user_errors
from cmassist.interfaces.web.inputs import alert_number, to_int, unless_all
from cmassist.interfaces.web.layout import PRIVATE, L, clear, table
from cmassist.interfaces.web.render import frame, md, platform_name
from cmassist.interfaces.web.request import translator, username
from cmassist.interfaces.web.times import read_zone, when
from cmassist.services.inbox import AlertView
from cmassist.services.review import Actor

CRISIS_COLUMNS = ["id", "received", "platform", "author", "text"]


class CrisisHandlers(TabHandlers):
    """The open crisis alerts and what can be done about one."""

    @user_errors
    def crisis_panel(
        self,
        brand: str | None,
        chosen: float | None,
        zone: str | None,
        request: gr.Request | None = None,
    ) -> tuple[Any, ...]:
        """The open crisis alert (the chosen one, or the latest), or nothing when none is
        open: what, how many against how many expected, when, why, and its messages."""
        tr = translator(request)
        hidden = (
            gr.update(visible=False),
            gr.update(choices=[], value=None),
            "",
            frame([], CRISIS_COLUMNS, tr),
        )
        if not username(request):
            return hidden
        actor = self.actor(request)
        inbox = self.services.inbox
        alerts = inbox.alerts(status="open", brand=unless_all(brand))
        if not alerts:
            return hidden
        wanted = to_int(chosen, 0)
        alert = next((a for a in alerts if a.id == wanted), alerts[0])
        tz = read_zone(zone)
        rows = [
            [
                m.id,
                when(m.received_at, tz),
                platform_name(m.platform),
                m.author,
                excerpt(m.text, 400),
            ]
            for m in inbox.messages(alert.message_ids)
        ]
        choices = [
            (f"#{a.id} · {a.brand} · {a.topic} · {tr('{n} messages', n=a.count)}", a.id)
            for a in alerts
        ]
        return (
            gr.update(visible=True),
            gr.update(choices=choices, value=alert.id),
            self._crisis_summary(alert, tz, len(alerts), actor, tr),
            frame(rows, CRISIS_COLUMNS, tr),
        )

    def _crisis_summary(
        self, alert: AlertView, tz: ZoneInfo, open_alerts: int, actor: Actor, tr: Translator
    ) -> str:
        """Markdown from our own strings and numbers only: no message text goes in."""
        ratio = alert.count / alert.baseline if alert.baseline else 0
        lines = [
            tr(
                "### 🚨 Crisis alert {number}: {topic} · brand {brand}",
                number=md("#" + str(alert.id)),
                topic=md(alert.topic),
                brand=md(alert.brand),
            ),
            tr(
                "**{n} negative or complaint messages** on this topic, against "
                "**{baseline} expected**",
                n=alert.count,
                baseline=f"{alert.baseline:g}",
            )
            + (f" (×{ratio:.0f})" if ratio >= 2 else ""),
            tr(
                "Window: {start} to {end} ({zone}) · raised {raised}",
                start=md(when(alert.window_start, tz)),
                end=md(when(alert.window_end, tz)),
                zone=md(tz.key),
                raised=md(when(alert.raised_at, tz)),
            ),
            tr("Why: {reason}", reason=md(tr.error(alert.reason))),
        ]
        if alert.draft_ids:
            numbers = ", ".join(md(f"#{i}") for i in alert.draft_ids)
            lines.append(tr("📝 Holding statement drafts: {numbers} (Review tab)", numbers=numbers))
        if self.services.review.is_paused():
            lines.append(
                tr("⏸️ **Publishing is paused**: nothing goes out until an admin resumes it.")
            )
        elif actor.role == "admin":
            lines.append(tr("🟢 Publishing is on."))
        else:
            lines.append(tr("🟢 Publishing is on (only an admin can pause it)."))
        if open_alerts > 1:
            lines.append(tr("{n} open alerts: pick one above.", n=open_alerts))
        return "\n".join(lines)

    @user_errors
    def crisis_holding(self, chosen: float | None, request: gr.Request | None = None) -> str:
        """Holding-statement drafts for the alert, from the brand's crisis guidelines,
        saved for review."""
        tr = translator(request)
        actor = self.actor(request)
        drafts = self.services.crisis.holding_drafts(actor, alert_number(chosen))
        if not drafts:
            return tr("⚠️ No holding statement was drafted: see the brand's crisis guidelines.")
        numbers = ", ".join(md(f"#{d.id}") for d in drafts)
        return tr(
            "📝 Holding statement drafts {numbers} saved for review: open the **Review** tab, "
            "fill in the bracketed parts, then submit for a second person's approval.",
            numbers=numbers,
        )

    @user_errors
    def crisis_pause(
        self, chosen: float | None, note: str | None, request: gr.Request | None = None
    ) -> str:
        """Pause all publishing for the alert (admins only; refused and audited otherwise)."""
        tr = translator(request)
        actor = self.actor(request)
        alert = self.services.inbox.alert(alert_number(chosen))
        review = self.services.review
        if review.is_paused():
            return tr("⏸️ Publishing is already paused: nothing goes out until an admin resumes it.")
        reason = (note or "").strip() or f"crisis alert #{alert.id} on {alert.topic}"
        review.set_paused(actor, True, reason=reason)
        return tr(
            "⏸️ **Publishing is paused**: nothing goes out until an admin resumes it in the "
            "Admin tab; scheduled posts wait in the outbox."
        )

    @user_errors
    def crisis_close(
        self, chosen: float | None, note: str | None, request: gr.Request | None = None
    ) -> str:
        actor = self.actor(request)
        alert_id = alert_number(chosen)
        self.services.inbox.close_alert(actor, alert_id, reason=(note or "").strip())
        return translator(request)(
            "✅ Crisis alert {number} closed.", number=md("#" + str(alert_id))
        )


# -- layout -----------------------------------------------------------------------------------


@dataclass
class CrisisPanel:
    """The open alert's panel, hidden while no alert is open."""

    box: gr.Column
    pick: gr.Dropdown
    summary: gr.Markdown
    messages: gr.Dataframe
    note: gr.Textbox
    holding: gr.Button
    pause: gr.Button
    close: gr.Button
    status: gr.Markdown

    def outputs(self) -> list[Any]:
        """What `crisis_panel` fills."""
        return [self.box, self.pick, self.summary, self.messages]


def crisis_panel() -> CrisisPanel:
    """The alert, its messages and its three actions."""
    with gr.Column(visible=False, variant="panel", elem_id="crisis-panel") as box:
        with gr.Row(equal_height=False):
            summary = gr.Markdown(latex_delimiters=[], line_breaks=True, elem_id="crisis-summary")
            pick = gr.Dropdown(
                choices=[], label=L("Open alert"), scale=0, min_width=280, interactive=True
            )
        messages = table(
            CRISIS_COLUMNS,
            "Messages behind the alert",
            ["id"],
            relabel=False,
            max_height=300,
            column_widths=["6%", "14%", "12%", "14%", "54%"],
        )
        note = gr.Textbox(
            label=L("Reason (optional)"),
            max_lines=1,
            info=L("Recorded in the audit log when you pause publishing or close the alert"),
        )
        with gr.Row():
            holding = gr.Button(L("Draft holding statement"), variant="primary")
            pause = gr.Button(L("⏸️ Pause all publishing"), variant="stop")
            close = gr.Button(L("Close alert"))
        status = gr.Markdown(latex_delimiters=[], elem_id="crisis-status")
    return CrisisPanel(box, pick, summary, messages, note, holding, pause, close, status)


def wire_crisis(
    h: CrisisHandlers, panel: CrisisPanel, inputs: list[Any], triggers: list[Any]
) -> None:
    """The panel's events: refreshed on `triggers` and on picking another alert; `inputs`
    are the brand filter, the alert picker and the time zone."""
    out = panel.outputs()
    gr.on([*triggers, panel.pick.input], h.crisis_panel, inputs, out, **PRIVATE)
    panel.holding.click(h.crisis_holding, panel.pick, panel.status, **PRIVATE).success(
        h.crisis_panel, inputs, out, **PRIVATE
    )
    for button, fn in ((panel.pause, h.crisis_pause), (panel.close, h.crisis_close)):
        button.click(fn, [panel.pick, panel.note], panel.status, **PRIVATE).success(
            clear, None, panel.note, **PRIVATE
        ).then(h.crisis_panel, inputs, out, **PRIVATE)
