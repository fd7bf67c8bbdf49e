"""The Gradio web app: drafts, ideas and replies in a brand's voice, their review by a second
person, the publishing calendar, the audit log and the knowledge store. This module puts the
page together; each tab is a module of its own that lays it out and holds its handlers."""

from __future__ import annotations

import gradio as gr

from cmassist.bootstrap import Services
from cmassist.domain.platforms import PLATFORMS
from cmassist.interfaces.web.admin import AdminHandlers, admin_tab
from cmassist.interfaces.web.audit import AuditHandlers, audit_tab
from cmassist.interfaces.web.auth import AUTH_MESSAGE, app_auth
from cmassist.interfaces.web.calendar import CalendarHandlers, calendar_tab
from cmassist.interfaces.web.check import CheckHandlers, check_tab
from cmassist.interfaces.web.compose import ComposeHandlers, compose_tab
from cmassist.interfaces.web.header import HeaderHandlers, header, wire_header
from cmassist.interfaces.web.inbox import InboxHandlers, inbox_tab
from cmassist.interfaces.web.knowledge import KnowledgeHandlers, knowledge_tab
from cmassist.interfaces.web.layout import L, relabel_on_load, start_relabelling
from cmassist.interfaces.web.reply import ReplyHandlers, reply_tab
from cmassist.interfaces.web.review import ReviewHandlers, review_tab

__all__ = ["AUTH_MESSAGE", "Handlers", "L", "app_auth", "build_app"]


class Handlers(
    HeaderHandlers,
    ComposeHandlers,
    ReplyHandlers,
    InboxHandlers,
    CheckHandlers,
    ReviewHandlers,
    CalendarHandlers,
    KnowledgeHandlers,
    AuditHandlers,
    AdminHandlers,
):
    """Every tab's handlers on one object over `Services`: what `build_app` wires, and what
    tests and Python callers call directly. Each tab's own class holds its handlers."""


def build_app(services: Services) -> gr.Blocks:
    """The whole app; `launch()` it, or mount it in a FastAPI app."""
    h = Handlers(services)
    start_relabelling()
    platform_choices = [(p.name, p.key) for p in PLATFORMS.values()]
    with gr.Blocks(title="cmassist") as app:
        top = header(h)
        brand, zone = top.brand, top.zone
        with gr.Tabs():
            compose_tab(app, h, brand, platform_choices)
            reply_tab(h, brand, platform_choices)
            inbox_tab(app, h, brand, zone, platform_choices)
            check_tab(h, brand, platform_choices)
            review_filters = review_tab(app, h, zone, platform_choices)
            calendar_tab(app, h, zone)
            browse = knowledge_tab(h, brand, top.brand_info)
            audit_who = audit_tab(app, h, zone)
            admin_tab(app, h, zone)
        wire_header(app, h, top, [*review_filters, audit_who], browse)
        relabel_on_load(app)
    app.queue(default_concurrency_limit=4)
    # What launch(i18n=...) or mount_gradio_app(i18n=...) takes: the labels' translations.
    app.i18n_instance = L.translations()
    return app
