"""Character spans `(start, end)`, half-open, and how they meet: defined once for findings,
facts, personal data and fixes."""

from __future__ import annotations

from collections.abc import Iterable

Span = tuple[int, int]


def overlaps(a: Span, b: Span) -> bool:
    """Whether two spans share a character. An empty span is an insertion point: it meets a
    span it falls strictly inside, and another insertion point at the same place."""
    (a0, a1), (b0, b1) = a, b
    if a0 == a1 and b0 == b1:
        return a0 == b0
    if a0 == a1:
        return b0 < a0 < b1
    if b0 == b1:
        return a0 < b0 < a1
    return a0 < b1 and b0 < a1


def free(span: Span, taken: Iterable[Span]) -> bool:
    """Whether `span` overlaps none of the `taken` spans (non-empty spans, as matches are)."""
    a, b = span
    return all(b <= s or a >= e for s, e in taken)


def within(inner: Span, outer: Span) -> bool:
    """Whether `inner` lies inside `outer` (its ends included)."""
    return outer[0] <= inner[0] and inner[1] <= outer[1]
