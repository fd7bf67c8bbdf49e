"""What a tone and compliance check finds: severities, findings with their citation and fix,
and the check's result, as typed records that drafting, review, the CLI and the app share."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

Severity = Literal["block", "warn", "info"]
Verdict = Literal["pass", "warn", "block"]
AspectName = Literal["rules", "facts", "names", "voice", "meaning"]
# "unknown": looked at but could not be settled (a fact the store does not hold);
# "not_judged": nothing in this setup can judge it (the meaning, without a chat model).
AspectStatus = Literal["pass", "warn", "block", "unknown", "not_judged"]

SEVERITY_RANK: dict[str, int] = {"block": 0, "warn": 1, "info": 2}
"""The order findings are ranked in: blocking first."""

PENALTY: dict[str, int] = {"block": 35, "warn": 10, "info": 2}
"""Points a finding of each severity takes off the compliance score (out of 100)."""


class Citation(BaseModel):
    """The guideline passage (or past reply) a finding rests on."""

    source: str
    heading: str = ""
    line: int | None = None
    excerpt: str


class Finding(BaseModel):
    """One rule broken at `text[start:end]`, why, the passage it rests on and a fix."""

    rule: str
    severity: Severity
    start: int
    end: int
    message: str
    citation: Citation | None = None
    suggestion: str | None = None
    # A mechanical fix: put this in place of text[start:end].
    replacement: str | None = None


class VoiceResult(BaseModel):
    """How much the text sounds like the brand (0-100), and the references nearest to it."""

    score: int
    method: str  # "embeddings" or "embeddings+llm"
    nearest_on_voice: str | None = None
    nearest_off_voice: str | None = None
    off_voice_why: str | None = None
    llm_score: int | None = None


class GroundedFact(BaseModel):
    """A fact stated in a reply and the store passage it comes from (None: not found)."""

    kind: str
    text: str
    start: int
    end: int
    citation: Citation | None = None


class InjectionReading(BaseModel):
    """How the comment a reply answers reads as a prompt-injection attempt."""

    flagged: bool = False
    score: int | float = 0.0  # as the detector gives it: 0 when nothing was found at all
    reasons: list[str] = Field(default_factory=list)
    spans: list[list[int]] = Field(default_factory=list)


class Aspect(BaseModel):
    """One aspect of a text and what the check could say of it: the brand's rules, the
    facts (grounded in the store or not), the names, the voice, the meaning."""

    name: AspectName
    status: AspectStatus
    detail: str  # a few English words: "2 unknown, 1 grounded", "not judged (no chat model)"
    # what `detail` counts, by kind: {"grounded": 1, "unknown": 2}, {"block": 1}
    counts: dict[str, int] = Field(default_factory=dict)


class CheckResult(BaseModel):
    """The check of one text: score, verdict, findings in text order, voice and notices,
    and what was checked and what was not (`coverage`, said in one line by `summary`).

    The verdict is "pass" only when no rule is broken and every fact the text states is
    grounded in the brand's store; the summary says what nobody judged (the meaning)."""

    brand: str
    platform: str
    kind: str
    language: str | None
    score: int = Field(ge=0, le=100)
    verdict: Verdict
    findings: list[Finding]
    voice: VoiceResult | None = None
    notices: list[str] = Field(default_factory=list)
    chars: int = 0
    limit: int = 0
    grounding: list[GroundedFact] = Field(default_factory=list)
    injection: InjectionReading | None = None  # the replied-to comment's injection reading
    coverage: list[Aspect] = Field(default_factory=list)
    summary: str = ""  # "rules: pass · facts: 2 unknown · … · meaning: not judged (…)"
    elapsed_ms: float = 0.0

    def aspect(self, name: str) -> Aspect | None:
        """The aspect called `name` ("facts"...), if the check reported it."""
        return next((a for a in self.coverage if a.name == name), None)

    @property
    def blocking(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "block"]

    def public(self) -> dict[str, Any]:
        """The documented JSON shape, plus voice and notices."""
        return self.model_dump(mode="json", exclude={"elapsed_ms"})
