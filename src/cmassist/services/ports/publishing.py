"""The publishing port: what the outbox hands a publisher, what it gets back, and the
`Publisher` protocol every publishing adapter implements."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol, runtime_checkable


@dataclass(frozen=True)
class PublishRequest:
    """One approved post, exactly as the publishing gate returned it."""

    draft_id: int
    version: int
    text: str
    platform: str
    brand: str
    language: str
    due_at: datetime
    # The same for every attempt at this item: a publisher that honours it posts once.
    idempotency_key: str


@dataclass(frozen=True)
class PublishResult:
    """Where a delivered post went."""

    external_ref: str  # the platform's id or URL of the post, or where the file went


@runtime_checkable
class Publisher(Protocol):
    """Delivers one post. Raises PublishError (transient or not) when it cannot; must be
    idempotent by `item.idempotency_key`, because a crashed worker's item is sent again."""

    name: str

    def publish(self, item: PublishRequest) -> PublishResult: ...


# The configured publishers by name, as bootstrap builds them for the outbox.
Publishers = Mapping[str, Publisher]
