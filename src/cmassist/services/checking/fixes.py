"""Applying the mechanical fixes of a check: each finding's replacement put in place, the
text left as a person would have written it (spacing, punctuation, capitals)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import regex
from pydantic import BaseModel

from cmassist.domain.findings import SEVERITY_RANK, Finding
from cmassist.domain.spans import overlaps
from cmassist.services.checking.profile import sentence_start

_SPACES = " \t\u00a0\u202f"
_CLOSING = ",.;:!?…)]}»”"
_WEAK_MARKS = ",;:"
_END_MARKS = ".!?…"


@dataclass(frozen=True)
class _Fix:
    start: int
    end: int
    text: str
    rank: int


def _fixes_to_apply(
    text: str, findings: Sequence[Finding] | Sequence[Mapping[str, object]]
) -> list[_Fix]:
    """The fixes with a replacement, inside the text, without overlaps: where two overlap,
    the blocking one, then the longer one, then the first one wins."""
    fixes = []
    for f in findings:
        d = f.model_dump() if isinstance(f, BaseModel) else dict(f)
        new = d.get("replacement")
        start, end = d.get("start"), d.get("end")
        if new is None or not isinstance(start, int) or not isinstance(end, int):
            continue
        if 0 <= start <= end <= len(text):
            fixes.append(_Fix(start, end, str(new), SEVERITY_RANK.get(str(d.get("severity")), 1)))
    chosen: list[_Fix] = []
    for fx in sorted(fixes, key=lambda x: (x.rank, x.start - x.end, x.start)):
        if not any(overlaps((fx.start, fx.end), (c.start, c.end)) for c in chosen):
            chosen.append(fx)
    return sorted(chosen, key=lambda x: (x.start, x.end))


def _french_spacing(text: str) -> str | None:
    """The space the text puts before ; : ! ? (French typography), or None if it puts none."""
    spaced: list[str] = regex.findall(r"\S([ \u00a0\u202f])[;:!?]+(?=\s|$)", text)
    unspaced = len(regex.findall(r"[^\s\d/:;!?][;:!?]+(?=\s|$)", text))
    if len(spaced) <= unspaced or not spaced:
        return None
    return max(set(spaced), key=spaced.count)


def _case(new: str, before: str, was_start: bool) -> str:
    """A replacement's first letter: a capital at a sentence start, else the checker's (a
    capital the checker gave for a sentence start that an earlier fix took away goes)."""
    if not new[:1].isalpha():
        return new
    if sentence_start(before):
        return new[:1].upper() + new[1:]
    first = new.split()[0]
    if was_start and len(new.split()) == 1 and first[:1].isupper() and first[1:].islower():
        return new[:1].lower() + new[1:]
    return new


def apply_fixes(text: str, findings: Sequence[Finding] | Sequence[Mapping[str, object]]) -> str:
    """The text with each finding's mechanical fix (`replacement` for `text[start:end]`)
    put in place, written as a person would write it.

    - A replacement keeps the checker's case (the guideline's own: "affordable",
      "Promesse Boréale"), with a capital first letter at the start of a sentence.
    - A removal (replacement "") leaves no double space, no space before a comma or a full
      stop, no orphan punctuation (", ," or ", ." or "()"), no space at a line's ends, and
      the next word capitalised if the removed word started the sentence.
    - A space before ; : ! ? stays where the text already writes one (French typography)
      and goes where it does not.
    - Overlapping fixes: the blocking one, then the longer one, then the first one wins;
      the others are left for the check that follows.
    Findings may be `Finding` objects or their JSON dicts (`CheckResult.public()`)."""
    fixes = _fixes_to_apply(text, findings)
    french = _french_spacing(text)
    out = ""
    pos = 0  # next character of `text` to copy
    protect = 0  # `out` before this is a replacement already written: never edited
    capitalise_next = False
    for fx in fixes:
        gap = text[pos : fx.start] if fx.start >= pos else ""
        if capitalise_next:
            gap = _capitalise_first(gap)
            capitalise_next = False
        out += gap
        right = text[fx.end :]
        if fx.text:
            new = _case(fx.text, out, sentence_start(text[: fx.start]))
            out, skip = _put(out, new, text[fx.start : fx.end], right, french, protect)
            protect = len(out)
        else:
            out, skip, capitalise_next = _remove(
                out, text[fx.start : fx.end], right, french, protect
            )
        pos = fx.end + skip
    tail = text[pos:]
    return out + (_capitalise_first(tail) if capitalise_next else tail)


def _capitalise_first(s: str) -> str:
    for i, ch in enumerate(s):
        if ch.isalpha():
            return s[:i] + ch.upper() + s[i + 1 :] if ch.islower() else s
        if not (ch in _SPACES or ch in "«“\"'("):
            return s
    return s


def _rstrip_spaces(s: str, protect: int) -> str:
    end = len(s)
    while end > protect and s[end - 1] in _SPACES:
        end -= 1
    return s[:end]


def _lead(s: str) -> int:
    n = 0
    while n < len(s) and s[n] in _SPACES:
        n += 1
    return n


def _put(
    out: str, new: str, old: str, right: str, french: str | None, protect: int
) -> tuple[str, int]:
    """Write a replacement; returns the new text and how many characters of `right` to skip.
    A mark that replaces a mark ("!" for "!!!") keeps the writer's spacing."""
    if new[0] in _CLOSING and old[:1] not in _CLOSING and out[-1:] in _SPACES:
        core = _rstrip_spaces(out, protect)
        out = core + (french if french and new[0] in ";:!?" else "")
    out += new
    skip = _lead(right) if new[-1:] in _SPACES else 0
    return out, skip


def _remove(
    out: str, removed: str, right: str, french: str | None, protect: int
) -> tuple[str, int, bool]:
    """Close the gap a removal leaves; returns the new text, how many characters of `right`
    to skip and whether the next word must take a capital."""
    core = _rstrip_spaces(out, protect)
    had_space = len(core) < len(out)
    lead = _lead(right)
    nxt = right[lead:]
    starts = sentence_start(core)
    capital = starts and removed[:1].isupper()
    if not nxt or nxt[0] == "\n":  # end of the text or of the line
        return core, lead, False
    if not core.strip(_SPACES) or core.endswith("\n"):  # start of the text or of a line
        skip = lead
        if nxt[0] in _WEAK_MARKS:  # "🔥, great" -> "Great"
            skip += 1 + _lead(nxt[1:])
        return core, skip, capital or True
    if nxt[0] in _CLOSING:
        mark = nxt[0]
        if core[-1:] in "([{" and mark in ")]}":  # "(🔥)" -> nothing
            inner = _rstrip_spaces(core[:-1], protect)
            after = right[lead + 1 :]
            if inner and after[:1] in _SPACES:
                return inner + " ", lead + 1 + _lead(after), False
            return inner, lead + 1, False
        if core[-1:] in _WEAK_MARKS and mark in _END_MARKS:  # "coffee, #tag." -> "coffee."
            core = core[:-1]
        elif core[-1:] in _WEAK_MARKS + _END_MARKS and mark in _WEAK_MARKS:  # ", ," -> ","
            after = right[lead + 1 :]
            return core + (" " if _lead(after) or after else ""), lead + 1 + _lead(after), starts
        space = french if french and mark in ";:!?" and (had_space or lead) else ""
        return core + space, lead, False
    if core[-1:] in "([{«“\"'":  # "( 🔥 great" -> "(great"
        return core, lead, False
    if had_space or lead:  # a word on each side: one space between them
        return core + (out[len(core)] if had_space else right[0]), lead, capital
    return core, 0, capital
