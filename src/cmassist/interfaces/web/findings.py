"""A checker's result on the page: its verdict line, the findings marked in the text, and
the table of what, why (the guideline) and the fix."""

from __future__ import annotations

from typing import Any

import pandas as pd

from cmassist.interfaces.i18n import Translator
from cmassist.interfaces.web.render import frame

FINDING_COLUMNS = ["severity", "rule", "words", "what and why", "guideline", "fix"]
# Wide enough that a word never breaks ("sev/eri/ty"); the table scrolls sideways instead.
FINDING_WIDTHS = ["90px", "150px", "150px", "360px", "300px", "220px"]
FINDING_COLORS = {"block": "#f87171", "warn": "#fbbf24", "info": "#93c5fd"}
FINDING_COLORS_BY_LABEL = {
    Translator(lang)(sev): color for lang in ("en", "fr") for sev, color in FINDING_COLORS.items()
}
_RANK = {"block": 0, "warn": 1, "info": 2}


def finding_label(severity: str, tr: Translator) -> str:
    """A finding's label in highlighted text: its severity, which the colour map knows
    whatever the rule (the table names the rule)."""
    return tr(severity)


def findings_highlight(
    text: str, check: dict[str, Any] | None, tr: Translator
) -> list[tuple[str, str | None]]:
    """The text cut into pieces, each finding's words labelled with its severity and rule.

    Overlapping findings: the most severe, then the narrowest, wins (the table lists all).
    Shown by gr.HighlightedText as plain text, never as HTML.
    """
    if not text or not check or not check.get("findings"):
        return [(text or "", None)]
    owner: list[str | None] = [None] * len(text)
    # The most severe, then the narrowest finding owns a character: a word-level block
    # shows through a sentence-level voice warning.
    for f in sorted(check["findings"], key=lambda f: (_RANK[f["severity"]], f["end"] - f["start"])):
        label = finding_label(f["severity"], tr)
        for i in range(max(0, f["start"]), min(len(text), f["end"])):
            if owner[i] is None:
                owner[i] = label
    pieces: list[tuple[str, str | None]] = []
    start = 0
    for i in range(1, len(text) + 1):
        if i == len(text) or owner[i] != owner[start]:
            pieces.append((text[start:i], owner[start]))
            start = i
    return pieces


def findings_frame(text: str, check: dict[str, Any] | None, tr: Translator) -> pd.DataFrame:
    """One row per finding: its severity, rule, words, message, guideline and fix."""
    rows = []
    if check and "error" in check:
        rows.append(
            [
                tr("block"),
                tr("check_failed"),
                "",
                tr("The text could not be checked: {error}", error=tr.error(check["error"])),
                "",
                tr("fix the cause, or ask a reviewer to override"),
            ]
        )
    for f in (check or {}).get("findings", []):
        c = f.get("citation") or {}
        where = c.get("source", "")
        if c.get("line"):
            where += f":{c['line']}"
        heading = (c.get("heading") or "").split(" > ")[-1]
        guideline = f"{where} · {heading}\n{c.get('excerpt', '')}" if c else ""
        rows.append(
            [
                tr(f["severity"]),
                tr(f["rule"]),
                text[f["start"] : f["end"]],
                tr.error(f["message"]),
                guideline,
                tr.error(f.get("suggestion") or ""),
            ]
        )
    return frame(rows, FINDING_COLUMNS, tr)


def check_line(check: dict[str, Any] | None, tr: Translator) -> str:
    """One Markdown line: the verdict, then what was checked and what was not
    ("rules: pass · facts: 2 unknown · … · meaning: not judged (no chat model)")."""
    if not check:
        return ""
    if "error" in check:
        return tr("⚠️ Check failed: {error}", error=tr.error(check["error"]))
    if "unchecked" in check:
        return tr("Not checked: {why}", why=tr.error(check["unchecked"]))
    icon = {"pass": "✅", "warn": "⚠️", "block": "⛔"}[check["verdict"]]
    coverage = check.get("coverage")
    if coverage:
        aspects = " · ".join(aspect_text(a, tr) for a in coverage)
    else:  # saved before coverage was recorded: the findings, never a bare score
        counts: dict[str, int] = {}
        for f in check["findings"]:
            counts[f["severity"]] = counts.get(f["severity"], 0) + 1
        parts = [f"{n} {tr(sev)}" for sev, n in counts.items()] or [tr("no findings")]
        aspects = tr("{counts} · coverage not recorded", counts=", ".join(parts))
    return tr(
        "{icon} {verdict} · {aspects}", icon=icon, verdict=tr(check["verdict"]), aspects=aspects
    )


def aspect_text(aspect: dict[str, Any], tr: Translator) -> str:
    """One aspect of a check in the reader's language: "facts: 2 unknown, 1 grounded"."""
    names = {
        "rules": tr("rules"),
        "facts": tr("facts"),
        "names": tr("names"),
        "voice": tr("voice"),
        "meaning": tr("meaning"),
    }
    return tr(
        "{aspect}: {detail}",
        aspect=names.get(aspect["name"], aspect["name"]),
        detail=_aspect_detail(aspect, tr),
    )


def _aspect_detail(aspect: dict[str, Any], tr: Translator) -> str:
    name, counts, detail = aspect["name"], aspect.get("counts") or {}, aspect.get("detail", "")
    if name == "rules":
        parts = [f"{n} {tr(sev)}" for sev, n in counts.items()]
        return ", ".join(parts) or tr("pass")
    if name == "facts":
        words = {
            "contradicted": lambda n: tr("{n} contradicted", n=n),
            "unknown": lambda n: tr("{n} unknown", n=n),
            "quoted": lambda n: tr("{n} from the comment", n=n),
            "grounded": lambda n: tr("{n} grounded", n=n),
        }
        parts = [words[k](n) for k, n in counts.items() if n and k in words]
        return ", ".join(parts) or tr("none stated")
    if name == "names":
        words = {
            "unknown": lambda n: tr("{n} unknown", n=n),
            "unsure": lambda n: tr("{n} unsure", n=n),
            "known": lambda n: tr("{n} known", n=n),
        }
        parts = [words[k](n) for k, n in counts.items() if n and k in words]
        if counts.get("skipped_lines"):
            parts.append(tr("title case not judged"))
        return ", ".join(parts) or tr("none found")
    if name == "voice":
        if aspect["status"] == "not_judged" or "score" not in counts:
            return tr("not scored")
        how = tr(" (embeddings + LLM)") if detail.endswith("(embeddings + LLM)") else ""
        return f"{counts['score']}/100{how}"
    fixed = {
        "not judged (no chat model)": tr("not judged (no chat model)"),
        "not judged (the chat model judges the voice only)": tr(
            "not judged (the chat model judges the voice only)"
        ),
    }
    return fixed.get(detail) or tr.error(detail)
