"""Errors as the page shows them: one line in the user's language, never a stack trace."""

from __future__ import annotations

import functools
import html
import inspect
import logging
from collections.abc import Callable, Iterator
from typing import Any

import gradio as gr

from cmassist.domain.errors import (
    AuthError,
    CmassistError,
    ConfigError,
    ConflictError,
    ForbiddenError,
    LLMError,
    StateError,
    StoreError,
)
from cmassist.interfaces.i18n import Translator
from cmassist.interfaces.web.request import request_of, translator

log = logging.getLogger(__name__)


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


def stopped_reason(error: Exception, tr: Translator) -> str:
    """Why a stream stopped, for its status line: our own errors in the user's language,
    anything else by its type only."""
    return tr.error(str(error)) if isinstance(error, CmassistError) else type(error).__name__


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
                raise _gr_error(e, translator(request_of(args, kwargs))) from e

        return stream

    @functools.wraps(fn)
    def call(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except gr.Error:
            raise
        except Exception as e:
            raise _gr_error(e, translator(request_of(args, kwargs))) from e

    return call
