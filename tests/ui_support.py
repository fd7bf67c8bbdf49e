"""Shared by the UI test modules."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import gradio as gr
import pytest


def error_of(call: Any) -> gr.Error:
    """The gr.Error a handler raises, streaming handlers drained."""
    with pytest.raises(gr.Error) as info:
        result = call()
        if isinstance(result, Iterator):
            list(result)
    return info.value


def assert_renders_no_markup(app: gr.Blocks) -> None:
    """No component of the app renders HTML or Markdown from the values it shows: no HTML
    or chat components, tables of plain strings and numbers, Markdown sanitized."""
    blocks = list(app.blocks.values())
    assert not any(isinstance(b, gr.HTML | gr.Chatbot) for b in blocks)
    for b in blocks:
        if isinstance(b, gr.Dataframe):
            types = b.datatype if isinstance(b.datatype, list) else [b.datatype]
            assert set(types) <= {"str", "number"}
        if isinstance(b, gr.Markdown):
            assert b.sanitize_html
