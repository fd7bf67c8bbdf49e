"""Drafting: post ideas, post drafts per platform and suggested replies, in the brand's voice.

Each request retrieves the brand's guideline passages and its most similar, best-performing
past posts (or past replies), builds a few-shot prompt from them, and generates N variants.
Each draft is then fitted to its platform (length as the platform counts it, hashtag limits,
reply signature) and carries its provenance: backend, model, template and hash, sources.
"""

from __future__ import annotations

import random
import re
import time
import unicodedata
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from cmassist.services.checking.checker import Checker, Finding
from cmassist.config import Settings
from cmassist.domain.errors import CmassistError, InputError
from cmassist.domain.guidelines import BrandRules
from cmassist.domain.hostile import new_canary
from cmassist.adapters.llm.base import LLM, GenParams, RenderedPrompt, Usage
from cmassist.domain.models import Draft, Kind, PromptRef, Source
from cmassist.domain.platforms import PLATFORMS, Platform, count_chars, get_platform, hashtags
from cmassist.adapters.prompts import PromptLibrary
from cmassist.domain.redact import redact
from cmassist.adapters.store import Hit, KnowledgeStore
from cmassist.domain.textutil import (
    detect_language,
    excerpt,
    find_signature,
    normalize_language,
    place_signature,
    signed_elsewhere,
    strip_replacement_chars,
)

LANGUAGE_NAMES = {"fr": "français", "en": "English"}
MAX_VARIANTS = 10
MAX_IDEAS = 20
EXAMPLES = 4
EXAMPLE_CHARS = 2400  # few-shot budget, so prompts stay small enough for a 2-core laptop
GUIDELINES = 3
EMPTY_RETRIES = 2
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


@dataclass
class DraftEvent:
    """What a streaming draft request yields: tokens as they come, then each finished draft."""

    type: str  # "token" | "draft"
    variant: int
    platform: str | None = None
    text: str = ""
    draft: Draft | None = None


@dataclass
class _Context:
    brand: str
    brand_name: str
    language: str
    rules: BrandRules
    guidelines: list[Hit]
    examples: list[Hit]


class Drafting:
    def __init__(
        self,
        store: KnowledgeStore,
        llm: LLM,
        prompts: PromptLibrary,
        settings: Settings,
        *,
        checker: Checker | None = None,
    ) -> None:
        self.store = store
        self.llm = llm
        self.prompts = prompts
        self.settings = settings
        # Every post and reply is checked as it is made, so the author sees the findings.
        self.checker = checker

    # -- public API -------------------------------------------------------------------------

    def draft_posts(self, brief: str, **kwargs: Any) -> list[Draft]:
        return [e.draft for e in self.stream_posts(brief, **kwargs) if e.draft is not None]

    def suggest_replies(self, comment: str, **kwargs: Any) -> list[Draft]:
        return [e.draft for e in self.stream_replies(comment, **kwargs) if e.draft is not None]

    def ideas(self, topic: str, **kwargs: Any) -> list[Draft]:
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
        brief = self._check_text(brief, "brief", self.settings.max_brief_chars)
        resolved = _unique([get_platform(p) for p in platforms or ("instagram",)])
        variants = _check_count(variants, "variants", MAX_VARIANTS)
        brand = self._brand(brand)
        lang = self._language(brief, language)
        rng = random.Random(seed)
        for platform in resolved:
            ctx = self._context(
                brand,
                brief,
                lang,
                Kind.POST,
                platform,
                f"{platform.name} posts: length, hashtags, emoji, format",
            )
            prompt = self.prompts.render(
                "post.j2",
                self.llm.style,
                brand_name=ctx.brand_name,
                platform=platform.key,
                platform_name=platform.name,
                limit=self._limit(platform, ctx.rules),
                language=lang,
                language_name=LANGUAGE_NAMES.get(lang, lang),
                brief=brief,
                guidelines=_guideline_vars(ctx.guidelines),
                examples=[
                    {
                        "topic": h.metadata.get("topic") or excerpt(h.text, 80),
                        "text": excerpt_block(h.text, 600),
                    }
                    for h in ctx.examples
                ],
            )
            params = GenParams(
                max_tokens=platform.max_new_tokens,
                temperature=self.settings.llm_temperature,
                stop=["###", "\nTopic:", "\nPost:", "<end_of_turn>"],
            )
            for n in range(1, variants + 1):
                yield from self._generate("post", prompt, params, ctx, n, rng, platform)

    def stream_replies(
        self,
        comment: str,
        *,
        brand: str | None = None,
        platform: str | None = None,
        variants: int = 1,
        language: str | None = None,
        seed: int | None = None,
    ) -> Iterator[DraftEvent]:
        comment = self._check_text(comment, "comment", self.settings.max_comment_chars)
        target = get_platform(platform) if platform else None
        variants = _check_count(variants, "variants", MAX_VARIANTS)
        brand = self._brand(brand)
        lang = self._language(comment, language)
        ctx = self._context(
            brand,
            comment,
            lang,
            Kind.REPLY,
            target,
            "replying to comments and complaints: tone, signature, escalation",
        )
        signature = ctx.rules.reply_signature.get(lang) if ctx.rules.reply_signature else None
        # Personal data never reaches the model (a remote endpoint least of all), and the
        # reply cannot repeat what it never saw; the canary reveals a leaked prompt.
        keep = self.checker.profile(brand).public_contacts if self.checker is not None else set()
        safe_comment = redact(comment, keep=keep).text
        canary = new_canary()
        prompt = self.prompts.render(
            "reply.j2",
            self.llm.style,
            brand_name=ctx.brand_name,
            platform_name=target.name if target else "social media",
            language=lang,
            language_name=LANGUAGE_NAMES.get(lang, lang),
            comment=safe_comment,
            canary=canary,
            guidelines=_guideline_vars(ctx.guidelines),
            signature=signature or "",
            examples=[
                {
                    "comment": excerpt(redact(h.text, keep=keep).text, 400),
                    "reply": excerpt(str(h.metadata.get("reply", "")), 500),
                }
                for h in ctx.examples
            ],
        )
        params = GenParams(
            max_tokens=140,
            temperature=self.settings.llm_temperature,
            stop=["###", "\nComment:", "\nReply:", "<end_of_turn>"],
        )
        rng = random.Random(seed)
        for n in range(1, variants + 1):
            yield from self._generate(
                "reply",
                prompt,
                params,
                ctx,
                n,
                rng,
                target,
                signature=signature,
                replying_to=comment,
            )

    def stream_rewrite(
        self,
        text: str,
        *,
        platform: str,
        kind: str = "post",
        brand: str | None = None,
        language: str | None = None,
        problems: Sequence[str] = (),
        findings: Sequence[Finding | Mapping[str, Any]] | None = None,
        seed: int | None = None,
    ) -> Iterator[DraftEvent]:
        """The text rewritten in the brand's voice, keeping its facts; the rewrite is checked
        again (`draft.check`) and a fact of the original it lost is named in `notes`.

        `findings` are those of the check of `text`, when the caller has them (else `text`
        is checked here): a fact they flag (banned link, personal data, unknown price) may
        go without being reported as lost.
        """
        from cmassist.domain.facts import extract

        lead = len(text or "") - len((text or "").lstrip())  # the findings' offsets count it
        text = self._check_text(text, "text", self.settings.max_brief_chars)
        if kind not in ("post", "reply"):
            raise InputError(f"unknown kind {kind!r}", "use post or reply")
        target = get_platform(platform)
        brand = self._brand(brand)
        lang = self._language(text, language)
        ctx = self._context(
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
        body = text
        if kind == "reply" and ctx.rules.reply_signature:
            # The model writes the body; the signature (in either language, however it
            # was written) is put back once at the end.
            for variant in ctx.rules.reply_signature.variants():
                found = find_signature(body, variant)
                if found is not None and found.set_apart and body[: found.start].strip():
                    body = body[: found.start].rstrip()
        examples = [
            {
                "topic": (
                    excerpt(h.text, 160)
                    if kind == "reply"
                    else h.metadata.get("topic") or excerpt(h.text, 80)
                ),
                "text": excerpt_block(
                    str(h.metadata.get("reply", "")) if kind == "reply" else h.text, 600
                ),
            }
            for h in ctx.examples
        ]
        prompt = self.prompts.render(
            "rewrite.j2",
            self.llm.style,
            brand_name=ctx.brand_name,
            platform_name=target.name,
            limit=self._limit(target, ctx.rules),
            language_name=LANGUAGE_NAMES.get(lang, lang),
            kind=kind,
            draft=body,
            problems=list(problems),
            adjectives=ctx.rules.voice.adjectives if ctx.rules.voice else [],
            examples=examples,
        )
        params = GenParams(
            max_tokens=target.max_new_tokens,
            temperature=min(self.settings.llm_temperature, 0.7),
            stop=["###", "\nTopic:", "\nPost:", "<end_of_turn>"],
        )
        # A fact the checker flagged (a banned link, a customer's phone number, a price the
        # store does not know) is meant to go: its absence is not a lost fact.
        flagged = [
            (a - lead, b - lead) if findings is not None else (a, b)
            for a, b in self._flagged_spans(text, findings, target, brand, kind, lang)
        ]
        rng = random.Random(seed)
        for event in self._generate(kind, prompt, params, ctx, 1, rng, target, signature=signature):
            if event.draft is not None:
                kept = {(f.kind, f.key) for f in extract(event.draft.text)}
                lost: dict[tuple[str, str], str] = {}
                for f in extract(text):
                    if (f.kind, f.key) not in kept and not any(
                        a < f.end and f.start < b for a, b in flagged
                    ):
                        lost.setdefault((f.kind, f.key), f.text)  # each fact named once
                if lost:
                    names = list(lost.values())
                    more = f" and {len(names) - 8} more" if len(names) > 8 else ""
                    event.draft.notes.append(
                        "the rewrite lost these facts of the original: "
                        + ", ".join(names[:8])
                        + more
                    )
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
        topic = self._check_text(topic, "topic", self.settings.max_brief_chars)
        count = _check_count(count, "count", MAX_IDEAS)
        brand = self._brand(brand)
        lang = self._language(topic, language)
        ctx = self._context(
            brand, topic, lang, Kind.POST, None, "content planning, themes", examples=12
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
            guidelines=_guideline_vars(ctx.guidelines),
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
                    sources=_sources(ctx),
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
        ctx: _Context,
        n: int,
        rng: random.Random,
        platform: Platform | None,
        *,
        signature: str | None = None,
        replying_to: str | None = None,
    ) -> Iterator[DraftEvent]:
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
        limit = self._limit(platform, ctx.rules) if platform else None
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
            sources=_sources(ctx),
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
                    replying_to=replying_to,
                ).public()
            except CmassistError as e:
                # draft.notes, not `notes`: the model keeps a copy of the list it was given
                draft.notes.append(f"the tone and compliance check failed: {e}")
        yield DraftEvent("draft", n, key, text, draft)

    def _flagged_spans(
        self,
        text: str,
        findings: Sequence[Finding | Mapping[str, Any]] | None,
        platform: Platform,
        brand: str,
        kind: str,
        language: str,
    ) -> list[tuple[int, int]]:
        if findings is None:
            if self.checker is None:
                return []
            try:
                findings = self.checker.check(
                    text,
                    platform=platform.key,
                    brand=brand,
                    kind=kind,
                    language=language,
                    voice=False,
                ).findings
            except CmassistError:
                return []  # the rewrite still runs; its own check reports the problem
        spans = []
        for f in findings:
            item = f.model_dump() if isinstance(f, Finding) else f
            if item.get("rule") in MEANT_TO_GO:
                spans.append((int(item["start"]), int(item["end"])))
        return spans

    def _context(
        self,
        brand: str,
        text: str,
        language: str,
        kind: Kind,
        platform: Platform | None,
        policy_query: str,
        examples: int = EXAMPLES,
    ) -> _Context:
        query, policy = self.store.embedder.embed([text, policy_query])
        guidelines = _merge_hits(
            self.store.search(brand, query, kind=Kind.GUIDELINE, k=GUIDELINES),
            self.store.search(brand, policy, kind=Kind.GUIDELINE, k=1),
        )
        pool: dict[str, Hit] = {}
        filters: list[dict[str, Any]] = [{"language": language}, {}]
        if platform:
            filters.insert(0, {"platform": platform.key, "language": language})
        for f in filters:
            for hit in self.store.search(brand, query, kind=kind, k=max(12, examples * 2), **f):
                pool.setdefault(hit.id, hit)
            if len(pool) >= examples * 2:
                break

        def rank(hit: Hit) -> float:
            score = hit.score or 0.0
            # The language and format of the examples are what a base model copies most.
            if hit.metadata.get("language") == language:
                score += 0.3
            if platform and hit.metadata.get("platform") == platform.key:
                score += 0.25
            rate = hit.metadata.get("engagement_rate")
            if isinstance(rate, int | float):
                score += 0.1 * min(float(rate) / 0.08, 1.0)  # a strong post: ~8% engagement
            return score

        chosen: list[Hit] = []
        budget = EXAMPLE_CHARS if examples <= EXAMPLES else EXAMPLE_CHARS * 2
        for hit in sorted(pool.values(), key=rank, reverse=True):
            if len(chosen) >= examples:
                break
            size = min(len(hit.text), 600) + len(str(hit.metadata.get("reply", "")))
            if chosen and size > budget:
                continue
            budget -= size
            chosen.append(hit)
        # Most similar last: base models imitate the nearest example most.
        chosen.reverse()
        return _Context(
            brand,
            self.store.brand_name(brand),
            language,
            self.store.rules(brand),
            guidelines,
            chosen,
        )

    def _brand(self, brand: str | None) -> str:
        return self.store.require_brand(brand or self.settings.brand)

    @staticmethod
    def _check_text(text: str, what: str, limit: int) -> str:
        text = (text or "").strip()
        if not text:
            raise InputError(f"the {what} is empty", f"write a {what} to draft from")
        if len(text) > limit:
            setting = "COMMENT" if what == "comment" else "BRIEF"
            raise InputError(
                f"the {what} is {len(text)} characters, over the {limit} limit",
                f"shorten it (the limit is CMASSIST_MAX_{setting}_CHARS)",
            )
        return text

    @staticmethod
    def _language(text: str, requested: str | None) -> str:
        if requested:
            lang = normalize_language(requested)
            if not lang:
                raise InputError(f"unsupported language {requested!r}", "use fr or en")
            return lang
        return detect_language(text, "en") or "en"

    @staticmethod
    def _limit(platform: Platform | None, rules: BrandRules) -> int | None:
        if platform is None:
            return None
        override = rules.platforms.get(platform.key)
        if override and override.max_chars:
            return min(override.max_chars, platform.max_chars)
        return platform.max_chars


# -- post-processing ----------------------------------------------------------------------------

_LABEL = re.compile(r"^\s*(post|reply|réponse|publication|answer)\s*:\s*", re.IGNORECASE)
_QUOTES = {'"': '"', "«": "»", "“": "”"}


def clean_generation(raw: str) -> str:
    """The model's text without labels, separators or wrapping quotes."""
    text = raw.split("###")[0]
    text = _LABEL.sub("", text.strip())
    for open_, close in _QUOTES.items():
        if text.startswith(open_) and text.endswith(close) and len(text) > 2:
            text = text[1:-1].strip()
    text = re.sub(r"\n{3,}", "\n\n", text)
    # Control characters never belong in a post (and would make the text unreadable to
    # the checker): a model echoing a binary-laced comment loses them here.
    text = "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch) != "Cc")
    # U+FFFD: a character split across tokens, or copied from a damaged prompt.
    return strip_replacement_chars(text)[0]


# A base model often signs with a name of its own ("— Julie", "– Marc, service client"):
# a dash after a space or a line break, then a few capitalised words without digits or
# sentences, at the very end. "8 h – 18 h" or "— a place for everyone" are not signatures.
_OWN_SIGNATURE = re.compile(
    r"(?:^|(?<=[ \t\n]))[—–-][ \t]*(?P<name>[^\W\d_][^\n—–\d.!?:;]{0,39}?)[ \t]*[.!]?[ \t]*$"
)


def add_signature(text: str, signature: str, notes: list[str]) -> str:
    """`text` ending with the brand's reply signature exactly once.

    A signature the model (or the author) already wrote, with another dash, spacing,
    case or accents, or followed by an emoji or punctuation, is put in the brand's own
    spelling instead of being added a second time.
    """
    if find_signature(text, signature) is None:
        if signed_elsewhere(text, signature):
            return text  # signed, then a P.S.: the author's choice
        own = _OWN_SIGNATURE.search(text)
        if own and own.group("name")[0].isupper() and len(own.group("name").split()) <= 4:
            text = text[: own.start()].rstrip()
        notes.append("added the brand's reply signature")
        return place_signature(text, signature)
    signed = place_signature(text, signature)
    if signed != text.rstrip():
        notes.append("wrote the reply signature the way the brand writes it")
    return signed


def fit_to_platform(
    text: str,
    platform: Platform,
    rules: BrandRules,
    notes: list[str],
    *,
    keep_suffix: str | None = None,
) -> str:
    """Trim hashtags over the limit, then length, the way the platform counts it."""
    max_tags = hashtag_limit(platform, rules)
    tags = hashtags(text)
    if max_tags is not None and len(tags) > max_tags:
        extra = tags[max_tags:]
        for tag in reversed(extra):  # drop the last ones, keep the first
            idx = text.rfind(tag)
            text = (text[:idx] + text[idx + len(tag) :]) if idx >= 0 else text
        text = re.sub(r"[ \t]{2,}", " ", text).strip()
        notes.append(f"removed {len(extra)} hashtag(s) over the limit of {max_tags}")
    limit = Drafting._limit(platform, rules) or platform.max_chars
    if count_chars(text, platform) <= limit:
        return text
    body, suffix = text, ""
    if keep_suffix and text.endswith(keep_suffix):
        body = text[: -len(keep_suffix)].rstrip()
        suffix = text[len(body) :]  # the signature with the space or line break before it
    while body and count_chars(body + suffix, platform) > limit:
        cut = max(
            body.rfind(". ", 0, len(body) - 1),
            body.rfind("! ", 0, len(body) - 1),
            body.rfind("? ", 0, len(body) - 1),
            body.rfind("\n", 0, len(body) - 1),
        )
        if cut > len(body) * 0.4:
            body = body[: cut + 1].rstrip()
        else:
            # Without the "…" of the last cut: a text with no spaces (a long link, a run of
            # emoji) would otherwise lose its "…" and get it back forever.
            base = body.removesuffix("…")
            space = base.rfind(" ", 0, len(base) - 1)
            base = (base[:space] if space > 0 else base[:-1]).rstrip(" ,;:")
            body = f"{base}…" if base else ""
    notes.append(f"shortened to fit {platform.name}'s {limit} characters")
    return body + suffix


def hashtag_limit(platform: Platform, rules: BrandRules) -> int | None:
    """The brand's per-platform rule, else its general rule, within the platform's own cap."""
    return rules.limit("hashtags", platform)[0]


def parse_ideas(raw: str) -> list[str]:
    ideas = []
    for line in raw.splitlines():
        m = re.match(r"^\s*(?:\d{1,2}[.)]|[-*•])\s*(.+?)\s*$", line)
        if m:
            idea = m.group(1).strip(" \"'«»")
            if 3 <= len(idea) <= 300:
                ideas.append(idea)
    return ideas


def excerpt_block(text: str, limit: int) -> str:
    """Like `excerpt`, but keeps line breaks (post formats matter for few-shot)."""
    if len(text) <= limit:
        return text
    cut = text[:limit]
    space = max(cut.rfind(" "), cut.rfind("\n"))
    return (cut[:space] if space > limit * 0.6 else cut).rstrip() + "…"


def _check_count(value: int, what: str, limit: int) -> int:
    if not isinstance(value, int) or value < 1 or value > limit:
        raise InputError(
            f"{what} must be between 1 and {limit}, not {value!r}", f"ask for 1 to {limit} {what}"
        )
    return value


def _unique(platforms: list[Platform]) -> list[Platform]:
    seen: dict[str, Platform] = {}
    for p in platforms:
        seen.setdefault(p.key, p)
    return list(seen.values())


def _merge_hits(*groups: list[Hit]) -> list[Hit]:
    seen: dict[str, Hit] = {}
    for group in groups:
        for hit in group:
            seen.setdefault(hit.id, hit)
    return list(seen.values())


def _guideline_vars(hits: list[Hit]) -> list[dict[str, str]]:
    out = []
    for h in hits:
        body = h.text.split("\n", 1)[1] if h.text.startswith("#") and "\n" in h.text else h.text
        out.append({"heading": str(h.metadata.get("heading", "")), "text": body.strip()})
    return out


def _sources(ctx: _Context) -> list[Source]:
    out = []
    for h in ctx.guidelines:
        out.append(
            Source(
                id=h.id,
                kind=h.kind,
                excerpt=excerpt(h.text, 200),
                score=round(h.score, 4) if h.score is not None else None,
                title=f"{h.metadata.get('source', '')} › {h.metadata.get('heading', '')}",
            )
        )
    for h in ctx.examples:
        title = " · ".join(str(h.metadata[k]) for k in ("platform", "date") if h.metadata.get(k))
        text = h.text if h.kind != Kind.REPLY else f"{h.text} → {h.metadata.get('reply', '')}"
        out.append(
            Source(
                id=h.id,
                kind=h.kind,
                excerpt=excerpt(text, 200),
                score=round(h.score, 4) if h.score is not None else None,
                title=title or None,
            )
        )
    return out


__all__ = ["PLATFORMS", "DraftEvent", "Drafting"]
