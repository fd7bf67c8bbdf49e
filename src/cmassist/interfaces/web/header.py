"""The top of the page, above the tabs: who is logged in, the language switch, the brand
every tab works on, and the time zone for scheduling and the calendar."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import gradio as gr

from cmassist.interfaces.web.base import TabHandlers
from cmassist.interfaces.web.errors import user_errors
from cmassist.interfaces.web.inputs import ALL
from cmassist.interfaces.web.knowledge import Browse
from cmassist.interfaces.web.layout import PRIVATE, L
from cmassist.interfaces.web.render import md
from cmassist.interfaces.web.request import translator, username
from cmassist.interfaces.web.times import ZONES, local_zone_name


class HeaderHandlers(TabHandlers):
    """Who is logged in, and the filters the page load refreshes."""

    @user_errors
    def whoami(self, request: gr.Request | None = None) -> tuple[str, dict[str, Any]]:
        """The header's line on who is logged in, and the log-out button."""
        tr = translator(request)
        if not username(request):
            return (tr("Not logged in: drafts are not saved for review."), gr.update(visible=False))
        actor = self.actor(request)
        return (
            tr("Logged in as **{name}** · {role}", name=md(actor.name), role=md(tr(actor.role))),
            gr.update(visible=True),
        )

    @user_errors
    def filter_choices(
        self,
        request: gr.Request | None = None,
    ) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
        """The filters' choices, refreshed: the review queue's brands and authors, and the
        audit log's users (user names only for someone logged in)."""
        if not username(request):
            return gr.skip(), gr.skip(), gr.skip()
        self.actor(request)
        every = (translator(request)(ALL), ALL)
        users = [every, *((u["name"], u["name"]) for u in self.services.review.list_users())]
        return (
            gr.update(choices=[every, *self.brand_options()]),
            gr.update(choices=users),
            gr.update(choices=users),
        )


@dataclass
class Header:
    """The header's components that tabs and page loads use."""

    who: gr.Markdown
    logout: gr.Button
    brand: gr.Dropdown
    brand_info: gr.Markdown
    refresh: gr.Button
    zone: gr.Dropdown


def header(h: HeaderHandlers) -> Header:
    """The title and the user's line on the left; the brand and the time zone on the right."""
    with gr.Row(equal_height=True):
        with gr.Column(scale=3):
            gr.Markdown(
                L(
                    "# cmassist\nPosts, ideas and replies in your brand's voice, drafted "
                    "from its own guidelines, past posts and past replies. "
                    "A second person reviews every draft before it is published."
                )
            )
            who, logout = _user_line()
        with gr.Column(scale=2, min_width=320):
            choices = h.brand_choices(None)
            # Choices are refreshed on each page load; a custom value lets API clients
            # name a brand ingested since, and is checked by the handlers.
            brand = gr.Dropdown(
                label=L("Brand"),
                info=L("Used by every tab"),
                choices=choices["choices"],
                value=choices["value"],
                allow_custom_value=True,
            )
            with gr.Row(equal_height=True):
                brand_info = gr.Markdown(latex_delimiters=[])
                refresh = gr.Button(L("↻ Refresh brands"), size="sm", scale=0, min_width=140)
            # The browser's own zone replaces the server's when the page loads.
            local = local_zone_name()
            zone = gr.Dropdown(
                list(dict.fromkeys([local, *ZONES])),
                value=local,
                label=L("Time zone"),
                info=L("For scheduling and the calendar"),
                allow_custom_value=True,
            )
    return Header(who, logout, brand, brand_info, refresh, zone)


def _user_line() -> tuple[gr.Markdown, gr.Button]:
    """Who is logged in, the log-out button and the language switch."""
    with gr.Row(equal_height=False):
        who = gr.Markdown(latex_delimiters=[])
        logout = gr.Button(
            L("Log out"), link="/logout", size="sm", scale=0, min_width=100, visible=False
        )
        # Our own switch: it sets the cookie that the labels and the server's
        # messages both follow (cmassist.interfaces.web.language).
        for code, name in (("fr", "Français"), ("en", "English")):
            gr.Button(
                name,
                link=f"/language/{code}",
                size="sm",
                scale=0,
                min_width=90,
                elem_id=f"language-{code}",
            )
    return who, logout


def wire_header(
    app: gr.Blocks,
    h: HeaderHandlers,
    top: Header,
    filters: list[Any],
    browse: Browse,
) -> None:
    """The page load's refreshes: who is logged in, the filters of other tabs (`filters`:
    the review queue's brand and author, the audit log's user), the browser's time zone,
    the brands; a brand picked shows its summary and the first page of its records
    (`browse`: the Browse tab's inputs and outputs)."""
    app.load(h.whoami, None, [top.who, top.logout], **PRIVATE)
    app.load(h.filter_choices, None, filters, **PRIVATE)
    app.load(
        None, None, top.zone, js="() => Intl.DateTimeFormat().resolvedOptions().timeZone", **PRIVATE
    )
    brand, info = top.brand, top.brand_info
    # A value set by load is no change: show the brand's summary and records here too.
    app.load(h.brand_choices, brand, brand, **PRIVATE).then(
        h.brand_info, brand, info, **PRIVATE
    ).then(browse.first_page, browse.inputs, browse.outputs, **PRIVATE)
    top.refresh.click(h.brand_choices, brand, brand, **PRIVATE).then(
        h.brand_info, brand, info, **PRIVATE
    )
    brand.change(h.brand_info, brand, info, **PRIVATE).then(
        browse.first_page, browse.inputs, browse.outputs, **PRIVATE
    )
