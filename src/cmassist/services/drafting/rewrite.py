"""The parts of a rewrite in the brand's voice: the body without its signature, the examples
it imitates, the facts the checker flagged (meant to go) and the facts the rewrite lost."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from cmassist.domain.facts import extract
from cmassist.domain.findings import Finding
from cmassist.domain.guidelines import BrandRules
from cmassist.domain.spans import Span, overlaps
from cmassist.domain.textutil import excerpt, find_signature
from cmassist.services.drafting.context import DraftContext
from cmassist.services.drafting.postprocess import excerpt_block

# Checker rules whose flagged text a rewrite should drop: not "lost facts" when it does.
MEANT_TO_GO = frozenset(
    {
        "banned_term",
        "link_domain",
        "unsupported_fact",
        "unverified_fact",
        "customer_pii",
        "injection_followed",
        "unsafe_markup",
    }
)
LOST_NAMED = 8  # the lost facts a note names, at most


def reply_body(text: str, rules: BrandRules) -> str:
    """A reply without its signature (in either language, however it was written): the model
    writes the body, the signature is put back once at the end."""
    body = text
    if rules.reply_signature:
        for variant in rules.reply_signature.variants():
            found = find_signature(body, variant)
            if found is not None and found.set_apart and body[: found.start].strip():
                body = body[: found.start].rstrip()
    return body


def rewrite_examples(ctx: DraftContext, kind: str) -> list[dict[str, str]]:
    """The brand's own texts the rewrite imitates: past replies (to what), or posts (on what)."""
    return [
        {
            "topic": (
                excerpt(h.text, 160)
                if kind == "reply"
                else str(h.metadata.get("topic") or excerpt(h.text, 80))
            ),
            "text": excerpt_block(
                str(h.metadata.get("reply", "")) if kind == "reply" else h.text, 600
            ),
        }
        for h in ctx.examples
    ]


def meant_to_go(findings: Sequence[Finding | Mapping[str, object]]) -> list[Span]:
    """The spans of findings whose text a rewrite should drop (MEANT_TO_GO rules); findings
    may come as records or, from the app, as their JSON form."""
    spans = []
    for f in findings:
        if isinstance(f, Finding):
            rule, start, end = f.rule, f.start, f.end
        else:  # a check kept as JSON, perhaps by an older version: only these keys are read
            rule, start, end = str(f.get("rule")), int(str(f["start"])), int(str(f["end"]))
        if rule in MEANT_TO_GO:
            spans.append((start, end))
    return spans


def lost_facts_note(original: str, rewritten: str, flagged: Sequence[Span]) -> str | None:
    """The note naming each fact of the original (a price, a date, a link...) the rewrite
    lost, unless its text was flagged to go; None when none was lost."""
    kept = {(f.kind, f.key) for f in extract(rewritten)}
    lost: dict[tuple[str, str], str] = {}
    for f in extract(original):
        if (f.kind, f.key) not in kept and not any(
            overlaps(span, (f.start, f.end)) for span in flagged
        ):
            lost.setdefault((f.kind, f.key), f.text)  # each fact named once
    if not lost:
        return None
    names = list(lost.values())
    more = f" and {len(names) - LOST_NAMED} more" if len(names) > LOST_NAMED else ""
    return "the rewrite lost these facts of the original: " + ", ".join(names[:LOST_NAMED]) + more
