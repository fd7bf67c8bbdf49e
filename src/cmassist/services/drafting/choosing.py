"""From one request's candidates to its drafts: the candidates written (`candidates`), the
best survivors chosen (`select`), and one draft per variant asked, in order: the chosen
candidate with why, or an honest "no good draft" with what to start from (`fallback`)."""

from __future__ import annotations

import random
import time
from collections.abc import Iterator

from cmassist.domain.models import Draft, PromptRef, Rejected, StartingPoint
from cmassist.domain.platforms import count_chars
from cmassist.domain.textutil import excerpt
from cmassist.services.checking.checker import Checker
from cmassist.services.drafting.candidates import Budget, CandidateWriter, Job
from cmassist.services.drafting.context import draft_sources
from cmassist.services.drafting.events import DraftEvent
from cmassist.services.drafting.fallback import starting_points
from cmassist.services.drafting.postprocess import platform_limit
from cmassist.services.drafting.select import Candidate, assign, choose, why_chosen, why_none
from cmassist.services.ports.models import LLM
from cmassist.services.ports.store import Store


class Chooser:
    """Writes a request's candidates and turns the best into its drafts."""

    def __init__(self, store: Store, llm: LLM, checker: Checker | None, budget: Budget) -> None:
        self.store = store
        self.llm = llm
        self.checker = checker
        self.budget = budget

    def stream(self, job: Job, rng: random.Random, asked: str) -> Iterator[DraftEvent]:
        """The candidates' events (`CandidateWriter.pool`), then one "draft" event per
        variant; `asked` is the brief or comment, to find starting points by."""
        started = time.perf_counter()
        pool = yield from CandidateWriter(self.llm, self.checker).pool(job, rng, self.budget)
        past = job.past
        if job.adapted is not None:  # the adapted reply is new to no one: it says so
            past = [p for p in past if p.strip() != job.adapted.past_reply.strip()]
        chosen = choose(pool, job.variants, past)
        by_variant = assign(chosen, job.variants)
        rejected = [
            Rejected(
                candidate=c.n,
                reasons=list(c.reasons),
                rules=sorted({f.rule for f in c.check.blocking}) if c.check else [],
                excerpt=excerpt(c.text, 80),
            )
            for c in pool
            if not c.survives
        ]
        points: list[StartingPoint] | None = None
        for variant in range(1, job.variants + 1):
            cand = by_variant.get(variant)
            draft = self.draft(job, variant, cand)
            if cand is not None:
                draft.why = why_chosen(cand, pool)
                if job.adapted is not None and cand.n == 1:
                    draft.why.insert(0, job.adapted.why)
            else:
                if points is None:
                    points = self.starting_points(job, asked)
                draft.why = why_none(pool, len(chosen), job.variants)
                if job.held_back:
                    draft.why.append(job.held_back)
                draft.no_good_draft = True
                draft.starting_points = list(points)
            draft.candidates = len(pool)
            draft.rejected = list(rejected)
            draft.elapsed_s = round(time.perf_counter() - started, 3)
            yield DraftEvent("draft", variant, job.key, draft.text, draft)

    def starting_points(self, job: Job, asked: str) -> list[StartingPoint]:
        return starting_points(
            self.store,
            self.checker,
            brand=job.ctx.brand,
            text=asked,
            language=job.ctx.language,
            kind=job.kind,
            platform=job.platform,
        )

    def draft(self, job: Job, variant: int, cand: Candidate | None) -> Draft:
        """The draft of one variant: the candidate's text, notes and check, or none."""
        text = cand.text if cand is not None else ""
        draft = Draft(
            kind=job.kind,
            text=text,
            platform=job.key,
            language=job.ctx.language,
            brand=job.ctx.brand,
            variant=variant,
            backend=self.llm.backend,
            model=self.llm.model_name,
            prompt=PromptRef(template=job.prompt.template, sha256=job.prompt.sha256),
            sources=draft_sources(job.ctx),
            length=count_chars(text, job.platform) if job.platform else len(text),
            limit=platform_limit(job.platform, job.ctx.rules) if job.platform else None,
            notes=list(cand.notes) if cand is not None else [],
            tokens=cand.tokens if cand is not None else 0,
        )
        if cand is not None and cand.check is not None:
            draft.check = cand.check.public()
        if cand is not None and cand.check_error:
            draft.notes.append(cand.check_error)
        return draft
