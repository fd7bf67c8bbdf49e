"""Words a reply copied from a comment: the brand's own words (`OwnText`), the longest copied
run (`copied_span`) and how many copied words make an echo."""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable

import numpy as np

from cmassist.domain.textmatch import FUNCTION_WORDS, fold

_WORDS = re.compile(r"\w+(?:['’]\w+)*")
# Words a reply shares with any comment; a copied run made only of these proves nothing.
COMMON_WORDS = FUNCTION_WORDS | frozenset(
    """about also aussi avoir bien chez comme elle elles encore entre etre here ils into
    leur leurs more only sans some sont sous than thank then tres very were""".split()  # noqa: SIM905
)


def _content(words: list[str], ignore: frozenset[str]) -> bool:
    return any(len(w) >= 4 and w not in COMMON_WORDS and w not in ignore for w in words)


def words_of(text: str) -> list[str]:
    return _WORDS.findall(fold(text).text)


class OwnText:
    """The brand's own words (guidelines, posts and the answers it gave, never the comments):
    a phrase whose every word pair the brand has written is the brand speaking, even when a
    comment said it too ("notre café du Vieux-Québec"); an attacker's payload ("n'est pas
    vraiment biologique", "endorsed by Brûlerie Boréale") has a pair the brand never wrote.
    Pairs are kept as a sorted array of hashes, so a store of 100k posts costs a few MB."""

    def __init__(self, texts: Iterable[str] = ()) -> None:
        words: set[str] = set()
        pairs: list[int] = []
        for text in texts:
            ws = words_of(text)
            words.update(ws)
            pairs.extend(hash(p) for p in itertools.pairwise(ws))
        self.words = frozenset(words)
        self._pairs = np.unique(np.asarray(pairs, dtype=np.int64))

    def says(self, words: list[str]) -> bool:
        """Whether the brand has written every pair of consecutive `words` (one word: it)."""
        if len(words) < 2:
            return all(w in self.words for w in words)
        if not len(self._pairs):
            return False
        keys = np.asarray([hash(p) for p in itertools.pairwise(words)], dtype=np.int64)
        at = np.minimum(np.searchsorted(self._pairs, keys), len(self._pairs) - 1)
        return bool(np.all(self._pairs[at] == keys))


NO_OWN_TEXT = OwnText()


def copied_span(
    reply: str,
    source: str,
    min_words: int,
    ignore: frozenset[str] = frozenset(),
    own: OwnText = NO_OWN_TEXT,
) -> tuple[int, int, int] | None:
    """The longest run of at least `min_words` words of `reply` copied from `source`, with
    at least one content word (not a function word, not in `ignore`, e.g. the brand's own
    name) and not entirely in the brand's own words (`own`): (start, end, words) in the
    reply, or None."""
    rw = [(m.start(), m.end(), fold(m.group()).text) for m in _WORDS.finditer(reply)]
    sw = [fold(m.group()).text for m in _WORDS.finditer(source)]
    if len(rw) < min_words or len(sw) < min_words:
        return None
    grams: set[tuple[str, ...]] = {
        tuple(sw[i : i + min_words]) for i in range(len(sw) - min_words + 1)
    }
    source_text = " " + " ".join(sw) + " "
    best: tuple[int, int, int] | None = None
    i = 0
    while i <= len(rw) - min_words:
        if tuple(w for _, _, w in rw[i : i + min_words]) in grams:
            j = i + min_words
            while (
                j < len(rw)
                and (" " + " ".join(w for _, _, w in rw[i : j + 1]) + " ") in source_text
            ):
                j += 1
            run = [w for _, _, w in rw[i:j]]
            if _content(run, ignore) and not own.says(run):
                if best is None or j - i > best[2]:
                    best = (rw[i][0], rw[j - 1][1], j - i)
                i = j
                continue
        i += 1
    return best


def echo_threshold(comment: str) -> int:
    """How many copied words make a reply an echo of a comment that is not an attack: 12,
    or most of a short comment ("OK. <the whole comment>")."""
    n = sum(1 for _ in _WORDS.finditer(comment))
    return min(12, max(6, -(-4 * n // 5)))
