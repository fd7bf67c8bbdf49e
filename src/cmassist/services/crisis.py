"""Holding statements for a crisis alert, drawn from the brand's own crisis guidelines.

The guideline section titled "Holding statements" / "Déclarations d'attente" lists ready
statements as bullets (`- Product: « ... »`). For an alert, the statement whose label and
words are closest to the messages behind it is proposed, in each language the guidelines
give, as a draft like any other: it goes through review before anything is published.
Bracketed parts ("[time]", "[produit, lot]") are left for a person to fill in.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

import numpy as np

from cmassist.domain.errors import InputError
from cmassist.domain.textmatch import fold_str
from cmassist.domain.textutil import detect_language

if TYPE_CHECKING:
    from cmassist.services.inbox import InboxService
    from cmassist.services.review import Actor, DraftView, ReviewService

_HEADING = re.compile(r"holding statement|declarations? d'attente|declaration d'attente")
_BULLET = re.compile(
    r"^\s*[-*]\s*(?P<label>[^:«\"“]{1,40})\s*:\s*[«\"“]\s*(?P<text>.+?)\s*[»\"”]\s*$", re.M
)


class Passage(Protocol):
    """A guideline passage, as the brand's checking profile keeps it."""

    @property
    def heading(self) -> str: ...
    @property
    def text(self) -> str: ...
    @property
    def language(self) -> str | None: ...
    @property
    def source(self) -> str: ...
    @property
    def line(self) -> int | None: ...


@dataclass(frozen=True)
class Statement:
    """A ready statement of the guidelines: its label, text, language and where it is."""

    label: str
    text: str
    language: str | None
    source: str
    heading: str
    line: int | None


def holding_statements(passages: Iterable[Passage]) -> list[Statement]:
    """The holding statements of a brand's guideline passages (checker profile passages)."""
    out: list[Statement] = []
    for p in passages:
        if not _HEADING.search(fold_str(p.heading)):
            continue
        for m in _BULLET.finditer(p.text):
            out.append(
                Statement(
                    m.group("label").strip(),
                    m.group("text").strip(),
                    p.language,
                    p.source,
                    p.heading,
                    p.line,
                )
            )
    return out


def choose(
    statements: list[Statement],
    messages: list[str],
    embed: Callable[[Sequence[str]], Sequence[Sequence[float]]],
) -> dict[str, Statement]:
    """The statement most of the alert's messages are closest to, in each language."""
    if not statements:
        raise InputError(
            "the brand's crisis guidelines have no holding statements",
            "add a 'Holding statements' section listing them as `- Label: « text »`, "
            "then ingest it",
        )
    by_lang: dict[str, list[int]] = {}
    for i, s in enumerate(statements):
        by_lang.setdefault(s.language or "und", []).append(i)
    if not messages:
        return {lang: statements[idx[0]] for lang, idx in by_lang.items()}
    vectors = np.asarray(
        embed([f"{s.label}: {s.text}" for s in statements] + messages[:50]), dtype=np.float32
    )
    sims = vectors[len(statements) :] @ vectors[: len(statements)].T
    # Each message votes for its nearest statement among those in its own language (a
    # French message sits closer to every French statement than to any English one), by
    # the statement's position: the guidelines give the same statements in each language,
    # in the same order.
    votes: dict[int, list[float]] = {}
    for text, row in zip(messages[:50], sims, strict=False):
        idx = by_lang.get(detect_language(text) or "und") or list(range(len(statements)))
        best_i = max(idx, key=lambda i: row[i])
        rank_of = by_lang[statements[best_i].language or "und"].index(best_i)
        tally = votes.setdefault(rank_of, [0.0, 0.0])
        tally[0] += 1
        tally[1] += float(row[best_i])
    rank = max(votes, key=lambda r: (votes[r][0], votes[r][1]))
    scores = sims.mean(axis=0)
    return {
        lang: statements[idx[rank] if rank < len(idx) else max(idx, key=lambda i: scores[i])]
        for lang, idx in by_lang.items()
    }


class CrisisService:
    """Holding-statement drafts for a crisis alert, saved in the review workflow: a second
    person approves them before anything goes out."""

    def __init__(
        self,
        inbox: InboxService,
        review: ReviewService,
        passages: Callable[[str], Sequence[Passage]],
        embed: Callable[[Sequence[str]], Sequence[Sequence[float]]],
    ) -> None:
        self.inbox = inbox
        self.review = review
        self.passages = passages  # a brand's guideline passages (its checking profile's)
        self.embed = embed

    def holding_drafts(self, actor: Actor, alert_id: int) -> list[DraftView]:
        """One draft per language the crisis guidelines give, of the statement closest to
        the alert's messages, on the platform most of them came from; linked to the alert."""
        alert = self.inbox.alert(alert_id)
        messages = self.inbox.messages(alert.message_ids)
        chosen = choose(
            holding_statements(self.passages(alert.brand)), [m.text for m in messages], self.embed
        )
        platform = (
            Counter(m.platform for m in messages).most_common(1)[0][0] if messages else "facebook"
        )
        context = (
            f"Crisis alert #{alert.id} on {alert.topic}: {alert.reason}. "
            "Fill in the bracketed parts before submitting."
        )
        drafts = [
            self.review.create_draft(
                actor,
                brand=alert.brand,
                platform=platform,
                text=st.text,
                kind="post",
                language=lang if lang in ("fr", "en") else "en",
                provenance={
                    "source": "crisis holding statement",
                    "alert": alert.id,
                    "statement": st.label,
                    "guideline": {"source": st.source, "heading": st.heading, "line": st.line},
                },
                context=context,
            )
            for lang, st in sorted(chosen.items())
        ]
        self.inbox.add_alert_drafts(alert.id, [d.id for d in drafts])
        return drafts
