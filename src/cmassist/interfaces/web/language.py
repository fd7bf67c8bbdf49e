"""The language of the web app for each request, and the switch that changes it.

Gradio translates labels in the browser after the browser's own language; this ASGI
middleware makes it follow the user's choice instead (the `cmassist_lang` cookie, set by
`/language/{fr|en}`), by telling the page its language before Gradio starts, and puts the
login page's message in that language. Handlers read the same cookie (`request_language`),
so the labels and what the server writes never disagree.
"""

from __future__ import annotations

import html
import json
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import quote

from cmassist.interfaces.i18n import COOKIE, LANGUAGES, gettext, negotiate

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

# Where the login page's message goes; the middleware puts it in the request's language.
AUTH_MARKER = "@@cmassist-auth-message@@"
AUTH_MESSAGE = (
    "Log in with your cmassist account. An admin creates accounts in the Admin tab or with "
    "<code>cmassist users add</code>."
)
SWITCH_PATH = "/language/"
ONE_YEAR = 365 * 24 * 3600


def request_language(headers: Any, cookies: Any) -> str:
    """The language of a request: the cookie the switch set, else Accept-Language."""
    accept = headers.get("accept-language") if headers is not None else None
    chosen = cookies.get(COOKIE) if cookies is not None else None
    return negotiate(accept, chosen)


def auth_message(lang: str) -> str:
    """The login page's message, with the switch to the other language (our own HTML)."""
    links = " · ".join(
        f'<a href="{SWITCH_PATH}{code}">{html.escape(name)}</a>'
        for code, name in (("fr", "Français"), ("en", "English"))
        if code != lang
    )
    return f"{gettext(AUTH_MESSAGE, lang)}<br>{links}"


def _headers(scope: Scope) -> dict[str, str]:
    return {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}


def _cookies(header: str) -> dict[str, str]:
    out = {}
    for part in header.split(";"):
        name, _, value = part.strip().partition("=")
        if name:
            out[name] = value
    return out


def _prelude(lang: str) -> bytes:
    """A script that runs before Gradio's: the page's language is the chosen one."""
    tag = json.dumps(lang)
    return (
        "<script>(()=>{const l=" + tag + ";"
        "Object.defineProperty(Navigator.prototype,'language',{get:()=>l,configurable:true});"
        "Object.defineProperty(Navigator.prototype,'languages',{get:()=>[l],configurable:true});"
        "document.documentElement.lang=l;})();</script>"
    ).encode()


class LanguageMiddleware:
    """Serves `/language/{lang}` (sets the cookie, back to the app) and puts the language
    into every HTML page the app serves."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope.get("path", "")
        if path.startswith(SWITCH_PATH):
            await self._switch(path[len(SWITCH_PATH) :].strip("/"), scope, send)
            return
        headers = _headers(scope)
        lang = request_language(headers, _cookies(headers.get("cookie", "")))
        start: Message | None = None
        body: list[bytes] = []

        async def wrapped(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                sent = dict(message.get("headers", []))
                html_page = sent.get(b"content-type", b"").startswith(b"text/html")
                if not html_page or b"content-encoding" in sent:
                    await send(message)
                    return
                start = message
                return
            if start is None:
                await send(message)
                return
            body.append(message.get("body", b""))
            if message.get("more_body"):
                return
            page = b"".join(body)
            page = page.replace(b"<head>", b"<head>" + _prelude(lang), 1)
            page = page.replace(AUTH_MARKER.encode(), json.dumps(auth_message(lang))[1:-1].encode())
            fixed = [(k, v) for k, v in start.get("headers", []) if k != b"content-length"]
            fixed.append((b"content-length", str(len(page)).encode()))
            fixed.append((b"vary", b"Cookie, Accept-Language"))
            await send({**start, "headers": fixed})
            await send({"type": "http.response.body", "body": page})

        await self.app(scope, receive, wrapped)

    @staticmethod
    async def _switch(lang: str, scope: Scope, send: Any) -> None:
        if lang not in LANGUAGES:
            body = f"unknown language {lang!r}: use {' or '.join(LANGUAGES)}".encode()
            await send(
                {
                    "type": "http.response.start",
                    "status": 404,
                    "headers": [(b"content-type", b"text/plain; charset=utf-8")],
                }
            )
            await send({"type": "http.response.body", "body": body})
            return
        root = scope.get("root_path", "") or ""
        cookie = f"{COOKIE}={quote(lang)}; Path=/; Max-Age={ONE_YEAR}; SameSite=Lax"
        await send(
            {
                "type": "http.response.start",
                "status": 303,
                "headers": [
                    (b"location", (root + "/").encode()),
                    (b"set-cookie", cookie.encode()),
                    (b"cache-control", b"no-store"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": b""})
