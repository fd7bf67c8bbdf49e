"""Publishers: where an approved post goes once the outbox says it is due. Each one
implements the `Publisher` port (a `name` and `publish(request) -> result`), is idempotent
by the request's key, and is a `cmassist.publishers` entry point; `build_publishers` makes
the ones the settings configure."""

from __future__ import annotations

from cmassist.adapters.publishers.base import outbox_dir
from cmassist.adapters.publishers.csv_export import CsvPublisher
from cmassist.adapters.publishers.ics import IcsPublisher
from cmassist.adapters.publishers.mastodon import MastodonPublisher
from cmassist.adapters.publishers.memory import MemoryPublisher
from cmassist.adapters.publishers.webhook import WebhookPublisher, verify_signature
from cmassist.services.ports.publishing import Publisher, PublishRequest, PublishResult
from cmassist.services.registry import build_publishers, publishers

__all__ = [
    "CsvPublisher",
    "IcsPublisher",
    "MastodonPublisher",
    "MemoryPublisher",
    "PublishRequest",
    "PublishResult",
    "Publisher",
    "WebhookPublisher",
    "build_publishers",
    "outbox_dir",
    "publishers",
    "verify_signature",
]
