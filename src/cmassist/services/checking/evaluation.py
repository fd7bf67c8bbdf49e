"""Measuring the checker on a labelled set: precision and recall per rule, voice ROC AUC.

A labelled text says which rules it breaks and whether it is on-voice; a draft may give
the brief it was written from, a reply the comment it answers (both are checked with the
text, as drafting and the inbox check them). A (text, rule) pair
is a true positive when the checker reports at least one finding of that rule on the
text. The voice score is judged by how well it ranks on-voice above off-voice texts.
Used by `bench/bench_check.py` and by the test suite.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cmassist.domain.errors import FileFormatError
from cmassist.services.checking.checker import RULES, Checker

# The reply-against-comment rules need the comment; bench_inbox.py measures them.
REPLY_RULES = ("injection_followed", "customer_pii", "unsafe_markup", "unsupported_fact")
MECHANICAL_RULES = [r for r in RULES if r not in ("voice", "mixed_script", *REPLY_RULES)]


@dataclass
class Labelled:
    id: str
    brand: str
    platform: str
    kind: str
    sponsored: bool
    language: str
    voice: str  # "on" | "off"
    rules: list[str]
    text: str
    brief: str = ""  # what the draft was written from (copied_brief)
    replying_to: str = ""  # the comment a reply answers (its place, its own figures)


def load_labelled(path: Path) -> list[Labelled]:
    rows = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            d = json.loads(line)
            rows.append(
                Labelled(
                    id=d["id"],
                    brand=d["brand"],
                    platform=d["platform"],
                    kind=d["kind"],
                    sponsored=bool(d.get("sponsored")),
                    language=d["language"],
                    voice=d["voice"],
                    rules=list(d["rules"]),
                    text=d["text"],
                    brief=str(d.get("brief") or ""),
                    replying_to=str(d.get("replying_to") or ""),
                )
            )
        except (json.JSONDecodeError, KeyError, TypeError) as e:
            raise FileFormatError(
                f"{path}, line {n}: not a labelled text ({type(e).__name__}: {e})",
                "each line is a JSON object with id, brand, platform, kind, language, voice, "
                "rules and text (brief and replying_to optional)",
            ) from None
    return rows


@dataclass
class RuleScore:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0


@dataclass
class Evaluation:
    per_rule: dict[str, RuleScore]
    overall: RuleScore
    voice_auc: float
    voice_scores: list[tuple[str, str, int]]  # (id, label, score)
    mistakes: list[dict[str, Any]] = field(default_factory=list)


def roc_auc(positives: list[float], negatives: list[float]) -> float:
    """Probability that a random positive scores above a random negative (ties count half)."""
    if not positives or not negatives:
        return float("nan")
    wins = 0.0
    for p in positives:
        for n in negatives:
            wins += 1.0 if p > n else 0.5 if p == n else 0.0
    return wins / (len(positives) * len(negatives))


def evaluate(checker: Checker, rows: list[Labelled]) -> Evaluation:
    per_rule = {r: RuleScore() for r in MECHANICAL_RULES}
    overall = RuleScore()
    voice: list[tuple[str, str, int]] = []
    mistakes: list[dict[str, Any]] = []
    for row in rows:
        result = checker.check(
            row.text,
            platform=row.platform,
            brand=row.brand,
            kind=row.kind,
            sponsored=row.sponsored,
            language=row.language,
            brief=row.brief or None,
            replying_to=row.replying_to or None,
        )
        found = {f.rule for f in result.findings} & set(MECHANICAL_RULES)
        expected = set(row.rules)
        for rule in MECHANICAL_RULES:
            score = per_rule[rule]
            if rule in found and rule in expected:
                score.tp += 1
                overall.tp += 1
            elif rule in found:
                score.fp += 1
                overall.fp += 1
                mistakes.append(_mistake(row, rule, "false positive", result))
            elif rule in expected:
                score.fn += 1
                overall.fn += 1
                mistakes.append(_mistake(row, rule, "missed", result))
        if result.voice is not None:
            voice.append((row.id, row.voice, result.voice.score))
    auc = roc_auc(
        [float(s) for _, label, s in voice if label == "on"],
        [float(s) for _, label, s in voice if label == "off"],
    )
    return Evaluation(per_rule, overall, auc, voice, mistakes)


def _mistake(row: Labelled, rule: str, kind: str, result: Any) -> dict[str, Any]:
    words = [row.text[f.start : f.end] for f in result.findings if f.rule == rule]
    return {"id": row.id, "rule": rule, "kind": kind, "found": words, "text": row.text[:160]}
