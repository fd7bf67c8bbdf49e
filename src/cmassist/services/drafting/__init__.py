"""Drafting: post ideas, post drafts per platform and suggested replies, in the brand's voice.

Each request retrieves the brand's guideline passages and its most similar, best-performing
past posts (or past replies) (`context`), builds a few-shot prompt from them, and generates
N variants (`service`). Each draft is then fitted to its platform (length as the platform
counts it, hashtag limits, reply signature; `postprocess`) and carries its provenance:
backend, model, template and hash, sources. A rewrite keeps the original's facts
(`rewrite`).
"""

from __future__ import annotations

from cmassist.domain.platforms import PLATFORMS
from cmassist.services.drafting.postprocess import (
    add_signature,
    clean_generation,
    excerpt_block,
    fit_to_platform,
    hashtag_limit,
    parse_ideas,
    platform_limit,
)
from cmassist.services.drafting.service import DraftEvent, Drafting

__all__ = [
    "PLATFORMS",
    "DraftEvent",
    "Drafting",
    "add_signature",
    "clean_generation",
    "excerpt_block",
    "fit_to_platform",
    "hashtag_limit",
    "parse_ideas",
    "platform_limit",
]
