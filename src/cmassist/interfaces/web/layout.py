"""Shared layout: the labels translated in the browser (`L`), read-only tables whose
headers follow the user's language, highlighted text, and the options events share."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import gradio as gr
import pandas as pd

from cmassist.interfaces.i18n import Labels
from cmassist.interfaces.web.findings import (
    FINDING_COLORS_BY_LABEL,
    FINDING_COLUMNS,
    FINDING_WIDTHS,
)
from cmassist.interfaces.web.render import frame
from cmassist.interfaces.web.request import translator

# The labels of the layout, translated in the browser (see cmassist.interfaces.i18n).
L = Labels()
# Events the page wires for itself: not offered to API clients.
PRIVATE: dict[str, Any] = {"api_visibility": "private"}
# What every event that calls the LLM shares: one at a time. "always_last": a click while
# a stopped draft is still ending (it stops at its next token) runs once that is done,
# instead of being ignored.
LLM_EVENTS: dict[str, Any] = {
    "concurrency_limit": 1,
    "concurrency_id": "llm",
    "show_progress": "minimal",
    "trigger_mode": "always_last",
}

# The tables laid out by the build in progress, with their English columns: the page
# load gives each its headers in the user's language (Gradio translates no headers).
_RELABEL: list[tuple[gr.Dataframe, list[str]]] = []


def table(
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
    laid_out = gr.Dataframe(
        headers=columns, datatype=datatype, label=L(label), interactive=False, wrap=True, **kwargs
    )
    if relabel:
        _RELABEL.append((laid_out, columns))
    return laid_out


def start_relabelling() -> None:
    """Forget the tables of an earlier build: a new app is being laid out."""
    _RELABEL.clear()


def relabel_on_load(app: gr.Blocks) -> None:
    """On page load, give every table laid out since `start_relabelling` its headers in the
    user's language."""
    tables = list(_RELABEL)
    _RELABEL.clear()
    app.load(_headers([c for _, c in tables]), None, [t for t, _ in tables], **PRIVATE)


def _headers(columns: list[list[str]]) -> Callable[..., tuple[pd.DataFrame, ...]]:
    def headers(request: gr.Request | None = None) -> tuple[pd.DataFrame, ...]:
        tr = translator(request)
        return tuple(frame([], c, tr) for c in columns)

    return headers


def findings_table() -> gr.Dataframe:
    """The table of a text's findings."""
    return table(FINDING_COLUMNS, "Findings", column_widths=FINDING_WIDTHS, max_height=360)


def findings_text(label: Any, **kwargs: Any) -> gr.HighlightedText:
    """A text with its findings marked, coloured by severity, shown as plain text; `label`
    is laid out already (`L("Check")`)."""
    return gr.HighlightedText(
        label=label,
        color_map=FINDING_COLORS_BY_LABEL,
        show_legend=False,
        combine_adjacent=True,
        interactive=False,
        **kwargs,
    )


def clear() -> str:
    """An emptied text box (after its action succeeded)."""
    return ""


def clear_all() -> tuple[str, ...]:
    """The Review tab's four status lines emptied."""
    return ("", "", "", "")
