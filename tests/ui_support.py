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
