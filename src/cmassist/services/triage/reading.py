"""What one message says, read aspect by aspect for triage: sentiment, complaint, abuse, spam
and ordinary requests, each with the words behind it."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from cmassist.domain.safety import CATEGORY_NAMES, SafetyReading
from cmassist.domain.textmatch import Folded, fold
from cmassist.domain.triage import Sentiment
from cmassist.services.triage.lexicons import (
    ASKS,
    COMPLAINT,
    EMOJI_POS,
    HEALTH_ASK,
    NEGATION,
    NEGATIVE,
    POSITIVE,
    REQUEST,
    SPAM,
    TARGET,
    THREAT,
    TOXIC,
    TROUBLE,
    URGENT,
)


def hits(rx: re.Pattern[str], folded: str, limit: int = 3) -> list[str]:
    """The first `limit` different matches of `rx` in the folded text."""
    out: list[str] = []
    for m in rx.finditer(folded):
        if m.group() not in out:
            out.append(m.group())
        if len(out) >= limit:
            break
    return out


def quote(words: Sequence[str]) -> str:
    return ", ".join(f"“{w}”" for w in words)


def pct(p: float) -> str:
    return f"{round(float(p) * 100)}%"


def negated(folded: str, word: str) -> bool:
    """A negation in the few characters before the first `word` ("not good")."""
    i = folded.find(word)
    if i < 0:
        return False
    window = folded[max(0, i - 14) : i]
    return NEGATION.search(window) is not None


def sentiment_reading(
    text: str, folded: str, lang: str, sent_p: np.ndarray | None
) -> tuple[float, Sentiment, str, list[str]]:
    """Sentiment score in [-1, 1], label, how it was read, and the words behind it: the
    TweetEval head (English-trained) blended with the bilingual lexicon."""
    pos = hits(POSITIVE, folded) + [e for e in EMOJI_POS.findall(text)][:2]
    neg = hits(NEGATIVE, folded)
    negated_pos = [w for w in pos if negated(folded, w)]
    pos = [w for w in pos if w not in negated_pos]
    neg = neg + [f"not {w}" for w in negated_pos]
    lex = (len(pos) - len(neg)) / max(1.0, math.sqrt(len(pos) + len(neg)))
    lex = max(-1.5, min(1.5, lex))
    if sent_p is not None:
        head = float(sent_p[2] - sent_p[0])
        weight = 0.55 if lang == "en" else 0.3
        score = weight * head + (1 - weight) * math.tanh(lex)
        how = f"model {pct(sent_p[0])} negative / {pct(sent_p[2])} positive"
    else:
        score = math.tanh(lex)
        how = "lexicon only"
    sentiment: Sentiment = "negative" if score < -0.2 else "positive" if score > 0.25 else "neutral"
    words = neg if sentiment == "negative" else pos if sentiment == "positive" else pos + neg
    return score, sentiment, how, words


COMPLAINT_FEATURES = ("head log-odds", "problem cues", "negativity", "praise only", "urgent")


def complaint_features(
    folded: str, score: float, sentiment: str, comp_p: float | None
) -> tuple[np.ndarray, list[str]]:
    """The complaint mixer's inputs (COMPLAINT_FEATURES) and the problem cues found; the
    mixer's weights are fitted by bench/train_triage.py on out-of-fold head outputs."""
    cues = hits(COMPLAINT, folded)
    p = min(max(comp_p, 1e-3), 1 - 1e-3) if comp_p is not None else 0.5
    f = np.asarray(
        [
            math.log(p / (1 - p)),
            min(len(cues), 3),
            max(0.0, -score),
            float(sentiment == "positive" and not cues),
            float(URGENT.search(folded) is not None and score < 0),
        ],
        dtype=np.float64,
    )
    return f, cues


@dataclass(frozen=True)
class ComplaintReading:
    """Whether a message is a complaint, how sure, the problem cues found, and why."""

    complaint: bool
    score: float
    cues: list[str]
    reason: str


def read_complaint(
    folded: str,
    score: float,
    sentiment: str,
    comp_p: float | None,
    mix: tuple[np.ndarray, float, float] | None,
    knn: tuple[float | None, str],
) -> ComplaintReading:
    """The complaint head, cues and tone (the mixer when the heads have one), moved by the
    brand's own labelled past comments (`knn`: their share of complaints, and why)."""
    features, cues = complaint_features(folded, score, sentiment, comp_p)
    share, knn_text = knn
    if mix is not None:
        z = float(features @ mix[0] + mix[1])
        if share is not None:  # the brand's own labels move the odds by at most e^±1
            z += 2.0 * (share - 0.5)
        complaint_score = 1.0 / (1.0 + math.exp(-z))
        complaint = complaint_score >= mix[2]
    else:  # no head for this embedding: cues and tone only
        c = 0.0
        if cues:
            c += 0.45 + 0.1 * min(len(cues) - 1, 2)
        c += 0.35 * max(0.0, -score)
        if share is not None:
            c += 0.35 * (share - 0.5)
        if sentiment == "positive" and not cues:
            c -= 0.3
        complaint_score = max(0.0, min(1.0, c))
        complaint = complaint_score >= 0.45
    why = []
    if comp_p is not None and comp_p >= 0.5:
        why.append(f"complaint model {pct(comp_p)}")
    if cues:
        why.append(f"reports a problem ({quote(cues)})")
    if sentiment == "negative":
        why.append("negative tone")
    if knn_text:
        why.append(knn_text)
    reason = f"{'yes' if complaint else 'no'} ({pct(complaint_score)}): " + (
        "; ".join(why) if why else "no problem reported"
    )
    return ComplaintReading(complaint, complaint_score, cues, reason)


Request = tuple[str, list[str]]  # the kind of request (or HEALTH_ASK) and its words


def settle_complaint(
    c: ComplaintReading,
    *,
    harassment: bool,
    safety: SafetyReading,
    request: Request | None,
    sentiment: str,
) -> ComplaintReading:
    """The complaint reading corrected by what the rules know better: abuse with no problem
    named, a safety report, an ordinary request, problem words that are negated."""
    complaint, score, reason = c.complaint, c.score, c.reason
    if harassment and complaint and not c.cues:
        # abuse aimed at a person is a complaint only when it names a problem
        complaint = False
        reason = (
            f"no: abuse aimed at a person, with no problem named (the complaint model alone "
            f"read {pct(score)})"
        )
    if safety.report:
        # harm from the product or service, or a legal threat, is a complaint whatever the tone
        complaint = True
        score = max(score, 0.9)
        reason = f"yes: a safety report ({', '.join(CATEGORY_NAMES[k] for k in safety.categories)})"
    elif complaint and request is not None:
        complaint = False
        kind, asked = request
        what = (
            f"asks a health question ({quote(asked)})"
            if kind == HEALTH_ASK
            else f"a request ({kind}: {quote(asked)})"
        )
        reason = f"no: {what}, no problem named (the complaint reading alone was {pct(score)})"
    elif complaint and c.cues and sentiment != "negative" and only_negated(c.cues, safety):
        # "no one got sick": the problem words the complaint reading saw are negated
        complaint = False
        reason = (
            f"no: its problem words are negated ({quote(list(safety.set_aside[:3]))}) "
            f"(the complaint reading alone was {pct(score)})"
        )
    return replace(c, complaint=complaint, score=score, reason=reason)


def only_negated(cues: Sequence[str], safety: SafetyReading) -> bool:
    """Every problem cue sits inside words the safety reading set aside as negated."""
    aside = [fold(w).text for w in safety.set_aside]
    return bool(aside) and all(any(c in w for w in aside) for c in cues)


def safety_words(safety: SafetyReading) -> str:
    """ "safety report: foreign body (“piece of hard plastic”)", for the urgency reason."""
    return "safety report: " + "; ".join(h.describe(CATEGORY_NAMES) for h in safety.reports)


@dataclass(frozen=True)
class Toxicity:
    """Abuse, threats and harassment (abuse aimed at a person), with the reasons to show."""

    toxic: bool
    harassment: bool
    threats: list[str]
    reasons: dict[str, str] = field(default_factory=dict)  # "toxicity", then "harassment"


def read_toxicity(folded: str, off_p: float | None) -> Toxicity:
    """Insults and threats from the lexicons, with the offensive-language head's score."""
    tox_words = hits(TOXIC, folded)
    threats = hits(THREAT, folded)
    off = off_p if off_p is not None else 0.0
    aimed = TARGET.search(folded) is not None
    toxic = (
        bool(threats) or (bool(tox_words) and (off >= 0.5 or len(tox_words) >= 2 or aimed))
    ) or off >= 0.9
    harassment = bool(threats) or (toxic and aimed)
    reasons: dict[str, str] = {}
    if toxic or off >= 0.5:
        parts = []
        if threats:
            parts.append(f"threat ({quote(threats)})")
        if tox_words:
            parts.append(f"insults ({quote(tox_words)})")
        if off_p is not None:
            parts.append(f"offensive-language model {pct(off)}")
        reasons["toxicity"] = ("yes: " if toxic else "borderline: ") + "; ".join(parts)
        if harassment:
            reasons["harassment"] = "aimed at a person" + (" with a threat" if threats else "")
    return Toxicity(toxic, harassment, threats, reasons)


def read_spam(text: str, folded: str, complaint: bool, sentiment: str) -> tuple[bool, str]:
    """Whether a message is spam, and why ("" when nothing promotional was seen): promotional
    words, unless a single one sits in a real complaint with no link; or a link farm, several
    links in a message that is neither a complaint nor negative."""
    spam_words = hits(SPAM, folded)
    links = re.findall(r"https?://\S+|www\.\S+", text)
    link_farm = len(links) >= 2 and not complaint and sentiment != "negative"
    spam = link_farm or (
        bool(spam_words) and (len(spam_words) >= 2 or bool(links) or not complaint)
    )
    if not (spam_words or link_farm):
        return spam, ""
    return spam, ("yes: " if spam else "maybe: ") + (
        f"promotional cues {quote(spam_words)}" if spam_words else f"{len(links)} links"
    )


def read_request(text: str, f: Folded, *, health: Sequence[str] = ()) -> Request | None:
    """The kind of ordinary request a message makes (or the health question it asks) and its
    words, if it names no problem besides (the "lost" of "lost my scarf" is the request, not
    a problem)."""
    if not ASKS.search(f.text):
        return None
    found = [(kind, m.span()) for kind, rx in REQUEST.items() for m in rx.finditer(f.text)]
    if not found and not health:
        return None
    spans = [span for _, span in found]
    for lexicon in (COMPLAINT, NEGATIVE, TROUBLE):
        for m in lexicon.finditer(f.text):
            if not any(a <= m.start() < b for a, b in spans):
                return None
    if not found:
        return HEALTH_ASK, list(health)[:3]
    kind = found[0][0]
    words: list[str] = []
    for k, (start, end) in found:
        a, b = f.span(start, end)
        if k == kind and text[a:b] not in words:
            words.append(text[a:b])
    return kind, words[:3]
