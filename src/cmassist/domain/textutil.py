"""Small text helpers shared by ingest, retrieval and drafting: hashing, language, excerpts,
damaged text (U+FFFD, binary) and reply signatures however they are written."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass

LANGUAGES = ("fr", "en")

_WORD = re.compile(r"[a-zàâäçéèêëîïôöùûüÿœæ']+", re.IGNORECASE)
_FR = set(
    [
        "le",
        "la",
        "les",
        "un",
        "une",
        "des",
        "du",
        "de",
        "d'",
        "l'",
        "et",
        "est",
        "sont",
        "pour",
        "pas",
        "que",
        "qui",
        "quoi",
        "dans",
        "sur",
        "avec",
        "vous",
        "nous",
        "notre",
        "nos",
        "votre",
        "vos",
        "au",
        "aux",
        "ce",
        "cette",
        "ces",
        "mais",
        "ou",
        "où",
        "très",
        "plus",
        "merci",
        "bonjour",
        "salut",
        "je",
        "tu",
        "il",
        "elle",
        "on",
        "ils",
        "elles",
        "mon",
        "ma",
        "mes",
        "ton",
        "ta",
        "tes",
        "son",
        "sa",
        "ses",
        "leur",
        "leurs",
        "été",
        "être",
        "avoir",
        "fait",
        "faire",
        "chez",
        "aussi",
        "encore",
        "déjà",
        "toujours",
        "jamais",
        "rien",
        "tout",
        "tous",
        "toutes",
        "comme",
        "quand",
        "y",
        "en",
        "ne",
        "se",
        "sa",
        "c'",
        "j'",
        "qu'",
        "n'",
        "s'",
        "à",
        "ça",
        "car",
        "donc",
        "alors",
        "bien",
        "peu",
        "depuis",
        "avant",
        "après",
        "semaine",
        "jour",
        "commande",
        "livraison",
        "café",
    ]
)
_EN = set(
    [
        "the",
        "a",
        "an",
        "and",
        "is",
        "are",
        "was",
        "were",
        "for",
        "not",
        "that",
        "which",
        "who",
        "what",
        "in",
        "on",
        "at",
        "with",
        "you",
        "we",
        "our",
        "your",
        "their",
        "this",
        "these",
        "those",
        "it",
        "its",
        "of",
        "to",
        "be",
        "been",
        "have",
        "has",
        "had",
        "do",
        "does",
        "did",
        "my",
        "me",
        "i",
        "he",
        "she",
        "they",
        "them",
        "his",
        "her",
        "but",
        "or",
        "very",
        "more",
        "thanks",
        "thank",
        "hello",
        "hi",
        "just",
        "also",
        "still",
        "already",
        "always",
        "never",
        "nothing",
        "all",
        "when",
        "will",
        "would",
        "can",
        "could",
        "should",
        "from",
        "by",
        "about",
        "order",
        "delivery",
        "coffee",
        "week",
        "day",
    ]
)
_FR_CHARS = set("àâçéèêëîïôœùûü")


def detect_language(text: str, default: str | None = None) -> str | None:
    """ "fr" or "en" from function words and accents; `default` when there is no signal.

    Good enough to choose examples and the answer's language for French and English
    social-media text; other languages read as whichever is closer.
    """
    words = [w.lower().strip("'") for w in _WORD.findall(text)]
    fr = sum(1 for w in words if w in _FR or w + "'" in _FR)
    en = sum(1 for w in words if w in _EN)
    fr += 0.5 * sum(1 for ch in text.lower() if ch in _FR_CHARS)
    if fr == en:
        return default
    return "fr" if fr > en else "en"


def normalize_language(value: str | None) -> str | None:
    """ "fr-CA", "French", "FR" -> "fr"; unknown values -> None."""
    if not value:
        return None
    v = value.strip().lower().replace("_", "-")
    names = {"french": "fr", "français": "fr", "francais": "fr", "english": "en", "anglais": "en"}
    v = names.get(v, v.split("-")[0])
    return v if v in LANGUAGES else None


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def stable_id(*parts: object) -> str:
    """An ID from content: the same parts always give the same ID."""
    joined = "\x1f".join("" if p is None else str(p) for p in parts)
    return hashlib.sha256(joined.encode("utf-8")).hexdigest()[:24]


def clean(text: str) -> str:
    """NFC, no control characters but newlines and tabs, trimmed."""
    text = unicodedata.normalize("NFC", text)
    text = "".join(
        ch for ch in text if ch in "\n\t" or unicodedata.category(ch)[0] != "C" or ch == "\u200d"
    )
    return text.replace("\r\n", "\n").replace("\r", "\n").strip()


def excerpt(text: str, limit: int = 200) -> str:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space > limit * 0.6:
        cut = cut[:space]
    return cut.rstrip(",;:. ") + "…"


_NEUTRALIZE = [
    (re.compile(r"#{3,}"), "# # #"),
    (re.compile(r"</?\s*(comment|brief|topic|data|system|user|assistant)\b[^>]*>", re.I), " "),
    (re.compile(r"[«»]"), '"'),
    (re.compile(r"<\|[^|>]*\|>"), " "),  # chat-template control tokens
    (re.compile(r"<(start|end)_of_turn>", re.I), " "),
]


def as_data(text: str, *, one_line: bool = True) -> str:
    """Untrusted text made safe to place between a prompt's delimiters.

    It cannot close its delimiter, open a new few-shot entry ("Reply:" on a new line),
    or inject chat-template control tokens. The words stay readable for the model.
    """
    text = strip_replacement_chars(clean(text))[0]  # a model copies U+FFFD runs
    for pattern, repl in _NEUTRALIZE:
        text = pattern.sub(repl, text)
    if one_line:
        text = " / ".join(line.strip() for line in text.splitlines() if line.strip())
    return re.sub(r"[ \t]{2,}", " ", text).strip()


# -- damaged text ------------------------------------------------------------------------------

REPLACEMENT_CHAR = "\ufffd"
# A broken emoji often leaves its variation selector or joiner next to the U+FFFD.
_REPLACEMENT_RUN = re.compile(
    r"(?P<before>[ \t]*)[\ufe0e\ufe0f\u200d]*\ufffd[\ufffd\ufe0e\ufe0f\u200d]*(?P<after>[ \t]*)"
)


def strip_replacement_chars(text: str) -> tuple[str, int]:
    """The text without its U+FFFD replacement characters, and how many runs were removed.

    U+FFFD is what a tool writes in place of bytes it could not decode, most often an emoji
    broken by an earlier export: damaged text, not binary. The runs go (a post or reply
    that copied them would look broken) and the spaces around them close up:
    "Merci �� à vous" -> "Merci à vous", "Bravo �" -> "Bravo", "End ��, merci" -> "End, merci".
    """
    if REPLACEMENT_CHAR not in text:
        return text, 0
    runs = 0

    def drop(m: re.Match[str]) -> str:
        nonlocal runs
        runs += 1
        line_start = m.start() == 0 or text[m.start() - 1] == "\n"
        line_end = m.end() == len(text) or text[m.end()] in "\r\n"
        if line_start or line_end:
            return ""
        if not m.group("after") and text[m.end()] in ",.;:!?)…":
            return ""  # "Mile End ��, thanks" -> "Mile End, thanks"
        return m.group("before") or m.group("after")

    return _REPLACEMENT_RUN.sub(drop, text), runs


def looks_binary(text: str) -> bool:
    """True for text that is really binary data: NUL bytes, or many control characters.

    U+FFFD replacement characters do not count: they are damaged text, not binary
    (see `strip_replacement_chars`).
    """
    controls = sum(1 for ch in text if unicodedata.category(ch) == "Cc" and ch not in "\n\r\t")
    return "\x00" in text or controls > max(2, len(text) // 100)


# -- reply signatures ---------------------------------------------------------------------------

_DASHES = "-‐‑‒–—―~"
_SPACES = " \t\u00a0\u202f"


def _alnum_key(text: str) -> tuple[str, list[int]]:
    """Letters and digits only, casefolded and without accents, each with its position."""
    out: list[str] = []
    index: list[int] = []
    for i, ch in enumerate(text):
        for c in unicodedata.normalize("NFKD", ch.casefold()):
            if c.isalnum() and unicodedata.category(c) != "Mn":
                out.append(c)
                index.append(i)
    return "".join(out), index


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
