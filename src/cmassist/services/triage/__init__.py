"""Triage of incoming messages: what each one is, how urgent, and what to do, with reasons.

For every comment, mention or direct message: language, sentiment, complaint or not, topic
(from the brand's own `topics` rule), urgency, toxicity, harassment, spam, prompt injection,
and a suggested action (reply, escalate, hide, ignore), each decision with a reason a
person can read ("complaint: reports a late delivery (“toujours pas reçu”)").

By default it runs on the embedded parts only, fast and without a GPU: one all-MiniLM-L6-v2
embedding per message feeds two small linear heads trained on TweetEval (sentiment,
offensive language; `bench/train_triage.py`; `heads`), and French and English cue lexicons
(`lexicons`) and rules (`reading`, `rules`) do the rest. The brand's own past comments,
labelled as complaints or not in its replies file, vote as nearest neighbours (`brand`).
When a chat LLM is configured, it gives a second opinion (`prompts/triage.j2`) on the
redacted text; the rules keep the last word on safety (`service`).

Safety, health and legal reports (`cmassist.domain.safety`: a foreign body, an injury, an illness,
an allergic reaction, a burn, a child hurt, a legal threat) always escalate, first in the
queue, whatever the tone, the complaint reading or an open crisis; a question about
allergens or children is a health question, answered like any question. Ordinary requests
(a job, a booking, something left behind, opening hours...) that name no problem are not
complaints.
"""

from __future__ import annotations

from cmassist.domain.triage import ACTIONS, SENTIMENTS, Action, Sentiment, Triage, Urgency
from cmassist.services.triage.brand import BrandSignals, brand_signals
from cmassist.services.triage.heads import Heads, load_heads
from cmassist.services.triage.reading import (
    COMPLAINT_FEATURES,
    complaint_features,
    sentiment_reading,
)
from cmassist.services.triage.rules import triage_batch, triage_one
from cmassist.services.triage.service import Triager

__all__ = [
    "ACTIONS",
    "COMPLAINT_FEATURES",
    "SENTIMENTS",
    "Action",
    "BrandSignals",
    "Heads",
    "Sentiment",
    "Triage",
    "Triager",
    "Urgency",
    "brand_signals",
    "complaint_features",
    "load_heads",
    "sentiment_reading",
    "triage_batch",
    "triage_one",
]
