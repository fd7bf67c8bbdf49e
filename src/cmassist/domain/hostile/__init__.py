"""Hostile input: prompt-injection attempts in comments and documents, and replies that obey them.

`detect_injection(text)` (`injection`) reads a comment, mention, message or document the way
an attacker writes one, in French and English: overrides ("ignore your previous
instructions", "oublie tes consignes"), persona switches (DAN, "tu es maintenant..."),
requests for the system prompt, fake delimiters and chat-template tokens, orders addressed
to the bot ("assistant, reply with this link"), and the same hidden behind accents,
look-alike letters, leetspeak, spaced letters, invisible characters or base64. Every signal
comes with a reason a person can read and the span it was found at.

The other modules read the reply: `obedience` (a leaked canary, obedient words, repeated
instructions, script payloads), `copying` (words copied from the comment), `planted` (what
the attacker wanted posted) and `sensitive` (asking the customer for card data, passwords,
codes). `canary` marks every drafting prompt; a generated text that contains it leaked
its prompt.
"""

from __future__ import annotations

from cmassist.domain.hostile.canary import CANARY_PREFIX, CANARY_RX, new_canary
from cmassist.domain.hostile.copying import NO_OWN_TEXT, OwnText, copied_span, echo_threshold
from cmassist.domain.hostile.injection import FLAG_AT, InjectionReport, Signal, detect_injection
from cmassist.domain.hostile.obedience import obedience_markers, unsafe_markup
from cmassist.domain.hostile.planted import (
    Planted,
    planted_codes,
    planted_tokens,
    spelled_pattern,
)
from cmassist.domain.hostile.sensitive import SENSITIVE_LABELS, sensitive_requests

__all__ = [
    "CANARY_PREFIX",
    "CANARY_RX",
    "FLAG_AT",
    "NO_OWN_TEXT",
    "SENSITIVE_LABELS",
    "InjectionReport",
    "OwnText",
    "Planted",
    "Signal",
    "copied_span",
    "detect_injection",
    "echo_threshold",
    "new_canary",
    "obedience_markers",
    "planted_codes",
    "planted_tokens",
    "sensitive_requests",
    "spelled_pattern",
    "unsafe_markup",
]
