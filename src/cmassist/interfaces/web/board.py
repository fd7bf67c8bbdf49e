"""The outputs of a streamed drafting: a status line, then each card's fields; only what
changed is sent, so that streaming stays light."""

from __future__ import annotations

from typing import Any

import gradio as gr

from cmassist.domain.models import Draft
from cmassist.domain.platforms import PLATFORMS
from cmassist.interfaces.i18n import Translator
from cmassist.interfaces.web.cards import (
    SLOT_FIELDS,
    SOURCE_COLUMNS,
    draft_header,
    draft_meta,
    sources_frame,
    writing_header,
)
from cmassist.interfaces.web.findings import (
    FINDING_COLUMNS,
    check_line,
    findings_frame,
    findings_highlight,
)
from cmassist.interfaces.web.render import frame, md
from cmassist.services.drafting import DraftEvent


class Board:
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

    def stopped(self) -> list[Any]:
        """After Stop: the finished drafts stay, the one being written is hidden, as the
        Stop button drew the page."""
        out = self.abort("")
        out[0] = "⏹️"
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
