"""Near-copies of what a brand wrote before: its past posts and replies indexed by word
5-grams (folded), once per revision of its records, and the check that a new post or reply
is not one of them."""

from __future__ import annotations

import re
import threading
import unicodedata
from collections import OrderedDict
from dataclasses import dataclass

import regex

from cmassist.domain.signatures import find_signature
from cmassist.domain.textmatch import CONFUSABLES, INVISIBLE, Folded, fold
from cmassist.services.checking.context import CheckContext
from cmassist.services.checking.profile import BrandProfile
from cmassist.services.checking.sheet_reading import sentences

_WORD = re.compile(r"\w+")
_MARKS = regex.compile(r"\p{Mn}+")  # accents, once decomposed


@dataclass(frozen=True)
class Words:
    """A text's words, folded (`textmatch.fold`), with their offsets in the original."""

    words: list[str]
    spans: list[tuple[int, int]]


def words_of(folded: Folded) -> Words:
    """The words of a folded text, with their offsets in the original."""
    found = list(_WORD.finditer(folded.text))
    return Words([m.group() for m in found], [folded.span(*m.span()) for m in found])


NGRAM = 5
# Share of a text's words (or of the past text's) inside 5-grams the two have in common,
# above which it is a copy. Measured on the sample brands, every past post and reply
# against the others: the highest is 0.67 but for three posts the brand did repeat (the
# same recall notice on two platforms, the same Coffee Day post two years running: 0.83 to
# 0.86); a post with one phrase changed keeps 0.8 or more. Replies share their greeting,
# signature and stock phrases by design, and adapting a past answer is the way to write
# one: only a body copied (nearly) word for word is flagged.
POST_COPY = 0.75
REPLY_COPY = 0.95
MIN_WORDS = 8  # shorter texts say too little to be a copy of anything
# A post of one short sentence ("le 24 décembre, nos trois cafés ferment à 15 h") states a
# fact in the brand's stock words, the product's name and its qualifier fill its 5-grams:
# it copies a past text only when it reproduces most of that text, not the other way round.
SHORT_WORDS = 20
_SKIP = re.compile(
    r"https?://\S+|www\.\S+|\S+@\S+\.\S+|(?<![\w@])@[\w.@-]+|(?<![\w#])#[^\s#]+|"
    r"\b(?:[\w-]+\.)+[a-z]{2,}(?:/\S*)?",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class PastText:
    """A post or reply the brand wrote, as the 5-grams of its body's words."""

    text: str
    kind: str  # "post" or "reply"
    size: int  # words
    grams: dict[tuple[str, ...], list[int]]


@dataclass(frozen=True)
class Copy:
    """The past text a text copies: the share of the text's words in runs the two share,
    the share of the past text's, and the copied words' character span."""

    past: PastText
    mine: float
    theirs: float
    start: int
    end: int

    def share(self, whole_past: bool = False) -> float:
        """How much is copied: of the past text alone (`whole_past`), else of either."""
        return self.theirs if whole_past else max(self.mine, self.theirs)


def unsigned(text: str, signatures: list[str]) -> tuple[str, bool]:
    """The text without its signature at the end (any of `signatures`, however written),
    and whether it had one. Only the text's end is read, which keeps this cheap."""
    body = text.rstrip()
    for signature in signatures:
        cut = max(0, len(body) - 2 * len(signature) - 20)
        found = find_signature(body[cut:], signature)
        if found is not None and found.set_apart:
            return body[: cut + found.start].rstrip(), True
    return body, False


def body_words(text: str, signatures: list[str]) -> Words:
    """The words of a text's body, with their offsets: its signature, hashtags, links and
    mentions aside (the brand shares them by design)."""
    body, _ = unsigned(text, signatures)
    skip = [m.span() for m in _SKIP.finditer(body)]
    words = words_of(fold(body))
    keep = [i for i, (a, _) in enumerate(words.spans) if not any(x <= a < y for x, y in skip)]
    return Words([words.words[i] for i in keep], [words.spans[i] for i in keep])


_PLAIN = str.maketrans({**CONFUSABLES, **dict.fromkeys(map(ord, INVISIBLE))})


def plain_words(text: str) -> list[str]:
    """The folded words of `body_words`, without their offsets, many times faster: what
    the index is built from."""
    flat = unicodedata.normalize("NFD", _SKIP.sub(" ", text).translate(_PLAIN).casefold())
    return _WORD.findall(_MARKS.sub("", flat))


def _runs(words: list[str], n: int = NGRAM) -> zip[tuple[str, ...]]:
    """The word n-grams of a text, in order."""
    return zip(*(words[k:] for k in range(n)), strict=False)


def _grams(words: list[str], n: int = NGRAM) -> dict[tuple[str, ...], list[int]]:
    """The word n-grams of a text, each with where it starts."""
    out: dict[tuple[str, ...], list[int]] = {}
    for i, gram in enumerate(_runs(words, n)):
        out.setdefault(gram, []).append(i)
    return out


def _covered(size: int, grams: dict[tuple[str, ...], list[int]], shared: set) -> list[int]:
    """The word positions inside the shared grams."""
    hit = [False] * size
    for g in shared:
        for i in grams[g]:
            hit[i : i + NGRAM] = [True] * NGRAM
    return [i for i, h in enumerate(hit) if h]


class CopyIndex:
    """A brand's past posts and replies by their word 5-grams, and its guidelines' 4-grams;
    built once per revision of the brand's records (`copy_index`)."""

    def __init__(self, profile: BrandProfile) -> None:
        rule = profile.rules.reply_signature
        self.signatures = rule.variants() if rule else []
        guidelines = {p.text for p in profile.passages}
        self.past: list[PastText] = []
        self.by_gram: dict[tuple[str, ...], list[int]] = {}
        for text in profile.written():
            if text in guidelines:
                continue
            body, signed = unsigned(text, self.signatures)
            words = plain_words(body)
            grams = _grams(words)
            past = PastText(text, "reply" if signed else "post", len(words), grams)
            for g in grams:
                self.by_gram.setdefault(g, []).append(len(self.past))
            self.past.append(past)
        self.guideline_grams = frozenset(
            g for p in profile.passages for g in _runs(plain_words(p.text), 4)
        )

    def nearest(
        self, words: Words, whole_past: bool = False, leave_out: int | None = None
    ) -> Copy | None:
        """The past text that shares the most of its words (or of the text's) with the
        text, in shared 5-grams; with `whole_past`, the one most reproduced in the text.
        `leave_out`: a past text's index not to compare with (to measure the index on the
        brand's own texts, each against the others)."""
        mine = _grams(words.words)
        counts: dict[int, int] = {}
        for g in mine:
            for j in self.by_gram.get(g, ()):
                if j != leave_out:
                    counts[j] = counts.get(j, 0) + 1
        best: Copy | None = None
        for j in sorted(counts, key=counts.__getitem__, reverse=True)[:5]:
            past = self.past[j]
            shared = set(mine) & set(past.grams)
            covered = _covered(len(words.words), mine, shared)
            found = Copy(
                past,
                len(covered) / max(1, len(words.words)),
                len(_covered(past.size, past.grams, shared)) / max(1, past.size),
                words.spans[covered[0]][0],
                words.spans[covered[-1]][1],
            )
            if best is None or found.share(whole_past) > best.share(whole_past):
                best = found
        return best

    def is_guideline_text(self, text: str) -> bool:
        """Whether a line is mostly words of the guidelines, in their order."""
        grams = set(_runs(plain_words(text), 4))
        return len(grams) >= 3 and len(grams & self.guideline_grams) >= 0.6 * len(grams)


_INDEXES: OrderedDict[tuple[str, str], CopyIndex] = OrderedDict()
_INDEX_LOCK = threading.Lock()
_KEEP = 16  # brands' indexes kept in memory


def copy_index(profile: BrandProfile) -> CopyIndex:
    """The brand's copy index at the profile's revision, built on first use (thread-safe)."""
    key = (profile.slug, profile.revision)
    with _INDEX_LOCK:
        index = _INDEXES.get(key)
        if index is None:
            index = _INDEXES[key] = CopyIndex(profile)
            while len(_INDEXES) > _KEEP:
                _INDEXES.popitem(last=False)
        _INDEXES.move_to_end(key)
        return index


def _one_short_sentence(text: str, words: Words, signatures: list[str]) -> bool:
    """Whether a text's body is a single sentence of fewer than `SHORT_WORDS` words."""
    if len(words.words) >= SHORT_WORDS:
        return False
    body, _ = unsigned(text, signatures)
    return sum(1 for s in sentences(body) if _WORD.search(s.text)) <= 1


# What a near-copy finding cites and suggests, for a post and for a reply.
_COPY_ADVICE = {
    "post": (
        "no automated cross-posting: each post is written for its platform, not copied",
        "write it anew: the same facts in new words",
    ),
    "reply": (
        "reply templates to adapt to each case, never to paste as is",
        "answer this comment in its own words; adapt the past reply, don't paste it",
    ),
}


def check_near_copy(ctx: CheckContext) -> None:
    """A post that copies a past one: most of its words in the same 5-word runs (or most of
    the past one's; for a post of one short sentence, most of the past one's). A reply that
    reproduces a past reply's body (signature aside) nearly word for word: it answers
    another customer; a stock phrase alone is no copy."""
    index = copy_index(ctx.profile)
    words = body_words(ctx.text, index.signatures)
    reply = ctx.kind == "reply"
    whole = reply or _one_short_sentence(ctx.text, words, index.signatures)
    found = index.nearest(words, whole_past=whole) if len(words.words) >= MIN_WORDS else None
    if found is None or found.share(whole) < (REPLY_COPY if reply else POST_COPY):
        return
    quote = " ".join(found.past.text.split())
    quote = quote if len(quote) <= 90 else quote[:89].rsplit(" ", 1)[0] + "…"
    query, suggestion = _COPY_ADVICE["reply" if reply else "post"]
    ctx.add(
        "near_copy",
        None,
        found.start,
        found.end,
        f"This {ctx.kind} is a near-copy of a past {found.past.kind} "
        f"({round(100 * found.share(whole))}% shared): “{quote}”.",
        query=query,
        term=("copier tels quels" if ctx.language == "fr" else "paste as is") if reply else "",
        suggestion=suggestion,
    )
