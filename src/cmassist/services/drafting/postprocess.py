"""What happens to a model's text before it becomes a draft: labels and quotes removed, the
brand's reply signature put once, hashtags and length fitted to the platform."""

from __future__ import annotations

import re
import unicodedata

from cmassist.domain.guidelines import BrandRules
from cmassist.domain.platforms import Platform, count_chars, hashtags
from cmassist.domain.textutil import (
    find_signature,
    place_signature,
    signed_elsewhere,
    strip_replacement_chars,
)


def platform_limit(platform: Platform | None, rules: BrandRules) -> int | None:
    """The length limit of a draft for `platform`: the brand's own, within the platform's."""
    if platform is None:
        return None
    override = rules.platforms.get(platform.key)
    if override and override.max_chars:
        return min(override.max_chars, platform.max_chars)
    return platform.max_chars


_LABEL = re.compile(r"^\s*(post|reply|réponse|publication|answer)\s*:\s*", re.IGNORECASE)
_QUOTES = {'"': '"', "«": "»", "“": "”"}


def clean_generation(raw: str) -> str:
    """The model's text without labels, separators or wrapping quotes."""
    text = raw.split("###")[0]
    text = _LABEL.sub("", text.strip())
    for open_, close in _QUOTES.items():
        if text.startswith(open_) and text.endswith(close) and len(text) > 2:
            text = text[1:-1].strip()
    text = re.sub(r"\n{3,}", "\n\n", text)
    # Control characters never belong in a post (and would make the text unreadable to
    # the checker): a model echoing a binary-laced comment loses them here.
    text = "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch) != "Cc")
    # U+FFFD: a character split across tokens, or copied from a damaged prompt.
    return strip_replacement_chars(text)[0]


# A base model often signs with a name of its own ("— Julie", "– Marc, service client"):
# a dash after a space or a line break, then a few capitalised words without digits or
# sentences, at the very end. "8 h – 18 h" or "— a place for everyone" are not signatures.
_OWN_SIGNATURE = re.compile(
    r"(?:^|(?<=[ \t\n]))[—–-][ \t]*(?P<name>[^\W\d_][^\n—–\d.!?:;]{0,39}?)[ \t]*[.!]?[ \t]*$"
)


def add_signature(text: str, signature: str, notes: list[str]) -> str:
    """`text` ending with the brand's reply signature exactly once.

    A signature the model (or the author) already wrote, with another dash, spacing,
    case or accents, or followed by an emoji or punctuation, is put in the brand's own
    spelling instead of being added a second time.
    """
    if find_signature(text, signature) is None:
        if signed_elsewhere(text, signature):
            return text  # signed, then a P.S.: the author's choice
        own = _OWN_SIGNATURE.search(text)
        if own and own.group("name")[0].isupper() and len(own.group("name").split()) <= 4:
            text = text[: own.start()].rstrip()
        notes.append("added the brand's reply signature")
        return place_signature(text, signature)
    signed = place_signature(text, signature)
    if signed != text.rstrip():
        notes.append("wrote the reply signature the way the brand writes it")
    return signed


def fit_to_platform(
    text: str,
    platform: Platform,
    rules: BrandRules,
    notes: list[str],
    *,
    keep_suffix: str | None = None,
) -> str:
    """Trim hashtags over the limit, then length, the way the platform counts it."""
    max_tags = hashtag_limit(platform, rules)
    tags = hashtags(text)
    if max_tags is not None and len(tags) > max_tags:
        extra = tags[max_tags:]
        for tag in reversed(extra):  # drop the last ones, keep the first
            idx = text.rfind(tag)
            text = (text[:idx] + text[idx + len(tag) :]) if idx >= 0 else text
        text = re.sub(r"[ \t]{2,}", " ", text).strip()
        notes.append(f"removed {len(extra)} hashtag(s) over the limit of {max_tags}")
    limit = platform_limit(platform, rules) or platform.max_chars
    if count_chars(text, platform) <= limit:
        return text
    body, suffix = text, ""
    if keep_suffix and text.endswith(keep_suffix):
        body = text[: -len(keep_suffix)].rstrip()
        suffix = text[len(body) :]  # the signature with the space or line break before it
    while body and count_chars(body + suffix, platform) > limit:
        cut = max(
            body.rfind(". ", 0, len(body) - 1),
            body.rfind("! ", 0, len(body) - 1),
            body.rfind("? ", 0, len(body) - 1),
            body.rfind("\n", 0, len(body) - 1),
        )
        if cut > len(body) * 0.4:
            body = body[: cut + 1].rstrip()
        else:
            # Without the "…" of the last cut: a text with no spaces (a long link, a run of
            # emoji) would otherwise lose its "…" and get it back forever.
            base = body.removesuffix("…")
            space = base.rfind(" ", 0, len(base) - 1)
            base = (base[:space] if space > 0 else base[:-1]).rstrip(" ,;:")
            body = f"{base}…" if base else ""
    notes.append(f"shortened to fit {platform.name}'s {limit} characters")
    return body + suffix


def hashtag_limit(platform: Platform, rules: BrandRules) -> int | None:
    """The brand's per-platform rule, else its general rule, within the platform's own cap."""
    return rules.limit("hashtags", platform)[0]


def parse_ideas(raw: str) -> list[str]:
    ideas = []
    for line in raw.splitlines():
        m = re.match(r"^\s*(?:\d{1,2}[.)]|[-*•])\s*(.+?)\s*$", line)
        if m:
            idea = m.group(1).strip(" \"'«»")
            if 3 <= len(idea) <= 300:
                ideas.append(idea)
    return ideas


def excerpt_block(text: str, limit: int) -> str:
    """Like `excerpt`, but keeps line breaks (post formats matter for few-shot)."""
    if len(text) <= limit:
        return text
    cut = text[:limit]
    space = max(cut.rfind(" "), cut.rfind("\n"))
    return (cut[:space] if space > limit * 0.6 else cut).rstrip() + "…"


# Lines a base model writes when it goes on with the few-shot document instead of stopping:
# the prompts' labels (in either language), separators and chat markers.
_SCAFFOLD = re.compile(
    r"^[ \t]*(?:(?:topic|post|comment|reply|note|policy|facts?|brief|example|sujet|"
    r"publication|commentaire|r[ée]ponse|consigne|politique|exemple)[ \t]*:|-{3,}|#{3,}|={3,}|"
    r"</?(?:start_of_turn|end_of_turn|comment|brief|facts?)>)",
    re.IGNORECASE | re.MULTILINE,
)
# The same labels inside a line: "… merci! Comment: «Et le décaf?» Reply: …".
_INLINE_SCAFFOLD = re.compile(
    r"\b(?:comment|reply|topic|post|commentaire|r[ée]ponse|sujet)[ \t]*:[ \t]*[«\"“]",
    re.IGNORECASE,
)
_LOOP_CHARS = 48  # a run this long written twice: the model is looping


def early_stop(raw: str, limit: int | None = None) -> tuple[int, str] | None:
    """Where to stop a generation that already went wrong, and why: the few-shot format
    after the first line, a long run written twice, or a text far over the platform's
    `limit` (its end would be cut anyway). None while it reads fine."""
    first_break = raw.find("\n", len(raw) - len(raw.lstrip()))
    if first_break >= 0:
        m = _SCAFFOLD.search(raw, first_break + 1)
        if m:
            return m.start(), "stopped where the model began another example"
    if len(raw) >= 2 * _LOOP_CHARS:
        tail = raw[-_LOOP_CHARS:]
        at = raw.find(tail)
        if at + _LOOP_CHARS <= len(raw) - _LOOP_CHARS and tail.strip():
            return len(raw) - _LOOP_CHARS, "stopped where the model began repeating itself"
    if limit and limit < 1000 and len(raw) > limit * 1.25 + 20:
        return len(raw), "stopped far over the platform's length"
    return None


def scaffolding_at(text: str) -> int | None:
    """Where the finished text still shows the prompt's few-shot format (a label line, a
    separator, a chat marker, an inline "Comment: «"), if anywhere."""
    found = [m.start() for m in (_SCAFFOLD.search(text), _INLINE_SCAFFOLD.search(text)) if m]
    return min(found) if found else None


_END = re.compile(r"[.!?…»”)\]\"']\s*$")


def trim_unfinished(text: str) -> str | None:
    """A text the model stopped mid-sentence (out of tokens) without its unfinished last
    sentence; the text itself when it ends a sentence, an emoji or a hashtag; None when
    too little would be left (under 40%)."""
    stripped = text.rstrip()
    if not stripped:
        return None
    last = stripped[-1]
    if _END.search(stripped) or unicodedata.category(last) == "So":
        return stripped
    if re.search(r"(?:^|\s)#\w+$", stripped):
        return stripped
    cut = max(stripped.rfind(mark) for mark in (". ", "! ", "? ", "… ", ".\n", "!\n", "?\n"))
    if cut < 0 or cut + 1 < 0.4 * len(stripped):
        return None
    return stripped[: cut + 1]
