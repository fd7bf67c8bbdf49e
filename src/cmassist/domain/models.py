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


class Rejected(BaseModel):
    """A candidate that drafting wrote and dropped, and why."""

    candidate: int  # its number, in the order the candidates were written
    reasons: list[str]  # "cut off mid-sentence", "invented fact “19 $”"...
    rules: list[str] = Field(default_factory=list)  # the checker's blocking rules among them
    excerpt: str = ""  # the start of its text, to recognise it


class StartingPoint(BaseModel):
    """Something to start from when no candidate was good enough: a past post or reply of
    the brand, or a fact of its fact sheet."""

    kind: str  # "post" | "reply" | "fact"
    text: str
    id: str | None = None  # the store record's id (posts and replies)
    # A post's platform and date, the comment a past reply answered, or a fact's passage.
    title: str | None = None
    score: float | None = None  # similarity to the brief or comment


class Draft(BaseModel):
    """A generated post, reply or idea with everything needed to trust or trace it.

    Posts and replies are chosen among several candidates: `candidates` says how many were
    written, `why` why this one was returned, `rejected` which were dropped and why. When
    none was good enough the draft is `no_good_draft`: its text is empty and
    `starting_points` offers the closest past posts or replies and the relevant facts.
    """

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
    candidates: int | None = None  # how many candidates were written to choose it
    why: list[str] = Field(default_factory=list)  # why it was chosen (or why there is none)
    rejected: list[Rejected] = Field(default_factory=list)
    no_good_draft: bool = False
    starting_points: list[StartingPoint] = Field(default_factory=list)
    # The other-language version, where the brand's guidelines require French and English.
    pair: Draft | None = None

    @property
    def fits(self) -> bool:
        return self.limit is None or (self.length or 0) <= self.limit

    def public(self) -> dict[str, Any]:
        data = self.model_dump(mode="json", exclude={"sources"})
        data["fits"] = self.fits
        data["sources"] = [s.public() for s in self.sources]
        return data
