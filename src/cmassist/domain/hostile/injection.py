"""Prompt-injection attempts in untrusted text, read the way an attacker writes them: the
patterns, then the same words in leetspeak, spaced out, in base64, Morse or invisible text."""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass, field

from cmassist.domain.hostile.injection_patterns import PATTERNS
from cmassist.domain.textmatch import INVISIBLE, fold


@dataclass(frozen=True)
class Signal:
    # override | persona | extraction | delimiter | addressed | steering | jailbreak | hidden
    # | impersonation
    kind: str
    weight: float
    reason: str
    start: int
    end: int
    evidence: str


@dataclass
class InjectionReport:
    score: float
    signals: list[Signal] = field(default_factory=list)

    @property
    def flagged(self) -> bool:
        return self.score >= FLAG_AT

    @property
    def reasons(self) -> list[str]:
        seen: list[str] = []
        for s in sorted(self.signals, key=lambda s: -s.weight):
            line = f"{s.reason}: “{s.evidence}”"
            if line not in seen:
                seen.append(line)
        return seen

    def summary(self) -> str:
        if not self.flagged:
            return ""
        return "possible prompt injection: " + "; ".join(self.reasons[:3])

    def public(self) -> dict[str, object]:
        return {
            "flagged": self.flagged,
            "score": round(self.score, 2),
            "reasons": self.reasons,
            "spans": [[s.start, s.end] for s in self.signals],
        }


FLAG_AT = 1.0
_LEET = str.maketrans(
    {
        "0": "o",
        "1": "i",
        "3": "e",
        "4": "a",
        "5": "s",
        "7": "t",
        "@": "a",
        "$": "s",
        "!": "i",
        "|": "l",
    }
)
_SPACED = re.compile(r"\b(?:[a-z](?:[ .\-_*]{1,2})){4,}[a-z]\b")
_B64 = re.compile(r"[A-Za-z0-9+/]{24,}={0,2}")
_MORSE = re.compile(r"(?:[.\-]{1,6}\s+){12,}")
_CONTROL = re.compile("[\u202a-\u202e\u2066-\u2069]")


def _scan(folded: str, index: list[int], text: str, signals: list[Signal], note: str = "") -> None:
    for kind, weight, reason, rx in PATTERNS:
        for m in rx.finditer(folded):
            a, b = m.start(), m.end()
            start = index[a] if a < len(index) else len(text)
            end = index[b - 1] + 1 if 0 < b <= len(index) else start
            evidence = " ".join(text[start:end].split())[:80]
            signals.append(Signal(kind, weight, reason + note, start, end, evidence))


def detect_injection(text: str) -> InjectionReport:
    """Signals of a prompt-injection attempt in untrusted text, with reasons and spans."""
    signals: list[Signal] = []
    f = fold(text)
    _scan(f.text, f.index, text, signals)
    # the same words in leetspeak or with spaced-out letters
    deleet = f.text.translate(_LEET)
    if deleet != f.text:
        before = len(signals)
        _scan(deleet, f.index, text, signals, " (written in leetspeak)")
        _dedupe_tail(signals, before)
    despaced, dmap = _despace(f.text)
    if despaced is not None:
        before = len(signals)
        _scan(despaced, [f.index[i] for i in dmap], text, signals, " (letters spaced out)")
        _dedupe_tail(signals, before)
    for m in _B64.finditer(text):
        decoded = _b64(m.group())
        if decoded:
            inner = detect_injection(decoded)
            if inner.signals:
                signals.append(
                    Signal(
                        "hidden",
                        1.0,
                        "hides instructions in base64",
                        m.start(),
                        m.end(),
                        decoded[:80],
                    )
                )
    invisible = [i for i, ch in enumerate(text) if ch in INVISIBLE]
    if len(invisible) >= 3:
        signals.append(
            Signal(
                "hidden",
                0.5,
                "contains invisible characters",
                invisible[0],
                invisible[0] + 1,
                f"{len(invisible)} invisible characters",
            )
        )
    for m in _MORSE.finditer(text):
        signals.append(
            Signal("hidden", 1.0, "hides text in Morse code", m.start(), m.end(), m.group()[:40])
        )
        break
    for m in _CONTROL.finditer(text):
        signals.append(
            Signal(
                "hidden",
                0.5,
                "contains text-direction control characters",
                m.start(),
                m.end(),
                "bidi control",
            )
        )
        break
    return InjectionReport(_score(signals), signals)


def _dedupe_tail(signals: list[Signal], before: int) -> None:
    """Drop leetspeak/spaced signals already found in the plain text."""
    plain = {(s.kind, s.start) for s in signals[:before]}
    signals[before:] = [s for s in signals[before:] if (s.kind, s.start) not in plain]


def _despace(folded: str) -> tuple[str | None, list[int]]:
    if not _SPACED.search(folded):
        return None, []
    out: list[str] = []
    index: list[int] = []
    pos = 0
    for m in _SPACED.finditer(folded):
        for i in range(pos, m.start()):
            out.append(folded[i])
            index.append(i)
        for i in range(m.start(), m.end()):
            if folded[i].isalpha():
                out.append(folded[i])
                index.append(i)
        pos = m.end()
    for i in range(pos, len(folded)):
        out.append(folded[i])
        index.append(i)
    index.append(len(folded))
    return "".join(out), index


def _b64(token: str) -> str | None:
    try:
        raw = base64.b64decode(token + "=" * (-len(token) % 4), validate=False)
        decoded = raw.decode("utf-8")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    printable = sum(ch.isprintable() for ch in decoded)
    return decoded if decoded and printable / len(decoded) > 0.9 and " " in decoded else None


def _score(signals: list[Signal]) -> float:
    """Strong signals count fully; weak ones (jailbreak vocabulary, steering) add up."""
    by_kind: dict[str, float] = {}
    for s in signals:
        if s.kind == "jailbreak":
            by_kind[s.kind] = min(1.0, by_kind.get(s.kind, 0.0) + s.weight)
        else:
            by_kind[s.kind] = max(by_kind.get(s.kind, 0.0), s.weight)
    return round(sum(by_kind.values()), 2)
