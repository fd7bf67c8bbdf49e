"""Crisis detection: where negative messages spike, per brand topic and per subject the
messages share even when no topic names it, each against its own baseline (`CrisisPolicy`)."""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from cmassist.domain.alerts import AlertView
from cmassist.domain.textmatch import FUNCTION_WORDS, fold_str
from cmassist.services.ports.inbox import NegativeMessage


@dataclass(frozen=True)
class Spike:
    """A window of one topic's negative messages far above that topic's usual rate."""

    start: datetime
    end: datetime
    message_ids: list[int]
    baseline: float  # messages expected in such a window
    reason: str


@dataclass(frozen=True)
class Wave:
    """A spike on a topic: a brand topic, or a “subject” the messages share."""

    topic: str
    spike: Spike


@dataclass
class CrisisPolicy:
    """A spike: at least `min_count` negative or complaint messages on one topic within
    `window`, far above that topic's own rate over the `history` before the window
    (Poisson tail below `p_value`, and `ratio` times the expected count)."""

    window: timedelta = timedelta(hours=3)
    history: timedelta = timedelta(days=14)
    min_count: int = 8
    ratio: float = 4.0
    p_value: float = 0.001
    floor_rate: float = 0.5  # expected messages per window when there is little history

    def _expected(self, items: Sequence[tuple[datetime, int]], start: datetime) -> float:
        """Messages expected in a window starting at `start`, from the history before it."""
        history_start = start - self.history
        before = sum(1 for t, _ in items if history_start <= t < start)
        span = self.history
        if items and items[0][0] > history_start:  # less history than asked for
            span = max(start - items[0][0], timedelta(0))
        windows = span / self.window if span > timedelta(0) else 0.0
        rate = before / windows if windows >= 1 else 0.0
        return max(rate, self.floor_rate)

    def find_spike(self, items: Sequence[tuple[datetime, int]]) -> Spike | None:
        """The densest window of `items` (time, id), sorted by time, that is a spike."""
        best: tuple[int, datetime, datetime, list[int], float] | None = None
        j = 0
        for i in range(len(items)):
            end = items[i][0]
            while items[j][0] < end - self.window:
                j += 1
            count = i - j + 1
            if count < self.min_count:
                continue
            start = end - self.window
            expected = self._expected(items, start)
            if count < self.ratio * expected or poisson_tail(count, expected) > self.p_value:
                continue
            if best is None or count > best[0]:
                best = (count, start, end, [iid for _, iid in items[j : i + 1]], expected)
        if best is None:
            return None
        count, start, end, ids, expected = best
        hours = self.window.total_seconds() / 3600
        reason = (
            f"{count} negative or complaint messages in {hours:g} h, "
            f"against {expected:.1f} expected "
            f"from the previous {self.history.days} days (p < {self.p_value:g})"
        )
        return Spike(start, end, ids, round(expected, 2), reason)

    def waves(self, messages: Sequence[NegativeMessage]) -> list[Wave]:
        """The spikes among a brand's negative messages, one per wave: a subject whose
        messages are mostly another topic's is the same wave, kept once (the bigger first,
        a brand topic before a subject, the longer name first)."""
        groups: dict[str, list[tuple[datetime, int]]] = {}
        for m in messages:
            if m.topic:
                groups.setdefault(m.topic, []).append((m.received_at, m.id))
            for term in subject_terms(m.text):
                groups.setdefault(f"“{term}”", []).append((m.received_at, m.id))
        found: list[Wave] = []
        for topic, items in groups.items():
            if len(items) < self.min_count:
                continue
            items.sort()
            spike = self.find_spike(items)
            if spike is not None:
                found.append(Wave(topic, spike))
        found.sort(
            key=lambda w: (-len(w.spike.message_ids), w.topic.startswith("“"), -len(w.topic))
        )
        kept: list[Wave] = []
        for wave in found:
            ids = set(wave.spike.message_ids)
            if any(len(ids & set(k.spike.message_ids)) >= 0.5 * len(ids) for k in kept):
                continue
            kept.append(wave)
        return kept


def same_wave(wave: Wave, open_alerts: Sequence[AlertView]) -> AlertView | None:
    """The open alert a wave belongs to: one on its topic, or one holding most of its
    messages."""
    ids = set(wave.spike.message_ids)
    return next((a for a in open_alerts if a.topic == wave.topic), None) or next(
        (a for a in open_alerts if len(set(a.message_ids) & ids) >= 0.5 * len(ids)), None
    )


def poisson_tail(k: int, lam: float) -> float:
    """P(X >= k) for X ~ Poisson(lam)."""
    term = math.exp(-lam)
    total = term
    for i in range(1, k):
        term *= lam / i
        total += term
    return max(0.0, 1.0 - total)


_STOP = FUNCTION_WORDS | {
    "it's", "i'm", "don't", "im", "dont", "really", "still", "even", "today", "aujourd'hui",
    "brulerieboreale", "boreale", "hi",
}  # fmt: skip


def subject_terms(text: str) -> set[str]:
    """Words and word pairs that can name what a wave of messages is about."""
    words = [w for w in re.findall(r"[a-z][a-z'’-]{2,}", fold_str(text)) if w not in _STOP]
    terms = {w for w in words if len(w) >= 5}
    terms |= {f"{a} {b}" for a, b in itertools.pairwise(words)}
    return terms
