"""Small text helpers shared by ingest, retrieval and drafting: hashing, language, excerpts."""

from __future__ import annotations

import hashlib
import re
import unicodedata

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
    text = clean(text)
    for pattern, repl in _NEUTRALIZE:
        text = pattern.sub(repl, text)
    if one_line:
        text = " / ".join(line.strip() for line in text.splitlines() if line.strip())
    return re.sub(r"[ \t]{2,}", " ", text).strip()
