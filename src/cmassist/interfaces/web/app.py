"""The Gradio web app: drafts, ideas and replies in a brand's voice, their review by a second
person, the publishing calendar, the audit log and the knowledge store.
Handlers are plain methods of `Handlers` over `Services`; `build_app` only lays out and wires;
`app_auth` is the login check that `launch(auth=...)` calls."""

from __future__ import annotations

import difflib
import functools
import html
import inspect
import logging
import os
import re
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import gradio as gr
import pandas as pd

from cmassist.services.checking.checker import apply_fixes
from cmassist.config import Settings
from cmassist.services.drafting import DraftEvent
from cmassist.domain.errors import (
    AuthError,
    CmassistError,
    ConfigError,
    ConflictError,
    ForbiddenError,
    InputError,
    LLMError,
    StateError,
    StoreError,
)
from cmassist.interfaces.i18n import Labels, Translator
from cmassist.services.inbox import MAX_FILE_BYTES as INBOX_MAX_BYTES
from cmassist.services.inbox import STATUSES as INBOX_STATUSES
from cmassist.services.inbox import AlertView, MessageView
from cmassist.services.ingest import DATA_SUFFIXES, GUIDELINE_SUFFIXES, ingest
from cmassist.domain.models import Draft, Kind
from cmassist.services.outbox import build_publishers
from cmassist.domain.platforms import PLATFORMS, count_chars, get_platform, table
from cmassist.services.review import STATES, Actor, DraftView
from cmassist.bootstrap import Services
from cmassist.adapters.store import Hit, brand_slug
from cmassist.domain.textutil import excerpt
from cmassist.services.triage import ACTIONS, SENTIMENTS
from cmassist.interfaces.web.language import AUTH_MARKER, request_language

log = logging.getLogger(__name__)
# The labels of the layout, translated in the browser (see cmassist.interfaces.i18n).
L = Labels()

MAX_VARIANTS = 5  # per platform: more is slow on a laptop and rarely read
MAX_IDEAS = 20
POST_SLOTS = len(PLATFORMS) * MAX_VARIANTS
REPLY_SLOTS = MAX_VARIANTS
# outputs per slot, in order
SLOT_FIELDS = ("box", "header", "text", "findings", "fixes", "sources", "meta", "submit")
LANGUAGES = [("auto-detect", "auto"), ("fr · français", "fr"), ("en · English", "en")]
ANY_PLATFORM = "any"
KINDS = [
    ("all", "all"),
    ("guidelines", Kind.GUIDELINE.value),
    ("posts", Kind.POST.value),
    ("replies", Kind.REPLY.value),
]
PLURALS = {"guideline": "guideline passages", "post": "posts", "reply": "replies"}
UPLOAD_SUFFIXES = sorted(GUIDELINE_SUFFIXES | DATA_SUFFIXES)

SOURCE_COLUMNS = ["kind", "title", "excerpt", "score"]
RECORD_COLUMNS = ["id", "kind", "platform / heading", "language", "date", "source", "text", "reply"]
SEARCH_COLUMNS = ["score", *RECORD_COLUMNS]
SOURCE_WIDTHS = ["12%", "28%", "50%", "10%"]
RECORD_WIDTHS = ["12%", "8%", "14%", "6%", "8%", "10%", "26%", "16%"]
SEARCH_WIDTHS = ["6%", "10%", "7%", "13%", "5%", "8%", "9%", "27%", "15%"]
FILE_COLUMNS = [
    "file",
    "kind",
    "brand",
    "added",
    "updated",
    "unchanged",
    "rejected",
    "removed",
    "error",
]
PROBLEM_COLUMNS = ["file", "row", "field", "problem"]
FINDING_COLUMNS = ["severity", "rule", "words", "what and why", "guideline", "fix"]
# Wide enough that a word never breaks ("sev/eri/ty"); the table scrolls sideways instead.
FINDING_WIDTHS = ["90px", "150px", "150px", "360px", "300px", "220px"]
FINDING_COLORS = {"block": "#f87171", "warn": "#fbbf24", "info": "#93c5fd"}
FINDING_COLORS_BY_LABEL = {
    Translator(lang)(sev): color for lang in ("en", "fr") for sev, color in FINDING_COLORS.items()
}

ALL = "all"
QUEUE_COLUMNS = [
    "draft",
    "state",
    "brand",
    "platform",
    "kind",
    "author",
    "version",
    "updated",
    "text",
]
QUEUE_WIDTHS = ["6%", "11%", "8%", "9%", "6%", "8%", "7%", "12%", "33%"]
DECISION_COLUMNS = ["version", "reviewer", "decision", "comment", "at", "approval valid until"]
COMMENT_COLUMNS = ["at", "user", "comment"]
OUTBOX_COLUMNS = ["adapter", "due", "state", "attempts", "published", "error"]
LIMIT_COLUMNS = ["platform", "name", "max_chars", "max_hashtags", "link_chars"]
USER_COLUMNS = ["user", "name", "role", "access", "created"]
ROLE_CHOICES = [("author", "author"), ("reviewer", "reviewer"), ("admin", "admin")]
WEEK_DAYS = 7
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
# Offered in the time-zone picker; any IANA name can be typed, and the browser's own zone
# is filled in when the page loads.
ZONES = [
    "UTC",
    "America/Toronto",
    "America/Montreal",
    "America/Vancouver",
    "America/New_York",
    "America/Los_Angeles",
    "Europe/Paris",
    "Europe/London",
    "Europe/Brussels",
]
DIFF_COLORS = {"removed": "#fca5a5", "added": "#86efac"}
QUEUE_LIMIT = 200
# What opening a draft in the Review tab fills, in order (see Handlers._panel).
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
# Put in the request's language by cmassist.interfaces.web.language.
AUTH_MESSAGE = AUTH_MARKER

# The Inbox tab: the queue, a message's reasons, bulk actions, crisis alerts, imports.
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
INBOX_LIMIT = 500
INBOX_TEXT_CHARS = 140
INBOX_SUFFIXES = (".csv", ".json", ".jsonl")
INBOX_LANGUAGES = [(ALL, ALL), ("fr · français", "fr"), ("en · English", "en")]
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
IMPORT_ERROR_COLUMNS = ["where", "field", "problem"]
CRISIS_COLUMNS = ["id", "received", "platform", "author", "text"]
# What opening an inbox message fills, and what its drafted reply fills, in order.
MESSAGE_FIELDS = ("message_no", "head", "author", "thread", "text", "reasons")
INBOX_REPLY_FIELDS = ("status", "text", "check", "findings", "saved", "submit")
INBOX_DONE = {"hidden": "hidden", "handled": "marked handled", "new": "reopened"}
INJECTION_WARNING = (
    "⚠️ **Possible prompt injection**: this message tries to give instructions to an "
    "assistant. Read it yourself first; the drafted reply is checked, but review it with care."
)


# -- display helpers: untrusted text is escaped before it reaches Markdown ---------------------

_NUMBERED = re.compile(r"^\s*\d{1,2}[.)]\s+")
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~>$])")


def md(text: object) -> str:
    """Text made inert for gr.Markdown: no HTML, no Markdown syntax, no LaTeX."""
    escaped = html.escape(" ".join(str(text).split()), quote=False)
    # "http:\/\/" is no autolink, which would show the escapes inside the link's text.
    return _MD_SPECIAL.sub(r"\\\1", escaped).replace("://", r":\/\/")


def frame(rows: list[list[Any]], columns: list[str], tr: Translator | None = None) -> pd.DataFrame:
    """A table for the page, its column names in the user's language."""
    return pd.DataFrame(rows, columns=[tr(c) for c in columns] if tr else columns)


def translator(request: gr.Request | None) -> Translator:
    """The user's language for this request: the language switch's cookie, else the
    browser's (the same rule that the page's labels follow)."""
    if request is None or getattr(request, "request", None) is None:
        return Translator("en")
    return Translator(request_language(request.headers, request.cookies))


def _language(value: str | None) -> str | None:
    if value in (None, "", "auto"):
        return None
    if value not in ("fr", "en"):
        raise InputError(f"unsupported language {value!r}", "choose auto, fr or en")
    return value


def _kind(value: str | None) -> Kind | None:
    if value in (None, "", "all"):
        return None
    if value not in PLURALS:
        raise InputError(f"unknown kind {value!r}", "choose all, guideline, post or reply")
    return Kind(value)


def _whole(value: float | int | None, what: str, low: int, high: int) -> int:
    try:
        number = int(value) if value is not None and float(value) == int(value) else None
    except (TypeError, ValueError, OverflowError):
        number = None
    if number is None or not low <= number <= high:
        raise InputError(
            f"{what} must be a whole number from {low} to {high}, not {value!r}",
            f"choose {low} to {high}",
        )
    return number


def _text(value: str | None, what: str, limit: int, fix: str) -> str:
    text = (value or "").strip()
    if not text:
        raise InputError(f"the {what} is empty", fix)
    if len(text) > limit:
        raise InputError(
            f"the {what} is {len(text):,} characters, over the {limit:,} limit", "shorten it"
        )
    return text


def _error_title(error: CmassistError) -> str:
    if isinstance(error, LLMError):
        return "The language model failed"
    if isinstance(error, StoreError):
        return "Knowledge store problem"
    if isinstance(error, ConfigError):
        return "Configuration problem"
    if isinstance(error, ConflictError):
        return "Someone else changed this draft"
    if isinstance(error, ForbiddenError):
        return "Not allowed"
    if isinstance(error, AuthError):
        return "Login needed"
    if isinstance(error, StateError):
        return "Not possible now"
    return "Check your input"


def _gr_error(error: Exception, tr: Translator) -> gr.Error:
    """A one-line message for the UI, in the user's language; gr.Error renders HTML, so
    the text is escaped."""
    if isinstance(error, CmassistError):
        problem = tr.error(error.problem)
        message = f"{problem}: {tr.error(error.fix)}" if error.fix else problem
        title = tr(_error_title(error))
    else:
        log.exception("unexpected error in the web app")
        message = tr(
            "unexpected error ({kind}: {error}); see the server log",
            kind=type(error).__name__,
            error=error,
        )
        title = tr("Something went wrong")
    message = " ".join(message.split())
    return gr.Error(html.escape(message, quote=False), title=title, print_exception=False)


def _request_of(args: tuple[Any, ...], kwargs: dict[str, Any]) -> gr.Request | None:
    found = kwargs.get("request")
    if isinstance(found, gr.Request):
        return found
    return next((a for a in args if isinstance(a, gr.Request)), None)


def user_errors(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Turn every exception into a gr.Error with one line in the user's language, never a
    stack trace in the page."""
    if inspect.isgeneratorfunction(fn):

        @functools.wraps(fn)
        def stream(*args: Any, **kwargs: Any) -> Iterator[Any]:
            try:
                yield from fn(*args, **kwargs)
            except gr.Error:
                raise
            except Exception as e:
                raise _gr_error(e, translator(_request_of(args, kwargs))) from e

        return stream

    @functools.wraps(fn)
    def call(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except gr.Error:
            raise
        except Exception as e:
            raise _gr_error(e, translator(_request_of(args, kwargs))) from e

    return call


# -- drafts: headers and sources ---------------------------------------------------------------


def draft_meta(draft: Draft) -> dict[str, Any]:
    """What a slot keeps about its draft (in a gr.State) to redraw its header after edits."""
    data = draft.public()
    data["sources"] = len(draft.sources)
    return data


def _length(text: str, platform: str | None) -> int:
    return count_chars(text, PLATFORMS[platform]) if platform in PLATFORMS else len(text)


def count_line(length: int, limit: int | None, platform: str | None, tr: Translator) -> str:
    """The character count against the platform's limit, with a clear over/under mark."""
    if not limit:
        return tr("{n} characters", n=length)
    p = PLATFORMS.get(platform or "")
    how = (
        tr(" (counted as {name} counts them)", name=md(p.name))
        if p and (p.weighted or p.link_chars)
        else ""
    )
    if length <= limit:
        return tr(
            "🟢 **{n} / {limit}** characters{how} · fits, {left} left",
            n=length,
            limit=limit,
            how=how,
            left=limit - length,
        )
    return tr(
        "🔴 **{n} / {limit}** characters{how} · **too long: {over} over the limit**",
        n=length,
        limit=limit,
        how=how,
        over=length - limit,
    )


def _card_title(kind: str, platform: str | None, variant: int, tr: Translator) -> str:
    name = PLATFORMS[platform].name if platform in PLATFORMS else None
    if kind == "reply":
        return tr("**Reply {n}**", n=variant) + (f" · {md(name)}" if name else "")
    return tr("**{name} · variant {n}**", name=md(name or tr("Post")), n=variant)


def draft_header(meta: dict[str, Any], text: str | None, tr: Translator) -> str:
    """Markdown for a finished draft: what it is, its count, notes and provenance.

    `text` is the text as the user edited it, if they did; the count follows it.
    """
    if not meta or "kind" not in meta:
        return ""
    platform = meta.get("platform")
    title = _card_title(meta["kind"], platform, meta.get("variant", 1), tr)
    title += f" · {md(str(meta.get('language', '')).upper())}"
    edited = text is not None and text != meta.get("text")
    length = _length(text, platform) if edited and text is not None else meta.get("length") or 0
    lines = [
        title,
        count_line(length, meta.get("limit"), platform, tr) + (tr(" · edited") if edited else ""),
    ]
    verdict = check_line(meta.get("check"), tr)
    if verdict:  # the verdict of the text as last checked; its findings are folded below
        lines.append(md(verdict) if "error" in (meta.get("check") or {}) else verdict)
    if meta.get("notes"):
        lines.append(tr("Notes: ") + "; ".join(md(tr.error(n)) for n in meta["notes"]))
    prompt = meta.get("prompt") or {}
    lines.append(
        " · ".join(
            md(x)
            for x in (
                f"{meta.get('backend')} / {meta.get('model')}",
                tr(
                    "prompt {template} @ {sha}",
                    template=prompt.get("template"),
                    sha=str(prompt.get("sha256", ""))[:12],
                ),
                tr("{s} s", s=tr.number(meta.get("elapsed_s") or 0, 1)),
                tr("{n} tokens", n=meta.get("tokens") or 0),
                tr("{n} sources", n=meta.get("sources", 0)),
            )
        )
    )
    review = review_line(meta.get("review") or {}, tr)
    if review:
        lines.append(review)
    return "\n".join(lines)


REVIEW_HINTS = {
    "draft": "not submitted yet: edit it above if you like, then submit it for review",
    "submitted": "waiting for a second person's review (Review tab)",
    "changes_requested": "changes requested: see the Review tab",
}


def review_line(review: dict[str, Any], tr: Translator) -> str:
    """Where a card's draft stands in review: its number and state, or why it was not saved."""
    if review.get("id"):
        state = str(review.get("state") or "draft")
        hint = REVIEW_HINTS.get(state, "see the Review tab")
        return tr(
            "📝 Draft **{number}** · **{state}** · {hint}",
            number=md("#" + str(review["id"])),
            state=md(tr(state.replace("_", " "))),
            hint=md(tr(hint)),
        )
    if review.get("unsaved"):
        return f"⚠️ {md(tr.error(review['unsaved']))}"
    return ""


def writing_header(platform: str | None, variant: int, kind: str, tr: Translator) -> str:
    return f"{_card_title(kind, platform, variant, tr)} · {tr('✍️ writing…')}"


def finding_label(severity: str, tr: Translator) -> str:
    """A finding's label in highlighted text: its severity, which the colour map knows
    whatever the rule (the table names the rule)."""
    return tr(severity)


def findings_highlight(
    text: str, check: dict[str, Any] | None, tr: Translator
) -> list[tuple[str, str | None]]:
    """The text cut into pieces, each finding's words labelled with its severity and rule.

    Overlapping findings: the most severe, then the narrowest, wins (the table lists all).
    Shown by gr.HighlightedText as plain text, never as HTML.
    """
    if not text or not check or not check.get("findings"):
        return [(text or "", None)]
    owner: list[str | None] = [None] * len(text)
    rank = {"block": 0, "warn": 1, "info": 2}
    # The most severe, then the narrowest finding owns a character: a word-level block
    # shows through a sentence-level voice warning.
    for f in sorted(check["findings"], key=lambda f: (rank[f["severity"]], f["end"] - f["start"])):
        label = finding_label(f["severity"], tr)
        for i in range(max(0, f["start"]), min(len(text), f["end"])):
            if owner[i] is None:
                owner[i] = label
    pieces: list[tuple[str, str | None]] = []
    start = 0
    for i in range(1, len(text) + 1):
        if i == len(text) or owner[i] != owner[start]:
            pieces.append((text[start:i], owner[start]))
            start = i
    return pieces


def findings_frame(text: str, check: dict[str, Any] | None, tr: Translator) -> pd.DataFrame:
    rows = []
    if check and "error" in check:
        rows.append(
            [
                tr("block"),
                tr("check_failed"),
                "",
                tr("The text could not be checked: {error}", error=tr.error(check["error"])),
                "",
                tr("fix the cause, or ask a reviewer to override"),
            ]
        )
    for f in (check or {}).get("findings", []):
        c = f.get("citation") or {}
        where = c.get("source", "")
        if c.get("line"):
            where += f":{c['line']}"
        heading = (c.get("heading") or "").split(" > ")[-1]
        guideline = f"{where} · {heading}\n{c.get('excerpt', '')}" if c else ""
        rows.append(
            [
                tr(f["severity"]),
                tr(f["rule"]),
                text[f["start"] : f["end"]],
                tr.error(f["message"]),
                guideline,
                tr.error(f.get("suggestion") or ""),
            ]
        )
    return frame(rows, FINDING_COLUMNS, tr)


def check_line(check: dict[str, Any] | None, tr: Translator) -> str:
    """One Markdown line: verdict, score, voice and counts."""
    if not check:
        return ""
    if "error" in check:
        return tr("⚠️ Check failed: {error}", error=tr.error(check["error"]))
    if "unchecked" in check:
        return tr("Not checked: {why}", why=tr.error(check["unchecked"]))
    icon = {"pass": "✅", "warn": "⚠️", "block": "⛔"}[check["verdict"]]
    counts: dict[str, int] = {}
    for f in check["findings"]:
        counts[f["severity"]] = counts.get(f["severity"], 0) + 1
    parts = [f"{n} {tr(sev)}" for sev, n in counts.items()] or [tr("no findings")]
    voice = check.get("voice") or {}
    v = tr(" · voice {score}/100", score=voice["score"]) if voice else ""
    return tr(
        "{icon} {verdict} · score {score}/100{voice} · {counts}",
        icon=icon,
        verdict=tr(check["verdict"]),
        score=check["score"],
        voice=v,
        counts=", ".join(parts),
    )


def sources_frame(draft: Draft, tr: Translator) -> pd.DataFrame:
    return frame(
        [
            [
                tr(s.kind.value),
                s.title or s.id,
                s.excerpt,
                round(s.score, 3) if s.score is not None else None,
            ]
            for s in draft.sources
        ],
        SOURCE_COLUMNS,
        tr,
    )


class _Board:
    """The values of a stream's outputs: a status line, then each slot's SLOT_FIELDS.

    Only what changes is sent (gr.skip() elsewhere), so streaming stays light.
    """

    def __init__(self, slots: int, kind: str, tr: Translator) -> None:
        self.slots = slots
        self.kind = kind
        self.tr = tr
        self.index: dict[tuple[str | None, int], int] = {}
        self.partial: dict[int, str] = {}
        self.finished: dict[int, dict[str, Any]] = {}

    def _blank(self) -> list[Any]:
        return [gr.skip()] * (1 + len(SLOT_FIELDS) * self.slots)

    def _put(self, out: list[Any], slot: int, **values: Any) -> None:
        for name, value in values.items():
            out[1 + slot * len(SLOT_FIELDS) + SLOT_FIELDS.index(name)] = value

    def reset(self, status: str) -> list[Any]:
        out = self._blank()
        out[0] = status
        for i in range(self.slots):
            self._put(
                out,
                i,
                box=gr.update(visible=False),
                header="",
                text="",
                findings=gr.update(value=[], visible=False),
                fixes=frame([], FINDING_COLUMNS, self.tr),
                sources=frame([], SOURCE_COLUMNS, self.tr),
                meta={},
                submit=gr.update(visible=False),
            )
        return out

    def queued(self, status: str) -> list[Any]:
        out = self._blank()
        out[0] = status
        return out

    def token(self, event: DraftEvent, total: int) -> list[Any]:
        tr = self.tr
        out = self._blank()
        key = (event.platform, event.variant)
        if key not in self.index:
            if len(self.index) >= self.slots:
                return out  # more drafts than slots cannot happen: inputs are checked first
            slot = self.index[key] = len(self.index)
            self.partial[slot] = ""
            name = PLATFORMS[event.platform].name if event.platform in PLATFORMS else None
            where = f" · {md(name)}" if name else ""
            out[0] = tr(
                "✍️ Writing {what} {n} of {total}{where} · variant {variant}…",
                what=tr(self.kind),
                n=slot + 1,
                total=total,
                where=where,
                variant=event.variant,
            )
            self._put(
                out,
                slot,
                box=gr.update(visible=True),
                header=writing_header(event.platform, event.variant, self.kind, tr),
                sources=frame([], SOURCE_COLUMNS, tr),
                meta={"status": "writing"},
            )
        slot = self.index[key]
        self.partial[slot] += event.text
        self._put(out, slot, text=self.partial[slot])
        return out

    def finish(self, draft: Draft, review: dict[str, Any] | None = None) -> list[Any]:
        """A finished draft's card; `review` says under which number it was saved for review
        (or why it was not)."""
        tr = self.tr
        out = self._blank()
        key = (draft.platform, draft.variant)
        slot = self.index.get(key)
        if slot is None:  # a draft without streamed tokens (a backend that cannot stream)
            if len(self.index) >= self.slots:
                return out
            slot = self.index[key] = len(self.index)
        meta = draft_meta(draft)
        meta["review"] = review or {}
        saved = bool(meta["review"].get("id"))
        self.finished[slot] = {
            "box": gr.update(visible=True),
            "header": draft_header(meta, None, tr),
            "text": draft.text,
            "findings": gr.update(
                value=findings_highlight(draft.text, draft.check, tr),
                label=check_line(draft.check, tr) or tr("Check"),
                visible=bool(draft.check),
            ),
            "fixes": findings_frame(draft.text, draft.check, tr),
            "sources": sources_frame(draft, tr),
            "meta": meta,
            "submit": gr.update(visible=saved, interactive=saved, value=tr("Submit for review")),
        }
        self._put(out, slot, **self.finished[slot])
        return out

    def done(self, status: str) -> list[Any]:
        """Every slot's final value again, so the last update alone is the whole result
        (what an API client gets)."""
        out = self._blank()
        out[0] = status
        for i in range(self.slots):
            self._put(out, i, **self.finished.get(i, {"box": gr.update(visible=False)}))
        return out

    def abort(self, message: str) -> list[Any]:
        """Hide a draft that was cut off, so nothing half-written stays on screen."""
        out = self._blank()
        for slot in set(self.index.values()) - set(self.finished):
            self._put(
                out,
                slot,
                box=gr.update(visible=False),
                header="",
                text="",
                meta={},
                submit=gr.update(visible=False),
            )
        out[0] = self.tr(
            "⚠️ Stopped after {n} finished: {why}", n=len(self.finished), why=md(message)
        )
        return out


# -- handlers ----------------------------------------------------------------------------------


@dataclass
class _Stream:
    events: Iterator[DraftEvent]
    total: int
    kind: str  # "post" | "reply"
    slots: int
    author: Actor | None = None  # who the drafts are saved for review as; None: not saved
    context: str = ""  # what they were drafted from (the brief, the customer's comment)


class Handlers:
    """Every event handler of the app, as plain methods over `Services`."""

    def __init__(self, services: Services) -> None:
        self.services = services

    # -- brands --

    def _brand(self, brand: str | None) -> str:
        if not brand:
            raise InputError(
                "no brand is selected",
                "choose one at the top, or ingest files into a new brand in the Knowledge tab",
            )
        # An unknown brand fails here, before the page is cleared for a new stream.
        return self.services.store.require_brand(brand)

    def brand_options(self) -> list[tuple[str, str]]:
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

    # -- compose --

    @user_errors
    def ideas(
        self,
        topic: str,
        count: float,
        language: str,
        brand: str | None,
        request: gr.Request | None = None,
    ) -> Iterator[tuple[Any, ...]]:
        """Post ideas for a topic: streamed text, then a numbered list and its sources."""
        tr = translator(request)
        settings = self.services.settings
        topic = _text(
            topic,
            "topic",
            settings.max_brief_chars,
            "write a topic or goal, e.g. 'the holiday gift box'",
        )
        n = _whole(count, "the number of ideas", 1, MAX_IDEAS)
        lang = _language(language)
        slug = self._brand(brand)
        started = time.perf_counter()
        raw = ""
        drafts: list[Draft] = []
        yield (
            "",
            gr.update(choices=[], value=None),
            frame([], SOURCE_COLUMNS, tr),
            self._waiting(tr, tr("✍️ Thinking of ideas…")),
        )
        try:
            for event in self.services.drafting.stream_ideas(
                topic, brand=slug, count=n, language=lang
            ):
                if event.draft is not None:
                    drafts.append(event.draft)
                elif event.type == "token":
                    if not raw:
                        yield raw, gr.skip(), gr.skip(), tr("✍️ Thinking of ideas…")
                    raw += event.text
                    yield raw, gr.skip(), gr.skip(), gr.skip()
        except Exception as e:
            message = tr.error(str(e)) if isinstance(e, CmassistError) else type(e).__name__
            yield "", gr.skip(), gr.skip(), tr("⚠️ Stopped: {why}", why=md(message))
            raise
        if not drafts:
            yield (
                "",
                gr.skip(),
                gr.skip(),
                tr("⚠️ The model gave no usable ideas: try again, or rephrase the topic."),
            )
            return
        # A model may number its ideas twice ("1. 1. ..."): the list numbers them once.
        texts = [_NUMBERED.sub("", d.text) or d.text for d in drafts]
        numbered = "\n".join(f"{i}. {t}" for i, t in enumerate(texts, start=1))
        first = drafts[0]
        found = tr("{n} ideas", n=len(drafts))
        if len(drafts) < n:
            found += tr(" (asked for {n})", n=n)
        info = " · ".join(
            md(x)
            for x in (
                found,
                first.language.upper(),
                f"{first.backend} / {first.model}",
                tr(
                    "prompt {template} @ {sha}",
                    template=first.prompt.template,
                    sha=first.prompt.sha256[:12],
                ),
                tr("{s} s", s=tr.number(time.perf_counter() - started, 1)),
            )
        )
        yield (
            numbered,
            gr.update(choices=texts, value=None),
            sources_frame(first, tr),
            "✅ " + info,
        )

    @user_errors
    def draft_posts(
        self,
        brief: str,
        platforms: list[str] | None,
        variants: float,
        language: str,
        brand: str | None,
        request: gr.Request | None = None,
    ) -> Iterator[list[Any]]:
        """Post drafts, streamed token by token into one slot per platform and variant, each
        saved for review as the logged-in user's."""
        settings = self.services.settings
        brief = _text(
            brief,
            "brief",
            settings.max_brief_chars,
            "write what the post should say, e.g. 'our Ethiopian coffee is back'",
        )
        if not platforms:
            raise InputError("no platform is selected", "tick at least one platform")
        keys = list(dict.fromkeys(get_platform(p).key for p in platforms))
        n = _whole(variants, "variants", 1, MAX_VARIANTS)
        lang = _language(language)
        slug = self._brand(brand)
        author = self._author(request)
        events = self.services.drafting.stream_posts(
            brief, brand=slug, platforms=keys, variants=n, language=lang
        )
        yield from self._stream(
            _Stream(events, len(keys) * n, "post", POST_SLOTS, author, f"Brief: {brief}"),
            translator(request),
        )

    @user_errors
    def suggest_replies(
        self,
        comment: str,
        platform: str | None,
        variants: float,
        language: str,
        brand: str | None,
        request: gr.Request | None = None,
    ) -> Iterator[list[Any]]:
        """Suggested replies to a customer's comment, streamed and saved like drafts."""
        settings = self.services.settings
        comment = _text(
            comment, "comment", settings.max_comment_chars, "paste the customer's comment"
        )
        key = None if platform in (None, "", ANY_PLATFORM) else get_platform(platform).key
        n = _whole(variants, "variants", 1, MAX_VARIANTS)
        lang = _language(language)
        slug = self._brand(brand)
        author = self._author(request)
        events = self.services.drafting.stream_replies(
            comment, brand=slug, platform=key, variants=n, language=lang
        )
        yield from self._stream(
            _Stream(events, n, "reply", REPLY_SLOTS, author, f"Customer comment: {comment}"),
            translator(request),
        )

    def _waiting(self, tr: Translator, status: str) -> str:
        """The status line, or that the request waits for the model (another draft is
        being written, by this user or another)."""
        if self.services.llm.busy:
            return tr("⏳ Queued: waiting for the model, busy with another draft…")
        return status

    def _stream(self, stream: _Stream, tr: Translator) -> Iterator[list[Any]]:
        board = _Board(stream.slots, stream.kind, tr)
        started = time.perf_counter()
        what = tr(_plural(stream.kind, stream.total))
        yield board.reset(
            self._waiting(
                tr,
                tr(
                    "✍️ Retrieving guidelines and examples for {n} {what}…",
                    n=stream.total,
                    what=what,
                ),
            )
        )
        try:
            for event in stream.events:
                if event.draft is not None:
                    yield board.finish(event.draft, self._save(stream, event.draft))
                elif event.type == "token":
                    yield board.token(event, stream.total)
        except Exception as e:
            message = tr.error(str(e)) if isinstance(e, CmassistError) else type(e).__name__
            yield board.abort(message)
            raise
        done = len(board.finished)
        then = (
            tr("submit each one you want published for review")
            if stream.author
            else tr("copy them with the copy button")
        )
        yield board.done(
            tr(
                "✅ {n} {what} ready in {s} s · edit them in place, then {then}",
                n=done,
                what=tr(_plural(stream.kind, done)),
                s=tr.number(time.perf_counter() - started, 1),
                then=then,
            )
        )

    def _save(self, stream: _Stream, draft: Draft) -> dict[str, Any]:
        """Keep a finished draft in the review store; a failure to save never hides its text."""
        if stream.author is None:
            return {
                "unsaved": "Not saved for review: nobody is logged in (serve the app with "
                "`cmassist serve` to log in)"
            }
        try:
            saved = self.services.review.save_generated(
                stream.author, [draft], context=stream.context
            )
        except Exception as e:
            if not isinstance(e, CmassistError):
                log.exception("could not save a draft for review")
            return {"unsaved": f"Not saved for review: {e}"}
        return _review_meta(saved[0]) if saved else {"unsaved": "Not saved: the draft is empty"}

    @user_errors
    def submit_draft(
        self, text: str, meta: dict[str, Any] | None, request: gr.Request | None = None
    ) -> tuple[Any, ...]:
        """Submit a card's draft for review, as the user edited it on the card."""
        tr = translator(request)
        author = self._actor(request)
        meta = dict(meta or {})
        review = meta.get("review") or {}
        if not review.get("id"):
            raise InputError(
                "this draft was not saved for review", "draft it again while logged in"
            )
        service = self.services.review
        draft_id, expected = int(review["id"]), review.get("row_version")
        # An edit that changes nothing makes no new version; otherwise the reviewer sees
        # exactly the words on the card, as version 2.
        view = service.edit(
            author, draft_id, text or "", expected=expected, note="edited before submitting"
        )
        if view.version != review.get("version"):
            expected = view.row_version  # our own edit just now
        view = service.submit(author, draft_id, expected=expected)
        meta["review"] = _review_meta(view)
        return (
            draft_header(meta, text, tr),
            meta,
            gr.update(value=tr("Submitted for review ✓"), interactive=False),
        )

    @user_errors
    def recheck_slot(
        self, text: str, meta: dict[str, Any] | None, request: gr.Request | None = None
    ) -> tuple[Any, ...]:
        """Check a card's text again, as the user edited it; the header shows the new
        verdict."""
        tr = translator(request)
        meta = dict(meta or {})
        if not meta.get("platform"):
            raise InputError("this draft has no platform to check against", "draft it again")
        result = self.services.checker.check(
            text or "",
            platform=meta["platform"],
            brand=meta.get("brand") or self.services.settings.brand,
            kind=meta.get("kind") if meta.get("kind") in ("post", "reply") else "post",
            language=meta.get("language"),
        ).public()
        return (
            gr.update(
                value=findings_highlight(text, result, tr),
                label=check_line(result, tr),
                visible=True,
            ),
            findings_frame(text, result, tr),
            draft_header({**meta, "check": result}, text, tr),
            {**meta, "check": result},
        )

    @staticmethod
    def recount(text: str, meta: dict[str, Any] | None, request: gr.Request | None = None) -> str:
        """The header of an edited draft, with the count of the text as it is now."""
        return draft_header(meta or {}, text or "", translator(request))

    @staticmethod
    def stopped(*metas: dict[str, Any] | None) -> list[Any]:
        """After Stop: hide the draft that was being written, keep the finished ones."""
        out: list[Any] = ["⏹️"]
        for meta in metas:
            writing = bool(meta) and meta.get("status") == "writing"
            out += [gr.update(visible=False) if writing else gr.skip()] + [gr.skip()] * (
                len(SLOT_FIELDS) - 1
            )
        return out

    @staticmethod
    def platform_limits(request: gr.Request | None = None) -> pd.DataFrame:
        """Each platform's limits, its columns in the user's language."""
        rows = [[r.get(c) if r.get(c) is not None else "" for c in LIMIT_COLUMNS] for r in table()]
        return frame(rows, LIMIT_COLUMNS, translator(request))

    # -- check --

    def _check(
        self,
        text: str | None,
        platform: str | None,
        kind: str | None,
        sponsored: bool | None,
        language: str | None,
        brand: str | None,
    ) -> dict[str, Any]:
        return self.services.checker.check(
            text or "",
            platform=platform or None,
            brand=self._brand(brand),
            kind=kind or "post",
            sponsored=bool(sponsored),
            language=_language(language),
        ).public()

    def _check_outputs(self, text: str, result: dict[str, Any], tr: Translator) -> tuple[Any, ...]:
        notes = "\n".join(f"- {md(tr.error(n))}" for n in result.get("notices", []))
        return (
            md(check_line(result, tr)),
            findings_highlight(text, result, tr),
            findings_frame(text, result, tr),
            notes,
        )

    @user_errors
    def check_text(
        self,
        text: str | None,
        platform: str | None,
        kind: str | None,
        sponsored: bool | None,
        language: str | None,
        brand: str | None,
        request: gr.Request | None = None,
    ) -> tuple[Any, ...]:
        result = self._check(text, platform, kind, sponsored, language, brand)
        return self._check_outputs(text or "", result, translator(request))

    @user_errors
    def apply_fixes(
        self,
        text: str | None,
        platform: str | None,
        kind: str | None,
        sponsored: bool | None,
        language: str | None,
        brand: str | None,
        request: gr.Request | None = None,
    ) -> tuple[Any, ...]:
        """Put each mechanical fix in place (as a person would write it), then check again."""
        result = self._check(text, platform, kind, sponsored, language, brand)
        fixed = apply_fixes(text or "", result["findings"])
        again = self._check(fixed, platform, kind, sponsored, language, brand)
        return (fixed, *self._check_outputs(fixed, again, translator(request)))

    @user_errors
    def rewrite(
        self,
        text: str | None,
        platform: str | None,
        kind: str | None,
        sponsored: bool | None,
        language: str | None,
        brand: str | None,
        request: gr.Request | None = None,
    ) -> Iterator[tuple[Any, ...]]:
        tr = translator(request)
        if not platform:
            raise InputError("choose the platform the text is for", "pick one in Platform")
        before = self._check(text, platform, kind, sponsored, language, brand)
        problems = [f["message"] for f in before["findings"]][:8]
        partial = ""
        yield (
            self._waiting(tr, tr("✍️ Rewriting…")),
            "",
            [("", None)],
            frame([], FINDING_COLUMNS, tr),
        )
        for event in self.services.drafting.stream_rewrite(
            text or "",
            platform=platform,
            kind=kind or "post",
            brand=self._brand(brand),
            language=_language(language),
            problems=problems,
            findings=before["findings"],  # the original is not checked twice
        ):
            if event.draft is None:
                if not partial:
                    yield (tr("✍️ Rewriting…"), gr.skip(), gr.skip(), gr.skip())
                partial += event.text
                yield (gr.skip(), partial, gr.skip(), gr.skip())
                continue
            d = event.draft
            notes = "; ".join(tr.error(n) for n in d.notes)
            # check_line is our own Markdown; the notes may quote the text: made inert.
            status = check_line(d.check, tr) + (f" · {md(notes)}" if notes else "")
            yield (
                status,
                d.text,
                findings_highlight(d.text, d.check, tr),
                findings_frame(d.text, d.check, tr),
            )

    # -- knowledge --

    @user_errors
    def ingest_files(
        self,
        files: list[str] | str | None,
        new_brand: str | None,
        kind: str,
        brand: str | None,
        request: gr.Request | None = None,
        progress: gr.Progress = gr.Progress(),  # noqa: B008
    ) -> tuple[Any, ...]:
        """Ingest uploaded files into the selected brand, or a new one; report every problem.

        Gradio 6 keeps an upload's name (`<cache>/<sha256>/<name>`, with only characters
        unsafe for a file system removed), and ingest names a file's records after its name,
        so the original names are the source names.
        """
        tr = translator(request)
        paths = [Path(str(f)) for f in ([files] if isinstance(files, str) else files or [])]
        if not paths:
            raise InputError(
                "no files to ingest",
                f"upload guideline or data files ({', '.join(UPLOAD_SUFFIXES)})",
            )
        bad = [p.name for p in paths if p.suffix.lower() not in UPLOAD_SUFFIXES]
        if bad:
            raise InputError(
                f"cannot ingest {', '.join(bad)}", f"upload {', '.join(UPLOAD_SUFFIXES)} files only"
            )
        names = [p.name for p in paths]
        twice = sorted({n for n in names if names.count(n) > 1})
        if twice:
            raise InputError(
                f"two files are named {twice[0]}",
                "file names are the source names: rename one, or upload separately",
            )
        name = (new_brand or "").strip() or brand
        if not name:
            raise InputError("no brand to ingest into", "select a brand, or type a new brand name")
        target = brand_slug(name)  # a new brand is created by ingest
        kind_arg = None if kind in (None, "", "auto") else kind

        def tick(done: int, total: int) -> None:
            progress((done, total), desc=tr("Embedding records"), unit=tr("records"))

        progress(0, desc=tr("Reading files"))
        report = ingest(self.services.store, paths, brand=target, kind=kind_arg, progress=tick)
        # Errors name the file by its path: show the name the user knows.
        errors = {f.path: (f.error or "").replace(f.path, Path(f.path).name) for f in report.files}
        files_rows = [
            [
                Path(f.path).name,
                tr(f.kind),
                f.brand or target,
                f.added,
                f.updated,
                f.unchanged,
                f.rejected,
                f.removed,
                tr.error(errors[f.path]),
            ]
            for f in report.files
        ]
        problem_rows = [
            [p.file, p.row, p.field or "", tr.error(p.message)]
            for f in report.files
            for p in f.problems
        ]
        problem_rows += [
            [Path(f.path).name, None, "", tr.error(errors[f.path])] for f in report.files if f.error
        ]
        summary = tr("{summary} · brand {brand}", summary=tr.error(report.summary()), brand=target)
        if problem_rows:
            summary = tr(
                "⚠️ {summary}. Some rows or files were not ingested: see the problems "
                "below; the good rows are in.",
                summary=summary,
            )
        else:
            summary = f"✅ {summary}."
        return (
            summary,
            frame(files_rows, FILE_COLUMNS, tr),
            frame(problem_rows, PROBLEM_COLUMNS, tr),
            self.brand_choices(target),
        )

    @user_errors
    def browse(
        self,
        kind: str,
        limit: float,
        offset: float,
        brand: str | None,
        request: gr.Request | None = None,
    ) -> tuple[pd.DataFrame, str, int]:
        """One page of what the brand's store holds."""
        tr = translator(request)
        slug = self._brand(brand)
        size = _whole(limit, "the page size", 1, 500)
        start = _whole(offset, "the offset", 0, 10**9)
        store = self.services.store
        only = _kind(kind)
        total = store.count(slug, only)
        hits = store.browse(slug, kind=only, limit=size, offset=start)
        rows = [_record_row(h, tr) for h in hits]
        what = tr(PLURALS[only.value] if only else "records")
        if not hits:
            page = tr(
                "No {what} from {first} (there are {total}).",
                what=what,
                first=start + 1,
                total=total,
            )
        else:
            page = tr(
                "{what} {first}–{last} of {total}",
                what=what.capitalize(),
                first=start + 1,
                last=start + len(hits),
                total=total,
            )
        return frame(rows, RECORD_COLUMNS, tr), page, start

    def browse_first(
        self,
        kind: str,
        limit: float,
        brand: str | None,
        request: gr.Request | None = None,
    ) -> tuple[pd.DataFrame, str, int]:
        """The first page, after the brand changed; quiet when there is no brand yet."""
        if not brand:
            tr = translator(request)
            return frame([], RECORD_COLUMNS, tr), tr("No brand selected."), 0
        return self.browse(kind, limit, 0, brand, request)

    def browse_next(
        self,
        kind: str,
        limit: float,
        offset: float,
        brand: str | None,
        request: gr.Request | None = None,
    ) -> tuple[pd.DataFrame, str, int]:
        step = _safe_int(limit, 50)
        start = _safe_int(offset, 0)
        slug = brand or ""
        total = self._total(kind, slug)
        nxt = start + step if start + step < total else start
        return self.browse(kind, limit, nxt, brand, request)

    def browse_previous(
        self,
        kind: str,
        limit: float,
        offset: float,
        brand: str | None,
        request: gr.Request | None = None,
    ) -> tuple[pd.DataFrame, str, int]:
        back = max(0, _safe_int(offset, 0) - _safe_int(limit, 50))
        return self.browse(kind, limit, back, brand, request)

    def _total(self, kind: str, brand: str) -> int:
        try:
            return self.services.store.count(brand, _kind(kind))
        except CmassistError:
            return 0  # browse() says what is wrong

    @user_errors
    def search(
        self,
        query: str,
        kind: str,
        k: float,
        brand: str | None,
        request: gr.Request | None = None,
    ) -> pd.DataFrame:
        """The records most similar to a query, best first, with their similarity."""
        tr = translator(request)
        text = _text(
            query, "query", self.services.settings.max_brief_chars, "type words to search for"
        )
        n = _whole(k, "the number of results", 1, 50)
        slug = self._brand(brand)
        only = _kind(kind)
        hits = self.services.store.search(slug, text, kind=only, k=n)
        rows = [[round(h.score or 0.0, 3), *_record_row(h, tr)] for h in hits]
        return frame(rows, SEARCH_COLUMNS, tr)

    # -- users --

    def _author(self, request: gr.Request | None) -> Actor | None:
        """Who new drafts are saved for review as; None when the app runs without a login."""
        return self._actor(request) if _username(request) else None

    def _actor(self, request: gr.Request | None) -> Actor:
        """The logged-in user, still enabled (an account disabled since login is refused)."""
        name = _username(request)
        if not name:
            raise AuthError(
                "nobody is logged in", "serve the app with `cmassist serve`, which asks for a login"
            )
        return self.services.review.actor(name)

    @user_errors
    def whoami(self, request: gr.Request | None = None) -> tuple[str, dict[str, Any]]:
        """The header's line on who is logged in, and the log-out button."""
        tr = translator(request)
        if not _username(request):
            return (tr("Not logged in: drafts are not saved for review."), gr.update(visible=False))
        actor = self._actor(request)
        return (
            tr("Logged in as **{name}** · {role}", name=md(actor.name), role=md(tr(actor.role))),
            gr.update(visible=True),
        )

    # -- review --

    @user_errors
    def filter_choices(
        self,
        request: gr.Request | None = None,
    ) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
        """The filters' choices, refreshed: the review queue's brands and authors, and the
        audit log's users (user names only for someone logged in)."""
        if not _username(request):
            return gr.skip(), gr.skip(), gr.skip()
        self._actor(request)
        every = (translator(request)(ALL), ALL)
        users = [every, *((u["name"], u["name"]) for u in self.services.review.list_users())]
        return (
            gr.update(choices=[every, *self.brand_options()]),
            gr.update(choices=users),
            gr.update(choices=users),
        )

    @user_errors
    def queue(
        self,
        brand: str | None,
        platform: str | None,
        state: str | None,
        author: str | None,
        zone: str | None,
        request: gr.Request | None = None,
    ) -> tuple[pd.DataFrame, str]:
        """The drafts that match the filters, the most recently changed first."""
        tr = translator(request)
        if not _username(request):
            return frame([], QUEUE_COLUMNS, tr), tr("Log in to see the review queue.")
        self._actor(request)
        tz = _zone(zone)
        views = self.services.review.list(
            state=_any(state),
            brand=_any(brand),
            platform=_any(platform),
            author=_any(author),
            limit=QUEUE_LIMIT,
        )
        rows = [
            [
                v.id,
                tr(v.state.replace("_", " ")),
                v.brand,
                _platform_name(v.platform),
                tr(v.kind),
                v.author,
                v.version,
                _when(v.updated_at, tz),
                excerpt(v.text, 160),
            ]
            for v in views
        ]
        info = tr("{n} draft", n=len(rows)) if len(rows) == 1 else tr("{n} drafts", n=len(rows))
        if len(rows) == QUEUE_LIMIT:
            info += tr(" (the {n} most recently changed: narrow the filters)", n=QUEUE_LIMIT)
        return frame(rows, QUEUE_COLUMNS, tr), info + tr(" · click a row to open it")

    @user_errors
    def open_draft(
        self, draft_id: float | None, zone: str | None, request: gr.Request | None = None
    ) -> tuple[Any, ...]:
        """A draft with its versions side by side, its decisions, comments and outbox."""
        actor = self._actor(request)
        view = self.services.review.get(_draft_number(draft_id))
        return self._panel(view, _zone(zone), actor, translator(request))

    @user_errors
    def open_selected(
        self, zone: str | None, evt: gr.SelectData, request: gr.Request | None = None
    ) -> tuple[Any, ...]:
        """Open the draft of the queue row that was clicked."""
        row = evt.row_value or []
        if not row or row[0] in (None, ""):
            return tuple(gr.skip() for _ in PANEL_FIELDS)
        return self.open_draft(row[0], zone, request)

    @staticmethod
    def compare(
        a: float | None,
        b: float | None,
        opened: dict[str, Any] | None,
    ) -> tuple[Any, Any]:
        """Two versions of the open draft, side by side, words removed and added marked."""
        texts = (opened or {}).get("texts") or {}
        if not texts:
            return [], []
        old = texts.get(_safe_int(a, 0), "")
        new = texts.get(_safe_int(b, 0), "")
        return word_diff(old, new)

    def _panel(
        self, view: DraftView, tz: ZoneInfo, actor: Actor, tr: Translator
    ) -> tuple[Any, ...]:
        texts = {v.number: v.text for v in view.versions}
        numbers = sorted(texts)
        b = view.version
        # A draft with one version is shown as it is, not compared with itself.
        a = max((n for n in numbers if n < b), default=b)
        choices = [
            (
                f"v{v.number} · {v.author} · {_when(v.created_at, tz)}"
                + (f" · {tr.error(v.note)}" if v.note else ""),
                v.number,
            )
            for v in view.versions
        ]
        old, new = word_diff(texts.get(a, ""), texts.get(b, ""))
        opened = {
            "id": view.id,
            "row_version": view.row_version,
            "state": view.state,
            "version": view.version,
            "texts": texts,
        }
        decisions = [
            [
                d.version,
                d.reviewer,
                tr(d.decision.replace("_", " ")),
                d.comment,
                _when(d.created_at, tz),
                (_when(d.expires_at, tz) + ("" if d.valid else tr(" (no longer valid)")))
                if d.expires_at
                else "",
            ]
            for d in view.decisions
        ]
        comments = [[_when(c.created_at, tz), c.user, c.body] for c in view.comments]
        outbox = [
            [
                o.adapter,
                _when(o.due_at, tz),
                tr(o.state),
                o.attempts,
                _when(o.published_at, tz),
                tr.error(o.last_error or ""),
            ]
            for o in view.outbox
        ]
        label = check_line(view.check, tr) or tr("Check: not run for this draft")
        if view.override:
            o = view.override
            label += tr(
                " · blocking findings overridden by {reviewer}: {reason}",
                reviewer=o["reviewer"],
                reason=o["reason"],
            )
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
            gr.update(value=findings_highlight(view.text, view.check, tr), label=label),
            findings_frame(view.text, view.check, tr),
            frame(decisions, DECISION_COLUMNS, tr),
            frame(comments, COMMENT_COLUMNS, tr),
            frame(outbox, OUTBOX_COLUMNS, tr),
        )

    def _act(
        self,
        opened: dict[str, Any] | None,
        zone: str | None,
        request: gr.Request | None,
        done: str,
        action: Callable[[Actor, int, int | None], Any],
    ) -> tuple[Any, ...]:
        """Run an action on the open draft with the row version the user saw, then show the
        draft as it is now. A stale view is a conflict: nothing is written."""
        actor = self._actor(request)
        tr = translator(request)
        tz = _zone(zone)
        draft_id, expected = _opened(opened)
        action(actor, draft_id, expected)  # a ConflictError if the draft changed since
        view = self.services.review.get(draft_id)
        status = tr(
            "✅ Draft #{id} {done}: now {state}.",
            id=view.id,
            done=tr.error(done),
            state=tr(view.state.replace("_", " ")),
        )
        return (status, *self._panel(view, tz, actor, tr))

    @user_errors
    def approve(
        self,
        opened: dict[str, Any] | None,
        comment: str | None,
        zone: str | None,
        request: gr.Request | None = None,
    ) -> tuple[Any, ...]:
        return self._act(
            opened,
            zone,
            request,
            "approved",
            lambda actor, i, seen: self.services.review.approve(
                actor, i, comment=comment or "", expected=seen
            ),
        )

    @user_errors
    def request_changes(
        self,
        opened: dict[str, Any] | None,
        comment: str | None,
        zone: str | None,
        request: gr.Request | None = None,
    ) -> tuple[Any, ...]:
        return self._act(
            opened,
            zone,
            request,
            "sent back for changes",
            lambda actor, i, seen: self.services.review.request_changes(
                actor, i, reason=comment or "", expected=seen
            ),
        )

    @user_errors
    def reject(
        self,
        opened: dict[str, Any] | None,
        comment: str | None,
        zone: str | None,
        request: gr.Request | None = None,
    ) -> tuple[Any, ...]:
        return self._act(
            opened,
            zone,
            request,
            "rejected",
            lambda actor, i, seen: self.services.review.reject(
                actor, i, reason=comment or "", expected=seen
            ),
        )

    @user_errors
    def override(
        self,
        opened: dict[str, Any] | None,
        reason: str,
        zone: str | None,
        request: gr.Request | None = None,
    ) -> tuple[Any, ...]:
        """A reviewer lets the open draft's blocking findings go, with a reason (audited)."""
        return self._act(
            opened,
            zone,
            request,
            "has its blocking findings overridden",
            lambda actor, draft_id, seen: self.services.review.override_findings(
                actor, draft_id, reason=reason or "", expected=seen
            ),
        )

    @user_errors
    def comment(
        self,
        opened: dict[str, Any] | None,
        comment: str | None,
        zone: str | None,
        request: gr.Request | None = None,
    ) -> tuple[Any, ...]:
        return self._act(
            opened,
            zone,
            request,
            "commented",
            lambda actor, i, _seen: self.services.review.add_comment(actor, i, comment or ""),
        )

    @user_errors
    def save_edit(
        self,
        opened: dict[str, Any] | None,
        text: str | None,
        note: str | None,
        zone: str | None,
        request: gr.Request | None = None,
    ) -> tuple[Any, ...]:
        """Save the text as a new version (an edit after approval goes back to review)."""
        seen = opened or {}
        if (text or "").strip() == (seen.get("texts") or {}).get(seen.get("version"), ""):
            raise InputError(
                "nothing to save: the text is the same as the current version",
                "edit the text first",
            )
        return self._act(
            opened,
            zone,
            request,
            "saved",
            lambda actor, i, seen: self._edit(actor, i, seen, text, note),
        )

    @user_errors
    def save_and_submit(
        self,
        opened: dict[str, Any] | None,
        text: str | None,
        note: str | None,
        zone: str | None,
        request: gr.Request | None = None,
    ) -> tuple[Any, ...]:
        """Save the text if it changed, then submit the draft for review."""

        def action(actor: Actor, draft_id: int, seen: int | None) -> DraftView:
            view = self._edit(actor, draft_id, seen, text, note)
            edited = view.version != (opened or {}).get("version")
            return self.services.review.submit(
                actor, draft_id, expected=view.row_version if edited else seen
            )

        return self._act(opened, zone, request, "submitted for review", action)

    def _edit(
        self, actor: Actor, draft_id: int, seen: int | None, text: str | None, note: str | None
    ) -> DraftView:
        return self.services.review.edit(
            actor,
            draft_id,
            text or "",
            expected=seen,
            note=(note or "").strip() or "edited in the app",
        )

    @user_errors
    def schedule(
        self,
        opened: dict[str, Any] | None,
        when: str | float | None,
        zone: str | None,
        adapters: list[str] | None,
        request: gr.Request | None = None,
    ) -> tuple[Any, ...]:
        """Queue an approved draft for publishing at a time, through the chosen adapters."""
        tz = _zone(zone)
        at = _parse_when(when, tz, self.services.review.now())
        known = publisher_names(self.services.settings)
        chosen = list(dict.fromkeys(adapters or []))
        if not chosen:
            raise InputError("no publishing adapter is ticked", "tick at least one")
        unknown = [a for a in chosen if a not in known]
        if unknown:
            raise InputError(
                f"unknown publishing adapter {unknown[0]!r}", f"use {', '.join(known)}"
            )
        return self._act(
            opened,
            zone,
            request,
            translator(request)("scheduled for {when} ({zone})", when=_when(at, tz), zone=tz.key),
            lambda actor, i, seen: self.services.review.schedule(
                actor, i, at, adapters=chosen, expected=seen
            ),
        )

    # -- calendar --

    def calendar(
        self,
        day: str | None,
        zone: str | None,
        request: gr.Request | None = None,
    ) -> tuple[Any, ...]:
        """A week of scheduled and published posts, a row per day, in the user's time zone."""
        return self._calendar(day, zone, request, 0)

    def calendar_previous(
        self, day: str | None, zone: str | None, request: gr.Request | None = None
    ) -> tuple[Any, ...]:
        return self._calendar(day, zone, request, -1)

    def calendar_next(
        self, day: str | None, zone: str | None, request: gr.Request | None = None
    ) -> tuple[Any, ...]:
        return self._calendar(day, zone, request, 1)

    def calendar_this_week(
        self,
        zone: str | None,
        request: gr.Request | None = None,
    ) -> tuple[Any, ...]:
        return self._calendar(None, zone, request, 0)

    @user_errors
    def _calendar(
        self, day: str | None, zone: str | None, request: gr.Request | None, weeks: int
    ) -> tuple[Any, ...]:
        tr = translator(request)
        if not _username(request):
            return (tr("Log in to see the calendar."), *[gr.skip()] * WEEK_DAYS, day or "")
        self._actor(request)
        tz = _zone(zone)
        today = self.services.review.now().astimezone(tz).date()
        start = _monday(day, today) + timedelta(weeks=weeks)
        begin = datetime(start.year, start.month, start.day, tzinfo=tz)
        end_day = start + timedelta(days=7)
        end = datetime(end_day.year, end_day.month, end_day.day, tzinfo=tz)
        review = self.services.review
        posts: dict[tuple[int, int, datetime], list[Any]] = {}
        for item in review.outbox(since=begin, until=end):
            if item.state != "cancelled":
                posts.setdefault((item.draft_id, item.version, item.due_at), []).append(item)
        views = {i: review.get(i) for i in sorted({key[0] for key in posts})}
        days: dict[date, list[str]] = {start + timedelta(days=i): [] for i in range(WEEK_DAYS)}
        for (draft_id, version, due), items in sorted(posts.items(), key=lambda kv: kv[0][2]):
            local = due.astimezone(tz)
            if local.date() in days:
                days[local.date()].append(
                    _calendar_line(views[draft_id], version, local, items, tr)
                )
        # A text box per day: each post on its own line, shown as plain text.
        boxes = [
            gr.update(
                label=f"{_day_label(d, tr)} · "
                + (tr("{n} post", n=1) if len(lines) == 1 else tr("{n} posts", n=len(lines))),
                value="\n".join(lines) or "–",
            )
            for d, lines in days.items()
        ]
        count = tr("{n} post", n=1) if len(posts) == 1 else tr("{n} posts", n=len(posts))
        title = tr(
            "**Week of {first}** to {last} · {count} · times in {zone}",
            first=md(_day_label(start, tr, year=True)),
            last=md(_day_label(end_day - timedelta(days=1), tr, year=True)),
            count=count,
            zone=md(tz.key),
        )
        if review.is_paused():
            title += tr(" · ⏸️ **publishing is paused**: nothing goes out until an admin resumes it")
        return (title, *boxes, start.isoformat())

    # -- audit --

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
        if not _username(request):
            return frame([], AUDIT_COLUMNS, tr), tr("Log in to see the audit log.")
        if not self._actor(request).can_review():
            return frame([], AUDIT_COLUMNS, tr), tr("The audit log is for reviewers and admins.")
        tz = _zone(zone)
        n = _whole(limit, "the number of entries", 1, 10_000)
        entries = self.services.review.audit_log(limit=n, **_audit_filters(actor, action, draft_id))
        rows = [
            [
                _when(a.at, tz, seconds=True),
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
        user = self._actor(request)
        if not user.can_review():
            raise ForbiddenError(
                f"{user.name} ({user.role}) may not export the audit log",
                "ask a reviewer or an admin",
            )
        if fmt not in ("csv", "json"):
            raise InputError(f"unknown export format {fmt!r}", "choose csv or json")
        text = self.services.review.export_audit(fmt, **_audit_filters(actor, action, draft_id))
        stamp = self.services.review.now().strftime("%Y%m%d-%H%M%S")
        path = Path(tempfile.mkdtemp(prefix="cmassist-audit-")) / f"audit-{stamp}.{fmt}"
        path.write_text(text, encoding="utf-8")
        return str(path)

    # -- admin --

    @user_errors
    def publishing(
        self,
        zone: str | None = None,
        request: gr.Request | None = None,
    ) -> tuple[str, dict[str, Any], dict[str, Any]]:
        """Whether publishing is paused, by whom and why, and whether a publishing worker
        runs; the buttons that change it are live for admins only."""
        tr = translator(request)
        tz = _zone(zone)
        review = self.services.review
        paused = review.is_paused()
        if paused:
            last = review.audit_log(action="paused", limit=1)
            why = ""
            if last:
                why = tr(
                    " by {who} on {when}", who=md(last[0].actor), when=md(_when(last[0].at, tz))
                )
                why += f": “{md(last[0].reason)}”" if last[0].reason else ""
            state = tr(
                "⏸️ **Publishing is paused**{why}. Nothing goes out until an admin "
                "resumes it; scheduled posts wait in the outbox.",
                why=why,
            )
        else:
            state = tr("🟢 **Publishing is on**: approved posts go out when they are due.")
        state += "\n\n" + self._worker_line(tr, tz)
        admin = bool(_username(request)) and self._actor(request).role == "admin"
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
                    when=md(_when(status.last_run, tz, seconds=True) or tr("not yet")),
                )
            )
        due = status.next_due
        lines.append(
            tr("Next post due: {when}", when=md(_when(due, tz))) if due else tr("No post is due.")
        )
        for f in status.failures[:5]:
            lines.append(
                tr(
                    "⚠️ {when} · draft #{draft} via {adapter}: {error}",
                    when=md(_when(f.at, tz)),
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
        self.services.review.set_paused(self._actor(request), True, reason=(reason or "").strip())
        return self.publishing(zone, request)

    @user_errors
    def resume(
        self, reason: str | None, zone: str | None, request: gr.Request | None = None
    ) -> tuple[Any, ...]:
        self.services.review.set_paused(self._actor(request), False, reason=(reason or "").strip())
        return self.publishing(zone, request)

    # -- users --

    def _admin(self, request: gr.Request | None) -> Actor:
        actor = self._actor(request)
        if actor.role != "admin":
            raise ForbiddenError(
                f"{actor.name} ({actor.role}) may not manage users", "ask an admin"
            )
        return actor

    @user_errors
    def users(self, request: gr.Request | None = None) -> tuple[pd.DataFrame, dict[str, Any]]:
        """Every account, with its role and whether it can log in (admins only)."""
        tr = translator(request)
        if not _username(request) or self._actor(request).role != "admin":
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

    # -- inbox --

    @user_errors
    def inbox_brands(self, request: gr.Request | None = None) -> dict[str, Any]:
        """The inbox's brand filter, refreshed when the page loads."""
        if not _username(request):
            return gr.skip()
        self._actor(request)
        return gr.update(choices=[(translator(request)(ALL), ALL), *self.brand_options()])

    @user_errors
    def inbox_queue(
        self,
        brand: str | None,
        platform: str | None,
        action: str | None,
        sentiment: str | None,
        language: str | None,
        status: str | None,
        zone: str | None,
        selected: list[int] | None,
        request: gr.Request | None = None,
    ) -> tuple[pd.DataFrame, str, list[int], str]:
        """The messages that match the filters, most urgent first, with the ticked ones
        that are still shown (a ticked message that a filter hides is unticked, so that a
        bulk action never touches a message nobody sees)."""
        tr = translator(request)
        if not _username(request):
            return frame([], INBOX_COLUMNS, tr), tr("Log in to see the inbox."), [], ""
        self._actor(request)
        tz = _zone(zone)
        inbox = self.services.inbox
        views = inbox.list(
            brand=_any(brand),
            platform=_any(platform),
            action=_any(action),
            sentiment=_any(sentiment),
            language=_any(language),
            status=_any(status),
            limit=INBOX_LIMIT,
        )
        shown = {v.id for v in views}
        ticked = [i for i in _message_ids(selected) if i in shown]
        rows = [_inbox_row(v, tz, v.id in ticked, tr) for v in views]
        info = (
            tr("**{n}** message, most urgent first", n=len(rows))
            if len(rows) == 1
            else tr("**{n}** messages, most urgent first", n=len(rows))
        )
        if len(rows) == INBOX_LIMIT:
            info += tr(" (the {n} most urgent: narrow the filters)", n=INBOX_LIMIT)
        counts = inbox.counts(_any(brand))
        info += " · " + " · ".join(f"{tr(s)} {tr.number(counts.get(s, 0))}" for s in INBOX_STATUSES)
        pending = inbox.pending()
        if pending:
            info += tr(" · {n} waiting for triage", n=pending)
        info += tr(" · click {box} to tick a message, any other cell to open it", box=UNTICKED)
        return frame(rows, INBOX_COLUMNS, tr), info, ticked, _ticked_line(ticked, tr)

    @user_errors
    def inbox_open(
        self, message_id: float | None, zone: str | None, request: gr.Request | None = None
    ) -> tuple[Any, ...]:
        """A message in full, as plain text, with the reasons for its triage."""
        self._actor(request)
        tr = translator(request)
        message = self.services.inbox.get(_message_number(message_id))
        tz = _zone(zone)
        return (
            message.id,
            _message_head(message, tz, tr),
            message.author,
            message.thread,
            message.text,
            _reasons_frame(message, tr),
        )

    @staticmethod
    def inbox_reply_cleared(request: gr.Request | None = None) -> tuple[Any, ...]:
        """The reply area emptied, when another message is opened."""
        tr = translator(request)
        return (
            "",
            "",
            gr.update(value=[("", None)], label=tr("Check")),
            frame([], FINDING_COLUMNS, tr),
            None,
            gr.update(visible=False),
        )

    @user_errors
    def inbox_clicked(
        self,
        table: pd.DataFrame | None,
        selected: list[int] | None,
        zone: str | None,
        evt: gr.SelectData,
        request: gr.Request | None = None,
    ) -> tuple[Any, ...]:
        """A click in the queue: on the select cell it ticks or unticks the message,
        anywhere else it opens it."""
        row = evt.row_value or []
        skip_detail = [gr.skip()] * (len(MESSAGE_FIELDS) + len(INBOX_REPLY_FIELDS))
        tr = translator(request)
        message_id = _safe_int(row[1], 0) if len(row) > 1 else 0
        if not message_id:
            return (gr.skip(), gr.skip(), gr.skip(), *skip_detail)
        column = evt.index[1] if isinstance(evt.index, list | tuple) else None
        if column == 0:
            ticked = _message_ids(selected)
            if message_id in ticked:
                ticked.remove(message_id)
            else:
                ticked.append(message_id)
            return (_ticked_table(table, ticked), ticked, _ticked_line(ticked, tr), *skip_detail)
        return (
            gr.skip(),
            gr.skip(),
            gr.skip(),
            *self.inbox_open(message_id, zone, request),
            *self.inbox_reply_cleared(request),
        )

    @staticmethod
    def inbox_tick_all(
        table: pd.DataFrame | None, request: gr.Request | None = None
    ) -> tuple[pd.DataFrame, list[int], str]:
        """Tick every message the queue shows."""
        ids = [] if table is None or table.empty else _message_ids(list(table.iloc[:, 1]))
        return _ticked_table(table, ids), ids, _ticked_line(ids, translator(request))

    @staticmethod
    def inbox_untick_all(
        table: pd.DataFrame | None, request: gr.Request | None = None
    ) -> tuple[pd.DataFrame, list[int], str]:
        return _ticked_table(table, []), [], _ticked_line([], translator(request))

    def _inbox_status(
        self,
        status: str,
        selected: list[int] | None,
        reason: str | None,
        request: gr.Request | None,
    ) -> tuple[str, list[int]]:
        actor = self._actor(request)
        ids = _message_ids(selected)
        if not ids:
            raise InputError(
                "no message is ticked", f"tick messages with {UNTICKED} in the first column"
            )
        n = self.services.inbox.set_status(actor, ids, status, reason=(reason or "").strip())
        tr = translator(request)
        what = tr("{n} message", n=n) if n == 1 else tr("{n} messages", n=n)
        return f"✅ {what} {tr(INBOX_DONE[status])}", []

    @user_errors
    def inbox_hide(
        self, selected: list[int] | None, reason: str | None, request: gr.Request | None = None
    ) -> tuple[str, list[int]]:
        return self._inbox_status("hidden", selected, reason, request)

    @user_errors
    def inbox_handled(
        self, selected: list[int] | None, reason: str | None, request: gr.Request | None = None
    ) -> tuple[str, list[int]]:
        return self._inbox_status("handled", selected, reason, request)

    @user_errors
    def inbox_reopen(
        self, selected: list[int] | None, reason: str | None, request: gr.Request | None = None
    ) -> tuple[str, list[int]]:
        return self._inbox_status("new", selected, reason, request)

    @user_errors
    def inbox_draft_reply(
        self, message_id: float | None, request: gr.Request | None = None
    ) -> Iterator[tuple[Any, ...]]:
        """A reply to the open message, drafted in the brand's voice, checked, saved for
        review as the user's and linked to the message; it can be edited and submitted
        right there."""
        tr = translator(request)
        actor = self._actor(request)
        message = self.services.inbox.get(_message_number(message_id))
        lead = tr("**Reply to message {number}**", number=md("#" + str(message.id)))
        if (message.triage or {}).get("injection"):
            lead = f"{tr(INJECTION_WARNING)}\n\n{lead}"
        skip2 = (gr.skip(), gr.skip())
        yield (
            self._waiting(tr, f"{lead} · {tr('✍️ drafting…')}"),
            "",
            gr.update(value=[("", None)], label=tr("Check")),
            frame([], FINDING_COLUMNS, tr),
            None,
            gr.update(visible=False),
        )
        partial = ""
        draft: Draft | None = None
        try:
            for event in self.services.drafting.stream_replies(
                message.text, brand=message.brand, platform=message.platform, variants=1
            ):
                if event.draft is not None:
                    draft = event.draft
                elif event.type == "token":
                    if not partial:
                        yield (
                            f"{lead} · {tr('✍️ drafting…')}",
                            gr.skip(),
                            gr.skip(),
                            gr.skip(),
                            *skip2,
                        )
                    partial += event.text
                    yield (gr.skip(), partial, gr.skip(), gr.skip(), *skip2)
        except Exception as e:
            problem = tr.error(str(e)) if isinstance(e, CmassistError) else type(e).__name__
            yield (
                tr("{lead} · ⚠️ stopped: {why}", lead=lead, why=md(problem)),
                "",
                gr.skip(),
                gr.skip(),
                *skip2,
            )
            raise
        if draft is None or not draft.text.strip():
            yield (
                tr("{lead} · ⚠️ the model gave no reply", lead=lead),
                "",
                gr.skip(),
                gr.skip(),
                *skip2,
            )
            raise LLMError("the model gave no reply", "try again")
        context = (
            f"Inbox message #{message.id} on {_platform_name(message.platform)}"
            f" from {message.author or 'someone'}: {message.text}"
        )
        saved = self.services.review.save_generated(
            actor, [draft], context=context, platform=message.platform
        )
        self.services.inbox.link_draft(actor, message.id, saved[0].id)
        status = tr(
            "{lead} · 📝 Draft {number} saved for review: edit it here and submit it, "
            "or open it in the Review tab",
            lead=lead,
            number=md("#" + str(saved[0].id)),
        )
        if (draft.check or {}).get("verdict") == "block":
            status += "\n\n" + tr("⛔ It has blocking findings: fix them before submitting.")
        yield (
            status,
            draft.text,
            gr.update(
                value=findings_highlight(draft.text, draft.check, tr),
                label=check_line(draft.check, tr) or tr("Check"),
            ),
            findings_frame(draft.text, draft.check, tr),
            {**_review_meta(saved[0]), "platform": message.platform, "brand": message.brand},
            gr.update(visible=True, interactive=True, value=tr("Submit for review")),
        )

    @user_errors
    def inbox_submit_reply(
        self, text: str | None, saved: dict[str, Any] | None, request: gr.Request | None = None
    ) -> tuple[Any, ...]:
        """Submit the drafted reply for review as the user edited it in the Inbox tab."""
        tr = translator(request)
        author = self._actor(request)
        if not saved or not saved.get("id"):
            raise InputError("no reply is drafted for this message", "press Draft reply first")
        service = self.services.review
        draft_id, expected = int(saved["id"]), saved.get("row_version")
        view = service.edit(
            author, draft_id, text or "", expected=expected, note="edited in the inbox"
        )
        if view.version != saved.get("version"):
            expected = view.row_version
        view = service.submit(author, draft_id, expected=expected)
        result = self.services.checker.check(
            view.text,
            platform=saved.get("platform"),
            brand=saved.get("brand") or self.services.settings.brand,
            kind="reply",
        ).public()
        return (
            tr(
                "✅ Draft {number} submitted for review: a second person approves it in the "
                "Review tab.",
                number=md("#" + str(view.id)),
            ),
            gr.update(
                value=findings_highlight(view.text, result, tr), label=check_line(result, tr)
            ),
            findings_frame(view.text, result, tr),
            {**saved, **_review_meta(view)},
            gr.update(interactive=False, value=tr("Submitted for review ✓")),
        )

    @user_errors
    def inbox_import(
        self,
        file: str | None,
        brand_name: str | None,
        skip_bad: bool | None,
        brand: str | None,
        request: gr.Request | None = None,
    ) -> tuple[str, pd.DataFrame]:
        """Import a file of messages, then triage what is new. A file with a bad row
        imports nothing, unless bad rows are to be skipped."""
        self._actor(request)
        tr = translator(request)
        if not file:
            raise InputError(
                "no file to import", f"upload a {', '.join(INBOX_SUFFIXES)} file of messages"
            )
        path = Path(str(file))
        if path.suffix.lower() not in INBOX_SUFFIXES:
            raise InputError(
                f"cannot import {path.name}", f"upload a {', '.join(INBOX_SUFFIXES)} file"
            )
        if path.stat().st_size > INBOX_MAX_BYTES:
            raise InputError(
                f"{path.name} is {path.stat().st_size / 1e6:.0f} MB, over the "
                f"{INBOX_MAX_BYTES // 2**20} MB limit",
                "split the file",
            )
        target = self._brand((brand_name or "").strip() or brand)
        inbox = self.services.inbox
        report = inbox.import_bytes(
            path.read_bytes(), path.name, brand=target, skip_bad=bool(skip_bad)
        )
        problems = frame(
            [[e.where, e.field, tr.error(e.problem)] for e in report.errors],
            IMPORT_ERROR_COLUMNS,
            tr,
        )
        bad = len(report.errors)
        if bad and not skip_bad:
            return (
                tr(
                    "⛔ **Nothing imported**: {bad} in {total} rows (below). Fix the file, or "
                    "tick “Skip bad rows” to import the good ones.",
                    bad=tr("{n} problem", n=bad) if bad == 1 else tr("{n} problems", n=bad),
                    total=report.total,
                ),
                problems,
            )
        triaged = inbox.triage_pending(limit=5000)
        added = len(report.added)
        summary = tr(
            "{added} added · {skipped} already in the inbox · {triaged} triaged",
            added=tr("{n} message", n=added) if added == 1 else tr("{n} messages", n=added),
            skipped=report.skipped,
            triaged=len(triaged),
        )
        if report.repaired:
            summary += tr(" · {n} with broken characters (U+FFFD) removed", n=report.repaired)
        if bad:
            summary = "⚠️ " + summary + tr(" · {n} bad rows skipped (below)", n=bad)
        else:
            summary = f"✅ {summary}"
        alerts = inbox.alerts(status="open", brand=target)
        if alerts:
            summary += "\n\n" + (
                tr("🚨 {n} open crisis alert: see the top of this tab", n=1)
                if len(alerts) == 1
                else tr("🚨 {n} open crisis alerts: see the top of this tab", n=len(alerts))
            )
        return summary, problems

    # -- crisis alerts --

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
        if not _username(request):
            return hidden
        actor = self._actor(request)
        inbox = self.services.inbox
        alerts = inbox.alerts(status="open", brand=_any(brand))
        if not alerts:
            return hidden
        wanted = _safe_int(chosen, 0)
        alert = next((a for a in alerts if a.id == wanted), alerts[0])
        tz = _zone(zone)
        rows = [
            [
                m.id,
                _when(m.received_at, tz),
                _platform_name(m.platform),
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
                start=md(_when(alert.window_start, tz)),
                end=md(_when(alert.window_end, tz)),
                zone=md(tz.key),
                raised=md(_when(alert.raised_at, tz)),
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
        actor = self._actor(request)
        drafts = self.services.crisis_drafts(actor, _alert_number(chosen))
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
        actor = self._actor(request)
        alert = self.services.inbox.alert(_alert_number(chosen))
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
        actor = self._actor(request)
        alert_id = _alert_number(chosen)
        self.services.inbox.close_alert(actor, alert_id, reason=(note or "").strip())
        return translator(request)(
            "✅ Crisis alert {number} closed.", number=md("#" + str(alert_id))
        )


def _plural(kind: str, n: int) -> str:
    return kind if n == 1 else {"reply": "replies"}.get(kind, f"{kind}s")


def _safe_int(value: Any, default: int) -> int:
    try:
        return int(value)
    except (TypeError, ValueError, OverflowError):
        return default


def _record_row(hit: Hit, tr: Translator) -> list[Any]:
    m = hit.metadata
    # A guideline's heading is its path in the document; the last part names the passage.
    label = (
        m.get("platform")
        if hit.kind in (Kind.POST, Kind.REPLY)
        else str(m.get("heading") or "").split(" > ")[-1]
    )
    reply = excerpt(str(m.get("reply", "")), 200) if hit.kind == Kind.REPLY else ""
    return [
        hit.id,
        tr(hit.kind.value),
        str(label or ""),
        str(m.get("language") or ""),
        str(m.get("date") or "")[:10],
        str(m.get("source") or ""),
        excerpt(hit.text, 240),
        reply,
    ]


# -- review helpers: users, times, differences -------------------------------------------------


def _username(request: gr.Request | None) -> str | None:
    return (getattr(request, "username", None) or None) if request is not None else None


def _review_meta(view: DraftView) -> dict[str, Any]:
    """What a draft card keeps about its saved draft, to submit it without a lost update."""
    return {
        "id": view.id,
        "state": view.state,
        "version": view.version,
        "row_version": view.row_version,
    }


def _any(value: str | None) -> str | None:
    return None if value in (None, "", ALL) else value


def _platform_name(key: str) -> str:
    return PLATFORMS[key].name if key in PLATFORMS else key


def _draft_number(value: Any) -> int:
    if value in (None, ""):
        raise InputError("no draft number", "click a row of the queue, or type its number")
    return _whole(value, "the draft number", 1, 10**12)


def _opened(opened: dict[str, Any] | None) -> tuple[int, int | None]:
    """The open draft's number and the row version its reviewer saw."""
    if not opened or not opened.get("id"):
        raise InputError(
            "no draft is open", "click a row of the queue, or type its number and press Open"
        )
    return int(opened["id"]), opened.get("row_version")


def local_zone_name() -> str:
    """The server's IANA time zone, used until the browser says its own."""
    name = os.environ.get("TZ", "").lstrip(":")
    if not name:
        target = os.path.realpath("/etc/localtime")
        name = target.split("zoneinfo/", 1)[1] if "zoneinfo/" in target else "UTC"
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return "UTC"
    return name


def _zone(name: str | None) -> ZoneInfo:
    try:
        return ZoneInfo((name or "").strip() or "UTC")
    except (ZoneInfoNotFoundError, ValueError, OSError) as e:
        raise InputError(
            f"unknown time zone {name!r}",
            "choose one from the list, or type a name such as America/Toronto",
        ) from e


def _when(moment: datetime | None, tz: ZoneInfo, *, seconds: bool = False) -> str:
    if moment is None:
        return ""
    return moment.astimezone(tz).strftime("%Y-%m-%d %H:%M" + (":%S" if seconds else ""))


def _parse_when(value: str | float | None, tz: ZoneInfo, now: datetime) -> datetime:
    """A publishing time typed or picked by the user; without an offset it is in `tz`."""
    if value is None or (isinstance(value, str) and not value.strip()):
        raise InputError("no publishing time", "pick a date and time")
    if isinstance(value, int | float):
        at = datetime.fromtimestamp(value, UTC)
    else:
        try:
            at = datetime.fromisoformat(value.strip())
        except ValueError as e:
            raise InputError(
                f"cannot read the time {value!r}", "use YYYY-MM-DD HH:MM, e.g. 2026-12-01 09:00"
            ) from e
    if at.tzinfo is None:
        at = at.replace(tzinfo=tz)
    if at < now - timedelta(minutes=1):
        raise InputError(f"{_when(at, tz)} ({tz.key}) is in the past", "pick a later time")
    return at


def _monday(day: str | None, today: date) -> date:
    """The Monday of the week that holds `day` (YYYY-MM-DD), or of this week."""
    text = (day or "").strip()
    if text:
        try:
            today = date.fromisoformat(text[:10])
        except ValueError as e:
            raise InputError(
                f"cannot read the day {text!r}", "use YYYY-MM-DD, e.g. 2026-12-01"
            ) from e
    return today - timedelta(days=today.weekday())


WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _day_label(day: date, tr: Translator, *, year: bool = False) -> str:
    """ "Mon 7 Dec" / "lun. 7 déc.", whatever the server's locale."""
    label = f"{tr(WEEKDAYS[day.weekday()])} {day.day} {tr(MONTHS[day.month - 1])}"
    return label + (f" {day.year}" if year else "")


def _calendar_line(
    view: DraftView, version: int, local: datetime, items: list[Any], tr: Translator
) -> str:
    text = next((v.text for v in view.versions if v.number == version), view.text)
    states = sorted({tr(i.state) for i in items})
    return " · ".join(
        (
            f"{local:%H:%M}",
            f"#{view.id}",
            view.brand,
            _platform_name(view.platform),
            ", ".join(i.adapter for i in items),
            "/".join(states),
            excerpt(text, 90),
        )
    )


def _audit_filters(actor: str | None, action: str | None, draft_id: Any) -> dict[str, Any]:
    filters: dict[str, Any] = {}
    if _any((actor or "").strip()):
        filters["actor"] = (actor or "").strip().lower()
    if _any((action or "").strip()):
        filters["action"] = (action or "").strip()
    if draft_id not in (None, "", 0):
        filters["draft_id"] = _draft_number(draft_id)
    return filters


# A word with the spaces after it, so that a run of changed words is one marked span.
_WORDS = re.compile(r"\S+\s*|\s+")


def word_diff(
    old: str, new: str
) -> tuple[list[tuple[str, str | None]], list[tuple[str, str | None]]]:
    """Two texts side by side, word by word: the words only in `old` marked "removed",
    those only in `new` marked "added" (values for gr.HighlightedText, shown as text)."""
    a, b = _WORDS.findall(old), _WORDS.findall(new)
    left: list[tuple[str, str | None]] = []
    right: list[tuple[str, str | None]] = []
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            left.append(("".join(a[i1:i2]), None))
            right.append(("".join(b[j1:j2]), None))
            continue
        if i2 > i1:
            left.append(("".join(a[i1:i2]), "removed"))
        if j2 > j1:
            right.append(("".join(b[j1:j2]), "added"))
    return left, right


def _summary(view: DraftView, actor: Actor, tz: ZoneInfo, tr: Translator) -> str:
    head = " · ".join(
        (
            tr("**Draft {number}**", number=md("#" + str(view.id))),
            md(view.brand),
            md(_platform_name(view.platform)),
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
        state += tr(" · approval valid until {when}", when=md(_when(view.approved_until, tz)))
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


def publisher_names(settings: Settings) -> list[str]:
    """The publishing adapters a draft can be scheduled through: those the settings
    configure (a misconfigured one is a ConfigError, as for the outbox worker)."""
    return list(build_publishers(settings))


def app_auth(
    services: Services, *, admin_user: str | None = None, admin_password: str | None = None
) -> Callable[[str, str], bool]:
    """The login check for `launch(auth=...)`, over the review store's users.

    On a fresh install (no user yet) the first admin is created from `admin_user` and
    `admin_password`, or else CMASSIST_ADMIN_USER and CMASSIST_ADMIN_PASSWORD; without them
    this refuses with a ConfigError, so that no app is served that nobody can log in to.
    """
    review = services.review
    if not review.has_users():
        name = admin_user or os.environ.get("CMASSIST_ADMIN_USER", "")
        password = admin_password or os.environ.get("CMASSIST_ADMIN_PASSWORD", "")
        if not (name.strip() and password):
            raise ConfigError(
                "no user can log in yet",
                "create the first admin with `cmassist users add NAME --role admin`, or set "
                "CMASSIST_ADMIN_USER and CMASSIST_ADMIN_PASSWORD and `cmassist serve` creates it",
            )
        actor = review.add_user(name, password, "admin", by="serve")
        log.warning("created the first admin, %r", actor.name)

    def check(username: str, password: str) -> bool:
        try:
            review.authenticate(username, password)
        except AuthError:
            return False  # audited as login_failed by the service
        return True

    return check


# -- inbox helpers ------------------------------------------------------------------------------


def _message_number(value: Any) -> int:
    if value in (None, "", 0):
        raise InputError("no message is open", "click a message in the queue, or type its id")
    return _whole(value, "the message id", 1, 10**12)


def _alert_number(value: Any) -> int:
    if value in (None, "", 0):
        raise InputError("no crisis alert is selected", "refresh the inbox")
    return _whole(value, "the alert number", 1, 10**12)


def _message_ids(values: Iterable[Any] | None) -> list[int]:
    """Ticked message ids, each once, in order; anything else is dropped."""
    ids = (_safe_int(v, 0) for v in values or [])
    return list(dict.fromkeys(i for i in ids if i > 0))


def _ticked_line(ids: list[int], tr: Translator) -> str:
    if not ids:
        return tr(
            "Tick messages with {box} in the first column to act on several at once.",
            box=UNTICKED,
        )
    if len(ids) == 1:
        return tr("**{n}** message ticked", n=1)
    return tr("**{n}** messages ticked", n=len(ids))


def _ticked_table(table: pd.DataFrame | None, ids: list[int]) -> pd.DataFrame:
    """The queue as shown (its headers in the user's language), its select column (the
    first) following `ids`; the message id is the second column."""
    if table is None or table.empty or table.shape[1] < 2:
        return pd.DataFrame(columns=table.columns if table is not None else INBOX_COLUMNS)
    out = table.copy()
    ticked = set(ids)
    out.iloc[:, 0] = [TICKED if _safe_int(i, 0) in ticked else UNTICKED for i in out.iloc[:, 1]]
    return out


def _flags(message: MessageView, tr: Translator) -> str:
    triage = message.triage or {}
    flags = [tr(f) for f in INBOX_FLAGS if triage.get(f)]
    if message.draft_id:
        flags.append(tr("draft #{id}", id=message.draft_id))
    return ", ".join(flags)


def _inbox_row(message: MessageView, tz: ZoneInfo, ticked: bool, tr: Translator) -> list[Any]:
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
        _platform_name(message.platform),
        message.author,
        _when(message.received_at, tz),
        excerpt(message.text, INBOX_TEXT_CHARS),
        _flags(message, tr),
    ]


def _message_head(message: MessageView, tz: ZoneInfo, tr: Translator) -> str:
    """A message's facts as Markdown, from our own strings and numbers: its author and text
    are shown in text boxes."""
    triage = message.triage or {}
    lines = [
        " · ".join(
            (
                tr("**Message {number}**", number=md("#" + str(message.id))),
                md(_platform_name(message.platform)),
                md(tr(message.kind)),
                tr("brand {brand}", brand=md(message.brand)),
                tr("received {when}", when=md(_when(message.received_at, tz))),
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


def _reasons_frame(message: MessageView, tr: Translator) -> pd.DataFrame:
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


# -- layout -----------------------------------------------------------------------------------


@dataclass
class _Slot:
    box: gr.Column
    header: gr.Markdown
    text: gr.Textbox
    findings: gr.HighlightedText
    fixes: gr.Dataframe
    sources: gr.Dataframe
    meta: gr.State
    submit: gr.Button

    def outputs(self) -> list[Any]:
        return [getattr(self, name) for name in SLOT_FIELDS]


def _slots(n: int, kind: str, handlers: Handlers) -> list[_Slot]:
    slots = []
    for _ in range(n):
        with gr.Column(visible=False, variant="panel") as box:
            header = gr.Markdown(latex_delimiters=[], line_breaks=True)
            # The copy button shows only with the label.
            text = gr.Textbox(
                label=L("Text: edit it here, then submit or copy it"),
                lines=4,
                max_lines=30,
                interactive=True,
                buttons=["copy"],
                placeholder=L("The post appears here")
                if kind == "post"
                else L("The reply appears here"),
            )
            # The text once, editable; its findings marked in it below, folded away.
            with gr.Accordion(L("Findings: what, why (the guideline) and the fix"), open=False):
                findings = gr.HighlightedText(
                    label=L("Check"),
                    visible=False,
                    color_map=FINDING_COLORS_BY_LABEL,
                    show_legend=False,
                    combine_adjacent=True,
                    interactive=False,
                )
                fixes = _findings_table()
                recheck = gr.Button(L("Check again"), size="sm")
            with gr.Accordion(L("Sources: guideline passages and past examples used"), open=False):
                sources = _table(
                    SOURCE_COLUMNS,
                    "Sources",
                    ["score"],
                    max_height=320,
                    column_widths=SOURCE_WIDTHS,
                )
            meta = gr.State({})
            submit = gr.Button(L("Submit for review"), visible=False, size="sm")
        text.input(
            handlers.recount,
            [text, meta],
            header,
            queue=False,
            show_progress="hidden",
            api_visibility="private",
            trigger_mode="always_last",
        )
        submit.click(
            handlers.submit_draft, [text, meta], [header, meta, submit], api_visibility="private"
        )
        recheck.click(
            handlers.recheck_slot,
            [text, meta],
            [findings, fixes, header, meta],
            api_visibility="private",
        )
        slots.append(_Slot(box, header, text, findings, fixes, sources, meta, submit))
    return slots


def _flat(slots: Iterable[_Slot]) -> list[Any]:
    return [c for s in slots for c in s.outputs()]


# The tables laid out by the build in progress, with their English columns: the page
# load gives each its headers in the user's language (Gradio translates no headers).
_RELABEL: list[tuple[gr.Dataframe, list[str]]] = []


def _table(
    columns: list[str],
    label: str,
    numbers: Iterable[str] = (),
    *,
    relabel: bool = True,
    **kwargs: Any,
) -> gr.Dataframe:
    """A read-only table whose cells are plain text, never Markdown or HTML. `relabel`:
    its headers are translated on page load (tables that a load event fills get
    translated headers from their handler)."""
    datatype = ["number" if c in numbers else "str" for c in columns]
    table = gr.Dataframe(
        headers=columns, datatype=datatype, label=L(label), interactive=False, wrap=True, **kwargs
    )
    if relabel:
        _RELABEL.append((table, columns))
    return table


def _headers(columns: list[list[str]]) -> Callable[..., tuple[pd.DataFrame, ...]]:
    def headers(request: gr.Request | None = None) -> tuple[pd.DataFrame, ...]:
        tr = translator(request)
        return tuple(frame([], c, tr) for c in columns)

    return headers


def _clear() -> str:
    return ""


def _clear_all() -> tuple[str, ...]:
    return ("", "", "", "")


def _findings_table() -> gr.Dataframe:
    return _table(FINDING_COLUMNS, "Findings", column_widths=FINDING_WIDTHS, max_height=360)


def _review_tab(
    app: gr.Blocks, h: Handlers, zone: gr.Dropdown, platform_choices: list[tuple[str, str]]
) -> list[gr.Dropdown]:
    """The Review tab: the queue, a draft's versions side by side, decisions, edits and
    scheduling. Returns the filters whose choices the page load refreshes."""
    private = {"api_visibility": "private"}
    with gr.Tab(L("Review")) as tab:
        with gr.Row(equal_height=True):
            brand = gr.Dropdown(
                [(L(ALL), ALL)], value=ALL, label=L("Brand"), allow_custom_value=True
            )
            platform = gr.Dropdown(
                [(L(ALL), ALL), *platform_choices], value=ALL, label=L("Platform")
            )
            state = gr.Dropdown(
                [(L(ALL), ALL), *((L(s.replace("_", " ")), s) for s in STATES)],
                value="submitted",
                label=L("State"),
            )
            author = gr.Dropdown(
                [(L(ALL), ALL)], value=ALL, label=L("Author"), allow_custom_value=True
            )
            refresh = gr.Button(L("↻ Refresh"), size="md", scale=0, min_width=120)
        queue_info = gr.Markdown(latex_delimiters=[])
        queue = _table(
            QUEUE_COLUMNS,
            "Review queue",
            ["draft", "version"],
            relabel=False,
            max_height=320,
            column_widths=QUEUE_WIDTHS,
        )
        with gr.Row(equal_height=True):
            draft_no = gr.Number(
                label=L("Draft #"),
                precision=0,
                minimum=1,
                scale=1,
                min_width=120,
                elem_id="review-draft-no",
            )
            open_btn = gr.Button(L("Open"), size="md", scale=0, min_width=120)
            with gr.Column(scale=5):
                status = gr.Markdown(latex_delimiters=[])
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
            diff_a = gr.HighlightedText(
                label=L("Older version: removed words marked"), **diff_options
            )
            diff_b = gr.HighlightedText(
                label=L("Newer version: added words marked"), **diff_options
            )
        check_hl = gr.HighlightedText(
            label=L("Check"),
            color_map=FINDING_COLORS_BY_LABEL,
            show_legend=False,
            combine_adjacent=True,
            interactive=False,
            elem_id="review-check",
        )
        with gr.Accordion(L("Findings on the current text"), open=True):
            check_table = _findings_table()
        with gr.Accordion(L("Drafted from"), open=False):
            context = gr.Textbox(
                label=L("Brief or customer comment"), interactive=False, lines=2, max_lines=10
            )
        with gr.Row():
            with gr.Column(variant="panel"):
                gr.Markdown(L("### Decide (reviewers)"))
                comment = gr.Textbox(
                    label=L("Comment"),
                    lines=3,
                    max_lines=10,
                    info=L("Required to request changes or reject"),
                    elem_id="review-comment",
                )
                with gr.Row():
                    approve = gr.Button(L("Approve"), variant="primary", size="md")
                    changes = gr.Button(L("Request changes"), size="md")
                    reject = gr.Button(L("Reject"), variant="stop", size="md")
                    comment_btn = gr.Button(L("Comment only"), size="md")
                # Each action says what it did next to its buttons, where the eye is.
                decide_status = gr.Markdown(latex_delimiters=[], elem_id="review-decide-status")
                override = gr.Button(
                    L("Override blocking findings (the comment is the reason)"),
                    size="sm",
                    elem_id="review-override",
                )
            with gr.Column(variant="panel"):
                gr.Markdown(L("### Edit (authors)"))
                text = gr.Textbox(
                    label=L("Current text"),
                    lines=4,
                    max_lines=20,
                    interactive=True,
                    buttons=["copy"],
                    elem_id="review-text",
                )
                note = gr.Textbox(
                    label=L("What changed (optional)"), max_lines=1, elem_id="review-note"
                )
                with gr.Row():
                    save = gr.Button(L("Save changes"), size="md")
                    resubmit = gr.Button(
                        L("Save and submit for review"), variant="primary", size="md"
                    )
                edit_status = gr.Markdown(latex_delimiters=[], elem_id="review-edit-status")
            with gr.Column(variant="panel"):
                gr.Markdown(L("### Schedule (approved drafts)"))
                adapters = publisher_names(h.services.settings)
                when = gr.DateTime(
                    label=L("Publish at"),
                    include_time=True,
                    type="string",
                    info=L("In the time zone at the top"),
                    elem_id="schedule-at",
                )
                through = gr.CheckboxGroup(adapters, value=adapters[:1], label=L("Publish through"))
                schedule = gr.Button(
                    L("Schedule"), variant="primary", size="md", elem_id="schedule-btn"
                )
                schedule_status = gr.Markdown(latex_delimiters=[], elem_id="schedule-status")
        with gr.Tabs():
            with gr.Tab(L("Decisions")):
                decisions = _table(
                    DECISION_COLUMNS,
                    "Decisions",
                    ["version"],
                    column_widths=["8%", "12%", "14%", "36%", "15%", "15%"],
                )
            with gr.Tab(L("Comments")):
                comments = _table(COMMENT_COLUMNS, "Comments", column_widths=["15%", "12%", "73%"])
            with gr.Tab(L("Outbox")):
                outbox = _table(
                    OUTBOX_COLUMNS,
                    "Outbox",
                    ["attempts"],
                    column_widths=["12%", "16%", "12%", "10%", "16%", "34%"],
                )

    filters = [brand, platform, state, author, zone]
    queue_out = [queue, queue_info]
    statuses = [status, decide_status, edit_status, schedule_status]
    panel = [
        draft_no,
        summary,
        opened,
        context,
        version_a,
        version_b,
        diff_a,
        diff_b,
        text,
        check_hl,
        check_table,
        decisions,
        comments,
        outbox,
    ]
    gr.on(
        [
            app.load,
            tab.select,
            refresh.click,
            brand.input,
            platform.input,
            state.input,
            author.input,
        ],
        h.queue,
        filters,
        queue_out,
        **private,
    )
    gr.on(
        [open_btn.click, draft_no.submit], h.open_draft, [draft_no, zone], panel, **private
    ).success(_clear_all, None, statuses, **private)
    queue.select(h.open_selected, [zone], panel, **private).success(
        _clear_all, None, statuses, **private
    )
    gr.on(
        [version_a.input, version_b.input],
        h.compare,
        [version_a, version_b, opened],
        [diff_a, diff_b],
        **private,
    )
    # A refused action (a conflict above all) leaves the comment or the edit in its box.
    for button, fn in (
        (approve, h.approve),
        (changes, h.request_changes),
        (reject, h.reject),
        (comment_btn, h.comment),
        (override, h.override),
    ):
        button.click(fn, [opened, comment, zone], [decide_status, *panel], **private).success(
            _clear, None, comment, **private
        ).then(h.queue, filters, queue_out, **private)
    for button, fn in ((save, h.save_edit), (resubmit, h.save_and_submit)):
        button.click(fn, [opened, text, note, zone], [edit_status, *panel], **private).success(
            _clear, None, note, **private
        ).then(h.queue, filters, queue_out, **private)
    schedule.click(
        h.schedule, [opened, when, zone, through], [schedule_status, *panel], **private
    ).success(h.queue, filters, queue_out, **private)
    return [brand, author]


def _calendar_tab(app: gr.Blocks, h: Handlers, zone: gr.Dropdown) -> None:
    """The Calendar tab: a week of scheduled and published posts, a row per day."""
    private = {"api_visibility": "private"}
    with gr.Tab(L("Calendar")) as tab:
        with gr.Row(equal_height=False):
            previous = gr.Button(L("← Previous week"), size="md")
            this_week = gr.Button(L("This week"), size="md")
            following = gr.Button(L("Next week →"), size="md")
            week = gr.Textbox(
                label=L("Week of"),
                placeholder=L("any day, YYYY-MM-DD, then Enter"),
                max_lines=1,
                scale=2,
                elem_id="calendar-week",
            )
        title = gr.Markdown(latex_delimiters=[])
        days = [
            gr.Textbox(label=L(name), interactive=False, lines=1, max_lines=12)
            for name in (
                "Monday",
                "Tuesday",
                "Wednesday",
                "Thursday",
                "Friday",
                "Saturday",
                "Sunday",
            )
        ]
    out = [title, *days, week]
    gr.on([app.load, this_week.click], h.calendar_this_week, [zone], out, **private)
    gr.on([tab.select, week.submit, zone.change], h.calendar, [week, zone], out, **private)
    previous.click(h.calendar_previous, [week, zone], out, **private)
    following.click(h.calendar_next, [week, zone], out, **private)


def _audit_tab(app: gr.Blocks, h: Handlers, zone: gr.Dropdown) -> gr.Dropdown:
    """The Audit tab: the log with filters, and its export. Returns the user filter."""
    private = {"api_visibility": "private"}
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
        table = _table(
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
        [table, info],
        **private,
    )
    export.click(h.export_audit, [fmt, *inputs], download, **private)
    return who


def _admin_tab(app: gr.Blocks, h: Handlers, zone: gr.Dropdown) -> None:
    """The Admin tab: publishing (pause, resume, the worker's state) and the users."""
    private = {"api_visibility": "private"}
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
        people = _table(
            USER_COLUMNS, "Users", relabel=False, column_widths=["20%", "25%", "20%", "15%", "20%"]
        )
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
    out = [state, pause, resume]
    gr.on([app.load, tab.select, refresh.click], h.publishing, [zone], out, **private)
    gr.on([app.load, tab.select], h.users, None, [people, who], **private)
    for button, fn in ((pause, h.pause), (resume, h.resume)):
        button.click(fn, [reason, zone], out, **private).success(_clear, None, reason, **private)
    add.click(h.add_user, [new_name, new_password, new_role], users_status, **private).success(
        lambda: ("", ""), None, [new_name, new_password], **private
    ).then(h.users, None, [people, who], **private)
    change.click(h.change_user, [who, role, access], users_status, **private).then(
        h.users, None, [people, who], **private
    )


def _inbox_tab(
    app: gr.Blocks,
    h: Handlers,
    brand: gr.Dropdown,
    zone: gr.Dropdown,
    platform_choices: list[tuple[str, str]],
    llm_events: dict[str, Any],
) -> None:
    """The Inbox tab: an open crisis alert on top, then the triaged messages most urgent
    first, a message with the reasons for its triage, bulk actions, a drafted reply, and
    imports. Every message's text and author are shown as plain text (tables, text boxes)."""
    private = {"api_visibility": "private"}
    with gr.Tab(L("Inbox")) as tab:
        with gr.Column(visible=False, variant="panel", elem_id="crisis-panel") as crisis_box:
            with gr.Row(equal_height=False):
                crisis_summary = gr.Markdown(
                    latex_delimiters=[], line_breaks=True, elem_id="crisis-summary"
                )
                alert_pick = gr.Dropdown(
                    choices=[], label=L("Open alert"), scale=0, min_width=280, interactive=True
                )
            crisis_messages = _table(
                CRISIS_COLUMNS,
                "Messages behind the alert",
                ["id"],
                relabel=False,
                max_height=300,
                column_widths=["6%", "14%", "12%", "14%", "54%"],
            )
            crisis_note = gr.Textbox(
                label=L("Reason (optional)"),
                max_lines=1,
                info=L("Recorded in the audit log when you pause publishing or close the alert"),
            )
            with gr.Row():
                holding = gr.Button(L("Draft holding statement"), variant="primary")
                pause = gr.Button(L("⏸️ Pause all publishing"), variant="stop")
                close = gr.Button(L("Close alert"))
            crisis_status = gr.Markdown(latex_delimiters=[], elem_id="crisis-status")
        with gr.Accordion(L("Import messages"), open=False), gr.Row():
            with gr.Column(scale=2, min_width=320):
                upload = gr.File(
                    label=L(
                        "Messages (.csv, .json, .jsonl): id, platform, text, time, author, "
                        "thread, kind, brand"
                    ),
                    file_types=list(INBOX_SUFFIXES),
                    type="filepath",
                )
                import_brand = gr.Textbox(
                    label=L("Brand"),
                    max_lines=1,
                    placeholder=L("leave empty for the brand selected at the top"),
                    info=L("For rows without a brand column"),
                )
                skip_bad = gr.Checkbox(label=L("Skip bad rows (import the good ones)"), value=False)
                import_btn = gr.Button(L("Import"), variant="primary")
            with gr.Column(scale=3):
                import_summary = gr.Markdown(latex_delimiters=[], elem_id="inbox-import-summary")
                import_problems = _table(
                    IMPORT_ERROR_COLUMNS,
                    "Problems",
                    column_widths=["30%", "12%", "58%"],
                    max_height=300,
                )
        with gr.Row(equal_height=True):
            f_brand = gr.Dropdown(
                [(L(ALL), ALL)], value=ALL, label=L("Brand"), allow_custom_value=True
            )
            f_platform = gr.Dropdown(
                [(L(ALL), ALL), *platform_choices], value=ALL, label=L("Platform")
            )
            f_action = gr.Dropdown(
                [(L(ALL), ALL), *((L(a), a) for a in ACTIONS)], value=ALL, label=L("Action")
            )
            f_sentiment = gr.Dropdown(
                [(L(ALL), ALL), *((L(s), s) for s in SENTIMENTS)], value=ALL, label=L("Sentiment")
            )
            f_language = gr.Dropdown(L.choices(INBOX_LANGUAGES), value=ALL, label=L("Language"))
            f_status = gr.Dropdown(
                [(L(ALL), ALL), *((L(s), s) for s in INBOX_STATUSES)],
                value="new",
                label=L("Status"),
            )
            refresh = gr.Button(L("↻ Refresh"), size="md", scale=0, min_width=120)
        info = gr.Markdown(latex_delimiters=[], elem_id="inbox-info")
        queue = _table(
            INBOX_COLUMNS,
            "Inbox",
            ["id", "priority"],
            relabel=False,
            max_height=520,
            column_widths=INBOX_WIDTHS,
            elem_id="inbox-queue",
        )
        selected = gr.State([])
        with gr.Row(equal_height=True):
            tick_all = gr.Button(L("Tick all shown"), size="sm", scale=0, min_width=140)
            untick_all = gr.Button(L("Untick all"), size="sm", scale=0, min_width=120)
            ticked_info = gr.Markdown(latex_delimiters=[], elem_id="inbox-ticked")
        with gr.Row(equal_height=True):
            note = gr.Textbox(label=L("Note (optional)"), max_lines=1, scale=3)
            hide = gr.Button(L("Hide"), variant="stop", scale=1)
            handled = gr.Button(L("Mark handled"), variant="primary", scale=1)
            reopen = gr.Button(L("Reopen"), scale=1)
        action_status = gr.Markdown(latex_delimiters=[], elem_id="inbox-action-status")
        with gr.Row(equal_height=False):
            with gr.Column(scale=1, variant="panel"):
                with gr.Row(equal_height=True):
                    # No minimum: an empty box reads 0, which is no message, not an error.
                    message_no = gr.Number(
                        label=L("Message #"), precision=0, elem_id="inbox-message-no"
                    )
                    open_btn = gr.Button(L("Open"), size="md", scale=0, min_width=100)
                head = gr.Markdown(latex_delimiters=[], elem_id="inbox-head")
                with gr.Row():
                    author = gr.Textbox(label=L("From"), interactive=False, max_lines=1)
                    thread = gr.Textbox(label=L("Thread"), interactive=False, max_lines=1)
                text = gr.Textbox(
                    label=L("Message (plain text)"),
                    interactive=False,
                    lines=4,
                    max_lines=20,
                    buttons=["copy"],
                    elem_id="inbox-text",
                )
                reasons = _table(
                    REASON_COLUMNS,
                    "Why: the triage's reasons",
                    column_widths=["18%", "82%"],
                    elem_id="inbox-reasons",
                )
            with gr.Column(scale=1, variant="panel"):
                draft_btn = gr.Button(L("Draft reply"), variant="primary", elem_id="inbox-draft")
                reply_status = gr.Markdown(latex_delimiters=[], elem_id="inbox-reply-status")
                reply_text = gr.Textbox(
                    label=L("Drafted reply: edit it here, then submit it for review"),
                    interactive=True,
                    lines=4,
                    max_lines=20,
                    buttons=["copy"],
                    elem_id="inbox-reply",
                )
                reply_check = gr.HighlightedText(
                    label=L("Check"),
                    color_map=FINDING_COLORS_BY_LABEL,
                    show_legend=False,
                    combine_adjacent=True,
                    interactive=False,
                )
                reply_findings = _findings_table()
                reply_saved = gr.State(None)
                reply_submit = gr.Button(
                    L("Submit for review"),
                    variant="primary",
                    visible=False,
                    elem_id="inbox-submit-reply",
                )

    filters = [f_brand, f_platform, f_action, f_sentiment, f_language, f_status, zone, selected]
    queue_out = [queue, info, selected, ticked_info]
    crisis_in = [f_brand, alert_pick, zone]
    crisis_out = [crisis_box, alert_pick, crisis_summary, crisis_messages]
    detail = [message_no, head, author, thread, text, reasons]
    reply_out = [reply_status, reply_text, reply_check, reply_findings, reply_saved, reply_submit]
    loads = [app.load, tab.select, refresh.click]
    app.load(h.inbox_brands, None, f_brand, **private)
    gr.on([*loads, *(f.input for f in filters[:6])], h.inbox_queue, filters, queue_out, **private)
    gr.on(
        [*loads, f_brand.input, alert_pick.input], h.crisis_panel, crisis_in, crisis_out, **private
    )
    queue.select(
        h.inbox_clicked,
        [queue, selected, zone],
        [queue, selected, ticked_info, *detail, *reply_out],
        **private,
    )
    tick_all.click(h.inbox_tick_all, queue, [queue, selected, ticked_info], **private)
    untick_all.click(h.inbox_untick_all, queue, [queue, selected, ticked_info], **private)
    for button, fn in ((hide, h.inbox_hide), (handled, h.inbox_handled), (reopen, h.inbox_reopen)):
        button.click(fn, [selected, note], [action_status, selected], **private).success(
            _clear, None, note, **private
        ).then(h.inbox_queue, filters, queue_out, **private)
    gr.on(
        [open_btn.click, message_no.submit], h.inbox_open, [message_no, zone], detail, **private
    ).success(h.inbox_reply_cleared, None, reply_out, **private)
    draft_btn.click(h.inbox_draft_reply, message_no, reply_out, **private, **llm_events).success(
        h.inbox_open, [message_no, zone], detail, **private
    ).then(h.inbox_queue, filters, queue_out, **private)
    reply_submit.click(
        h.inbox_submit_reply,
        [reply_text, reply_saved],
        [reply_status, reply_check, reply_findings, reply_saved, reply_submit],
        **private,
    )
    import_btn.click(
        h.inbox_import,
        [upload, import_brand, skip_bad, brand],
        [import_summary, import_problems],
        concurrency_limit=1,
        concurrency_id="inbox-import",
        **private,
    ).success(h.inbox_queue, filters, queue_out, **private).then(
        h.crisis_panel, crisis_in, crisis_out, **private
    )
    holding.click(h.crisis_holding, alert_pick, crisis_status, **private).success(
        h.crisis_panel, crisis_in, crisis_out, **private
    )
    for button, fn in ((pause, h.crisis_pause), (close, h.crisis_close)):
        button.click(fn, [alert_pick, crisis_note], crisis_status, **private).success(
            _clear, None, crisis_note, **private
        ).then(h.crisis_panel, crisis_in, crisis_out, **private)


def _check_tab(
    h: Handlers,
    brand: gr.Dropdown,
    platform_choices: list[tuple[str, str]],
    llm_events: dict[str, Any],
) -> None:
    """The Check tab: paste any text, see its findings highlighted with their guideline and
    fix, apply the mechanical fixes, or have it rewritten in the brand's voice."""
    private = {"api_visibility": "private"}
    with gr.Tab(L("Check")), gr.Row():
        with gr.Column(scale=2, min_width=340):
            text = gr.Textbox(
                label=L("Text to check"),
                lines=8,
                max_lines=30,
                info=L("Any post or reply, yours or a colleague's; shown as plain text"),
                placeholder=L("Paste a post or reply"),
                elem_id="check-text",
            )
            with gr.Row():
                platform = gr.Dropdown(platform_choices, value="instagram", label=L("Platform"))
                kind = gr.Radio(
                    L.choices([("post", "post"), ("reply", "reply")]), value="post", label=L("Kind")
                )
            with gr.Row():
                language = gr.Radio(L.choices(LANGUAGES), value="auto", label=L("Language"))
                sponsored = gr.Checkbox(label=L("Sponsored or partnership post"), value=False)
            with gr.Row():
                check_btn = gr.Button(L("Check"), variant="primary", elem_id="check-btn")
                fix_btn = gr.Button(L("Apply suggested fixes"), elem_id="check-fix")
                rewrite_btn = gr.Button(L("Rewrite in brand voice"), elem_id="check-rewrite")
        with gr.Column(scale=3):
            summary = gr.Markdown(latex_delimiters=[], elem_id="check-summary")
            highlight = gr.HighlightedText(
                label=L("Findings in the text"),
                color_map=FINDING_COLORS_BY_LABEL,
                show_legend=False,
                combine_adjacent=True,
                interactive=False,
                elem_id="check-highlight",
            )
            table = _findings_table()
            notices = gr.Markdown(latex_delimiters=[])
            with gr.Accordion(L("Rewrite in brand voice"), open=True):
                rewrite_status = gr.Markdown(latex_delimiters=[])
                rewritten = gr.Textbox(
                    label=L("Rewrite: edit it, copy it, or check it"),
                    lines=5,
                    max_lines=25,
                    interactive=True,
                    buttons=["copy"],
                    elem_id="check-rewritten",
                )
                rewrite_hl = gr.HighlightedText(
                    label=L("Findings in the rewrite"),
                    color_map=FINDING_COLORS_BY_LABEL,
                    show_legend=False,
                    combine_adjacent=True,
                    interactive=False,
                )
                rewrite_table = _findings_table()
                use_rewrite = gr.Button(L("Use the rewrite as the text to check"), size="sm")
    inputs = [text, platform, kind, sponsored, language, brand]
    outputs = [summary, highlight, table, notices]
    gr.on([check_btn.click, text.submit], h.check_text, inputs, outputs, **private)
    fix_btn.click(h.apply_fixes, inputs, [text, *outputs], **private)
    rewrite_btn.click(
        h.rewrite,
        inputs,
        [rewrite_status, rewritten, rewrite_hl, rewrite_table],
        **private,
        **llm_events,
    )
    use_rewrite.click(lambda t: t, rewritten, text, **private).then(
        h.check_text, inputs, outputs, **private
    )


def build_app(services: Services) -> gr.Blocks:
    """The whole app; `launch()` it, or mount it in a FastAPI app."""
    h = Handlers(services)
    _RELABEL.clear()
    platform_choices = [(p.name, p.key) for p in PLATFORMS.values()]
    choices = h.brand_choices(None)
    # "always_last": a click while a stopped draft is still being cancelled (the browser
    # waits for the server to drop it) runs once that is done, instead of being ignored.
    llm_events = {
        "concurrency_limit": 1,
        "concurrency_id": "llm",
        "show_progress": "minimal",
        "trigger_mode": "always_last",
    }

    with gr.Blocks(title="cmassist") as app:
        with gr.Row(equal_height=True):
            with gr.Column(scale=3):
                gr.Markdown(
                    L(
                        "# cmassist\nPosts, ideas and replies in your brand's voice, drafted "
                        "from its own guidelines, past posts and past replies. "
                        "A second person reviews every draft before it is published."
                    )
                )
                with gr.Row(equal_height=False):
                    who = gr.Markdown(latex_delimiters=[])
                    logout = gr.Button(
                        L("Log out"),
                        link="/logout",
                        size="sm",
                        scale=0,
                        min_width=100,
                        visible=False,
                    )
                    # Our own switch: it sets the cookie that the labels and the server's
                    # messages both follow (cmassist.interfaces.web.language).
                    gr.Button(
                        "Français",
                        link="/language/fr",
                        size="sm",
                        scale=0,
                        min_width=90,
                        elem_id="language-fr",
                    )
                    gr.Button(
                        "English",
                        link="/language/en",
                        size="sm",
                        scale=0,
                        min_width=90,
                        elem_id="language-en",
                    )
            with gr.Column(scale=2, min_width=320):
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

        with gr.Tabs():
            with gr.Tab(L("Compose")):
                with gr.Accordion(L("Post ideas"), open=False), gr.Row():
                    with gr.Column(scale=2):
                        topic = gr.Textbox(
                            label=L("Topic or goal"),
                            lines=2,
                            placeholder=L("e.g. 'more subscriptions before the holidays'"),
                        )
                        with gr.Row():
                            count = gr.Slider(
                                1,
                                MAX_IDEAS,
                                value=5,
                                step=1,
                                precision=0,
                                label=L("How many ideas"),
                            )
                            ideas_lang = gr.Radio(
                                L.choices(LANGUAGES), value="auto", label=L("Language")
                            )
                        ideas_btn = gr.Button(L("Suggest ideas"), variant="primary")
                    with gr.Column(scale=3):
                        ideas_status = gr.Markdown(latex_delimiters=[])
                        ideas_text = gr.Textbox(
                            label=L("Ideas"),
                            lines=6,
                            max_lines=25,
                            buttons=["copy"],
                            interactive=False,
                        )
                        use_idea = gr.Dropdown(
                            label=L("Use an idea as the brief below"), choices=[], value=None
                        )
                        with gr.Accordion(L("Sources"), open=False):
                            ideas_sources = _table(
                                SOURCE_COLUMNS, "Sources", ["score"], column_widths=SOURCE_WIDTHS
                            )
                with gr.Row():
                    with gr.Column(scale=2, min_width=340):
                        brief = gr.Textbox(
                            label=L("Brief"),
                            lines=5,
                            max_lines=15,
                            info=L("Up to {n} characters", n=services.settings.max_brief_chars),
                            placeholder=L(
                                "What should the post say? "
                                "e.g. 'Our Ethiopian single origin is back Friday'"
                            ),
                        )
                        platforms = gr.CheckboxGroup(
                            platform_choices, value=["instagram"], label=L("Platforms")
                        )
                        with gr.Row():
                            variants = gr.Slider(
                                1,
                                MAX_VARIANTS,
                                value=2,
                                step=1,
                                precision=0,
                                label=L("Variants per platform"),
                            )
                            post_lang = gr.Radio(
                                L.choices(LANGUAGES), value="auto", label=L("Language")
                            )
                        with gr.Row():
                            draft_btn = gr.Button(L("Draft posts"), variant="primary", scale=3)
                            draft_stop = gr.Button(L("Stop"), variant="stop", scale=1)
                        with gr.Accordion(L("Platform limits"), open=False):
                            limits = _table(LIMIT_COLUMNS, "Platform limits", relabel=False)
                    with gr.Column(scale=3):
                        draft_status = gr.Markdown(
                            L(
                                "Drafts appear here as they are written: one card per platform "
                                "and variant, with its character count and its sources."
                            ),
                            latex_delimiters=[],
                        )
                        post_slots = _slots(POST_SLOTS, "post", h)

            with gr.Tab(L("Reply")), gr.Row():
                with gr.Column(scale=2, min_width=340):
                    comment = gr.Textbox(
                        label=L("Customer comment"),
                        lines=6,
                        max_lines=20,
                        info=L(
                            "Up to {n} characters; shown as plain text",
                            n=services.settings.max_comment_chars,
                        ),
                        placeholder=L("Paste the customer's comment"),
                    )
                    reply_platform = gr.Dropdown(
                        [(L("any / not specified"), ANY_PLATFORM), *platform_choices],
                        value=ANY_PLATFORM,
                        label=L("Posted on"),
                    )
                    with gr.Row():
                        reply_variants = gr.Slider(
                            1, MAX_VARIANTS, value=2, step=1, precision=0, label=L("Variants")
                        )
                        reply_lang = gr.Radio(
                            L.choices(LANGUAGES), value="auto", label=L("Language")
                        )
                    with gr.Row():
                        reply_btn = gr.Button(L("Suggest replies"), variant="primary", scale=3)
                        reply_stop = gr.Button(L("Stop"), variant="stop", scale=1)
                with gr.Column(scale=3):
                    reply_status = gr.Markdown(latex_delimiters=[])
                    reply_slots = _slots(REPLY_SLOTS, "reply", h)

            _inbox_tab(app, h, brand, zone, platform_choices, llm_events)
            _check_tab(h, brand, platform_choices, llm_events)

            review_filters = _review_tab(app, h, zone, platform_choices)
            _calendar_tab(app, h, zone)

            with gr.Tab(L("Knowledge")), gr.Tabs():
                with gr.Tab(L("Upload")), gr.Row():
                    with gr.Column(scale=2, min_width=340):
                        files = gr.File(
                            label=L(
                                "Guidelines (.md), past posts or replies (.csv, .json, .jsonl)"
                            ),
                            file_count="multiple",
                            file_types=UPLOAD_SUFFIXES,
                        )
                        new_brand = gr.Textbox(
                            label=L("Into a new brand (optional)"),
                            placeholder=L("e.g. boreale-qc: lowercase letters, digits, dashes"),
                            info=L("Leave empty to ingest into the brand selected at the top"),
                        )
                        data_kind = gr.Radio(
                            L.choices(
                                [
                                    ("from the columns", "auto"),
                                    ("posts", "posts"),
                                    ("replies", "replies"),
                                    ("guidelines", "guidelines"),
                                ]
                            ),
                            value="auto",
                            label=L("Kind of data files"),
                        )
                        ingest_btn = gr.Button(L("Ingest"), variant="primary")
                    with gr.Column(scale=3):
                        ingest_summary = gr.Textbox(label=L("Summary"), interactive=False, lines=2)
                        ingest_files = _table(
                            FILE_COLUMNS,
                            "Files",
                            FILE_COLUMNS[3:8],
                            column_widths=["20%", "9%", "10%"] + ["8%"] * 5 + ["21%"],
                        )
                        ingest_problems = _table(
                            PROBLEM_COLUMNS,
                            "Problems (rows not ingested)",
                            ["row"],
                            column_widths=["20%", "7%", "13%", "60%"],
                        )
                with gr.Tab(L("Browse")):
                    with gr.Row(equal_height=True):
                        browse_kind = gr.Radio(
                            L.choices(KINDS), value="all", label=L("Kind"), scale=3
                        )
                        page_size = gr.Dropdown(
                            [10, 25, 50, 100], value=25, label=L("Per page"), scale=1
                        )
                        offset = gr.Number(0, precision=0, minimum=0, label=L("Offset"), scale=1)
                    with gr.Row():
                        previous_btn = gr.Button(L("← Previous"), size="sm")
                        show_btn = gr.Button(L("Show"), variant="primary", size="sm")
                        next_btn = gr.Button(L("Next →"), size="sm")
                    page_info = gr.Markdown(latex_delimiters=[])
                    records = _table(
                        RECORD_COLUMNS,
                        "Records",
                        relabel=False,
                        max_height=700,
                        column_widths=RECORD_WIDTHS,
                    )
                with gr.Tab(L("Search")):
                    with gr.Row(equal_height=True):
                        query = gr.Textbox(
                            label=L("Search"),
                            scale=4,
                            placeholder=L("e.g. 'late delivery'"),
                        )
                        search_kind = gr.Radio(
                            L.choices(KINDS), value="all", label=L("Kind"), scale=3
                        )
                        k = gr.Slider(
                            1, 50, value=10, step=1, precision=0, label=L("Results"), scale=2
                        )
                    search_btn = gr.Button(L("Search"), variant="primary")
                    results = _table(
                        SEARCH_COLUMNS,
                        "Results",
                        ["score"],
                        max_height=700,
                        column_widths=SEARCH_WIDTHS,
                    )

            audit_who = _audit_tab(app, h, zone)
            _admin_tab(app, h, zone)

        # -- events --
        private = {"api_visibility": "private"}
        app.load(h.whoami, None, [who, logout], **private)
        app.load(h.platform_limits, None, limits, **private)
        app.load(h.filter_choices, None, [*review_filters, audit_who], **private)
        app.load(
            None, None, zone, js="() => Intl.DateTimeFormat().resolvedOptions().timeZone", **private
        )
        browse_inputs = [browse_kind, page_size, offset, brand]
        browse_outputs = [records, page_info, offset]
        # A value set by load is no change: show the brand's summary and records here too.
        app.load(h.brand_choices, brand, brand, api_visibility="private").then(
            h.brand_info, brand, brand_info, api_visibility="private"
        ).then(
            h.browse_first,
            [browse_kind, page_size, brand],
            browse_outputs,
            api_visibility="private",
        )
        refresh.click(h.brand_choices, brand, brand, api_visibility="private").then(
            h.brand_info, brand, brand_info, api_visibility="private"
        )
        brand.change(h.brand_info, brand, brand_info, api_visibility="private").then(
            h.browse_first,
            [browse_kind, page_size, brand],
            browse_outputs,
            api_visibility="private",
        )

        ideas_event = gr.on(
            [ideas_btn.click, topic.submit],
            h.ideas,
            [topic, count, ideas_lang, brand],
            [ideas_text, use_idea, ideas_sources, ideas_status],
            api_name="ideas",
            show_progress_on=ideas_status,
            **llm_events,
        )
        use_idea.input(
            lambda idea: idea or gr.skip(), use_idea, brief, queue=False, api_visibility="private"
        )
        post_outputs = [draft_status, *_flat(post_slots)]
        draft_event = draft_btn.click(
            h.draft_posts,
            [brief, platforms, variants, post_lang, brand],
            post_outputs,
            api_name="draft",
            show_progress_on=draft_status,
            **llm_events,
        )
        draft_stop.click(
            h.stopped,
            [s.meta for s in post_slots],
            post_outputs,
            cancels=[draft_event, ideas_event],
            queue=False,
            api_visibility="private",
        )
        reply_outputs = [reply_status, *_flat(reply_slots)]
        reply_event = reply_btn.click(
            h.suggest_replies,
            [comment, reply_platform, reply_variants, reply_lang, brand],
            reply_outputs,
            api_name="reply",
            show_progress_on=reply_status,
            **llm_events,
        )
        reply_stop.click(
            h.stopped,
            [s.meta for s in reply_slots],
            reply_outputs,
            cancels=[reply_event],
            queue=False,
            api_visibility="private",
        )

        ingest_btn.click(
            h.ingest_files,
            [files, new_brand, data_kind, brand],
            [ingest_summary, ingest_files, ingest_problems, brand],
            api_name="ingest",
            concurrency_limit=1,
            concurrency_id="ingest",
        ).then(h.brand_info, brand, brand_info, api_visibility="private")  # counts changed
        gr.on(
            [show_btn.click, browse_kind.change, page_size.change, offset.submit],
            h.browse,
            browse_inputs,
            browse_outputs,
            api_name="browse",
        )
        next_btn.click(h.browse_next, browse_inputs, browse_outputs, api_visibility="private")
        previous_btn.click(
            h.browse_previous, browse_inputs, browse_outputs, api_visibility="private"
        )
        gr.on(
            [search_btn.click, query.submit],
            h.search,
            [query, search_kind, k, brand],
            results,
            api_name="search",
        )

        tables = list(_RELABEL)
        _RELABEL.clear()
        app.load(_headers([c for _, c in tables]), None, [t for t, _ in tables], **private)

    app.queue(default_concurrency_limit=4)
    # What launch(i18n=...) or mount_gradio_app(i18n=...) takes: the labels' translations.
    app.i18n_instance = L.translations()
    return app
