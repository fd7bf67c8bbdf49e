"""The Gradio web app: post drafts, ideas and replies in a brand's voice, and its knowledge store.
Handlers are plain methods of `Handlers` over `Services`; `build_app` only lays out and wires."""

from __future__ import annotations

import functools
import html
import inspect
import logging
import re
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import gradio as gr
import pandas as pd

from cmassist.drafting import DraftEvent
from cmassist.errors import (
    CmassistError,
    ConfigError,
    InputError,
    LLMError,
    StoreError,
)
from cmassist.ingest import DATA_SUFFIXES, GUIDELINE_SUFFIXES, ingest
from cmassist.models import Draft, Kind
from cmassist.platforms import PLATFORMS, count_chars, get_platform, table
from cmassist.services import Services
from cmassist.store import Hit, brand_slug
from cmassist.textutil import excerpt

log = logging.getLogger(__name__)

MAX_VARIANTS = 5  # per platform: more is slow on a laptop and rarely read
MAX_IDEAS = 20
POST_SLOTS = len(PLATFORMS) * MAX_VARIANTS
REPLY_SLOTS = MAX_VARIANTS
SLOT_FIELDS = ("box", "header", "text", "sources", "meta")  # outputs per draft slot, in order
LANGUAGES = [("auto-detect", "auto"), ("fr · français", "fr"), ("en · English", "en")]
ANY_PLATFORM = "any"
KINDS = [("all", "all"), ("guidelines", Kind.GUIDELINE.value), ("posts", Kind.POST.value),
         ("replies", Kind.REPLY.value)]
PLURALS = {"guideline": "guideline passages", "post": "posts", "reply": "replies"}
UPLOAD_SUFFIXES = sorted(GUIDELINE_SUFFIXES | DATA_SUFFIXES)

SOURCE_COLUMNS = ["kind", "title", "excerpt", "score"]
RECORD_COLUMNS = ["id", "kind", "platform / heading", "language", "date", "source", "text",
                  "reply"]
SEARCH_COLUMNS = ["score", *RECORD_COLUMNS]
SOURCE_WIDTHS = ["12%", "28%", "50%", "10%"]
RECORD_WIDTHS = ["12%", "8%", "14%", "6%", "8%", "10%", "26%", "16%"]
SEARCH_WIDTHS = ["6%", "10%", "7%", "13%", "5%", "8%", "9%", "27%", "15%"]
FILE_COLUMNS = ["file", "kind", "brand", "added", "updated", "unchanged", "rejected", "removed",
                "error"]
PROBLEM_COLUMNS = ["file", "row", "field", "problem"]


# -- display helpers: untrusted text is escaped before it reaches Markdown ---------------------

_NUMBERED = re.compile(r"^\s*\d{1,2}[.)]\s+")
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~>$])")


def md(text: object) -> str:
    """Text made inert for gr.Markdown: no HTML, no Markdown syntax, no LaTeX."""
    escaped = html.escape(" ".join(str(text).split()), quote=False)
    return _MD_SPECIAL.sub(r"\\\1", escaped)


def frame(rows: list[list[Any]], columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=columns)


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
        raise InputError(f"{what} must be a whole number from {low} to {high}, not {value!r}",
                         f"choose {low} to {high}")
    return number


def _text(value: str | None, what: str, limit: int, fix: str) -> str:
    text = (value or "").strip()
    if not text:
        raise InputError(f"the {what} is empty", fix)
    if len(text) > limit:
        raise InputError(f"the {what} is {len(text):,} characters, over the {limit:,} limit",
                         "shorten it")
    return text


def _error_title(error: CmassistError) -> str:
    if isinstance(error, LLMError):
        return "The language model failed"
    if isinstance(error, StoreError):
        return "Knowledge store problem"
    if isinstance(error, ConfigError):
        return "Configuration problem"
    return "Check your input"


def _gr_error(error: Exception) -> gr.Error:
    """A one-line message for the UI; gr.Error renders HTML, so the text is escaped."""
    if isinstance(error, CmassistError):
        message, title = str(error), _error_title(error)
    else:
        log.exception("unexpected error in the web app")
        message = f"unexpected error ({type(error).__name__}: {error}); see the server log"
        title = "Something went wrong"
    message = " ".join(message.split())
    return gr.Error(html.escape(message, quote=False), title=title, print_exception=False)


def user_errors(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Turn every exception into a gr.Error with one line, never a stack trace in the page."""
    if inspect.isgeneratorfunction(fn):
        @functools.wraps(fn)
        def stream(*args: Any, **kwargs: Any) -> Iterator[Any]:
            try:
                yield from fn(*args, **kwargs)
            except gr.Error:
                raise
            except Exception as e:
                raise _gr_error(e) from e
        return stream

    @functools.wraps(fn)
    def call(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except gr.Error:
            raise
        except Exception as e:
            raise _gr_error(e) from e
    return call


# -- drafts: headers and sources ---------------------------------------------------------------

def draft_meta(draft: Draft) -> dict[str, Any]:
    """What a slot keeps about its draft (in a gr.State) to redraw its header after edits."""
    data = draft.public()
    data["sources"] = len(draft.sources)
    return data


def _length(text: str, platform: str | None) -> int:
    return count_chars(text, PLATFORMS[platform]) if platform in PLATFORMS else len(text)


def count_line(length: int, limit: int | None, platform: str | None) -> str:
    """The character count against the platform's limit, with a clear over/under mark."""
    if not limit:
        return f"{length:,} characters"
    p = PLATFORMS.get(platform or "")
    how = f" (counted as {md(p.name)} counts them)" if p and (p.weighted or p.link_chars) else ""
    if length <= limit:
        return f"🟢 **{length:,} / {limit:,}** characters{how} · fits, {limit - length:,} left"
    return (f"🔴 **{length:,} / {limit:,}** characters{how} · "
            f"**too long: {length - limit:,} over the limit**")


def draft_header(meta: dict[str, Any], text: str | None = None) -> str:
    """Markdown for a finished draft: what it is, its count, notes and provenance.

    `text` is the text as the user edited it, if they did; the count follows it.
    """
    if not meta or "kind" not in meta:
        return ""
    platform = meta.get("platform")
    name = PLATFORMS[platform].name if platform in PLATFORMS else None
    variant = meta.get("variant", 1)
    if meta["kind"] == "reply":
        title = f"**Reply {variant}**" + (f" · {md(name)}" if name else "")
    else:
        title = f"**{md(name or 'Post')} · variant {variant}**"
    title += f" · {md(str(meta.get('language', '')).upper())}"
    edited = text is not None and text != meta.get("text")
    length = _length(text, platform) if edited and text is not None else meta.get("length") or 0
    lines = [title, count_line(length, meta.get("limit"), platform) + (" · edited" if edited
                                                                        else "")]
    if meta.get("notes"):
        lines.append("Notes: " + "; ".join(md(n) for n in meta["notes"]))
    prompt = meta.get("prompt") or {}
    lines.append(" · ".join(md(x) for x in (
        f"{meta.get('backend')} / {meta.get('model')}",
        f"prompt {prompt.get('template')} @ {str(prompt.get('sha256', ''))[:12]}",
        f"{meta.get('elapsed_s') or 0:.1f} s",
        f"{meta.get('tokens') or 0} tokens",
        f"{meta.get('sources', 0)} sources",
    )))
    return "\n".join(lines)


def writing_header(platform: str | None, variant: int, kind: str) -> str:
    name = PLATFORMS[platform].name if platform in PLATFORMS else None
    if kind == "reply":
        title = f"**Reply {variant}**" + (f" · {md(name)}" if name else "")
    else:
        title = f"**{md(name or 'Post')} · variant {variant}**"
    return f"{title} · ✍️ writing…"


def sources_frame(draft: Draft) -> pd.DataFrame:
    return frame([[s.kind.value, s.title or s.id, s.excerpt,
                   round(s.score, 3) if s.score is not None else None]
                  for s in draft.sources], SOURCE_COLUMNS)


class _Board:
    """The values of a stream's outputs: a status line, then each slot's SLOT_FIELDS.

    Only what changes is sent (gr.skip() elsewhere), so streaming stays light.
    """

    def __init__(self, slots: int, kind: str) -> None:
        self.slots = slots
        self.kind = kind
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
            self._put(out, i, box=gr.update(visible=False), header="", text="",
                      sources=frame([], SOURCE_COLUMNS), meta={})
        return out

    def token(self, event: DraftEvent, total: int) -> list[Any]:
        out = self._blank()
        key = (event.platform, event.variant)
        if key not in self.index:
            if len(self.index) >= self.slots:
                return out  # more drafts than slots cannot happen: inputs are checked first
            slot = self.index[key] = len(self.index)
            self.partial[slot] = ""
            name = PLATFORMS[event.platform].name if event.platform in PLATFORMS else None
            where = f" · {md(name)}" if name else ""
            out[0] = (f"✍️ Writing {self.kind} {slot + 1} of {total}{where} · "
                      f"variant {event.variant}…")
            self._put(out, slot, box=gr.update(visible=True),
                      header=writing_header(event.platform, event.variant, self.kind),
                      sources=frame([], SOURCE_COLUMNS), meta={"status": "writing"})
        slot = self.index[key]
        self.partial[slot] += event.text
        self._put(out, slot, text=self.partial[slot])
        return out

    def finish(self, draft: Draft) -> list[Any]:
        out = self._blank()
        key = (draft.platform, draft.variant)
        slot = self.index.get(key)
        if slot is None:  # a draft without streamed tokens (a backend that cannot stream)
            if len(self.index) >= self.slots:
                return out
            slot = self.index[key] = len(self.index)
        meta = draft_meta(draft)
        self.finished[slot] = {"box": gr.update(visible=True), "header": draft_header(meta),
                               "text": draft.text, "sources": sources_frame(draft),
                               "meta": meta}
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
            self._put(out, slot, box=gr.update(visible=False), header="", text="", meta={})
        out[0] = f"⚠️ Stopped after {len(self.finished)} finished: {md(message)}"
        return out


# -- handlers ----------------------------------------------------------------------------------

@dataclass
class _Stream:
    events: Iterator[DraftEvent]
    total: int
    kind: str  # "post" | "reply"
    slots: int


class Handlers:
    """Every event handler of the app, as plain methods over `Services`."""

    def __init__(self, services: Services) -> None:
        self.services = services

    # -- brands --

    def _brand(self, brand: str | None) -> str:
        if not brand:
            raise InputError("no brand is selected",
                             "choose one at the top, or ingest files into a new brand "
                             "in the Knowledge tab")
        # An unknown brand fails here, before the page is cleared for a new stream.
        return self.services.store.require_brand(brand)

    def brand_options(self) -> list[tuple[str, str]]:
        return [(f"{b.name} ({b.slug})" if b.name != b.slug else b.slug, b.slug)
                for b in self.services.store.brands()]

    @user_errors
    def brand_choices(self, current: str | None = None) -> dict[str, Any]:
        """The brand dropdown, refreshed; keeps the current brand if it still exists."""
        options = self.brand_options()
        slugs = [slug for _, slug in options]
        default = self.services.settings.brand
        value = next((b for b in (current, default) if b in slugs), slugs[0] if slugs else None)
        return gr.update(choices=options, value=value)

    @user_errors
    def brand_info(self, brand: str | None) -> str:
        if not brand:
            return "No brand yet: ingest guidelines in the **Knowledge** tab."
        store = self.services.store
        slug = brand_slug(brand)
        if not store.has_brand(slug):
            return f"Unknown brand {md(slug)}: ingest its files in the **Knowledge** tab."
        counts = store.counts(slug)
        return (f"**{md(store.brand_name(slug))}** · {counts.get('guideline', 0):,} guideline "
                f"passages · {counts.get('post', 0):,} past posts · "
                f"{counts.get('reply', 0):,} past replies")

    # -- compose --

    @user_errors
    def ideas(self, topic: str, count: float, language: str, brand: str | None,
              ) -> Iterator[tuple[Any, ...]]:
        """Post ideas for a topic: streamed text, then a numbered list and its sources."""
        settings = self.services.settings
        topic = _text(topic, "topic", settings.max_brief_chars,
                      "write a topic or goal, e.g. 'the holiday gift box'")
        n = _whole(count, "the number of ideas", 1, MAX_IDEAS)
        lang = _language(language)
        slug = self._brand(brand)
        started = time.perf_counter()
        raw = ""
        drafts: list[Draft] = []
        yield ("", gr.update(choices=[], value=None), frame([], SOURCE_COLUMNS),
               "✍️ Thinking of ideas…")
        try:
            for event in self.services.drafting.stream_ideas(topic, brand=slug, count=n,
                                                             language=lang):
                if event.draft is not None:
                    drafts.append(event.draft)
                elif event.type == "token":
                    raw += event.text
                    yield raw, gr.skip(), gr.skip(), gr.skip()
        except Exception as e:
            message = str(e) if isinstance(e, CmassistError) else type(e).__name__
            yield "", gr.skip(), gr.skip(), f"⚠️ Stopped: {md(message)}"
            raise
        if not drafts:
            yield ("", gr.skip(), gr.skip(),
                   "⚠️ The model gave no usable ideas: try again, or rephrase the topic.")
            return
        # A model may number its ideas twice ("1. 1. ..."): the list numbers them once.
        texts = [_NUMBERED.sub("", d.text) or d.text for d in drafts]
        numbered = "\n".join(f"{i}. {t}" for i, t in enumerate(texts, start=1))
        first = drafts[0]
        info = " · ".join(md(x) for x in (
            f"{len(drafts)} ideas" + (f" (asked for {n})" if len(drafts) < n else ""),
            first.language.upper(),
            f"{first.backend} / {first.model}",
            f"prompt {first.prompt.template} @ {first.prompt.sha256[:12]}",
            f"{time.perf_counter() - started:.1f} s",
        ))
        yield (numbered, gr.update(choices=texts, value=None),
               sources_frame(first), "✅ " + info)

    @user_errors
    def draft_posts(self, brief: str, platforms: list[str] | None, variants: float,
                    language: str, brand: str | None) -> Iterator[list[Any]]:
        """Post drafts, streamed token by token into one slot per platform and variant."""
        settings = self.services.settings
        brief = _text(brief, "brief", settings.max_brief_chars,
                      "write what the post should say, e.g. 'our Ethiopian coffee is back'")
        if not platforms:
            raise InputError("no platform is selected", "tick at least one platform")
        keys = list(dict.fromkeys(get_platform(p).key for p in platforms))
        n = _whole(variants, "variants", 1, MAX_VARIANTS)
        lang = _language(language)
        slug = self._brand(brand)
        events = self.services.drafting.stream_posts(brief, brand=slug, platforms=keys,
                                                     variants=n, language=lang)
        yield from self._stream(_Stream(events, len(keys) * n, "post", POST_SLOTS))

    @user_errors
    def suggest_replies(self, comment: str, platform: str | None, variants: float,
                        language: str, brand: str | None) -> Iterator[list[Any]]:
        """Suggested replies to a customer's comment, streamed like drafts."""
        settings = self.services.settings
        comment = _text(comment, "comment", settings.max_comment_chars,
                        "paste the customer's comment")
        key = None if platform in (None, "", ANY_PLATFORM) else get_platform(platform).key
        n = _whole(variants, "variants", 1, MAX_VARIANTS)
        lang = _language(language)
        slug = self._brand(brand)
        events = self.services.drafting.stream_replies(comment, brand=slug, platform=key,
                                                       variants=n, language=lang)
        yield from self._stream(_Stream(events, n, "reply", REPLY_SLOTS))

    def _stream(self, stream: _Stream) -> Iterator[list[Any]]:
        board = _Board(stream.slots, stream.kind)
        started = time.perf_counter()
        yield board.reset(f"✍️ Retrieving guidelines and examples for {stream.total} "
                          f"{_plural(stream.kind, stream.total)}…")
        try:
            for event in stream.events:
                if event.draft is not None:
                    yield board.finish(event.draft)
                elif event.type == "token":
                    yield board.token(event, stream.total)
        except Exception as e:
            message = str(e) if isinstance(e, CmassistError) else type(e).__name__
            yield board.abort(message)
            raise
        done = len(board.finished)
        yield board.done(f"✅ {done} {_plural(stream.kind, done)} ready in "
                         f"{time.perf_counter() - started:.1f} s · edit them in place, copy "
                         "with the copy button")

    @staticmethod
    def recount(text: str, meta: dict[str, Any] | None) -> str:
        """The header of an edited draft, with the count of the text as it is now."""
        return draft_header(meta or {}, text or "")

    @staticmethod
    def stopped(*metas: dict[str, Any] | None) -> list[Any]:
        """After Stop: hide the draft that was being written, keep the finished ones."""
        out: list[Any] = ["⏹️ Stopped."]
        for meta in metas:
            writing = bool(meta) and meta.get("status") == "writing"
            out += [gr.update(visible=False) if writing else gr.skip()] + [gr.skip()] * (
                len(SLOT_FIELDS) - 1)
        return out

    # -- knowledge --

    @user_errors
    def ingest_files(self, files: list[str] | str | None, new_brand: str | None, kind: str,
                     brand: str | None, progress: gr.Progress = gr.Progress(),  # noqa: B008
                     ) -> tuple[Any, ...]:
        """Ingest uploaded files into the selected brand, or a new one; report every problem.

        Gradio 6 keeps an upload's name (`<cache>/<sha256>/<name>`, with only characters
        unsafe for a file system removed), and ingest names a file's records after its name,
        so the original names are the source names.
        """
        paths = [Path(str(f)) for f in ([files] if isinstance(files, str) else files or [])]
        if not paths:
            raise InputError("no files to ingest",
                             f"upload guideline or data files ({', '.join(UPLOAD_SUFFIXES)})")
        bad = [p.name for p in paths if p.suffix.lower() not in UPLOAD_SUFFIXES]
        if bad:
            raise InputError(f"cannot ingest {', '.join(bad)}",
                             f"upload {', '.join(UPLOAD_SUFFIXES)} files only")
        names = [p.name for p in paths]
        twice = sorted({n for n in names if names.count(n) > 1})
        if twice:
            raise InputError(f"two files are named {twice[0]}",
                             "file names are the source names: rename one, or upload separately")
        name = (new_brand or "").strip() or brand
        if not name:
            raise InputError("no brand to ingest into", "select a brand, or type a new brand name")
        target = brand_slug(name)  # a new brand is created by ingest
        kind_arg = None if kind in (None, "", "auto") else kind

        def tick(done: int, total: int) -> None:
            progress((done, total), desc="Embedding records", unit="records")

        progress(0, desc="Reading files")
        report = ingest(self.services.store, paths, brand=target, kind=kind_arg, progress=tick)
        # Errors name the file by its path: show the name the user knows.
        errors = {f.path: (f.error or "").replace(f.path, Path(f.path).name) for f in report.files}
        files_rows = [[Path(f.path).name, f.kind, f.brand or target, f.added, f.updated,
                       f.unchanged, f.rejected, f.removed, errors[f.path]] for f in report.files]
        problem_rows = [[p.file, p.row, p.field or "", p.message]
                        for f in report.files for p in f.problems]
        problem_rows += [[Path(f.path).name, None, "", errors[f.path]]
                         for f in report.files if f.error]
        summary = f"{report.summary()} · brand {target}"
        if problem_rows:
            summary = (f"⚠️ {summary}. Some rows or files were not ingested: see the problems "
                       "below; the good rows are in.")
        else:
            summary = f"✅ {summary}."
        return (summary, frame(files_rows, FILE_COLUMNS), frame(problem_rows, PROBLEM_COLUMNS),
                self.brand_choices(target))

    @user_errors
    def browse(self, kind: str, limit: float, offset: float, brand: str | None,
               ) -> tuple[pd.DataFrame, str, int]:
        """One page of what the brand's store holds."""
        slug = self._brand(brand)
        size = _whole(limit, "the page size", 1, 500)
        start = _whole(offset, "the offset", 0, 10**9)
        store = self.services.store
        only = _kind(kind)
        total = store.count(slug, only)
        hits = store.browse(slug, kind=only, limit=size, offset=start)
        rows = [_record_row(h) for h in hits]
        what = PLURALS[only.value] if only else "records"
        if not hits:
            page = f"No {what} from {start + 1:,} (there are {total:,})."
        else:
            page = f"{what.capitalize()} {start + 1:,}–{start + len(hits):,} of {total:,}"
        return frame(rows, RECORD_COLUMNS), page, start

    def browse_first(self, kind: str, limit: float, brand: str | None,
                     ) -> tuple[pd.DataFrame, str, int]:
        """The first page, after the brand changed; quiet when there is no brand yet."""
        if not brand:
            return frame([], RECORD_COLUMNS), "No brand selected.", 0
        return self.browse(kind, limit, 0, brand)

    def browse_next(self, kind: str, limit: float, offset: float, brand: str | None,
                    ) -> tuple[pd.DataFrame, str, int]:
        step = _safe_int(limit, 50)
        start = _safe_int(offset, 0)
        slug = brand or ""
        total = self._total(kind, slug)
        return self.browse(kind, limit, start + step if start + step < total else start, brand)

    def browse_previous(self, kind: str, limit: float, offset: float, brand: str | None,
                        ) -> tuple[pd.DataFrame, str, int]:
        return self.browse(kind, limit, max(0, _safe_int(offset, 0) - _safe_int(limit, 50)),
                           brand)

    def _total(self, kind: str, brand: str) -> int:
        try:
            return self.services.store.count(brand, _kind(kind))
        except CmassistError:
            return 0  # browse() says what is wrong

    @user_errors
    def search(self, query: str, kind: str, k: float, brand: str | None) -> pd.DataFrame:
        """The records most similar to a query, best first, with their similarity."""
        text = _text(query, "query", self.services.settings.max_brief_chars,
                     "type words to search for")
        n = _whole(k, "the number of results", 1, 50)
        slug = self._brand(brand)
        only = _kind(kind)
        hits = self.services.store.search(slug, text, kind=only, k=n)
        return frame([[round(h.score or 0.0, 3), *_record_row(h)] for h in hits], SEARCH_COLUMNS)


def _plural(kind: str, n: int) -> str:
    return kind if n == 1 else {"reply": "replies"}.get(kind, f"{kind}s")


def _safe_int(value: Any, default: int) -> int:
    try:
        return int(value)
    except (TypeError, ValueError, OverflowError):
        return default


def _record_row(hit: Hit) -> list[Any]:
    m = hit.metadata
    # A guideline's heading is its path in the document; the last part names the passage.
    label = (m.get("platform") if hit.kind in (Kind.POST, Kind.REPLY)
             else str(m.get("heading") or "").split(" > ")[-1])
    reply = excerpt(str(m.get("reply", "")), 200) if hit.kind == Kind.REPLY else ""
    return [hit.id, hit.kind.value, str(label or ""), str(m.get("language") or ""),
            str(m.get("date") or "")[:10], str(m.get("source") or ""), excerpt(hit.text, 240),
            reply]


# -- layout -----------------------------------------------------------------------------------

@dataclass
class _Slot:
    box: gr.Column
    header: gr.Markdown
    text: gr.Textbox
    sources: gr.Dataframe
    meta: gr.State

    def outputs(self) -> list[Any]:
        return [getattr(self, name) for name in SLOT_FIELDS]


def _slots(n: int, kind: str, handlers: Handlers) -> list[_Slot]:
    slots = []
    for _ in range(n):
        with gr.Column(visible=False, variant="panel") as box:
            header = gr.Markdown(latex_delimiters=[], line_breaks=True)
            # The copy button shows only with the label.
            text = gr.Textbox(label="Text: edit it here, then copy it", lines=4, max_lines=30,
                              interactive=True, buttons=["copy"],
                              placeholder=f"The {kind} appears here")
            with gr.Accordion("Sources: guideline passages and past examples used", open=False):
                sources = gr.Dataframe(headers=SOURCE_COLUMNS,
                                       datatype=["str", "str", "str", "number"],
                                       interactive=False, wrap=True, max_height=320,
                                       column_widths=SOURCE_WIDTHS)
            meta = gr.State({})
        text.input(handlers.recount, [text, meta], header, queue=False, show_progress="hidden",
                   api_visibility="private", trigger_mode="always_last")
        slots.append(_Slot(box, header, text, sources, meta))
    return slots


def _flat(slots: Iterable[_Slot]) -> list[Any]:
    return [c for s in slots for c in s.outputs()]


def _table(columns: list[str], label: str, numbers: Iterable[str] = (), **kwargs: Any,
           ) -> gr.Dataframe:
    """A read-only table whose cells are plain text, never Markdown or HTML."""
    datatype = ["number" if c in numbers else "str" for c in columns]
    return gr.Dataframe(headers=columns, datatype=datatype, label=label, interactive=False,
                        wrap=True, **kwargs)


def build_app(services: Services) -> gr.Blocks:
    """The whole app; `launch()` it, or mount it in a FastAPI app."""
    h = Handlers(services)
    platform_choices = [(p.name, p.key) for p in PLATFORMS.values()]
    choices = h.brand_choices(None)
    llm_events = {"concurrency_limit": 1, "concurrency_id": "llm", "show_progress": "minimal"}

    with gr.Blocks(title="cmassist") as app:
        with gr.Row(equal_height=True):
            with gr.Column(scale=3):
                gr.Markdown("# cmassist\nPosts, ideas and replies in your brand's voice, drafted "
                            "from its own guidelines, past posts and past replies. "
                            "Review every draft before you publish it.")
            with gr.Column(scale=2, min_width=320):
                # Choices are refreshed on each page load; a custom value lets API clients
                # name a brand ingested since, and is checked by the handlers.
                brand = gr.Dropdown(label="Brand", info="Used by every tab",
                                    choices=choices["choices"], value=choices["value"],
                                    allow_custom_value=True)
                with gr.Row(equal_height=True):
                    brand_info = gr.Markdown(latex_delimiters=[])
                    refresh = gr.Button("↻ Refresh brands", size="sm", scale=0, min_width=140)

        with gr.Tabs():
            with gr.Tab("Compose"):
                with gr.Accordion("Post ideas · Idées de publication", open=False), gr.Row():
                    with gr.Column(scale=2):
                        topic = gr.Textbox(
                            label="Topic or goal", lines=2,
                            placeholder="Topic or goal / Sujet ou objectif, "
                                        "e.g. 'more subscriptions before the holidays'")
                        with gr.Row():
                            count = gr.Slider(1, MAX_IDEAS, value=5, step=1, precision=0,
                                              label="How many ideas")
                            ideas_lang = gr.Radio(LANGUAGES, value="auto", label="Language")
                        ideas_btn = gr.Button("Suggest ideas", variant="primary")
                    with gr.Column(scale=3):
                        ideas_status = gr.Markdown(latex_delimiters=[])
                        ideas_text = gr.Textbox(label="Ideas", lines=6, max_lines=25,
                                                buttons=["copy"], interactive=False)
                        use_idea = gr.Dropdown(label="Use an idea as the brief below",
                                               choices=[], value=None)
                        with gr.Accordion("Sources", open=False):
                            ideas_sources = _table(SOURCE_COLUMNS, "Sources", ["score"],
                                                   column_widths=SOURCE_WIDTHS)
                with gr.Row():
                    with gr.Column(scale=2, min_width=340):
                        brief = gr.Textbox(
                            label="Brief", lines=5, max_lines=15,
                            info=f"Up to {services.settings.max_brief_chars:,} characters",
                            placeholder="Brief / Consigne: what should the post say? "
                                        "e.g. 'Our Ethiopian single origin is back Friday'")
                        platforms = gr.CheckboxGroup(platform_choices, value=["instagram"],
                                                     label="Platforms")
                        with gr.Row():
                            variants = gr.Slider(1, MAX_VARIANTS, value=2, step=1, precision=0,
                                                 label="Variants per platform")
                            post_lang = gr.Radio(LANGUAGES, value="auto", label="Language")
                        with gr.Row():
                            draft_btn = gr.Button("Draft posts", variant="primary", scale=3)
                            draft_stop = gr.Button("Stop", variant="stop", scale=1)
                        with gr.Accordion("Platform limits", open=False):
                            gr.Dataframe(pd.DataFrame(table()).fillna(""), interactive=False,
                                         datatype="str")
                    with gr.Column(scale=3):
                        draft_status = gr.Markdown(
                            "Drafts appear here as they are written: one card per platform "
                            "and variant, with its character count and its sources.",
                            latex_delimiters=[])
                        post_slots = _slots(POST_SLOTS, "post", h)

            with gr.Tab("Reply"), gr.Row():
                with gr.Column(scale=2, min_width=340):
                    comment = gr.Textbox(
                        label="Customer comment", lines=6, max_lines=20,
                        info=f"Up to {services.settings.max_comment_chars:,} characters; "
                             "shown as plain text",
                        placeholder="Comment / Commentaire: paste the customer's comment")
                    reply_platform = gr.Dropdown(
                        [("any / not specified", ANY_PLATFORM), *platform_choices],
                        value=ANY_PLATFORM, label="Posted on")
                    with gr.Row():
                        reply_variants = gr.Slider(1, MAX_VARIANTS, value=2, step=1,
                                                   precision=0, label="Variants")
                        reply_lang = gr.Radio(LANGUAGES, value="auto", label="Language")
                    with gr.Row():
                        reply_btn = gr.Button("Suggest replies", variant="primary", scale=3)
                        reply_stop = gr.Button("Stop", variant="stop", scale=1)
                with gr.Column(scale=3):
                    reply_status = gr.Markdown(latex_delimiters=[])
                    reply_slots = _slots(REPLY_SLOTS, "reply", h)

            with gr.Tab("Knowledge"), gr.Tabs():
                with gr.Tab("Upload"), gr.Row():
                    with gr.Column(scale=2, min_width=340):
                        files = gr.File(label="Guidelines (.md), past posts or replies "
                                              "(.csv, .json, .jsonl)",
                                        file_count="multiple", file_types=UPLOAD_SUFFIXES)
                        new_brand = gr.Textbox(
                            label="Into a new brand (optional)",
                            placeholder="e.g. boreale-qc: lowercase letters, digits, dashes",
                            info="Leave empty to ingest into the brand selected at the top")
                        data_kind = gr.Radio(
                            [("from the columns", "auto"), ("posts", "posts"),
                             ("replies", "replies"), ("guidelines", "guidelines")],
                            value="auto", label="Kind of data files")
                        ingest_btn = gr.Button("Ingest", variant="primary")
                    with gr.Column(scale=3):
                        ingest_summary = gr.Textbox(label="Summary", interactive=False,
                                                    lines=2)
                        ingest_files = _table(FILE_COLUMNS, "Files", FILE_COLUMNS[3:8],
                                              column_widths=["20%", "9%", "10%"] + ["8%"] * 5
                                              + ["21%"])
                        ingest_problems = _table(PROBLEM_COLUMNS,
                                                 "Problems (rows not ingested)", ["row"],
                                                 column_widths=["20%", "7%", "13%", "60%"])
                with gr.Tab("Browse"):
                    with gr.Row(equal_height=True):
                        browse_kind = gr.Radio(KINDS, value="all", label="Kind", scale=3)
                        page_size = gr.Dropdown([10, 25, 50, 100], value=25, label="Per page",
                                                scale=1)
                        offset = gr.Number(0, precision=0, minimum=0, label="Offset",
                                           scale=1)
                    with gr.Row():
                        previous_btn = gr.Button("← Previous", size="sm")
                        show_btn = gr.Button("Show", variant="primary", size="sm")
                        next_btn = gr.Button("Next →", size="sm")
                    page_info = gr.Markdown(latex_delimiters=[])
                    records = _table(RECORD_COLUMNS, "Records", max_height=700,
                                     column_widths=RECORD_WIDTHS)
                with gr.Tab("Search"):
                    with gr.Row(equal_height=True):
                        query = gr.Textbox(label="Search", scale=4,
                                           placeholder="Query / Recherche, e.g. 'late delivery'")
                        search_kind = gr.Radio(KINDS, value="all", label="Kind", scale=3)
                        k = gr.Slider(1, 50, value=10, step=1, precision=0, label="Results",
                                      scale=2)
                    search_btn = gr.Button("Search", variant="primary")
                    results = _table(SEARCH_COLUMNS, "Results", ["score"], max_height=700,
                                     column_widths=SEARCH_WIDTHS)

        # -- events --
        browse_inputs = [browse_kind, page_size, offset, brand]
        browse_outputs = [records, page_info, offset]
        # A value set by load is no change: show the brand's summary and records here too.
        app.load(h.brand_choices, brand, brand, api_visibility="private").then(
            h.brand_info, brand, brand_info, api_visibility="private").then(
            h.browse_first, [browse_kind, page_size, brand], browse_outputs,
            api_visibility="private")
        refresh.click(h.brand_choices, brand, brand, api_visibility="private").then(
            h.brand_info, brand, brand_info, api_visibility="private")
        brand.change(h.brand_info, brand, brand_info, api_visibility="private").then(
            h.browse_first, [browse_kind, page_size, brand], browse_outputs,
            api_visibility="private")

        ideas_event = gr.on([ideas_btn.click, topic.submit], h.ideas,
                            [topic, count, ideas_lang, brand],
                            [ideas_text, use_idea, ideas_sources, ideas_status],
                            api_name="ideas", show_progress_on=ideas_status, **llm_events)
        use_idea.input(lambda idea: idea or gr.skip(), use_idea, brief, queue=False,
                       api_visibility="private")
        post_outputs = [draft_status, *_flat(post_slots)]
        draft_event = draft_btn.click(h.draft_posts, [brief, platforms, variants, post_lang,
                                                      brand], post_outputs, api_name="draft",
                                      show_progress_on=draft_status, **llm_events)
        draft_stop.click(h.stopped, [s.meta for s in post_slots], post_outputs,
                         cancels=[draft_event, ideas_event], queue=False,
                         api_visibility="private")
        reply_outputs = [reply_status, *_flat(reply_slots)]
        reply_event = reply_btn.click(h.suggest_replies, [comment, reply_platform,
                                                          reply_variants, reply_lang, brand],
                                      reply_outputs, api_name="reply",
                                      show_progress_on=reply_status, **llm_events)
        reply_stop.click(h.stopped, [s.meta for s in reply_slots], reply_outputs,
                         cancels=[reply_event], queue=False, api_visibility="private")

        ingest_btn.click(h.ingest_files, [files, new_brand, data_kind, brand],
                         [ingest_summary, ingest_files, ingest_problems, brand],
                         api_name="ingest", concurrency_limit=1, concurrency_id="ingest")
        gr.on([show_btn.click, browse_kind.change, page_size.change, offset.submit], h.browse,
              browse_inputs, browse_outputs, api_name="browse")
        next_btn.click(h.browse_next, browse_inputs, browse_outputs, api_visibility="private")
        previous_btn.click(h.browse_previous, browse_inputs, browse_outputs,
                           api_visibility="private")
        gr.on([search_btn.click, query.submit], h.search, [query, search_kind, k, brand],
              results, api_name="search")

    app.queue(default_concurrency_limit=4)
    return app
