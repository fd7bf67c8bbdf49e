"""Publishing to a webhook: each post is POSTed as JSON to `CMASSIST_WEBHOOK_URL`, signed
with HMAC-SHA256 so the receiver can check it came from us, untouched and recent.

Headers: `X-Cmassist-Timestamp` (Unix seconds), `X-Cmassist-Signature: sha256=<hex>` over
`<timestamp>.<body>` with the shared secret, and `Idempotency-Key`: the same for every
attempt at one post, so a receiver that remembers keys acts once. 2xx is success;
429, 5xx, timeouts and connection errors are retried; any other answer is final.
"""

from __future__ import annotations

import hmac
import json
import time
from collections.abc import Callable

import httpx

from cmassist.adapters.publishers.base import (
    PublishRequest,
    PublishResult,
    check_response,
    secret_from_env,
    transport_error,
)
from cmassist.config import Settings

SIGNATURE_HEADER = "X-Cmassist-Signature"
TIMESTAMP_HEADER = "X-Cmassist-Timestamp"


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """The signature header's value for this timestamp and body."""
    mac = hmac.new(secret.encode("utf-8"), timestamp.encode("ascii") + b"." + body, "sha256")
    return f"sha256={mac.hexdigest()}"


def verify_signature(
    secret: str,
    timestamp: str,
    body: bytes,
    header: str,
    *,
    max_age: float | None = 300.0,
    now: float | None = None,
) -> bool:
    """For receivers: True if `header` signs exactly `body` at `timestamp` with `secret`,
    and the timestamp is within `max_age` seconds of now (a replayed old request fails)."""
    try:
        sent = float(timestamp)
    except (TypeError, ValueError):
        return False
    if max_age is not None and abs((time.time() if now is None else now) - sent) > max_age:
        return False
    try:
        expected = sign(secret, timestamp, body)
    except UnicodeEncodeError:
        return False
    return hmac.compare_digest(expected.encode("ascii"), (header or "").strip().encode("utf-8"))


def payload(item: PublishRequest) -> dict[str, object]:
    return {
        "event": "post.publish",
        "idempotency_key": item.idempotency_key,
        "draft_id": item.draft_id,
        "version": item.version,
        "brand": item.brand,
        "platform": item.platform,
        "language": item.language,
        "due_at": item.due_at.isoformat(),
        "text": item.text,
    }


class WebhookPublisher:
    name = "webhook"

    def __init__(
        self,
        url: str,
        secret: str,
        *,
        timeout: float = 10.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.url = url
        self.secret = secret
        self.timeout = httpx.Timeout(timeout, connect=min(timeout, 5.0))
        self.clock = clock

    def publish(self, item: PublishRequest) -> PublishResult:
        body = json.dumps(payload(item), ensure_ascii=False, separators=(",", ":")).encode()
        timestamp = str(int(self.clock()))
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            TIMESTAMP_HEADER: timestamp,
            SIGNATURE_HEADER: sign(self.secret, timestamp, body),
            "Idempotency-Key": item.idempotency_key,
            "User-Agent": "cmassist-outbox",
        }
        try:
            with httpx.Client(timeout=self.timeout, follow_redirects=False) as client:
                response = client.post(self.url, content=body, headers=headers)
        except httpx.HTTPError as e:
            raise transport_error(e, f"the webhook {self.url}") from e
        check_response(response, f"the webhook {self.url}")
        return PublishResult(external_ref=_reference(response) or f"webhook:{item.idempotency_key}")


def _reference(response: httpx.Response) -> str:
    """The receiver's id or URL for the post, when it sends one back."""
    try:
        data = response.json()
    except ValueError:
        return ""
    if isinstance(data, dict):
        for key in ("url", "id", "external_ref"):
            if data.get(key):
                return str(data[key])
    return ""


def create(settings: Settings) -> WebhookPublisher | None:
    """The webhook at `CMASSIST_WEBHOOK_URL`, or None when unset (the `webhook` entry point)."""
    if not settings.webhook_url:
        return None
    secret = secret_from_env(settings.webhook_secret_env, "webhook secret", "CMASSIST_WEBHOOK_URL")
    return WebhookPublisher(settings.webhook_url, secret)
