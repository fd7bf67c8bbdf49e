"""A brand's reply signature at the end of a reply, however it is written (any dash, spacing,
case, accents, emoji after it), found, and put exactly once in the brand's own spelling."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from cmassist.domain.textmatch import fold

_DASHES = "-‐‑‒–—―~"
_SPACES = " \t\u00a0\u202f"


def _alnum_key(text: str) -> tuple[str, list[int]]:
    """Letters and digits only, folded (`textmatch.fold`: no case, accents or look-alike
    letters), each with its position in `text`."""
    f = fold(text)
    keep = [i for i, c in enumerate(f.text) if c.isalnum()]
    return "".join(f.text[i] for i in keep), [f.index[i] for i in keep]


def _separator_start(text: str, start: int) -> tuple[int, bool]:
    """Where the separator before position `start` begins (spaces and one dash run), and
    whether that separator sets a signature apart (a dash, a line break, the start of the
    text, or punctuation or an emoji before it, but not a word: "ask the Boréale team")."""
    i = start
    while i > 0 and text[i - 1] in _SPACES:
        i -= 1
    dashed = False
    while i > 0 and text[i - 1] in _DASHES:
        i -= 1
        dashed = True
    j = i
    while j > 0 and text[j - 1] in _SPACES:
        j -= 1
    if dashed:
        return j, True
    before = text[j - 1] if j > 0 else "\n"
    return j, not before.isalnum()


@dataclass(frozen=True)
class SignatureMatch:
    start: int  # where the separator before the signature begins (spaces, dash)
    words: int  # where its first letter is
    end: int  # just after its last letter; what follows is punctuation or emoji
    set_apart: bool  # False: the text ends with the words, inside a sentence


def find_signature(text: str, signature: str) -> SignatureMatch | None:
    """The signature at the end of `text`, however it is written.

    Any dash (-, –, —) or none, any spacing, case, accents or apostrophe, and followed
    only by punctuation or emoji: "– l'equipe Boreale 😊" is "— L'équipe Boréale".
    """
    want, _ = _alnum_key(signature)
    if not want:
        return None
    have, index = _alnum_key(text)
    if not have.endswith(want):
        return None
    first = index[len(have) - len(want)]
    if len(have) > len(want) and index[len(have) - len(want) - 1] == first:
        return None  # the match starts inside a character ("ß" -> "ss")
    start, apart = _separator_start(text, first)
    return SignatureMatch(start, first, index[-1] + 1, apart)


def signed_elsewhere(text: str, signature: str) -> bool:
    """True when the signature appears, set apart by a dash or a line, before the end."""
    want, _ = _alnum_key(signature)
    if not want:
        return False
    have, index = _alnum_key(text)
    at = have.find(want)
    while at >= 0:
        i = index[at]
        while i > 0 and text[i - 1] in _SPACES:
            i -= 1
        if i == 0 or text[i - 1] in _DASHES or text[i - 1] == "\n":
            return True
        at = have.find(want, at + 1)
    return False


def place_signature(text: str, signature: str) -> str:
    """`text` ending with `signature` exactly once, in the brand's own spelling.

    A signature already there in another form (other dash, spacing, case, accents,
    emoji or punctuation after it) is replaced, the emoji kept before it; otherwise the
    signature is appended after a space.
    """
    text = text.rstrip()
    match = find_signature(text, signature)
    if match is None:
        return f"{text} {signature}" if text else signature
    if not match.set_apart:
        return text  # "Thanks from the Boréale team": signed in words, leave it
    emoji, body, gap = "", text, ""
    # The same signature twice ("– L'équipe Boréale — L'équipe Boréale") goes down to one.
    while match is not None and match.set_apart:
        tail = body[match.end :]
        emoji = (
            "".join(
                ch
                for ch in tail
                if unicodedata.category(ch) in ("So", "Sk") or ch in "\u200d\ufe0f"
            )
            + emoji
        )
        words = match.words
        body = body[: match.start].rstrip()  # always a prefix of `text`
        gap = text[len(body) : words]
        match = find_signature(body, signature)
    sep = "\n" if "\n" in gap else " "
    if emoji:
        body = f"{body} {emoji}" if body else emoji
    return f"{body}{sep}{signature}" if body else signature
