"""The Admin tab: publishing paused or resumed (and whether a worker publishes at all),
and the users: added, given a role, disabled or enabled (admins only, all audited)."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

import gradio as gr
import pandas as pd

from cmassist.domain.errors import ForbiddenError, InputError
from cmassist.interfaces.i18n import Translator
from cmassist.interfaces.web.base import TabHandlers
from cmassist.interfaces.web.errors import user_errors
from cmassist.interfaces.web.layout import PRIVATE, L, clear, table
from cmassist.interfaces.web.render import frame, md
from cmassist.interfaces.web.request import translator, username
from cmassist.interfaces.web.times import read_zone, when
from cmassist.services.review import Actor

USER_COLUMNS = ["user", "name", "role", "access", "created"]
ROLE_CHOICES = [("author", "author"), ("reviewer", "reviewer"), ("admin", "admin")]


class AdminHandlers(TabHandlers):
    """Publishing's state and switch, and the user accounts."""

    @user_errors
    def publishing(
        self,
        zone: str | None = None,
        request: gr.Request | None = None,
    ) -> tuple[str, dict[str, Any], dict[str, Any]]:
        """Whether publishing is paused, by whom and why, and whether a publishing worker
        runs; the buttons that change it are live for admins only."""
        tr = translator(request)
        tz = read_zone(zone)
        pause = self.services.review.publishing_state()
        paused = pause.paused
        if paused:
            why = ""
            if pause.at is not None:
                why = tr(" by {who} on {when}", who=md(pause.by), when=md(when(pause.at, tz)))
                why += f": “{md(pause.reason)}”" if pause.reason else ""
            state = tr(
                "⏸️ **Publishing is paused**{why}. Nothing goes out until an admin "
                "resumes it; scheduled posts wait in the outbox.",
                why=why,
            )
        else:
            state = tr("🟢 **Publishing is on**: approved posts go out when they are due.")
        state += "\n\n" + self._worker_line(tr, tz)
        admin = bool(username(request)) and self.actor(request).role == "admin"
        if not admin:
            state += "\n\n" + tr("Only an admin can pause or resume publishing.")
        return (
            state,
            gr.update(interactive=admin and not paused),
            gr.update(interactive=admin and paused),
        )

    def _worker_line(self, tr: Translator, tz: ZoneInfo) -> str:
        """Who publishes: the worker's last run, the next post due and recent failures,
        or that no worker runs (then nothing goes out, whatever the state above)."""
        status = self.services.outbox_worker_status()
        lines = []
        if not status.alive:
            lines.append(
                tr(
                    "🔴 **No publishing worker is running**: nothing goes out. Run "
                    "`cmassist serve` (it starts one) or `cmassist worker`."
                )
            )
        else:
            lines.append(
                tr(
                    "⚙️ Publishing worker: {where}, every {n} s · last run {when}",
                    where=md(tr(status.where)),
                    n=int(status.interval_s),
                    when=md(when(status.last_run, tz, seconds=True) or tr("not yet")),
                )
            )
        due = status.next_due
        lines.append(
            tr("Next post due: {when}", when=md(when(due, tz))) if due else tr("No post is due.")
        )
        for f in status.failures[:5]:
            lines.append(
                tr(
                    "⚠️ {when} · draft #{draft} via {adapter}: {error}",
                    when=md(when(f.at, tz)),
                    draft=f.draft_id,
                    adapter=md(f.adapter),
                    error=md(tr.error(f.error)),
                )
            )
        return "\n\n".join(lines)

    @user_errors
    def pause(
        self, reason: str | None, zone: str | None, request: gr.Request | None = None
    ) -> tuple[Any, ...]:
        self.services.review.set_paused(self.actor(request), True, reason=(reason or "").strip())
        return self.publishing(zone, request)

    @user_errors
    def resume(
        self, reason: str | None, zone: str | None, request: gr.Request | None = None
    ) -> tuple[Any, ...]:
        self.services.review.set_paused(self.actor(request), False, reason=(reason or "").strip())
        return self.publishing(zone, request)

    # -- users --

    def _admin(self, request: gr.Request | None) -> Actor:
        actor = self.actor(request)
        if actor.role != "admin":
            raise ForbiddenError(
                f"{actor.name} ({actor.role}) may not manage users", "ask an admin"
            )
        return actor

    @user_errors
    def users(self, request: gr.Request | None = None) -> tuple[pd.DataFrame, dict[str, Any]]:
        """Every account, with its role and whether it can log in (admins only)."""
        tr = translator(request)
        if not username(request) or self.actor(request).role != "admin":
            return frame([], USER_COLUMNS, tr), gr.update(choices=[])
        people = self.services.review.list_users()
        rows = [
            [
                u["name"],
                u["display_name"],
                tr(u["role"]),
                tr("disabled") if u["disabled"] else tr("active"),
                u["created_at"][:16].replace("T", " "),
            ]
            for u in people
        ]
        return frame(rows, USER_COLUMNS, tr), gr.update(choices=[u["name"] for u in people])

    @user_errors
    def add_user(
        self,
        name: str | None,
        password: str | None,
        role: str | None,
        request: gr.Request | None = None,
    ) -> str:
        admin = self._admin(request)
        user = self.services.review.add_user(
            name or "", password or "", role or "author", by=admin.name
        )
        tr = translator(request)
        return tr("✅ User {name} added as {role}.", name=md(user.name), role=tr(user.role))

    @user_errors
    def change_user(
        self,
        name: str | None,
        role: str | None,
        access: str | None,
        request: gr.Request | None = None,
    ) -> str:
        """Change the chosen user's role, and disable or enable the account (audited)."""
        admin = self._admin(request)
        tr = translator(request)
        if not name:
            raise InputError("no user is chosen", "pick one in User")
        review = self.services.review
        if role:
            review.set_role(name, role, by=admin.name)
        if access == "disabled":
            review.disable_user(name, by=admin.name, reason="in the Admin tab")
        elif access == "active":
            review.enable_user(name, by=admin.name, reason="in the Admin tab")
        return tr("✅ User {name} updated.", name=md(name))


# -- layout -----------------------------------------------------------------------------------


def admin_tab(app: gr.Blocks, h: AdminHandlers, zone: gr.Dropdown) -> None:
    """The Admin tab: publishing (pause, resume, the worker's state) and the users."""
    with gr.Tab(L("Admin")) as tab:
        gr.Markdown(L("### Publishing"))
        state = gr.Markdown(latex_delimiters=[], elem_id="admin-publishing")
        reason = gr.Textbox(
            label=L("Reason"),
            max_lines=1,
            info=L("Required: recorded in the audit log with your name"),
        )
        with gr.Row():
            pause = gr.Button(L("⏸️ Pause publishing"), variant="stop")
            resume = gr.Button(L("▶️ Resume publishing"), variant="primary")
            refresh = gr.Button(L("↻ Refresh"), scale=0, min_width=120)
        gr.Markdown(
            L(
                "While publishing is paused nothing goes out; scheduled posts wait in "
                "the outbox and go out when it resumes, if their approval is still valid."
            )
        )
        gr.Markdown(L("### Users (admins)"))
        people = table(
            USER_COLUMNS, "Users", relabel=False, column_widths=["20%", "25%", "20%", "15%", "20%"]
        )
        who = _users_section(h, people)
    out = [state, pause, resume]
    gr.on([app.load, tab.select, refresh.click], h.publishing, [zone], out, **PRIVATE)
    gr.on([app.load, tab.select], h.users, None, [people, who], **PRIVATE)
    for button, fn in ((pause, h.pause), (resume, h.resume)):
        button.click(fn, [reason, zone], out, **PRIVATE).success(clear, None, reason, **PRIVATE)


def _users_section(h: AdminHandlers, people: gr.Dataframe) -> gr.Dropdown:
    """Add a user, change a user; returns the user picker, which the page load fills."""
    with gr.Row(equal_height=True):
        with gr.Column(variant="panel"):
            gr.Markdown(L("Add a user"))
            new_name = gr.Textbox(label=L("User name"), max_lines=1, elem_id="admin-new-user")
            new_password = gr.Textbox(
                label=L("Password"),
                type="password",
                max_lines=1,
                info=L("At least 8 characters; tell it to the person yourself"),
                elem_id="admin-new-password",
            )
            new_role = gr.Radio(
                L.choices(ROLE_CHOICES),
                value="author",
                label=L("Role"),
                elem_id="admin-new-role",
            )
            add = gr.Button(L("Add user"), variant="primary", elem_id="admin-add-user")
        with gr.Column(variant="panel"):
            gr.Markdown(L("Change a user"))
            who = gr.Dropdown(choices=[], label=L("User"), elem_id="admin-user")
            role = gr.Radio(L.choices(ROLE_CHOICES), value=None, label=L("New role"))
            access = gr.Radio(
                L.choices([("active", "active"), ("disabled", "disabled")]),
                value=None,
                label=L("Access"),
                info=L("A disabled user can no longer log in or act"),
            )
            change = gr.Button(L("Save"), elem_id="admin-change-user")
    users_status = gr.Markdown(latex_delimiters=[], elem_id="admin-users-status")
    add.click(h.add_user, [new_name, new_password, new_role], users_status, **PRIVATE).success(
        lambda: ("", ""), None, [new_name, new_password], **PRIVATE
    ).then(h.users, None, [people, who], **PRIVATE)
    change.click(h.change_user, [who, role, access], users_status, **PRIVATE).then(
        h.users, None, [people, who], **PRIVATE
    )
    return who
