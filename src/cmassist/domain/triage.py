"""A triaged message: what it is, how urgent, what to do, and a reason a person can read for
each decision (the record `cmassist.services.triage` makes and the inbox stores)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any, Literal

Action = Literal["reply", "escalate", "hide", "ignore"]
Sentiment = Literal["negative", "neutral", "positive"]
Urgency = Literal["high", "normal", "low"]
ACTIONS: tuple[Action, ...] = ("reply", "escalate", "hide", "ignore")
SENTIMENTS: tuple[Sentiment, ...] = ("negative", "neutral", "positive")


@dataclass
class Triage:
    """The triage of one message; `public()` is the form the inbox keeps."""

    language: str
    sentiment: Sentiment
    sentiment_score: float  # -1 (negative) .. 1 (positive)
    complaint: bool
    complaint_score: float
    topic: str | None
    urgency: Urgency
    toxic: bool
    harassment: bool
    spam: bool
    injection: bool
    question: bool
    action: Action
    priority: int  # 0..100, higher first
    reasons: dict[str, str] = field(default_factory=dict)
    method: str = "embedded"
    # the categories of a safety, health or legal report (cmassist.domain.safety.CATEGORY_NAMES);
    # any of them escalates
    safety: list[str] = field(default_factory=list)
    health_question: bool = False  # asks about allergens, pregnancy, children... no incident

    def public(self) -> dict[str, Any]:
        return {
            "language": self.language,
            "sentiment": self.sentiment,
            "sentiment_score": round(self.sentiment_score, 3),
            "complaint": self.complaint,
            "complaint_score": round(self.complaint_score, 3),
            "topic": self.topic,
            "urgency": self.urgency,
            "toxic": self.toxic,
            "harassment": self.harassment,
            "spam": self.spam,
            "injection": self.injection,
            "question": self.question,
            "action": self.action,
            "priority": self.priority,
            "reasons": self.reasons,
            "method": self.method,
            "safety": list(self.safety),
            "health_question": self.health_question,
        }

    @classmethod
    def from_public(cls, data: Mapping[str, Any]) -> Triage:
        """A triage read back from its `public()` form (as the inbox keeps it)."""
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})
