"""Publishers: where an approved post goes once the outbox says it is due. Each one
implements `Publisher` (a `name` and `publish(request) -> result`) and is idempotent by
the request's key. `build_publishers` makes the ones the settings configure."""

from __future__ import annotations

import os
from pathlib import Path

from cmassist.config import Settings
from cmassist.domain.errors import ConfigError
from cmassist.adapters.publishers.base import Publisher, PublishRequest, PublishResult
from cmassist.adapters.publishers.csv_export import CsvPublisher
from cmassist.adapters.publishers.ics import IcsPublisher
from cmassist.adapters.publishers.mastodon import MastodonPublisher
from cmassist.adapters.publishers.memory import MemoryPublisher
from cmassist.adapters.publishers.webhook import WebhookPublisher, verify_signature

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
    "verify_signature",
]


def outbox_dir(settings: Settings) -> Path:
    """Where the file publishers write: `CMASSIST_OUTBOX_DIR`, or `outbox/` in the data dir."""
    return settings.outbox_dir or settings.data_dir / "outbox"


def _secret(env: str, what: str, url_setting: str) -> str:
    value = os.environ.get(env, "").strip()
    if not value:
        raise ConfigError(
            f"the {what} is missing: the variable {env} is empty",
            f"export {env}=..., or unset {url_setting} to publish without it",
        )
    return value


def build_publishers(settings: Settings) -> dict[str, Publisher]:
    """The configured publishers by name: `csv` (Hootsuite bulk upload files) and `ics`
    (editorial calendars) always, `webhook` when a webhook URL is set, `mastodon` when a
    Mastodon instance is set. A URL set without its secret is a ConfigError."""
    base = outbox_dir(settings)
    publishers: list[Publisher] = [
        CsvPublisher(base / "hootsuite"),
        IcsPublisher(base / "calendar"),
    ]
    if settings.webhook_url:
        secret = _secret(settings.webhook_secret_env, "webhook secret", "CMASSIST_WEBHOOK_URL")
        publishers.append(WebhookPublisher(settings.webhook_url, secret))
    if settings.mastodon_url:
        token = _secret(
            settings.mastodon_token_env, "Mastodon access token", "CMASSIST_MASTODON_URL"
        )
        publishers.append(MastodonPublisher(settings.mastodon_url, token))
    return {p.name: p for p in publishers}
