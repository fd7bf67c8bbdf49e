"""The triage service: triages a brand's messages in batches (one embedding each), caches what
it knows of each brand, and asks a chat LLM for a second opinion when one is configured."""

from __future__ import annotations

import json
import threading
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from cmassist.domain.models import Kind
from cmassist.domain.redact import redact
from cmassist.domain.triage import ACTIONS, SENTIMENTS, Action, Sentiment, Triage
from cmassist.services.ports.models import LLM, GenParams, Prompts
from cmassist.services.ports.store import Store
from cmassist.services.triage.brand import BrandSignals, brand_signals
from cmassist.services.triage.heads import Heads, load_heads
from cmassist.services.triage.rules import triage_batch

PAST_COMMENTS = 5000  # the brand's labelled past comments read, at most


class Triager:
    """Triage for the brands of a knowledge store: embeds each batch once, caches each
    brand's topics and labelled past comments, and asks a chat LLM when one is given."""

    def __init__(
        self, store: Store, llm: LLM | None = None, prompts: Prompts | None = None
    ) -> None:
        self.store = store
        self.llm = llm
        self.prompts = prompts
        self._brands: dict[str, tuple[str, BrandSignals]] = {}
        self._lock = threading.Lock()

    def signals(self, brand: str) -> BrandSignals | None:
        """What triage knows of the brand, rebuilt when its records or rules change (its
        store revision); None for a brand the store does not have."""
        if not self.store.has_brand(brand):
            return None
        revision = self.store.revision(brand)
        cached = self._brands.get(brand)
        if cached is not None and cached[0] == revision:
            return cached[1]
        with self._lock:
            rules = self.store.rules(brand)
            past: list[tuple[str, bool]] = []
            topics: list[str | None] = []
            for record in self.store.records(brand, [Kind.REPLY], limit=PAST_COMMENTS):
                complaint = record.metadata.get("complaint")
                if isinstance(complaint, bool):  # labelled in the brand's replies file
                    past.append((record.text, complaint))
                    topic = record.metadata.get("topic")
                    topics.append(str(topic) if topic else None)
            sig = brand_signals(rules, self.store.embedder.embed, past, topics)
            self._brands[brand] = (revision, sig)
            return sig

    def triage(self, brand: str, texts: Sequence[str]) -> list[Triage]:
        """One triage per text, in order (the inbox's triage function)."""
        if not texts:
            return []
        sig = self.signals(brand)
        vectors = np.asarray(self.store.embedder.embed(list(texts)), dtype=np.float32)
        try:
            heads: Heads | None = load_heads()
        except (OSError, KeyError, ValueError):  # pragma: no cover - a broken install
            heads = None
        results = triage_batch(texts, sig, vectors, heads)
        llm, prompts = self.llm, self.prompts
        if llm is not None and prompts is not None:
            topics = [t.name for t in sig.rules.topics] if sig is not None else []
            for text, result in zip(texts, results, strict=True):
                second_opinion(llm, prompts, text, result, topics)
        return results


def second_opinion(
    llm: LLM, prompts: Prompts, text: str, result: Triage, topics: Sequence[str]
) -> None:
    """A chat LLM's reading of the redacted message; it may change sentiment, complaint
    and action, never lower an escalation or un-hide spam found by the rules."""
    prompt = prompts.render("triage.j2", "chat", message=redact(text).text, topics=list(topics))
    try:
        raw = llm.complete(prompt, GenParams(max_tokens=200, temperature=0.0))
        reading = LLMReading.parse(raw, topics)
    except Exception:
        result.reasons["llm"] = "the LLM's reading was unavailable; embedded triage only"
        return
    if reading.sentiment is not None:
        result.sentiment = reading.sentiment
    if reading.complaint is not None:
        result.complaint = reading.complaint
    if reading.topic is not None:
        result.topic = reading.topic
    if reading.action is not None and result.action != "escalate" and not result.spam:
        result.action = reading.action
    result.reasons["llm"] = f"LLM: {reading.reason}" if reading.reason else "LLM agreed"
    result.method = "embedded+llm"


@dataclass(frozen=True)
class LLMReading:
    """The LLM's triage of a message (`prompts/triage.j2` asks for JSON); a field it left out
    or gave a value triage does not know is None."""

    sentiment: Sentiment | None
    complaint: bool | None
    topic: str | None
    action: Action | None
    reason: str  # at most 300 characters

    @classmethod
    def parse(cls, raw: str, topics: Sequence[str]) -> LLMReading:
        """The JSON object in the model's answer; ValueError when there is none."""
        data = json.loads(raw[raw.index("{") : raw.rindex("}") + 1])
        if not isinstance(data, dict):
            raise ValueError("the LLM's answer is not a JSON object")
        sentiment = next((s for s in SENTIMENTS if s == data.get("sentiment")), None)
        action = next((a for a in ACTIONS if a == data.get("action")), None)
        complaint = data.get("complaint")
        topic = data.get("topic")
        return cls(
            sentiment=sentiment,
            complaint=complaint if isinstance(complaint, bool) else None,
            topic=topic if isinstance(topic, str) and topic in topics else None,
            action=action,
            reason=str(data.get("reason", ""))[:300],
        )
