"""Sizes cmassist accepts, defined once: every service and interface reads them from here."""

from __future__ import annotations

MAX_TEXT_CHARS = 100_000
"""The longest text (draft, comment, checked text, ingested record) any workflow takes."""

MAX_VARIANTS = 10
"""The most draft variants one request may ask for, per platform."""
