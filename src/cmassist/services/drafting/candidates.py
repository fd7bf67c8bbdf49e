"""Writing the candidates of one request: each generated from the same prompt (llama.cpp
keeps the shared prompt in its cache, so a candidate costs only its own tokens), stopped
early when it goes wrong, fitted, checked and screened; more are written while the
variants asked lack a clean one and the token budget allows."""

from __future__ import annotations

import dataclasses
import random
import re
import time
from collections.abc import Generator
from dataclasses import dataclass

from cmassist.domain.errors import CmassistError
from cmassist.domain.findings import PENALTY, CheckResult
from cmassist.domain.models import Kind
from cmassist.domain.platforms import Platform
from cmassist.services.checking.checker import Checker
from cmassist.services.drafting.context import DraftContext
from cmassist.services.drafting.events import DraftEvent
from cmassist.services.drafting.postprocess import (
    add_signature,
    clean_generation,
    early_stop,
    fit_to_platform,
    platform_limit,
    scaffolding_at,
    trim_unfinished,
)
from cmassist.services.drafting.select import (
    Candidate,
    brief_reason,
    copy_reason,
    flagged_reasons,
    language_reason,
    settled,
    signature_reason,
)
from cmassist.services.ports.models import LLM, GenParams, RenderedPrompt, Usage

EMPTY_RETRIES = 2  # empty generations written again, as many as the candidates' cap allows


@dataclass(frozen=True)
class Adapted:
    """A candidate built without the model, offered first: a past reply adapted to the new
    comment (`adapt`), a reply composed from the brand's words (`compose`) or the post its
    brief holds (`from_brief`); its text, the past reply it comes from ("" when none), and
    why, as the draft says it."""

    text: str
    past_id: str
    past_reply: str
    why: str


@dataclass
class Job:
    """One request's candidates: the prompt they share, what each must be, and for what."""

    kind: str  # "post" | "reply"
    prompt: RenderedPrompt
    params: GenParams
    ctx: DraftContext
    platform: Platform | None
    variants: int
    signature: str | None = None
    brief: str | None = None  # what a post is written from (untrusted)
    replying_to: str | None = None  # the comment a reply answers (untrusted)
    adapted: Adapted | None = None  # built without the model (see `Adapted`): candidate 1
    opening: str = ""  # what the prompt starts the reply with: the text starts with it
    model_writes: bool = True  # whether the model writes candidates (`model_writes`)

    @property
    def key(self) -> str | None:
        return self.platform.key if self.platform else None

    @property
    def held_back(self) -> str:
        """Why the model wrote no candidate, when it was not asked ("" when it was)."""
        return "" if self.model_writes else HELD_BACK

    @property
    def past(self) -> list[str]:
        """The brand's texts the prompt showed the model: what a candidate must not copy."""
        if self.ctx.examples and self.ctx.examples[0].kind == Kind.REPLY:
            return [str(h.metadata.get("reply", "")) for h in self.ctx.examples]
        return [h.text for h in self.ctx.examples]


HELD_BACK = (
    "the embedded base model does not write replies from nothing (its replies were not"
    " usable in the quality bench): start from the brand's replies and facts below"
)


def model_writes(setting: str, style: str) -> bool:
    """Whether the model writes reply candidates (`Settings.draft_model_replies`): "auto"
    lets a chat model do it, never a base (completion) model."""
    return setting == "always" or (setting == "auto" and style == "chat")


@dataclass(frozen=True)
class Budget:
    """How many candidates a request may write: at most `per_variant` per variant asked,
    and (when `tokens` > 0) no more generated tokens than `tokens` times those of the first
    candidate of each variant, which is what the same variants cost without choosing."""

    per_variant: int = 2
    tokens: float = 2.0


class CandidateWriter:
    """Writes, checks and screens candidates with one LLM and an optional checker."""

    def __init__(self, llm: LLM, checker: Checker | None) -> None:
        self.llm = llm
        self.checker = checker

    def pool(
        self, job: Job, rng: random.Random, budget: Budget
    ) -> Generator[DraftEvent, None, list[Candidate]]:
        """Every candidate written for `job`, in order; yields the tokens of the first
        non-empty one of each variant (into that variant's card), then a "choosing" event
        before each further candidate, whose tokens are not shown."""
        cap = job.variants * max(1, budget.per_variant)
        # An empty answer is asked again, up to EMPTY_RETRIES times per variant in all.
        empty_cap = job.variants * (1 + EMPTY_RETRIES)
        pool: list[Candidate] = []
        shown = 0  # the variants' cards that received a candidate's text
        if job.adapted is not None:
            cand = self.adapted(job, job.adapted)
            pool.append(cand)
            if cand.survives:  # it is variant 1: the others keep their share
                cap = 1 + (job.variants - 1) * max(1, budget.per_variant)
                cand.slot = shown = 1
                yield DraftEvent("token", 1, job.key, cand.text)
            else:
                cap += 1  # the generated candidates keep their share
        if not job.model_writes:
            return pool  # built candidates only (see `Job.held_back`)
        while len(pool) < cap:
            n = len(pool) + 1
            stream_as = shown + 1 if shown < job.variants else None
            if stream_as is None:
                if settled(pool, job.variants) or not within(pool, job.variants, budget):
                    break
                yield DraftEvent("choosing", 0, job.key, candidates=n, total=cap)
            cand = yield from self.write(job, n, rng.randrange(2**31), stream_as)
            pool.append(cand)
            if cand.slot is not None:
                shown += 1
            if not cand.text and cap < empty_cap:
                cap += 1
        return pool

    def write(
        self, job: Job, n: int, seed: int, stream_as: int | None
    ) -> Generator[DraftEvent, None, Candidate]:
        """Candidate `n`: generated (its tokens streamed as variant `stream_as`, if given),
        stopped early when it goes wrong, cleaned, fitted, checked and screened."""
        params = dataclasses.replace(job.params, stop=list(job.params.stop), seed=seed)
        limit = platform_limit(job.platform, job.ctx.rules)
        usage = Usage()
        raw, stopped, streamed = "", None, False  # streamed: a visible piece was shown
        # A completion model continues the opening the prompt ends with: the text starts
        # there (a chat model is asked to start with it, and writes it itself).
        if job.opening and self.llm.style == "completion":
            raw = job.opening + " "
            if stream_as is not None:
                streamed = True
                yield DraftEvent("token", stream_as, job.key, raw)
        started = time.perf_counter()
        stream = self.llm.stream(job.prompt, params, usage)
        try:
            for piece in stream:
                raw += piece
                if stream_as is not None:
                    streamed = streamed or bool(piece.strip())
                    yield DraftEvent("token", stream_as, job.key, piece)
                stop = early_stop(raw, limit)
                if stop is not None:
                    raw, stopped = raw[: stop[0]], stop[1]
                    break
        finally:
            close = getattr(stream, "close", None)
            if close is not None:
                close()  # frees the model now, not when the generator is collected
        cand = Candidate(n, "", tokens=usage.completion_tokens)
        cand.gen_s = time.perf_counter() - started
        cand.stopped = stopped
        cand.slot = stream_as if streamed else None
        self._finish(job, cand, clean_generation(raw), usage.finish_reason == "length")
        return cand

    def adapted(self, job: Job, adapted: Adapted) -> Candidate:
        """Candidate 1, built without the model (`Adapted`), fitted and screened as any; a
        copy of the very past reply it adapts is what it is meant to be, not a fault."""
        cand = Candidate(1, "", built=True)
        self._finish(job, cand, adapted.text, False, adapted=adapted)
        return cand

    def _finish(
        self,
        job: Job,
        cand: Candidate,
        text: str,
        out_of_tokens: bool,
        adapted: Adapted | None = None,
    ) -> None:
        """Fit the text and screen it: whatever drops it goes into `cand.reasons`."""
        if not text:
            cand.reasons.append("the model returned no text")
            return
        if out_of_tokens or cand.stopped:
            whole = trim_unfinished(text)
            if whole is None:
                cand.text = text
                cand.reasons.append("cut off mid-sentence")
                return
            if whole != text.rstrip():
                cand.notes.append("removed an unfinished last sentence")
            text = whole
        if job.signature:
            text = add_signature(text, job.signature, cand.notes)
        if job.platform:
            text = fit_to_platform(
                text, job.platform, job.ctx.rules, cand.notes, keep_suffix=job.signature
            )
        cand.text = text
        if scaffolding_at(text) is not None:
            cand.reasons.append("prompt scaffolding")
        past = job.past
        if adapted is not None:
            past = [p for p in past if p.strip() != adapted.past_reply.strip()]
        for reason in (
            signature_reason(text, job.signature),
            language_reason(text, job.ctx.language, job.signature),
            copy_reason(text, past, job.kind),
            brief_reason(text, job.brief, job.ctx.sheet, job.ctx.brand_name)
            if job.kind == "post"
            else None,
        ):
            if reason:
                cand.reasons.append(reason)
        self._check(job, cand, adapted)

    def _check(self, job: Job, cand: Candidate, adapted: Adapted | None = None) -> None:
        if self.checker is None:
            return
        try:
            cand.check = self.checker.check(
                cand.text,
                platform=job.key,
                brand=job.ctx.brand,
                kind=job.kind,
                language=job.ctx.language,
                replying_to=job.replying_to,
                brief=job.brief,
            )
        except CmassistError as e:
            cand.check_error = f"the tone and compliance check failed: {e}"
            return
        if adapted is not None:
            cand.check = adapted_check(cand.check, adapted)
        for reason in flagged_reasons(cand.text, cand.check):
            if reason not in cand.reasons:  # the checker may see what screening saw
                cand.reasons.append(reason)


def adapted_check(check: CheckResult, adapted: Adapted) -> CheckResult:
    """The check of an adapted reply, where a near-copy of the past reply it adapts is a
    warning (a person looks at the swaps), not a block; any other near-copy still blocks."""
    past = " ".join(adapted.past_reply.split())
    if not past:
        return check
    changed = False
    findings = []
    for f in check.findings:
        m = re.search(r"“(.+?)…?”", f.message) if f.rule == "near_copy" else None
        if m and f.severity == "block" and past.startswith(m.group(1).rstrip("…")):
            note = f" It adapts past reply {adapted.past_id} on purpose: check what was swapped."
            f = f.model_copy(update={"severity": "warn", "message": f.message + note})
            changed = True
        findings.append(f)
    if not changed:
        return check
    blocks = any(f.severity == "block" for f in findings)
    verdict = "block" if blocks else "warn"
    regained = PENALTY["block"] - PENALTY["warn"]
    score = min(100, check.score + (round(0.6 * regained) if check.voice else regained))
    return check.model_copy(update={"findings": findings, "verdict": verdict, "score": score})


def within(pool: list[Candidate], variants: int, budget: Budget) -> bool:
    """Whether one more candidate (of the pool's mean length) stays within the token
    budget: `budget.tokens` times what the first `variants` candidates generated."""
    if budget.tokens <= 0 or not pool:
        return True
    first = sum(c.tokens for c in pool[:variants])
    if first <= 0:
        return True  # nothing generated yet (empty answers): the cap alone bounds it
    used = sum(c.tokens for c in pool)
    return used + used / len(pool) <= budget.tokens * first
