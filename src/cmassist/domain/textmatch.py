"""Matching words the way a reviewer reads them: case-, accent- and homoglyph-insensitive.

`Folded` keeps a map from the folded text back to the original, so every match has
character offsets into the text the user wrote. Term patterns match whole words and
phrases with cheap French and English inflections (plural, feminine, -ed, -ing).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# Cyrillic and Greek letters that look Latin: "сheap" with a Cyrillic с must not pass.
CONFUSABLES = str.maketrans(
    {
        "а": "a", "е": "e", "о": "o", "р": "p", "с": "c", "у": "y", "х": "x", "і": "i",
        "ј": "j", "ѕ": "s", "ԁ": "d", "ɡ": "g", "ո": "n", "ν": "v", "ο": "o", "α": "a",
        "ρ": "p", "τ": "t", "ι": "i", "κ": "k", "υ": "u",
        "А": "A", "В": "B", "Е": "E", "К": "K", "М": "M", "Н": "H", "О": "O", "Р": "P",
        "С": "C", "Т": "T", "Х": "X", "І": "I", "Ѕ": "S", "Α": "A", "Β": "B", "Ε": "E",
        "Ζ": "Z", "Η": "H", "Ι": "I", "Κ": "K", "Μ": "M", "Ν": "N", "Ο": "O", "Ρ": "P",
        "Τ": "T", "Χ": "X", "Υ": "Y",
        "’": "'", "‘": "'", "ʼ": "'", "‐": "-", "‑": "-", "–": "-",
    }
)  # fmt: skip
INVISIBLE = {"\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad"}

_SUFFIXES = {
    "en": "(?:s|es|ed|d|ing)?",
    "fr": "(?:e|s|es|x)?",
    "any": "(?:s|es|e|x|ed|d|ing)?",
}


@dataclass
class Folded:
    """Lowercased, accent-free text with an index back into the original."""

    text: str
    index: list[int]  # index[i] = position in the original of folded char i; one extra at the end

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Original offsets of the folded span [start, end)."""
        if end <= start:
            return self.index[start], self.index[start]
        return self.index[start], self.index[end - 1] + 1


# Common French and English function and courtesy words, folded: words any two messages
# share, so they say nothing of what a text is about or where it was copied from.
FUNCTION_WORDS = frozenset(
    """all and any are aux avec avez been ben bonjour but c'est ca can ces cette dans des
    est etait faire fait for from get got has have hello how j'ai just les like mais merci
    mes mon not nous our out par pas pis please plus pour que qui sur svp thanks that the
    their them there they this ton tous tout une vos votre vous was what when who why will
    with would you your""".split()  # noqa: SIM905
)


def strip_accents(text: str) -> str:
    """The text without its accents (combining marks), case kept: "Québec" -> "Quebec"."""
    return "".join(c for c in unicodedata.normalize("NFD", text) if unicodedata.category(c) != "Mn")


def fold(text: str) -> Folded:
    """Lowercased, accent-free, look-alike letters made Latin, invisible characters dropped;
    with the index back into `text`."""
    out: list[str] = []
    index: list[int] = []
    for i, ch in enumerate(text):
        if ch in INVISIBLE:
            continue
        for c in unicodedata.normalize("NFD", ch.translate(CONFUSABLES).casefold()):
            if unicodedata.category(c) != "Mn":  # an accent, as in strip_accents
                out.append(c)
                index.append(i)
    index.append(len(text))
    return Folded("".join(out), index)


def fold_str(text: str) -> str:
    """The folded text alone (see `fold`)."""
    return fold(text).text


def term_pattern(term: str, lang: str = "any", inflect: bool = True) -> re.Pattern[str]:
    """A whole-word pattern for a term on folded text; spaces and hyphens interchangeable."""
    parts = [re.escape(p) for p in re.split(r"[\s\-]+", fold_str(term).strip()) if p]
    body = r"[\s\-]+".join(parts)
    if inflect and parts and parts[-1][-1:].isalpha():
        body += _SUFFIXES.get(lang, _SUFFIXES["any"])
    lead = r"(?<![\w])" if term[:1].isalnum() else ""
    return re.compile(rf"{lead}{body}(?![\w])")


def mixed_script_words(text: str) -> list[tuple[int, int]]:
    """Spans of words mixing Latin letters with Cyrillic or Greek ones (homoglyph tricks)."""
    spans = []
    for m in re.finditer(r"\w+", text):
        scripts = set()
        for ch in m.group():
            if not ch.isalpha():
                continue
            name = unicodedata.name(ch, "")
            if name.startswith("LATIN"):
                scripts.add("latin")
            elif name.startswith("CYRILLIC"):
                scripts.add("cyrillic")
            elif name.startswith("GREEK"):
                scripts.add("greek")
        if "latin" in scripts and len(scripts) > 1:
            spans.append((m.start(), m.end()))
    return spans
