"""What a handler reads from its Gradio request: the user's language and who is logged in."""

from __future__ import annotations

from typing import Any

import gradio as gr

from cmassist.interfaces.i18n import Translator
from cmassist.interfaces.web.language import request_language


def translator(request: gr.Request | None) -> Translator:
    """The user's language for this request: the language switch's cookie, else the
    browser's (the same rule that the page's labels follow)."""
    if request is None or getattr(request, "request", None) is None:
        return Translator("en")
    return Translator(request_language(request.headers, request.cookies))


def username(request: gr.Request | None) -> str | None:
    """Who is logged in, or None when the app runs without a login."""
    return (getattr(request, "username", None) or None) if request is not None else None


def request_of(args: tuple[Any, ...], kwargs: dict[str, Any]) -> gr.Request | None:
    """The request among a handler's arguments, if Gradio passed one."""
    found = kwargs.get("request")
    if isinstance(found, gr.Request):
        return found
    return next((a for a in args if isinstance(a, gr.Request)), None)
