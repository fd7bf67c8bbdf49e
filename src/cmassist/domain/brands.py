"""A brand's name as every part keys it (store, inbox, review): lowercase letters, digits
and dashes, at most 50 characters."""

from __future__ import annotations

import re

from cmassist.domain.errors import InputError

BRAND_PATTERN = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,48}[a-z0-9])?$")


def brand_slug(name: str) -> str:
    """Validate a brand name as the store keys it: lowercase letters, digits and dashes."""
    slug = (name or "").strip().lower()
    if not BRAND_PATTERN.match(slug):
        raise InputError(
            f"invalid brand name {name!r}",
            "use lowercase letters, digits and dashes (e.g. 'boreale'), at most 50 characters",
        )
    return slug
