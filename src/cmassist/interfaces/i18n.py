"""The app's two languages. Every string a person reads is written in English in the code
(the message id) and found in French in `locales/fr.yaml`, a file a translator can edit.

Labels laid out once (`Labels`) are translated in the browser by Gradio's own I18n, so the
page is in the right language from its first paint; what handlers write (status lines,
tables, errors) is translated on the server with `gettext` for the language of the request.
The language is the user's choice (a cookie set by the language switch), else the
browser's (Accept-Language), else English.
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Mapping
from importlib import resources
from typing import Any

import yaml

LANGUAGES = ("en", "fr")
DEFAULT_LANGUAGE = "en"
COOKIE = "cmassist_lang"
# Message ids asked for in French that the catalog lacks (the tests require none).
MISSED: set[str] = set()
_FIELD = re.compile(r"\{(\w+)(?:[:!][^{}]*)?\}")


@functools.cache
def catalog() -> dict[str, str]:
    """English message id → French, from the packaged `locales/fr.yaml`."""
    text = (
        resources.files("cmassist.interfaces")
        .joinpath("locales/fr.yaml")
        .read_text(encoding="utf-8")
    )
    data = yaml.safe_load(text) or {}
    if not isinstance(data, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in data.items()
    ):
        raise ValueError("locales/fr.yaml must map English strings to French strings")
    return data


def supported(lang: str | None) -> str:
    """`lang` if it is one of ours (fr-CA counts as fr), else English."""
    base = (lang or "").strip().lower().replace("_", "-").split("-")[0]
    return base if base in LANGUAGES else DEFAULT_LANGUAGE


def negotiate(accept_language: str | None, chosen: str | None = None) -> str:
    """The language for a request: the user's choice, else the browser's first language
    that we speak (by the q weights of Accept-Language), else English."""
    if chosen and supported(chosen) == chosen.strip().lower()[:2]:
        return supported(chosen)
    ranked: list[tuple[float, int, str]] = []
    for i, part in enumerate((accept_language or "").split(",")):
        tag, _, params = part.strip().partition(";")
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                q = 0.0
        base = tag.strip().lower().split("-")[0]
        if base in LANGUAGES and q > 0:
            ranked.append((-q, i, base))
    return min(ranked)[2] if ranked else DEFAULT_LANGUAGE


def number(value: float | int, lang: str, decimals: int = 0) -> str:
    """A number as each language writes it: 12,345.6 in English, 12 345,6 in French."""
    text = f"{value:,.{decimals}f}"
    if lang == "fr":
        text = text.replace(",", "\u202f").replace(".", ",")
    return text


def _format(template: str, params: Mapping[str, Any], lang: str) -> str:
    values = {
        k: number(v, lang) if isinstance(v, int) and not isinstance(v, bool) else v
        for k, v in params.items()
    }
    return template.format(**values)


def gettext(msgid: str, lang: str, **params: Any) -> str:
    """`msgid` in `lang`, its {fields} filled (whole numbers grouped as `lang` writes them).

    A message with no French yet is shown in English rather than not at all; the tests
    check that none is missing."""
    template = msgid
    if lang == "fr":
        template = catalog().get(msgid, msgid)
        if template is msgid and _wordy(msgid):
            MISSED.add(msgid)
    return _format(template, params, lang) if params else template


@functools.cache
def _patterns() -> list[tuple[re.Pattern[str], str, bool]]:
    """The catalog's messages that have fields, as patterns that read an English message
    back into its fields, the most specific first (the most letters of their own); the
    generic ones ("{what} ({words})", "{first}, {rest}") are marked."""
    out = []
    for msgid, french in catalog().items():
        if not _FIELD.search(msgid):
            continue
        pattern, last = "", 0
        for m in _FIELD.finditer(msgid):
            # A field that ends the message may be empty (a guideline's reason, say).
            body = ".*?" if m.end() == len(msgid) and m.start() > 0 else ".+?"
            pattern += re.escape(msgid[last : m.start()]) + f"(?P<{m.group(1)}>{body})"
            last = m.end()
        pattern += re.escape(msgid[last:])
        letters = len(re.findall(r"[A-Za-z]", _FIELD.sub("", msgid)))
        out.append((letters, re.compile(pattern, re.DOTALL), french))
    # generic: no word of its own, only fields and punctuation
    return [(p, f, n == 0) for n, p, f in sorted(out, key=lambda o: -o[0])]


def _top_level(text: str, sep: str) -> list[str]:
    """`text` cut at each `sep` outside quotes and brackets."""
    parts: list[str] = []
    depth, quoted, start, i = 0, False, 0, 0
    while i < len(text):
        c = text[i]
        if c in "“«":
            quoted = True
        elif c in "”»":
            quoted = False
        elif c in "([" and not quoted:
            depth += 1
        elif c in ")]" and not quoted:
            depth = max(0, depth - 1)
        elif not quoted and depth == 0 and text.startswith(sep, i):
            parts.append(text[start:i])
            start = i = i + len(sep)
            continue
        i += 1
    parts.append(text[start:])
    return parts


def translate(text: str, lang: str) -> str:
    """An English message written elsewhere (a domain error, a triage reason) in `lang`:
    an exact catalog entry, a list of them ("a; b"), or one whose fields match (the fields
    translated in turn, quoted words left alone); anything else is left as it is."""
    if lang != "fr" or not text:
        return text
    found = catalog().get(text)
    if found is not None:
        return found
    patterns = _patterns()
    specific = [(p, f, g) for p, f, g in patterns if not g]
    generic = [(p, f, g) for p, f, g in patterns if g]
    for pattern, french, _ in specific:
        m = pattern.fullmatch(text)
        if m:
            return _fill(french, m, lang)
    for sep, joiner in (("; ", " ; "), (". ", ". ")):
        parts = _top_level(text, sep)
        if len(parts) > 1:  # a list, or sentences: each translated on its own
            return joiner.join(
                translate(p + ("." if joiner == ". " and i < len(parts) - 1 else ""), lang)[
                    : None if joiner != ". " or i == len(parts) - 1 else -1
                ]
                for i, p in enumerate(parts)
            )
    for pattern, french, _ in generic:
        m = pattern.fullmatch(text)
        if m:
            return _fill(french, m, lang)
    return text


def _fill(french: str, m: re.Match[str], lang: str) -> str:
    fields = {k: _field(v, lang) for k, v in m.groupdict().items()}
    return _FIELD.sub(lambda f: fields.get(f.group(1), f.group(0)), french)


def _field(value: str, lang: str) -> str:
    """A field read back from a message: quoted words (a customer's, a file's) and numbers
    stay as they are; our own words are translated in turn."""
    quoted = value[:1] in "“\"'«" and len(_top_level(value, "; ")) == 1
    if quoted or value[:1] == " " or not re.search(r"[A-Za-z]{2,}", value):
        return value  # quoted, a number, or a guideline's reason after a sentence
    return translate(value, lang)


def key(msgid: str) -> str:
    """The key of a message in Gradio's translations: opaque, since Gradio's i18n reads
    dots in keys as paths."""
    return "m" + hashlib.sha1(msgid.encode("utf-8")).hexdigest()[:16]


class Labels:
    """The labels of one app, translated in the browser: `labels("Brand")` goes where a
    string would, and `translations()` is what `launch(i18n=...)` takes."""

    def __init__(self) -> None:
        self._en: dict[str, str] = {}
        self._fr: dict[str, str] = {}
        self._ids: set[str] = set()

    def __call__(self, msgid: str, **params: Any) -> Any:
        import gradio as gr

        english = gettext(msgid, "en", **params)
        k = key(english)
        self._ids.add(msgid)
        self._en[k] = english
        self._fr[k] = gettext(msgid, "fr", **params)
        return gr.I18n(en={})(k)

    def choices(self, pairs: list[tuple[str, Any]]) -> list[tuple[Any, Any]]:
        return [(self(label), value) for label, value in pairs]

    def translations(self) -> Any:
        import gradio as gr

        return gr.I18n(en=dict(self._en), fr=dict(self._fr))

    def missing(self) -> list[str]:
        """English labels with no French: the tests require none."""
        return sorted(m for m in self._ids if m not in catalog() and _wordy(m))


def _wordy(text: str) -> bool:
    """Text with a word in it (not only a name, a number, an emoji or a symbol)."""
    return bool(re.search(r"[A-Za-z]{3,}", text))


class Translator:
    """`gettext` for one language: `tr("Check")`, `tr("{n} drafts", n=3)`."""

    def __init__(self, lang: str) -> None:
        self.lang = supported(lang)

    def __call__(self, msgid: str, **params: Any) -> str:
        return gettext(msgid, self.lang, **params)

    def number(self, value: float | int, decimals: int = 0) -> str:
        return number(value, self.lang, decimals)

    def error(self, text: str) -> str:
        """A message written elsewhere in English (an error, a reason), in this language."""
        return translate(text, self.lang)
