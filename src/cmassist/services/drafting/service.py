"""Drafting: post ideas, post drafts per platform, suggested replies and rewrites, in the
brand's voice; each request streams its tokens, then each finished draft (`DraftEvent`).

Posts and replies are chosen among candidates (`candidates`, `select`): the first
candidate of each variant streams into its card as it is written; further candidates are
written, without streaming, while a variant lacks a clean one and the budget allows (a
"choosing" event before each); then each variant's draft comes, the best survivor with
why, or an honest "no good draft" with past texts and facts to start from (`fallback`)."""

from __future__ import annotations

import random
import re
import time
from collections.abc import Iterator, Mapping, Sequence
from typing import Unpack

from cmassist.config import Settings
from cmassist.domain.errors import CmassistError, InputError
from cmassist.domain.factsheet import FactSheet
from cmassist.domain.findings import Finding
from cmassist.domain.hostile import new_canary
from cmassist.domain.limits import MAX_VARIANTS
from cmassist.domain.models import Draft, Kind, PromptRef
from cmassist.domain.platforms import Platform, count_chars, get_platform
from cmassist.domain.redact import redact
from cmassist.domain.spans import Span
from cmassist.domain.textutil import excerpt
from cmassist.services.checking.checker import Checker
from cmassist.services.crisis import Passage
from cmassist.services.drafting.adapt import adapt_reply
from cmassist.services.drafting.candidates import Adapted, Budget, Job, model_writes
from cmassist.services.drafting.choosing import Chooser
from cmassist.services.drafting.compose import compose_reply
from cmassist.services.drafting.context import (
    ADAPT_CANDIDATES,
    DraftContext,
    draft_sources,
    fact_texts,
    gather_context,
    guideline_vars,
    post_examples,
    reply_examples,
)
from cmassist.services.drafting.events import DraftEvent
from cmassist.services.drafting.from_brief import post_from_brief
from cmassist.services.drafting.inputs import (
    IdeaOptions,
    PostOptions,
    ReplyOptions,
    check_count,
    check_text,
    draft_language,
    unique_platforms,
)
from cmassist.services.drafting.pairing import PairWriter
from cmassist.services.drafting.pairs import pair_rules
from cmassist.services.drafting.postprocess import (
    add_signature,
    clean_generation,
    fit_to_platform,
    parse_ideas,
    platform_limit,
)
from cmassist.services.drafting.rewrite import (
    lost_facts_note,
    meant_to_go,
    reply_body,
    rewrite_examples,
)
from cmassist.services.drafting.statements import (
    SafetyStatement,
    safety_statement,
    statement_draft,
)
from cmassist.services.ports.models import LLM, GenParams, Prompts, RenderedPrompt, Usage
from cmassist.services.ports.store import Store

LANGUAGE_NAMES = {"fr": "français", "en": "English"}
MAX_IDEAS = 20
EMPTY_RETRIES = 2
# Candidates per variant and token budget when the settings name none (bench_candidates.py).
DEFAULT_CANDIDATES = 2
DEFAULT_BUDGET = 2.0

__all__ = ["DEFAULT_BUDGET", "DEFAULT_CANDIDATES", "DraftEvent", "Drafting"]


class Drafting:
    """Drafts from the brand's store with an LLM, each checked as it is made when a checker
    is given; `stream_*` yield tokens as they come, the others only the drafts."""

    def __init__(
        self,
        store: Store,
        llm: LLM,
        prompts: Prompts,
        settings: Settings,
        *,
        checker: Checker | None = None,
        candidates: int | None = None,
        budget: float | None = None,
    ) -> None:
        self.store = store
        self.llm = llm
        self.prompts = prompts
        self.settings = settings
        # Every candidate is checked as it is made: the findings drop or rank it, and the
        # author sees those of the one returned.
        self.checker = checker
        # Settings `draft_candidates` and `draft_budget`, where the settings have them.
        if candidates is None:
            candidates = int(getattr(settings, "draft_candidates", DEFAULT_CANDIDATES))
        if budget is None:
            budget = float(getattr(settings, "draft_budget", DEFAULT_BUDGET))
        self.budget = Budget(per_variant=max(1, candidates), tokens=budget)

    # -- public API -------------------------------------------------------------------------

    def draft_posts(self, brief: str, **kwargs: Unpack[PostOptions]) -> list[Draft]:
        return [e.draft for e in self.stream_posts(brief, **kwargs) if e.draft is not None]

    def suggest_replies(self, comment: str, **kwargs: Unpack[ReplyOptions]) -> list[Draft]:
        return [e.draft for e in self.stream_replies(comment, **kwargs) if e.draft is not None]

    def ideas(self, topic: str, **kwargs: Unpack[IdeaOptions]) -> list[Draft]:
        return [e.draft for e in self.stream_ideas(topic, **kwargs) if e.draft is not None]

    def stream_posts(
        self,
        brief: str,
        *,
        brand: str | None = None,
        platforms: Sequence[str] = ("instagram",),
        variants: int = 1,
        language: str | None = None,
        seed: int | None = None,
    ) -> Iterator[DraftEvent]:
        brief = check_text(brief, "brief", self.settings.max_brief_chars)
        resolved = unique_platforms([get_platform(p) for p in platforms or ("instagram",)])
        variants = check_count(variants, "variants", MAX_VARIANTS)
        brand = self._brand(brand)
        lang = draft_language(brief, language)
        rng = random.Random(seed)
        sheet = self._sheet(brand)
        unpaired: list[tuple[PairWriter, Draft, DraftContext]] = []
        for platform in resolved:
            ctx = gather_context(
                self.store,
                brand,
                brief,
                lang,
                Kind.POST,
                platform,
                f"{platform.name} posts: length, hashtags, emoji, format",
                factsheet=sheet,
            )
            job = post_job(self, brief, ctx, platform, variants)
            paired = pair_writer(self, brand, platform)
            for event in self._chooser().stream(job, rng, brief):
                if paired is not None and event.draft is not None and event.draft.text:
                    unpaired.append((paired, event.draft, ctx))
                yield event
        # The other-language versions the guidelines require, once every draft is out.
        for writer, draft, ctx in unpaired:
            draft.pair = writer.pair(draft, ctx)

    def stream_replies(
        self,
        comment: str,
        *,
        brand: str | None = None,
        platform: str | None = None,
        variants: int = 1,
        language: str | None = None,
        seed: int | None = None,
        statements: bool = True,
    ) -> Iterator[DraftEvent]:
        """Reply drafts to `comment`, chosen among candidates; a safety report or health
        question gets the brand's statement instead, unless `statements` is False (the
        inbox, which decides that with the message's triage and open alerts)."""
        comment = check_text(comment, "comment", self.settings.max_comment_chars)
        target = get_platform(platform) if platform else None
        variants = check_count(variants, "variants", MAX_VARIANTS)
        brand = self._brand(brand)
        lang = draft_language(comment, language)
        key = target.key if target else None
        ctx = gather_context(
            self.store,
            brand,
            comment,
            lang,
            Kind.REPLY,
            target,
            "replying to comments and complaints: tone, signature, escalation",
            factsheet=self._sheet(brand),
        )
        # A safety report or health question gets the brand's own statement (reply
        # template, holding statement), never the model's words.
        statement = safety_for(self, comment, lang, brand, ctx) if statements else None
        if statement is not None and statement.text:
            draft = statement_draft(
                statement,
                brand=brand,
                platform=key,
                language=lang,
                rules=ctx.rules,
                checker=self.checker,
                replying_to=comment,
            )
            yield DraftEvent("token", 1, key, draft.text)
            yield DraftEvent("draft", 1, key, draft.text, draft)
            return
        job = reply_job(self, comment, brand, ctx, target, variants)
        for event in self._chooser().stream(job, random.Random(seed), comment):
            if event.draft is not None and statement is not None:
                event.draft.notes.extend(statement.notes())  # who must see it
            yield event

    def stream_rewrite(
        self,
        text: str,
        *,
        platform: str,
        kind: str = "post",
        brand: str | None = None,
        language: str | None = None,
        problems: Sequence[str] = (),
        findings: Sequence[Finding | Mapping[str, object]] | None = None,
        seed: int | None = None,
    ) -> Iterator[DraftEvent]:
        """The text rewritten in the brand's voice, keeping its facts; the rewrite is checked
        again (`draft.check`) and a fact of the original it lost is named in `notes`.

        `findings` are those of the check of `text`, when the caller has them (else `text`
        is checked here): a fact they flag (banned link, personal data, unknown price) may
        go without being reported as lost.
        """
        lead = len(text or "") - len((text or "").lstrip())  # the findings' offsets count it
        text = check_text(text, "text", self.settings.max_brief_chars)
        if kind not in ("post", "reply"):
            raise InputError(f"unknown kind {kind!r}", "use post or reply")
        target = get_platform(platform)
        brand = self._brand(brand)
        lang = draft_language(text, language)
        ctx = gather_context(
            self.store,
            brand,
            text,
            lang,
            Kind.POST if kind == "post" else Kind.REPLY,
            target,
            "voice and tone: personality, do and don't",
        )
        signature = None
        if kind == "reply" and ctx.rules.reply_signature:
            signature = ctx.rules.reply_signature.get(lang)
        prompt = self.prompts.render(
            "rewrite.j2",
            self.llm.style,
            brand_name=ctx.brand_name,
            platform_name=target.name,
            limit=platform_limit(target, ctx.rules),
            language_name=LANGUAGE_NAMES.get(lang, lang),
            kind=kind,
            draft=reply_body(text, ctx.rules) if kind == "reply" else text,
            problems=list(problems),
            adjectives=ctx.rules.voice.adjectives if ctx.rules.voice else [],
            examples=rewrite_examples(ctx, kind),
        )
        params = GenParams(
            max_tokens=target.max_new_tokens,
            temperature=min(self.settings.llm_temperature, 0.7),
            stop=["###", "\nTopic:", "\nPost:", "<end_of_turn>"],
        )
        # A fact the checker flagged (a banned link, a customer's phone number, a price the
        # store does not know) is meant to go: its absence is not a lost fact.
        flagged = self._flagged_spans(text, findings, lead, target, brand, kind, lang)
        rng = random.Random(seed)
        for event in self._generate(kind, prompt, params, ctx, 1, rng, target, signature=signature):
            if event.draft is not None:
                note = lost_facts_note(text, event.draft.text, flagged)
                if note:
                    event.draft.notes.append(note)
            yield event

    def stream_ideas(
        self,
        topic: str,
        *,
        brand: str | None = None,
        count: int = 5,
        language: str | None = None,
        seed: int | None = None,
    ) -> Iterator[DraftEvent]:
        topic = check_text(topic, "topic", self.settings.max_brief_chars)
        count = check_count(count, "count", MAX_IDEAS)
        brand = self._brand(brand)
        lang = draft_language(topic, language)
        ctx = gather_context(
            self.store, brand, topic, lang, Kind.POST, None, "content planning, themes", examples=12
        )
        topics = [str(h.metadata.get("topic") or excerpt(h.text, 70)) for h in ctx.examples]
        example_sets = [
            {"goal": topics[i], "ideas": topics[i + 1 : i + 5]}
            for i in range(0, len(topics), 5)
            if len(topics[i + 1 : i + 5]) >= 2
        ]
        prompt = self.prompts.render(
            "ideas.j2",
            self.llm.style,
            brand_name=ctx.brand_name,
            language=lang,
            language_name=LANGUAGE_NAMES.get(lang, lang),
            topic=topic,
            count=count,
            example_sets=example_sets[:2],
            guidelines=guideline_vars(ctx.guidelines),
        )
        params = GenParams(
            max_tokens=min(40 * count + 20, 800),
            temperature=self.settings.llm_temperature,
            stop=["###", "\nGoal:", "<end_of_turn>"],
        )
        rng = random.Random(seed)
        found: list[str] = []
        started = time.perf_counter()
        usage = Usage()
        for _attempt in range(3):
            params.seed = rng.randrange(2**31)
            raw = ""
            for piece in self.llm.stream(prompt, params, usage):
                raw += piece
                yield DraftEvent("token", 1, None, piece)
            if self.llm.style == "completion" and not re.match(r"\s*\d{1,2}[.)]", raw):
                raw = "1." + raw  # the prompt ended with "1."
            for idea in parse_ideas(raw):
                if (
                    idea.casefold() not in {f.casefold() for f in found}
                    and idea.casefold() != topic.casefold()
                ):
                    found.append(idea)
            if len(found) >= count:
                break
        elapsed = time.perf_counter() - started
        for n, idea in enumerate(found[:count], start=1):
            yield DraftEvent(
                "draft",
                n,
                None,
                idea,
                Draft(
                    kind="idea",
                    text=idea,
                    language=lang,
                    brand=brand,
                    variant=n,
                    backend=self.llm.backend,
                    model=self.llm.model_name,
                    prompt=PromptRef(template=prompt.template, sha256=prompt.sha256),
                    sources=draft_sources(ctx),
                    elapsed_s=round(elapsed, 3),
                    tokens=usage.completion_tokens,
                ),
            )

    # -- internals --------------------------------------------------------------------------

    def _generate(
        self,
        kind: str,
        prompt: RenderedPrompt,
        params: GenParams,
        ctx: DraftContext,
        n: int,
        rng: random.Random,
        platform: Platform | None,
        *,
        signature: str | None = None,
    ) -> Iterator[DraftEvent]:
        """One rewrite, streamed: an empty answer is asked again, the text is fitted and
        checked (a rewrite is not chosen among candidates: the person asked for this one)."""
        key = platform.key if platform else None
        started = time.perf_counter()
        usage = Usage()
        text = ""
        for _attempt in range(1 + EMPTY_RETRIES):
            params.seed = rng.randrange(2**31)
            raw = ""
            for piece in self.llm.stream(prompt, params, usage):
                raw += piece
                yield DraftEvent("token", n, key, piece)
            text = clean_generation(raw)
            if text:
                break
        notes: list[str] = []
        if not text:
            notes.append("the model returned no text after retries; try again or rephrase")
        if signature and text:
            text = add_signature(text, signature, notes)
        limit = platform_limit(platform, ctx.rules) if platform else None
        if platform and text:
            text = fit_to_platform(text, platform, ctx.rules, notes, keep_suffix=signature)
        draft = Draft(
            kind=kind,
            text=text,
            platform=key,
            language=ctx.language,
            brand=ctx.brand,
            variant=n,
            backend=self.llm.backend,
            model=self.llm.model_name,
            prompt=PromptRef(template=prompt.template, sha256=prompt.sha256),
            sources=draft_sources(ctx),
            length=count_chars(text, platform) if platform else len(text),
            limit=limit,
            notes=notes,
            elapsed_s=round(time.perf_counter() - started, 3),
            tokens=usage.completion_tokens,
        )
        if self.checker is not None and text and kind in ("post", "reply"):
            try:
                draft.check = self.checker.check(
                    text,
                    platform=key,
                    brand=ctx.brand,
                    kind=kind,
                    language=ctx.language,
                ).public()
            except CmassistError as e:
                # draft.notes, not `notes`: the model keeps a copy of the list it was given
                draft.notes.append(f"the tone and compliance check failed: {e}")
        yield DraftEvent("draft", n, key, text, draft)

    def _sheet(self, brand: str) -> FactSheet | None:
        """The brand's fact sheet (the checker's profile builds it), None without a checker."""
        return self.checker.profile(brand).factsheet if self.checker is not None else None

    def _chooser(self) -> Chooser:
        # Built per request: a test or bench may swap `self.llm` between requests.
        return Chooser(self.store, self.llm, self.checker, self.budget)

    def _flagged_spans(
        self,
        text: str,
        findings: Sequence[Finding | Mapping[str, object]] | None,
        lead: int,
        platform: Platform,
        brand: str,
        kind: str,
        language: str,
    ) -> list[Span]:
        """Where the check of `text` flags what a rewrite should drop: from the caller's
        `findings` (whose offsets count the `lead` spaces stripped since), else checked here."""
        if findings is not None:
            return [(a - lead, b - lead) for a, b in meant_to_go(findings)]
        if self.checker is None:
            return []
        try:
            found = self.checker.check(
                text, platform=platform.key, brand=brand, kind=kind, language=language, voice=False
            ).findings
        except CmassistError:
            return []  # the rewrite still runs; its own check reports the problem
        return meant_to_go(found)

    def _brand(self, brand: str | None) -> str:
        return self.store.require_brand(brand or self.settings.brand)


def safety_for(
    drafting: Drafting, comment: str, language: str, brand: str, ctx: DraftContext
) -> SafetyStatement | None:
    """The brand's statement for a safety report or health question (`statements`), or None;
    open crisis alerts are the inbox's to tie (`ReplyService`)."""
    return safety_statement(
        comment,
        language,
        brand_passages(drafting.store, drafting.checker, brand),
        [],
        drafting.store.embedder.embed,
        brand=brand,
        rules=ctx.rules,
    )


def brand_passages(store: Store, checker: Checker | None, brand: str) -> list[Passage]:
    """The brand's guideline passages, as the checker's profile reads them."""
    if checker is not None:
        return list(checker.profile(brand).passages)
    return list(store.records(brand, [Kind.GUIDELINE]))


def pair_writer(drafting: Drafting, brand: str, platform: Platform) -> PairWriter | None:
    """The writer of a post's other-language version where the guidelines require it on
    `platform` (and a checker is there to check it)."""
    if drafting.checker is None:
        return None
    rule = pair_rules(brand_passages(drafting.store, drafting.checker, brand)).get(platform.key)
    if rule is None or rule.level != "always":
        return None
    return PairWriter(
        drafting.store, drafting.llm, drafting.prompts, drafting.checker, drafting.settings
    )


def post_job(
    drafting: Drafting, brief: str, ctx: DraftContext, platform: Platform, variants: int
) -> Job:
    """A post's prompt, grounded in the facts the brief is about, with the post the brief
    already holds (`from_brief`) as candidate 1."""
    lang = ctx.language
    prompt = drafting.prompts.render(
        "post.j2",
        drafting.llm.style,
        brand_name=ctx.brand_name,
        platform=platform.key,
        platform_name=platform.name,
        limit=platform_limit(platform, ctx.rules),
        language=lang,
        language_name=LANGUAGE_NAMES.get(lang, lang),
        brief=brief,
        guidelines=guideline_vars(ctx.guidelines),
        examples=post_examples(ctx),
        facts=fact_texts(ctx),
    )
    params = GenParams(
        max_tokens=platform.max_new_tokens,
        temperature=drafting.settings.llm_temperature,
        stop=["###", "\nTopic:", "\nPost:", "\nFacts:", "<end_of_turn>"],
    )
    # the post the brief already holds, its request and instructions left out
    built = post_from_brief(brief, lang, platform, ctx.rules, ctx.examples)
    offer = Adapted(built.text, "", "", built.why) if built is not None else None
    return Job("post", prompt, params, ctx, platform, variants, brief=brief, adapted=offer)


def reply_job(
    drafting: Drafting,
    comment: str,
    brand: str,
    ctx: DraftContext,
    target: Platform | None,
    variants: int,
) -> Job:
    """A reply's prompt, grounded in the facts the comment is about, with a past reply
    to the same question adapted to it (candidate 1) or its opening to start from."""
    lang = ctx.language
    signature = ctx.rules.reply_signature.get(lang) if ctx.rules.reply_signature else None
    # Personal data never reaches the model (a remote endpoint least of all), and the
    # reply cannot repeat what it never saw; the canary reveals a leaked prompt.
    keep = (
        drafting.checker.profile(brand).public_contacts if drafting.checker is not None else set()
    )
    adapted = adapt_reply(comment, ctx.nearest[:ADAPT_CANDIDATES], ctx.sheet, lang)
    opening = adapted.opening if adapted is not None and adapted.text is None else ""
    prompt = drafting.prompts.render(
        "reply.j2",
        drafting.llm.style,
        brand_name=ctx.brand_name,
        platform_name=target.name if target else "social media",
        language=lang,
        language_name=LANGUAGE_NAMES.get(lang, lang),
        comment=redact(comment, keep=keep).text,
        canary=new_canary(),
        guidelines=guideline_vars(ctx.guidelines),
        signature=signature or "",
        examples=reply_examples(ctx, keep),
        facts=fact_texts(ctx),
        opening=opening,
    )
    params = GenParams(
        max_tokens=140,
        temperature=drafting.settings.llm_temperature,
        stop=["###", "\nComment:", "\nReply:", "\nFacts:", "<end_of_turn>"],
    )
    offer = None
    if adapted is not None and adapted.text:
        offer = Adapted(adapted.text, adapted.past_id, adapted.past_reply, adapted.reason)
    else:  # no past reply to adapt: one composed from the brand's own words, when it can be
        embed = drafting.store.embedder.embed_one
        composed = compose_reply(
            comment, ctx.nearest, ctx.sheet, ctx.facts, lang, topics=ctx.rules.topics, embed=embed
        )
        if composed is not None:
            offer = Adapted(composed.text, composed.past_id, composed.past_reply, composed.why)
    return Job(
        "reply",
        prompt,
        params,
        ctx,
        target,
        variants,
        signature,
        replying_to=comment,
        adapted=offer,
        opening=opening,
        model_writes=model_writes(drafting.settings.draft_model_replies, drafting.llm.style),
    )
