"""Delays and durations the guidelines state (shipping, answering, refunds, pauses), each
with what it is the delay of: "Orders ship within 2 business days", "Estimated delivery
after shipping: Québec and Ontario 2 to 4 business days; Atlantic provinces 3 to 6" (the
unit carries over a list), "réponse en 1 jour ouvrable"."""

from __future__ import annotations

import re

from cmassist.domain.factsheet import Delay
from cmassist.services.knowledge.sections import Guidelines, Section, stated_of, trim_words

_KEY = re.compile(r"^(\d+(?:\.\d+)?)(?:-(\d+(?:\.\d+)?))?([a-z]+)$")
# A list item that gives a range without its unit ("Atlantic provinces 3 to 6").
_BARE = re.compile(r"(\d+)\s*(?:to|à|-|–|or|ou)\s*(\d+)\s*\.?\s*$", re.IGNORECASE)
_LEAD = frozenset(
    """and or et ou the a an le la les l un une des du de then our notre nos its""".split()  # noqa: SIM905
)
_TRAIL = frozenset(
    """within in under after before for of dans en sous d'ici depuis pendant de du des les
    the a an up to jusqu'à jusqu’à at least au moins au plus no more than between entre
    than que moins plus last lasts dure takes take prend prennent is are est sont d l
    until après avant every chaque tous aux""".split()  # noqa: SIM905
)
# "un jour précis" is no delay of one day; "en moins d'une heure", "within a day" are.
_ARTICLE = re.compile(r"^(?:un|une|a|an)\b", re.IGNORECASE)
_DELAY_WORD = re.compile(
    r"(?:within|in|under|after|for|dans|en|sous|d['’]ici|d['’]|après|pendant|moins de)\s*$",
    re.IGNORECASE,
)
_MAX_SUBJECT_WORDS = 8


def read_delays(section: Section, guidelines: Guidelines) -> list[Delay]:
    """The delays `section` states, each with its subject."""
    out: list[Delay] = []
    for sentence in section.sentences:
        if not stated_of(sentence, "duration"):
            continue
        label_end, label = _label(sentence, guidelines)
        unit = ""
        offset = 0
        for clause in sentence.split(";"):
            spans: list[tuple[int, float, float, str]] = []
            for f in stated_of(clause, "duration"):
                span = _span(f.key)
                if span is None or span[2] == "y":  # years: ages and anniversaries
                    continue
                if _ARTICLE.match(f.text) and not _DELAY_WORD.search(clause[: f.start]):
                    continue
                spans.append((f.start, *span))
            if not spans and unit and (bare := _BARE.search(clause)):
                spans.append((bare.start(), float(bare.group(1)), float(bare.group(2)), unit))
            for start, low, high, unit in spans:
                at = offset + start
                under = label if label and at >= label_end else ""
                begin = max(offset, label_end) if under else offset
                subject = _subject(under, sentence[begin:at], guidelines) or sentence_start(
                    sentence
                )
                out.append(Delay(subject, low, high, unit, section.cite(sentence)))
            offset += len(clause) + 1
    return out


def _span(key: str) -> tuple[float, float, str] | None:
    m = _KEY.match(key)
    if not m:
        return None
    low = float(m.group(1))
    return low, float(m.group(2) or low), m.group(3)


def _label(sentence: str, guidelines: Guidelines) -> tuple[int, str]:
    """The label before the sentence's first colon ("Estimated delivery after shipping:"),
    with where it ends; (0, "") when there is none or it is a whole clause."""
    m = re.search(r"\s?:(?!\d)", sentence)
    if not m:
        return 0, ""
    label = sentence[: m.start()]
    if guidelines.brand_name:
        label = re.sub(rf"{re.escape(guidelines.brand_name)}(?:['’]s)?", " ", label, flags=re.I)
    label = trim_words(re.sub(r"\([^()]*\)", " ", label), _LEAD, _TRAIL)
    if not label or len(label.split()) > 6 or "," in label:
        return m.end(), ""
    return m.end(), label


def _subject(label: str, before: str, guidelines: Guidelines) -> str:
    """What a delay is the delay of: the label it is under, and the words just before it
    (the last of its comma-separated parts that has words; inside a bracket, with what the
    bracket follows)."""
    text = re.sub(r"\([^()]*\)", " ", before)
    outer, _, inner = text.rpartition("(")
    head = _last_part(inner)
    if outer and len(head.split()) < 2 and not label:
        head = " ".join(x for x in (_last_part(outer), head) if x)
    if guidelines.brand_name:
        head = re.sub(rf"^{re.escape(guidelines.brand_name)}(?:['’]s)?\s*", "", head, flags=re.I)
    head = " ".join(head.split()[-_MAX_SUBJECT_WORDS:])
    if label:
        return f"{label}: {head}" if head else label
    return head


def _last_part(text: str) -> str:
    for part in reversed(text.split(",")):
        words = trim_words(part, _LEAD, _TRAIL)
        if words:
            return words
    return ""


def sentence_start(sentence: str) -> str:
    """The first words of a sentence, as the subject of last resort."""
    return " ".join(sentence.split()[:_MAX_SUBJECT_WORDS]).rstrip(",;:")
