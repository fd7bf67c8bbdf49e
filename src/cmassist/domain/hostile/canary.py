"""The canary that marks every drafting prompt: a generated text containing it leaked its prompt."""

from __future__ import annotations

import re
import secrets

CANARY_PREFIX = "CMA-CANARY-"
CANARY_RX = re.compile(r"CMA[\s\-_]*CANARY[\s\-_]*[0-9a-f]{6,}", re.IGNORECASE)


def new_canary() -> str:
    """A fresh canary string for one prompt."""
    return CANARY_PREFIX + secrets.token_hex(5)
