"""Publishing to Mastodon: `POST /api/v1/statuses` on the instance at `CMASSIST_MASTODON_URL`
with the access token from the variable named by `CMASSIST_MASTODON_TOKEN_ENV`.

Mastodon honours the `Idempotency-Key` header (for an hour), so an attempt retried after a
timeout or a crash posts the status once. Only drafts approved for Mastodon are posted:
the approval binds the text to its platform.
"""

from __future__ import annotations

import httpx

from cmassist.adapters.publishers.base import (
    PublishRequest,
    PublishResult,
    check_response,
    secret_from_env,
    transport_error,
)
from cmassist.config import Settings
from cmassist.domain.errors import PublishError

VISIBILITIES = ("public", "unlisted", "private", "direct")


class MastodonPublisher:
    name = "mastodon"

    def __init__(
        self, base_url: str, token: str, *, visibility: str = "public", timeout: float = 15.0
    ) -> None:
        if visibility not in VISIBILITIES:
            raise ValueError(f"visibility must be one of {VISIBILITIES}")
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.visibility = visibility
        self.timeout = httpx.Timeout(timeout, connect=min(timeout, 5.0))

    def form(self, item: PublishRequest) -> dict[str, str]:
        data = {"status": item.text, "visibility": self.visibility}
        if item.language:  # ISO 639-1, as Mastodon expects; empty would be refused
            data["language"] = item.language
        return data

    def publish(self, item: PublishRequest) -> PublishResult:
        if item.platform != "mastodon":
            raise PublishError(
                f"draft #{item.draft_id} was approved for {item.platform}, not Mastodon",
                "schedule it through an adapter for its platform",
                transient=False,
            )
        what = f"the Mastodon instance {self.base_url}"
        try:
            with httpx.Client(timeout=self.timeout, follow_redirects=False) as client:
                response = client.post(
                    f"{self.base_url}/api/v1/statuses",
                    data=self.form(item),
                    headers={
                        "Authorization": f"Bearer {self.token}",
                        "Idempotency-Key": item.idempotency_key,
                        "User-Agent": "cmassist-outbox",
                    },
                )
        except httpx.HTTPError as e:
            raise transport_error(e, what) from e
        check_response(response, what)
        try:
            status = response.json()
            ref = str(status.get("url") or status.get("uri") or status["id"])
        except (ValueError, KeyError, AttributeError, TypeError) as e:
            # Posted (2xx) but unreadable: retrying with the same key is safe and may tell more.
            raise PublishError(
                f"{what} answered without a status id", "it will be retried", transient=True
            ) from e
        return PublishResult(external_ref=ref)


def create(settings: Settings) -> MastodonPublisher | None:
    """The instance at `CMASSIST_MASTODON_URL`, or None when unset (the `mastodon` entry point)."""
    if not settings.mastodon_url:
        return None
    token = secret_from_env(
        settings.mastodon_token_env, "Mastodon access token", "CMASSIST_MASTODON_URL"
    )
    return MastodonPublisher(settings.mastodon_url, token)
