"""One check's state, shared by the rule families: the text, its folded form and language
per sentence, the brand's profile, and the findings each rule adds with their citation."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from cmassist.domain.findings import Citation, Finding, Severity
from cmassist.domain.guidelines import BrandRules, Rule
from cmassist.domain.platforms import Platform
from cmassist.domain.textmatch import Folded
from cmassist.domain.textutil import detect_language
from cmassist.services.checking.profile import BrandProfile

# Rule ids, in the order findings are listed, with their default severity.
RULES: dict[str, Severity] = {
    "injection_followed": "block",
    "customer_pii": "block",
    "sensitive_data_request": "block",
    "unsafe_markup": "block",
    "unsupported_fact": "block",
    "banned_term": "block",
    "link_domain": "block",
    "unverified_fact": "block",
    "contradicted_fact": "block",
    "unknown_name": "block",
    "copied_brief": "block",
    "scaffolding": "block",
    "blank": "block",
    "cut_off": "block",
    "near_copy": "block",
    "ad_disclosure": "block",
    "length": "block",
    "claim_needs_proof": "warn",
    "discouraged_term": "warn",
    "reply_signature": "warn",
    "hashtags": "warn",
    "required_hashtag": "warn",
    "emoji": "warn",
    "shouting": "warn",
    "mixed_script": "warn",
    "voice": "warn",
}

# The guideline passage a rule rests on: (rule, query, language, term) -> citation.
Cite = Callable[[Rule | None, str, str | None, str], Citation | None]


@dataclass
class Segment:
    """A sentence of the checked text and the language it is written in."""

    start: int
    end: int
    language: str | None


def segments(text: str, default: str | None) -> list[Segment]:
    """The text's sentences, each with its own language (a French post may quote English)."""
    out = []
    for m in re.finditer(r"[^.!?…\n]+[.!?…]*", text):
        seg = m.group()
        out.append(Segment(m.start(), m.end(), detect_language(seg, None) or default))
    return out or [Segment(0, len(text), default)]


def reason(rule: Rule | None) -> str:
    """The rule's own reason, as a sentence to append to a message ("" if it gives none)."""
    r = getattr(rule, "reason", None)
    return f" {r}" if r else ""


@dataclass
class CheckContext:
    """The text under check and the findings so far; each rule family adds to them."""

    profile: BrandProfile
    text: str
    folded: Folded
    language: str | None
    segments: list[Segment]
    platform: Platform | None
    kind: str
    cite: Cite
    brief: str = ""  # the brief a draft was written from (untrusted), "" if none
    replying_to: str = ""  # the comment a reply answers (untrusted), "" if none
    findings: list[Finding] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)

    @property
    def rules(self) -> BrandRules:
        return self.profile.rules

    @property
    def where(self) -> str:
        return f"{self.platform.name} posts" if self.platform else "Posts"

    def lang_at(self, pos: int) -> str | None:
        """The language of the sentence at `pos`."""
        for s in self.segments:
            if s.start <= pos < s.end:
                return s.language
        return self.language

    def add(
        self,
        rule_id: str,
        rule: Rule | None,
        start: int,
        end: int,
        message: str,
        *,
        query: str,
        term: str = "",
        suggestion: str | None = None,
        replacement: str | None = None,
    ) -> None:
        """Add a finding of `rule_id` at `text[start:end]`, citing the passage `rule` rests
        on (found by `query`, preferring one naming `term`)."""
        severity = (rule.severity if rule is not None else None) or RULES[rule_id]
        self.findings.append(
            Finding(
                rule=rule_id,
                severity=severity,
                start=start,
                end=end,
                message=message,
                citation=self.cite(rule, query, self.lang_at(start), term),
                suggestion=suggestion,
                replacement=replacement,
            )
        )
