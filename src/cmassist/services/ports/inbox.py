"""The inbox port: the records the inbox keeps (messages and crisis alerts), the
repositories that read and write them, and the unit of work that holds them with the audit."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from cmassist.domain.alerts import AlertView
from cmassist.domain.messages import IncomingMessage, MessageView
from cmassist.services.ports.persistence import JSONValue, UnitOfWork

__all__ = [
    "AlertRepository",
    "AlertView",
    "InboxDatabase",
    "InboxUnitOfWork",
    "MessageFilter",
    "MessageRepository",
    "MessageView",
    "NegativeMessage",
    "NewAlert",
    "PendingMessage",
    "TriageFn",
    "TriageReading",
    "TriageUpdate",
]

# -- records ------------------------------------------------------------------------------


@dataclass(frozen=True)
class PendingMessage:
    """A message waiting for triage."""

    id: int
    brand: str
    text: str


@dataclass(frozen=True)
class TriageUpdate:
    """What triage writes on a message: the whole reading (as JSON) and the columns the
    queue sorts and filters by."""

    triage: dict[str, JSONValue]
    priority: int
    action: str
    sentiment: str
    language: str
    topic: str
    negative: bool  # negative, a complaint or urgent: counts towards a crisis

    @classmethod
    def of(cls, reading: TriageReading) -> TriageUpdate:
        return cls(
            triage=reading.public(),
            priority=int(reading.priority),
            action=str(reading.action),
            sentiment=str(reading.sentiment),
            language=str(reading.language),
            topic=str(reading.topic or ""),
            negative=bool(reading.complaint)
            or reading.sentiment == "negative"
            or reading.urgency == "high",
        )


@dataclass(frozen=True)
class NegativeMessage:
    """A negative message, as crisis detection reads it."""

    id: int
    topic: str
    received_at: datetime
    text: str


@dataclass(frozen=True)
class MessageFilter:
    """What the queue shows; None (or "") is any."""

    brand: str | None = None
    platform: str | None = None
    action: str | None = None
    sentiment: str | None = None
    language: str | None = None
    status: str | None = "new"
    topic: str | None = None


@dataclass(frozen=True)
class NewAlert:
    brand: str
    topic: str
    window_start: datetime
    window_end: datetime
    count: int
    baseline: float
    reason: str
    message_ids: list[int]


# -- repositories -------------------------------------------------------------------------


class MessageRepository(Protocol):
    def content_hashes(self, keys: Sequence[tuple[str, str]]) -> dict[tuple[str, str], str]:
        """The content hash of each (brand, external id) already in the inbox."""
        ...

    def find(self, brand: str, external_id: str) -> tuple[int, str] | None:
        """(inbox id, content hash) of a message already in the inbox."""
        ...

    def add(self, message: IncomingMessage, *, at: datetime, source: str) -> int:
        """Store a new message, untriaged; returns its inbox id."""
        ...

    def pending_count(self) -> int: ...
    def pending(self, limit: int) -> list[PendingMessage]:
        """Untriaged messages, the oldest first."""
        ...

    def set_triage(self, message_id: int, update: TriageUpdate, *, at: datetime) -> bool:
        """False when the message is gone."""
        ...

    def search(self, where: MessageFilter, limit: int) -> list[MessageView]:
        """Messages, most urgent first (priority, then newest)."""
        ...

    def get(self, message_id: int) -> MessageView | None: ...
    def by_ids(self, ids: Sequence[int]) -> list[MessageView]:
        """The messages, oldest first."""
        ...

    def counts(self, brand: str | None) -> dict[str, int]:
        """How many messages in each status."""
        ...

    def set_status(self, ids: Sequence[int], status: str, *, by: str, at: datetime) -> list[int]:
        """Set the status of the messages; returns the ids not found (nothing is written
        when some are missing)."""
        ...

    def link_draft(self, message_id: int, draft_id: int) -> bool: ...
    def negatives(self, brand: str, until: datetime | None) -> list[NegativeMessage]: ...


class AlertRepository(Protocol):
    def open(self, brand: str) -> list[AlertView]: ...
    def add(self, alert: NewAlert, *, at: datetime) -> AlertView: ...
    def extend(
        self, alert_id: int, message_ids: Sequence[int], window_end: datetime, reason: str
    ) -> None:
        """The same wave, grown: its messages, its end and its reason."""
        ...

    def search(self, *, status: str | None, brand: str | None) -> list[AlertView]:
        """Alerts, the latest raised first."""
        ...

    def get(self, alert_id: int) -> AlertView | None: ...
    def close(self, alert_id: int, *, by: str, at: datetime) -> bool: ...
    def add_drafts(self, alert_id: int, draft_ids: Sequence[int]) -> None: ...


class InboxUnitOfWork(UnitOfWork, Protocol):
    """The review database's unit of work, with the inbox's repositories."""

    inbox: MessageRepository
    alerts: AlertRepository


class InboxDatabase(Protocol):
    """Where the inbox lives (the review database): units of work and the clock."""

    def transaction(self) -> AbstractContextManager[InboxUnitOfWork]: ...
    def now(self) -> datetime: ...


class TriageReading(Protocol):
    """What the inbox keeps of a message's triage (`cmassist.domain.triage.Triage`)."""

    @property
    def priority(self) -> int: ...
    @property
    def action(self) -> str: ...
    @property
    def sentiment(self) -> str: ...
    @property
    def language(self) -> str: ...
    @property
    def topic(self) -> str | None: ...
    @property
    def complaint(self) -> bool: ...
    @property
    def urgency(self) -> str: ...
    def public(self) -> dict[str, JSONValue]:
        """The whole reading as JSON, reasons included."""
        ...


TriageFn = Callable[[str, Sequence[str]], Sequence[TriageReading]]
"""(brand, texts) -> one triage per text, in order."""
