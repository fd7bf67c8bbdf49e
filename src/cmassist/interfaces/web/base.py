"""The base of every tab's handlers: the services, who is logged in, and the brand picked
at the top of the page."""

from __future__ import annotations

from typing import Any

import gradio as gr

from cmassist.bootstrap import Services
from cmassist.domain.brands import brand_slug
from cmassist.domain.errors import AuthError, InputError
from cmassist.interfaces.i18n import Translator
from cmassist.interfaces.web.errors import user_errors
from cmassist.interfaces.web.render import md
from cmassist.interfaces.web.request import translator, username
from cmassist.services.review import Actor


class TabHandlers:
    """What every tab's handlers share; a handler reads its inputs, calls a service and
    renders what it returns."""

    def __init__(self, services: Services) -> None:
        self.services = services

    # -- the brand --

    def brand(self, brand: str | None) -> str:
        """The brand picked at the top, which must exist."""
        if not brand:
            raise InputError(
                "no brand is selected",
                "choose one at the top, or ingest files into a new brand in the Knowledge tab",
            )
        # An unknown brand fails here, before the page is cleared for a new stream.
        return self.services.store.require_brand(brand)

    def brand_options(self) -> list[tuple[str, str]]:
        """Every brand, as the brand dropdowns offer them."""
        return [
            (f"{b.name} ({b.slug})" if b.name != b.slug else b.slug, b.slug)
            for b in self.services.store.brands()
        ]

    @user_errors
    def brand_choices(self, current: str | None = None) -> dict[str, Any]:
        """The brand dropdown, refreshed; keeps the current brand if it still exists."""
        options = self.brand_options()
        slugs = [slug for _, slug in options]
        default = self.services.settings.brand
        value = next((b for b in (current, default) if b in slugs), slugs[0] if slugs else None)
        return gr.update(choices=options, value=value)

    @user_errors
    def brand_info(self, brand: str | None, request: gr.Request | None = None) -> str:
        """What the picked brand's store holds, under the brand picker."""
        tr = translator(request)
        if not brand:
            return tr("No brand yet: ingest guidelines in the **Knowledge** tab.")
        store = self.services.store
        slug = brand_slug(brand)
        if not store.has_brand(slug):
            return tr(
                "Unknown brand {brand}: ingest its files in the **Knowledge** tab.", brand=md(slug)
            )
        counts = store.counts(slug)
        return tr(
            "**{name}** · {guidelines} guideline passages · {posts} past posts · "
            "{replies} past replies",
            name=md(store.brand_name(slug)),
            guidelines=counts.get("guideline", 0),
            posts=counts.get("post", 0),
            replies=counts.get("reply", 0),
        )

    # -- the user --

    def author(self, request: gr.Request | None) -> Actor | None:
        """Who new drafts are saved for review as; None when the app runs without a login."""
        return self.actor(request) if username(request) else None

    def actor(self, request: gr.Request | None) -> Actor:
        """The logged-in user, still enabled (an account disabled since login is refused)."""
        name = username(request)
        if not name:
            raise AuthError(
                "nobody is logged in", "serve the app with `cmassist serve`, which asks for a login"
            )
        return self.services.review.actor(name)

    # -- the model --

    def waiting(self, tr: Translator, status: str) -> str:
        """The status line, or that the request waits for the model (another draft is
        being written, by this user or another)."""
        if self.services.llm.busy:
            return tr("⏳ Queued: waiting for the model, busy with another draft…")
        return status
