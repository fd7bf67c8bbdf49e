"""Shared rendering: untrusted text made inert for Markdown, tables with their headers in
the user's language, platform names and words compared version to version."""

from __future__ import annotations

import difflib
import html
import re
from typing import Any

import pandas as pd

from cmassist.domain.platforms import PLATFORMS
from cmassist.interfaces.i18n import Translator

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~>$])")
# A word with the spaces after it, so that a run of changed words is one marked span.
_WORDS = re.compile(r"\S+\s*|\s+")


def md(text: object) -> str:
    """Text made inert for gr.Markdown: no HTML, no Markdown syntax, no LaTeX."""
    escaped = html.escape(" ".join(str(text).split()), quote=False)
    # "http:\/\/" is no autolink, which would show the escapes inside the link's text.
    return _MD_SPECIAL.sub(r"\\\1", escaped).replace("://", r":\/\/")


def frame(rows: list[list[Any]], columns: list[str], tr: Translator | None = None) -> pd.DataFrame:
    """A table for the page, its column names in the user's language."""
    return pd.DataFrame(rows, columns=[tr(c) for c in columns] if tr else columns)


def platform_name(key: str) -> str:
    """A platform's name ("Instagram"), or the key itself when it is none of ours."""
    return PLATFORMS[key].name if key in PLATFORMS else key


def plural(kind: str, n: int) -> str:
    """ "post" or "posts", "reply" or "replies": the English message id to translate."""
    return kind if n == 1 else {"reply": "replies"}.get(kind, f"{kind}s")


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
