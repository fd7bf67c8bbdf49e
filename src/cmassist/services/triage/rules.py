"""The triage decision for each message: its readings (`reading`), then urgency, action and
priority, a safety, health or legal report first whatever the tone."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from cmassist.domain.hostile import InjectionReport, detect_injection
from cmassist.domain.safety import SafetyReading, read_safety
from cmassist.domain.textmatch import fold
from cmassist.domain.textutil import detect_language
from cmassist.domain.triage import Action, Triage, Urgency
from cmassist.services.triage.brand import BrandSignals, neighbours, topic_of
from cmassist.services.triage.heads import Heads
from cmassist.services.triage.lexicons import HAZARD, PRESS_DATA, QUESTION
from cmassist.services.triage.reading import (
    ComplaintReading,
    hits,
    quote,
    read_complaint,
    read_request,
    read_spam,
    read_toxicity,
    safety_words,
    sentiment_reading,
    settle_complaint,
)

_LANGUAGES = {"fr": "French", "en": "English"}
_NO_LANGUAGE = "neither clearly French nor English"


def triage_batch(
    texts: Sequence[str],
    brand: BrandSignals | None,
    vectors: np.ndarray | None,
    heads: Heads | None,
) -> list[Triage]:
    """Triage messages whose embeddings (unit length, one row each) are `vectors`."""
    n = len(texts)
    sent_p = off_p = comp_p = mix = None
    if heads is not None and vectors is not None and vectors.shape[1] == heads.dimension:
        sent_p = heads.sentiment(vectors)
        off_p = heads.offensive(vectors)
        comp_p = heads.complaint(vectors)
        mix = heads.complaint_mix
    return [
        triage_one(
            texts[i],
            brand,
            None if vectors is None else vectors[i],
            None if sent_p is None else sent_p[i],
            None if off_p is None else float(off_p[i]),
            None if comp_p is None else float(comp_p[i]),
            mix,
        )
        for i in range(n)
    ]


def triage_one(
    text: str,
    brand: BrandSignals | None,
    vector: np.ndarray | None,
    sent_p: np.ndarray | None,
    off_p: float | None,
    comp_p: float | None = None,
    mix: tuple[np.ndarray, float, float] | None = None,
) -> Triage:
    """One message read aspect by aspect, each decision with its reason (in this order)."""
    folded_text = fold(text)
    folded = folded_text.text
    reasons: dict[str, str] = {}
    lang = detect_language(text) or "und"
    reasons["language"] = (
        f"{_LANGUAGES[lang]} (function words and accents)" if lang in _LANGUAGES else _NO_LANGUAGE
    )
    score, sentiment, how, words = sentiment_reading(text, folded, lang, sent_p)
    reasons["sentiment"] = f"{sentiment} ({how}" + (
        f"; words {quote(words[:3])})" if words else ")"
    )
    # complaint: the complaint head, cues, tone, then the brand's own labelled past comments
    first = read_complaint(folded, score, sentiment, comp_p, mix, neighbours(brand, vector))
    reasons["complaint"] = first.reason
    # topic: the brand's own topic keywords first, then the nearest topic by meaning
    topic, reasons["topic"] = topic_of(brand, folded, vector)
    tox = read_toxicity(folded, off_p)
    reasons.update(tox.reasons)
    safety = read_safety(text)
    request = None if safety.report else read_request(text, folded_text, health=safety.health_words)
    question = bool(QUESTION.search(folded)) or request is not None  # "je voudrais réserver..."
    c = settle_complaint(
        first, harassment=tox.harassment, safety=safety, request=request, sentiment=sentiment
    )
    reasons["complaint"] = c.reason
    if safety.report or safety.health or safety.set_aside:
        reasons["safety"] = safety.summary() or (
            f"no report: {quote(list(safety.set_aside[:3]))} negated or hypothetical"
        )
    spam, why_spam = read_spam(text, folded, c.complaint, sentiment)
    if why_spam:
        reasons["spam"] = why_spam
    inj = detect_injection(text)
    if inj.flagged:
        reasons["injection"] = inj.summary()
    # urgency and action: a safety, health or legal report comes first, whatever the tone
    urgency, reasons["urgency"] = decide_urgency(
        safety,
        threats=tox.threats,
        press=hits(PRESS_DATA, folded),
        hazards=hits(HAZARD, folded) if not question else [],
        complaint=c.complaint,
        question=question,
        negative=sentiment == "negative",
        injection=inj,
    )
    action, why_action = decide_action(
        safety, urgency, spam, tox.toxic, tox.harassment, inj, c.complaint, question, sentiment
    )
    reasons["action"] = f"{action}: {why_action}"
    return Triage(
        language=lang,
        sentiment=sentiment,
        sentiment_score=float(score),
        complaint=c.complaint,
        complaint_score=c.score,
        topic=topic,
        urgency=urgency,
        toxic=tox.toxic,
        harassment=tox.harassment,
        spam=spam,
        injection=inj.flagged,
        question=question,
        action=action,
        priority=decide_priority(safety, urgency, action, c, sentiment, question),
        reasons=reasons,
        method="embedded" if sent_p is not None else "rules",
        safety=safety.categories,
        health_question=bool(safety.health) and question,
    )


def decide_urgency(
    safety: SafetyReading,
    *,
    threats: list[str],
    press: list[str],
    hazards: list[str],
    complaint: bool,
    question: bool,
    negative: bool,
    injection: InjectionReport,
) -> tuple[Urgency, str]:
    """How urgent a message is, and why."""
    if safety.report:
        return "high", "high: " + safety_words(safety)
    if threats:
        return "high", f"high: threat ({quote(threats)})"
    if press and (complaint or negative or question):
        return "high", f"high: press, personal data or account security ({quote(press)})"
    if hazards and (complaint or negative):
        return "high", f"high: a hazard reported ({quote(hazards)})"
    if complaint or question or injection.flagged:
        return "normal", "normal: " + (
            "a complaint"
            if complaint
            else "a health question, no incident reported"
            if safety.health and question
            else "a question"
            if question
            else "needs a look"
        )
    return "low", "low: nothing to fix or answer"


def decide_action(
    safety: SafetyReading,
    urgency: Urgency,
    spam: bool,
    toxic: bool,
    harassment: bool,
    injection: InjectionReport,
    complaint: bool,
    question: bool,
    sentiment: str,
) -> tuple[Action, str]:
    """What to do with a message, and why."""
    if safety.report:
        return "escalate", (
            "a safety, health or legal report: a person must handle it now, before any reply"
        )
    if urgency == "high":
        return "escalate", "urgent: a person must handle it now"
    if spam:
        return "hide", "spam"
    if toxic and not complaint:
        return "hide", "abusive, with no problem to answer" if not harassment else "harassment"
    if injection.flagged:
        return "escalate", (
            "possible prompt injection: a person should read it before any reply is drafted"
        )
    if complaint or question:
        why = "a complaint to answer" if complaint else "a question to answer"
        if toxic:
            why += " (abusive words: answer the problem, not the tone)"
        return "reply", why
    return "ignore", (
        "positive or neutral, nothing asked"
        if sentiment != "negative"
        else "negative but no problem or question"
    )


def decide_priority(
    safety: SafetyReading,
    urgency: Urgency,
    action: Action,
    complaint: ComplaintReading,
    sentiment: str,
    question: bool,
) -> int:
    """The message's place in the queue, 0..100: a safety report first, then by action,
    urgency, how sure the complaint is, the tone and whether it asks something."""
    priority = {"escalate": 80, "reply": 45, "hide": 30, "ignore": 5}[action]
    if safety.report:
        priority = 100  # first in the queue, above any other escalation
    elif safety.health and action == "reply":
        priority += 5
    if urgency == "high":
        priority += 15
    if complaint.complaint:
        priority += int(15 * complaint.score)
    if sentiment == "negative":
        priority += 5
    if question and action == "reply":
        priority += 3
    return min(100, priority)
