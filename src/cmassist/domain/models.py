"""Domain records: what the knowledge store holds and what drafting returns."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, Field


class Kind(StrEnum):
    GUIDELINE = "guideline"
    POST = "post"
    REPLY = "reply"
    RULES = "rules"  # a guideline document's machine-readable part, kept per document


class Record(BaseModel):
    """One entry of the store: the text that is embedded, and flat metadata."""

    id: str
    brand: str
    kind: Kind
    text: str
    metadata: dict[str, Any] = Field(default_factory=dict)  # None values are not stored
    content_hash: str = ""


class PastPost(BaseModel):
    text: str
    platform: str
    date: datetime | None = None
    language: str | None = None
    topic: str | None = None
    likes: int | None = None
    comments: int | None = None
    shares: int | None = None
    impressions: int | None = None
    link: str | None = None
    external_id: str | None = None

    def engagement_rate(self) -> float | None:
        """Interactions per impression, comments and shares weighing more than likes."""
        if not self.impressions:
            return None
        score = (self.likes or 0) + 2 * (self.comments or 0) + 3 * (self.shares or 0)
        return score / self.impressions


class PastReply(BaseModel):
    comment: str
    reply: str
    platform: str | None = None
    date: datetime | None = None
    language: str | None = None
    topic: str | None = None
    complaint: bool | None = None
    link: str | None = None
    external_id: str | None = None


class Source(BaseModel):
    """A retrieved record that a draft was built from."""

    id: str
    kind: Kind
    excerpt: str
    score: float | None = None
    title: str | None = None  # guideline document and heading, or platform and date

    def public(self) -> dict[str, Any]:
        return self.model_dump(mode="json", exclude_none=True)


class PromptRef(BaseModel):
    template: str
    sha256: str


class Draft(BaseModel):
    """A generated post, reply or idea with everything needed to trust or trace it."""

    kind: str  # "post" | "reply" | "idea"
    text: str
    platform: str | None = None
    language: str
    brand: str
    variant: int = 1
    backend: str
    model: str
    prompt: PromptRef
    sources: list[Source] = Field(default_factory=list)
    length: int | None = None
    limit: int | None = None
    notes: list[str] = Field(default_factory=list)  # what post-processing changed, and why
    elapsed_s: float | None = None
    tokens: int | None = None
    # The tone and compliance check of the final text (CheckResult.public()), if it ran.
    check: dict[str, Any] | None = None

    @property
    def fits(self) -> bool:
        return self.limit is None or (self.length or 0) <= self.limit

    def public(self) -> dict[str, Any]:
        data = self.model_dump(mode="json", exclude={"sources"})
        data["fits"] = self.fits
        data["sources"] = [s.public() for s in self.sources]
        return data
