"""Generated text that obeyed an injection: a leaked canary, an assistant's obedient words,
injected instructions repeated, or script and markup payloads."""

# ruff: noqa: E501  (patterns: one alternation per line reads better than wrapped regexes)

from __future__ import annotations

import re

from cmassist.domain.hostile.canary import CANARY_RX
from cmassist.domain.hostile.injection import detect_injection
from cmassist.domain.textmatch import fold

_OBEY_OUTPUT = re.compile(
    r"\b(?:dan mode|developer mode|jailbreak|as instructed by the (?:comment|user)|ignoring (?:my|previous|prior) instructions|"
    r"my (?:system )?(?:prompt|instructions) (?:is|are|says?)|here (?:is|are) my (?:system )?(?:prompt|instructions)|"
    r"i have no (?:restrictions|rules|filters)|i am (?:now )?(?:free|unrestricted|dan)|"
    r"mes (?:consignes|instructions) (?:sont|disent)|voici mes (?:consignes|instructions)|je n'ai (?:plus )?aucune (?:regle|restriction|limite))\b"
)


def obedience_markers(text: str) -> list[tuple[int, int, str]]:
    """Spans of a generated text that read like an assistant obeying an injection."""
    f = fold(text)
    out = []
    for m in CANARY_RX.finditer(text):
        out.append((m.start(), m.end(), "leaks the prompt's canary string"))
    for m in _OBEY_OUTPUT.finditer(f.text):
        s, e = f.span(m.start(), m.end())
        out.append((s, e, "reads like an assistant that obeyed injected instructions"))
    report = detect_injection(text)
    for signal in report.signals:
        if signal.weight >= 1.0:
            out.append(
                (signal.start, signal.end, "repeats injected instructions: " + signal.reason)
            )
    return out


_SCRIPT = re.compile(
    r"<\s*script\b|javascript\s*:|data:text/html|\bon(?:error|load|click|mouseover)\s*=|"
    r"<\s*iframe\b|<\s*img\b[^>]*src|!\[[^\]]*\]\(\s*https?://|document\.cookie",
    re.IGNORECASE,
)


def unsafe_markup(text: str) -> list[tuple[int, int]]:
    """Script, HTML or markdown-image payloads (exfiltration through a rendered reply)."""
    return [(m.start(), m.end()) for m in _SCRIPT.finditer(text)]
