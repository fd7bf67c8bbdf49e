"""The tone and compliance checker: findings from the brand's own rules, each citing its guideline.

`Checker.check()` reads the brand's machine-readable rules (guideline front matter) and
applies them to a text: banned and discouraged terms, claims that need proof, the ad
disclosure, the reply signature, emoji, hashtags, length, link domains, facts that are
not in the knowledge store, shouting, and the voice. Nothing in here knows any brand.
Every finding has character offsets into the text, a message, the guideline passage it
rests on (retrieved from the store) and a fix where one exists.
"""

from __future__ import annotations

import re
import threading
import time
import unicodedata
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import regex
from pydantic import BaseModel, Field

from cmassist.domain.errors import InputError
from cmassist.domain.facts import FactIndex, extract
from cmassist.domain.grounding import FactSources, Source, stated_facts
from cmassist.domain.guidelines import BrandRules, PlatformRule, _Rule
from cmassist.domain.hostile import (
    SENSITIVE_LABELS,
    OwnText,
    copied_span,
    detect_injection,
    echo_threshold,
    obedience_markers,
    planted_tokens,
    sensitive_requests,
    unsafe_markup,
)
from cmassist.domain.models import Kind
from cmassist.domain.platforms import _HASHTAG, Platform, count_chars, get_platform
from cmassist.domain.redact import find_pii, public_keep
from cmassist.adapters.store import KnowledgeStore, brand_slug
from cmassist.domain.textmatch import Folded, fold, fold_str, mixed_script_words, term_pattern
from cmassist.domain.textutil import (
    detect_language,
    excerpt,
    find_signature,
    looks_binary,
    normalize_language,
)
from cmassist.domain.voice import BrandVoice, Example, parse_examples

Severity = Literal["block", "warn", "info"]
Verdict = Literal["pass", "warn", "block"]
MAX_CHECK_CHARS = 100_000

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
    "ad_disclosure": "block",
    "length": "block",
    "claim_needs_proof": "warn",
    "discouraged_term": "warn",
    "reply_signature": "warn",
    "hashtags": "warn",
    "emoji": "warn",
    "shouting": "warn",
    "mixed_script": "warn",
    "voice": "warn",
}
PENALTY = {"block": 35, "warn": 10, "info": 2}
PII_LABELS = {
    "email": "email address", "phone": "phone number", "address": "postal address",
    "card": "card number", "iban": "IBAN", "order": "order number",
}  # fmt: skip
SHORTENERS = {
    "bit.ly", "tinyurl.com", "t.co", "goo.gl", "ow.ly", "buff.ly", "is.gd", "lnkd.in",
    "rebrand.ly", "cutt.ly", "shorturl.at", "tiny.cc", "rb.gy", "t.ly", "s.id",
}  # fmt: skip


class Citation(BaseModel):
    source: str
    heading: str = ""
    line: int | None = None
    excerpt: str


class Finding(BaseModel):
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


class CheckResult(BaseModel):
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
    injection: dict[str, Any] | None = None  # the replied-to comment's injection reading
    elapsed_ms: float = 0.0

    @property
    def blocking(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "block"]

    def public(self) -> dict[str, Any]:
        """The documented JSON shape, plus voice and notices."""
        return self.model_dump(mode="json", exclude={"elapsed_ms"})


def check_input(text: Any) -> str:
    """The text to check, or an InputError naming what is wrong with it."""
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError:
            raise InputError(
                "the text is not UTF-8 (it looks binary)", "paste plain text or save as UTF-8"
            ) from None
    if not isinstance(text, str):
        raise InputError(f"the text must be a string, not {type(text).__name__}", "pass text")
    if len(text) > MAX_CHECK_CHARS:
        raise InputError(
            f"the text is {len(text):,} characters; the checker takes at most {MAX_CHECK_CHARS:,}",
            "check one post or reply at a time",
        )
    # Broken characters (U+FFFD) are damaged text, not binary: only NUL bytes and many
    # control characters are.
    if looks_binary(text):
        raise InputError(
            "the text looks binary (control characters or undecodable bytes)",
            "paste the post or reply as plain text",
        )
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise InputError("the text to check is empty", "paste or write a post or reply")
    return text


# -- the brand profile: rules compiled, passages and references loaded, cached per brand ----


@dataclass
class _Passage:
    id: str
    text: str
    source: str
    heading: str
    line: int | None
    language: str | None


@dataclass
class _Term:
    rule_id: str
    rule: Any
    pattern: re.Pattern[str]
    unless: list[re.Pattern[str]]


@dataclass
class BrandProfile:
    slug: str
    name: str
    rules: BrandRules
    terms: list[_Term]
    passages: list[_Passage]
    passage_vectors: np.ndarray
    facts: FactIndex
    fact_sources: FactSources
    public_contacts: set[str]
    own_text: OwnText
    voice: BrandVoice
    # words the brand writes with a capital in mid-sentence and never in lower case
    proper_words: frozenset[str]
    key: tuple[int, ...]
    citations: dict[tuple[str, str], Citation] = field(default_factory=dict)


def _norm(m: np.ndarray) -> np.ndarray:
    if not len(m):
        return m.reshape(0, 0)
    m = np.asarray(m, dtype=np.float32)
    return m / np.maximum(np.linalg.norm(m, axis=1, keepdims=True), 1e-9)


class Checker:
    """Checks texts against one brand's rules and voice; thread-safe, profiles cached."""

    def __init__(
        self, store: KnowledgeStore, llm: Any | None = None, prompts: Any | None = None
    ) -> None:
        self.store = store
        self.llm = llm
        self.prompts = prompts
        self._profiles: dict[str, BrandProfile] = {}
        self._lock = threading.Lock()

    # -- profile ----------------------------------------------------------------------------

    def profile(self, brand: str) -> BrandProfile:
        slug = self.store.require_brand(brand_slug(brand))
        counts = self.store.counts(slug)
        key = tuple(counts.get(k.value, 0) for k in Kind)
        cached = self._profiles.get(slug)
        if cached is not None and cached.key == key:
            return cached
        with self._lock:
            cached = self._profiles.get(slug)
            if cached is not None and cached.key == key:
                return cached
            self.store.forget_rules(slug)  # the rules may have changed with the counts
            profile = self._build(slug, key)
            self._profiles[slug] = profile
            return profile

    def _all(self, slug: str, kind: Kind, with_embeddings: bool) -> dict[str, list[Any]]:
        col = self.store.collection(slug, kind)
        include = ["documents", "metadatas"] + (["embeddings"] if with_embeddings else [])
        out: dict[str, list[Any]] = {"ids": [], "documents": [], "metadatas": [], "embeddings": []}
        offset, page = 0, 2000
        while True:
            got = col.get(limit=page, offset=offset, include=include)
            for k in out:
                if k == "embeddings" and not with_embeddings:
                    continue
                values = got.get(k)
                out[k].extend(list(values) if values is not None else [])
            if len(got["ids"]) < page:
                return out
            offset += page

    def _build(self, slug: str, key: tuple[int, ...]) -> BrandProfile:
        rules = self.store.rules(slug)
        g = self._all(slug, Kind.GUIDELINE, True)
        passages = [
            _Passage(
                i,
                d,
                str(m.get("source", "")),
                str(m.get("heading", "")),
                m.get("line"),
                m.get("language"),
            )
            for i, d, m in zip(g["ids"], g["documents"], g["metadatas"], strict=True)
        ]
        vectors = _norm(np.asarray(g["embeddings"], dtype=np.float32))
        posts = self._all(slug, Kind.POST, True)
        replies = self._all(slug, Kind.REPLY, True)
        # A past reply is stored as the comment, with the brand's answer in its metadata.
        answers = [str((m or {}).get("reply", "")) for m in replies["metadatas"]]
        texts = [*g["documents"], *posts["documents"], *replies["documents"], *answers]
        facts = FactIndex.build(texts)
        fact_sources = FactSources.build(
            [(p.text, Source(p.source, p.heading, p.line, "")) for p in passages],
            [
                (a, Source(f"past reply {i}", "", None, ""))
                for i, a in zip(replies["ids"], answers, strict=True)
            ],
        )
        # what the brand itself wrote (never the comments it answered)
        brand_written = [*g["documents"], *posts["documents"], *answers]
        public_contacts = public_keep(brand_written)
        own_text = OwnText(brand_written)
        voice = self._voice_model(rules, passages, posts, replies)
        return BrandProfile(
            slug=slug,
            name=self.store.brand_name(slug),
            rules=rules,
            terms=_compile_terms(rules),
            passages=passages,
            passage_vectors=vectors,
            facts=facts,
            fact_sources=fact_sources,
            public_contacts=public_contacts,
            own_text=own_text,
            voice=voice,
            proper_words=_proper_words(brand_written),
            key=key,
        )

    def _voice_model(
        self,
        rules: BrandRules,
        passages: list[_Passage],
        posts: dict[str, list[Any]],
        replies: dict[str, list[Any]],
    ) -> BrandVoice:
        on: list[Example] = []
        off: list[Example] = []
        v = rules.voice
        for p in passages:
            heading = p.heading.casefold()
            for section, bucket in (
                (v.on_examples_section if v else None, on),
                (v.off_examples_section if v else None, off),
            ):
                if section and section.casefold() in heading:
                    for sentence, why in parse_examples(p.text):
                        bucket.append(
                            Example(sentence, why, p.source, p.heading, p.line, p.language)
                        )
        # The brand's best past posts: the top two thirds by engagement rate, where known.
        order = sorted(range(len(posts["ids"])), key=lambda i: -_engagement(posts["metadatas"][i]))
        keep = order[: max(1, (len(order) * 2 + 2) // 3)][:3000] if order else []
        post_vecs = _norm(np.asarray(posts["embeddings"], dtype=np.float32))
        reply_vecs = _norm(np.asarray(replies["embeddings"], dtype=np.float32))
        embed = self.store.embedder.embed
        on_vecs = _norm(np.asarray(embed([e.text for e in on]), dtype=np.float32)) if on else None
        off_vecs = (
            _norm(np.asarray(embed([e.text for e in off]), dtype=np.float32)) if off else None
        )
        dim = self.store.embedder.dimension if hasattr(self.store.embedder, "dimension") else 384

        def arr(m: Any) -> np.ndarray:
            return np.zeros((0, dim), dtype=np.float32) if m is None or not len(m) else m

        return BrandVoice.build(
            (
                arr(post_vecs[keep] if len(keep) else None),
                [posts["metadatas"][i].get("language") for i in keep],
            ),
            (
                arr(reply_vecs[:3000]),
                [m.get("language") for m in replies["metadatas"][:3000]],
            ),
            (arr(on_vecs), on),
            (arr(off_vecs), off),
        )

    # -- citations ----------------------------------------------------------------------------

    def cite(
        self, profile: BrandProfile, rule: Any, query: str, language: str | None, term: str = ""
    ) -> Citation | None:
        """The guideline passage a rule rests on: the rule's own document, closest passage."""
        source = getattr(rule, "source", None) or ""
        cache_key = (f"{source}:{getattr(rule, 'line', '')}:{query}", language or "")
        if cache_key in profile.citations:
            return profile.citations[cache_key]
        idx = [i for i, p in enumerate(profile.passages) if not source or p.source == source]
        if not idx:
            idx = list(range(len(profile.passages)))
        citation: Citation | None = None
        if idx and len(profile.passage_vectors):
            q = _norm(np.asarray([self.store.embedder.embed_one(query)], dtype=np.float32))[0]
            sims = profile.passage_vectors[idx] @ q
            folded_term = fold_str(term) if term else ""
            scored = []
            for j, i in enumerate(idx):
                p = profile.passages[i]
                s = float(sims[j])
                if folded_term and folded_term in fold_str(p.text):
                    s += 0.15  # the passage that names the term is the one to cite
                if language and p.language == language:
                    s += 0.05
                scored.append((s, i))
            best = profile.passages[max(scored)[1]]
            if language and best.language != language:
                # Guidelines pair (EN) and (FR) subsections: cite the one in the text's language.
                parent = best.heading.rsplit(" > ", 1)[0]
                sibling = [
                    profile.passages[i]
                    for _, i in sorted(scored, reverse=True)
                    if profile.passages[i].language == language
                    and profile.passages[i].source == best.source
                    and profile.passages[i].heading.rsplit(" > ", 1)[0] == parent
                ]
                best = sibling[0] if sibling else best
            citation = Citation(
                source=best.source,
                heading=best.heading,
                line=best.line,
                excerpt=_excerpt_around(best.text, term or query),
            )
        elif source:
            reason = getattr(rule, "reason", None) or query
            citation = Citation(source=source, line=getattr(rule, "line", None), excerpt=reason)
        profile.citations[cache_key] = citation  # type: ignore[assignment]
        return citation

    def _llm_voice(self, run: _Run) -> int | None:
        """A second opinion on the voice from an instruction-following LLM, if configured."""
        llm = self.llm
        if llm is None or getattr(llm, "style", "completion") != "chat":
            return None
        import json

        from cmassist.adapters.llm.base import GenParams

        prompts = self.prompts
        if prompts is None:
            return None
        rule = run.rules.voice
        try:
            rendered = prompts.render(
                "voice_check.j2",
                "chat",
                brand_name=run.profile.name,
                adjectives=rule.adjectives if rule else [],
                voice_reason=(rule.reason if rule else "") or "",
                on_examples=[e.text for e in run.profile.voice.on_examples[:8]],
                off_examples=[
                    {"text": e.text, "why": e.why} for e in run.profile.voice.off_examples[:8]
                ],
                text=run.text,
            )
            raw = llm.complete(rendered, GenParams(max_tokens=200, temperature=0.0))
            m = re.search(r"\{.*\}", raw, re.DOTALL)
            data = json.loads(m.group()) if m else {}
            score = int(data["score"])
        except Exception as e:  # a judge that fails must not break the check
            run.notices.append(
                f"the LLM voice judgement failed ({type(e).__name__}); embeddings only"
            )
            return None
        score = max(0, min(100, score))
        for issue in data.get("issues", [])[:3] if isinstance(data.get("issues"), list) else []:
            quote = str(issue.get("quote", "")) if isinstance(issue, dict) else ""
            why = str(issue.get("why", "")) if isinstance(issue, dict) else ""
            pos = run.text.find(quote) if quote else -1
            if pos < 0 or not why:
                continue
            run.notices.append(f"LLM on voice: “{quote}”: {why}")
        return score

    # -- the check ----------------------------------------------------------------------------

    def check(
        self,
        text: Any,
        *,
        platform: str | None,
        brand: str,
        kind: str = "post",
        sponsored: bool = False,
        language: str | None = None,
        voice: bool = True,
        replying_to: str | None = None,
    ) -> CheckResult:
        """Check `text`; for a reply, `replying_to` is the comment it answers (untrusted):
        the reply is then also checked for obeyed injections, repeated personal data and
        facts not grounded in the store."""
        t0 = time.perf_counter()
        text = check_input(text)
        plat = get_platform(platform) if platform else None
        if kind not in ("post", "reply"):
            raise InputError(f"unknown kind {kind!r}", "use post or reply")
        profile = self.profile(brand)
        rules = profile.rules
        folded = fold(text)
        if language:
            lang = normalize_language(language)
            if lang is None:
                raise InputError(f"unsupported language {language!r}", "use fr or en")
        else:
            lang = detect_language(text)
        segments = _segments(text, lang)
        run = _Run(self, profile, text, folded, lang, segments, plat, kind)
        notices: list[str] = []
        if rules.is_empty():
            notices.append(
                f"brand {profile.slug!r} has no machine-readable rules, so only length, facts "
                "and voice were checked; add a `rules:` block to a guideline's front matter"
            )
        if lang is None:
            notices.append(
                "the text does not read as French or English; language-specific rules "
                "were applied in both languages"
            )

        run.terms()
        run.ad_disclosure(sponsored)
        run.signature()
        run.emoji()
        run.hashtags()
        limit = run.length()
        run.links_and_facts()
        run.shouting()
        run.mixed_script()
        run.sensitive_data()
        grounding: list[GroundedFact] = []
        injection = None
        if kind == "reply":
            injection = run.reply_safety(replying_to or "")
            grounding = run.grounding()
        voice_result = run.voice() if voice else None
        notices.extend(run.notices)

        findings = sorted(run.findings, key=lambda f: (f.start, list(RULES).index(f.rule)))
        counts = {"block": 0, "warn": 0, "info": 0}
        for f in findings:
            counts[f.severity] += 1
        compliance = max(0, 100 - sum(PENALTY[s] * n for s, n in counts.items()))
        score = (
            compliance
            if voice_result is None
            else round(0.6 * compliance + 0.4 * voice_result.score)
        )
        verdict: Verdict = "block" if counts["block"] else "warn" if counts["warn"] else "pass"
        return CheckResult(
            brand=profile.slug,
            platform=plat.key if plat else "",
            kind=kind,
            language=lang,
            score=max(0, min(100, int(score))),
            verdict=verdict,
            findings=findings,
            voice=voice_result,
            notices=notices,
            chars=count_chars(text, plat) if plat else len(text),
            limit=limit,
            grounding=grounding,
            injection=injection,
            elapsed_ms=(time.perf_counter() - t0) * 1000,
        )


# -- one check's state and its rules ---------------------------------------------------------


@dataclass
class _Segment:
    start: int
    end: int
    language: str | None


def _segments(text: str, default: str | None) -> list[_Segment]:
    out = []
    for m in re.finditer(r"[^.!?…\n]+[.!?…]*", text):
        seg = m.group()
        out.append(_Segment(m.start(), m.end(), detect_language(seg, None) or default))
    return out or [_Segment(0, len(text), default)]


class _Run:
    def __init__(
        self,
        checker: Checker,
        profile: BrandProfile,
        text: str,
        folded: Folded,
        language: str | None,
        segments: list[_Segment],
        platform: Platform | None,
        kind: str,
    ) -> None:
        self.checker = checker
        self.profile = profile
        self.rules = profile.rules
        self.text = text
        self.folded = folded
        self.language = language
        self.segments = segments
        self.platform = platform
        self.kind = kind
        self.findings: list[Finding] = []
        self.notices: list[str] = []

    # helpers

    def lang_at(self, pos: int) -> str | None:
        for s in self.segments:
            if s.start <= pos < s.end:
                return s.language
        return self.language

    def add(
        self,
        rule_id: str,
        rule: Any,
        start: int,
        end: int,
        message: str,
        *,
        query: str,
        term: str = "",
        suggestion: str | None = None,
        replacement: str | None = None,
    ) -> None:
        severity = getattr(rule, "severity", None) or RULES[rule_id]
        citation = self.checker.cite(self.profile, rule, query, self.lang_at(start), term)
        self.findings.append(
            Finding(
                rule=rule_id,
                severity=severity,
                start=start,
                end=end,
                message=message,
                citation=citation,
                suggestion=suggestion,
                replacement=replacement,
            )
        )

    def _reason(self, rule: Any) -> str:
        r = getattr(rule, "reason", None)
        return f" {r}" if r else ""

    # rules

    def terms(self) -> None:
        labels = {
            "banned_term": "is a banned term",
            "discouraged_term": "is discouraged",
            "claim_needs_proof": "is a claim that needs proof",
        }
        for t in self.profile.terms:
            unless_spans = [
                (m.start(), m.end()) for u in t.unless for m in u.finditer(self.folded.text)
            ]
            for m in t.pattern.finditer(self.folded.text):
                if any(a <= m.start() and m.end() <= b for a, b in unless_spans):
                    continue
                start, end = self.folded.span(m.start(), m.end())
                rule_lang = t.rule.lang
                seg_lang = self.lang_at(start)
                if rule_lang != "any" and seg_lang is not None and seg_lang != rule_lang:
                    continue
                found = self.text[start:end]
                replacement = getattr(t.rule, "replacement", None)
                mechanical = (
                    replacement
                    if replacement
                    and len(replacement.split()) <= 4
                    and not _is_instruction(replacement)
                    else None
                )
                if mechanical and sentence_start(self.text[:start]):
                    mechanical = mechanical[:1].upper() + mechanical[1:]
                if t.rule_id == "claim_needs_proof":
                    suggestion = "give the proof (award, certification, source) or remove it"
                elif replacement:
                    suggestion = f"use “{replacement}” instead" if mechanical else replacement
                else:
                    suggestion = "remove it"
                self.add(
                    t.rule_id,
                    t.rule,
                    start,
                    end,
                    f"“{found}” {labels[t.rule_id]}.{self._reason(t.rule)}",
                    query=f"{t.rule.term}: {t.rule.reason or ''}",
                    term=t.rule.term,
                    suggestion=suggestion,
                    replacement=mechanical,
                )

    def ad_disclosure(self, sponsored: bool) -> None:
        rule = self.rules.ad_disclosure
        if rule is None or self.kind != "post":
            return
        trigger_span = None
        for phrase in rule.triggers:
            m = term_pattern(phrase, inflect=False).search(self.folded.text)
            if m:
                trigger_span = self.folded.span(m.start(), m.end())
                break
        if not sponsored and trigger_span is None:
            return
        lang = self.language or "en"
        wanted = rule.get(lang) or ""
        spans = {v: _find_tag(self.folded.text, v) for v in rule.variants()}
        own = spans.get(wanted)
        query = f"disclose partnership {rule.reason or ''}"
        why = "a partnership post" if trigger_span else "marked as sponsored"
        if own is None:
            other = next((v for v, s in spans.items() if s is not None), None)
            if other is not None:
                a, b = self.folded.span(*spans[other])  # type: ignore[misc]
                self.add(
                    "ad_disclosure",
                    rule,
                    a,
                    b,
                    f"This is {why}; in a {_lang_name(lang)} post the disclosure is "
                    f"“{wanted}”, not “{other}”.{self._reason(rule)}",
                    query=query,
                    term=wanted,
                    suggestion=f"use “{wanted}”",
                    replacement=wanted,
                )
                return
            a, b = trigger_span or (0, 0)
            self.add(
                "ad_disclosure",
                rule,
                a,
                b,
                f"This is {why} but has no “{wanted}” disclosure.{self._reason(rule)}",
                query=query,
                term=wanted,
                suggestion=f"start the post with “{wanted}”",
            )
            return
        a, _ = self.folded.span(*own)
        if rule.position == "start" and a >= rule.within_chars:
            self.add(
                "ad_disclosure",
                rule,
                a,
                a + len(wanted),
                f"“{wanted}” must come at the start of the post (within the first "
                f"{rule.within_chars} characters), not at character {a}.{self._reason(rule)}",
                query=query,
                term=wanted,
                suggestion=f"move “{wanted}” to the start of the post",
            )

    def signature(self) -> None:
        rule = self.rules.reply_signature
        if rule is None or self.kind != "reply":
            return
        lang = self.language or "en"
        wanted = rule.get(lang) or ""
        body = self.text.rstrip()
        if _ends_with(body, wanted):
            return
        query = f"reply signature {rule.reason or ''}"
        # Signed already, but respelled or followed by something (an emoji, a hashtag):
        # the fix rewrites the signature in place, never signs twice.
        found = find_signature(body, wanted) if wanted else None
        if found is not None and found.set_apart:
            before = body[: found.start]
            if not before or before[-1].isspace():
                apart = ""
            else:
                apart = "\n" if "\n" in body[found.start : found.words] else " "
            self.add(
                "reply_signature",
                rule,
                found.start,
                len(body),
                f"Sign “{wanted}” exactly, with nothing after it.{self._reason(rule)}",
                query=query,
                term=wanted,
                suggestion=f"sign “{wanted}”",
                replacement=apart + wanted,
            )
            return
        for other in rule.variants():
            if other != wanted and _ends_with(body, other):
                start = len(body) - len(other)
                self.add(
                    "reply_signature",
                    rule,
                    start,
                    len(body),
                    f"A {_lang_name(lang)} reply is signed “{wanted}”, not “{other}”."
                    f"{self._reason(rule)}",
                    query=query,
                    term=wanted,
                    suggestion=f"sign “{wanted}”",
                    replacement=wanted,
                )
                return
        self.add(
            "reply_signature",
            rule,
            len(body),
            len(body),
            f"The reply does not end with the signature “{wanted}”.{self._reason(rule)}",
            query=query,
            term=wanted,
            suggestion=f"end with “{wanted}” on its own line",
            replacement=f"\n{wanted}",
        )

    @property
    def where(self) -> str:
        return f"{self.platform.name} posts" if self.platform else "Posts"

    def _over_limit(
        self,
        what: Literal["emoji", "hashtags"],
        spans: list[tuple[int, int]],
        general_term: str,
        fix: str,
    ) -> None:
        """One finding over the emoji or hashtags beyond the limit, citing the rule that set
        it: the platform's section, or the general one."""
        limit, rule = self.rules.limit(what, self.platform)
        if limit is None or len(spans) <= limit:
            return
        self.add(
            what,
            rule,
            spans[limit][0],
            spans[-1][1],
            f"{len(spans)} {what}; {self.where} by {self.profile.name} use at most {limit}."
            f"{self._reason(rule)}",
            query=f"{self.where} {what} limit {getattr(rule, 'reason', '')}",
            term=self.platform.name if isinstance(rule, PlatformRule) else general_term,
            suggestion=fix.format(limit=limit),
        )

    def emoji(self) -> None:
        rule = self.rules.emoji
        found = emoji_spans(self.text)
        banned = {fold_str(b).replace("\ufe0f", "") for b in (rule.banned if rule else [])}
        for a, b in found:
            if banned and fold_str(self.text[a:b]).replace("\ufe0f", "") in banned:
                self.add(
                    "emoji",
                    rule,
                    a,
                    b,
                    f"The emoji {self.text[a:b]} is not used by {self.profile.name}."
                    f"{self._reason(rule)}",
                    query=f"banned emoji {rule.reason if rule else ''}",
                    suggestion="remove it or choose another emoji",
                    replacement="",
                )
        self._over_limit("emoji", found, "emoji", "keep at most {limit} emoji")

    def hashtags(self) -> None:
        rule = self.rules.hashtags
        tags = [(m.start(), m.end(), m.group()) for m in _HASHTAG.finditer(self.text)]
        if not tags:
            return
        disclosures = {
            fold_str(v)
            for v in (self.rules.ad_disclosure.variants() if self.rules.ad_disclosure else [])
        }
        if rule is not None:
            banned = {fold_str(b) for b in rule.banned}
            for a, b, tag in tags:
                if fold_str(tag) in banned:
                    self.add(
                        "hashtags",
                        rule,
                        a,
                        b,
                        f"{tag} is on {self.profile.name}'s list of hashtags never to use."
                        f"{self._reason(rule)}",
                        query=f"banned hashtags {rule.reason or ''}",
                        term=tag,
                        suggestion="remove it",
                        replacement="",
                    )
                    continue
                if fold_str(tag) in disclosures:
                    continue
                fixed = _fix_case(tag, rule.case)
                if fixed != tag:
                    style = "CamelCase" if rule.case == "camel" else "lowercase"
                    self.add(
                        "hashtags",
                        rule,
                        a,
                        b,
                        f"{tag} is not written in {style} without accents.{self._reason(rule)}",
                        query=f"hashtag format {style} {rule.reason or ''}",
                        term="hashtag",
                        suggestion=f"write {fixed}",
                        replacement=fixed,
                    )
        self._over_limit(
            "hashtags", [(a, b) for a, b, _ in tags], "hashtag", "keep the {limit} most useful"
        )

    def length(self) -> int:
        if self.platform is None:
            return 0
        prule = self.rules.platforms.get(self.platform.key)
        limit = self.platform.max_chars
        if prule and prule.max_chars:
            limit = min(limit, prule.max_chars)
        n = count_chars(self.text, self.platform)
        if n > limit:
            lo, hi = 0, len(self.text)
            while lo < hi:  # the first character past the limit
                mid = (lo + hi) // 2
                if count_chars(self.text[: mid + 1], self.platform) > limit:
                    hi = mid
                else:
                    lo = mid + 1
            rule: Any = prule if prule and prule.max_chars and prule.max_chars <= limit else None
            self.add(
                "length",
                rule or _Rule(),
                lo,
                len(self.text),
                f"{n} characters as {self.platform.name} counts them; the limit is {limit} "
                f"({n - limit} over).{self._reason(rule)}",
                query=f"{self.platform.name} length limit characters",
                term=self.platform.name,
                suggestion=f"cut {n - limit} characters",
            )
        return limit

    def links_and_facts(self) -> None:
        links = self.rules.links
        facts_rule = self.rules.facts
        kinds = (
            set(facts_rule.kinds)
            if facts_rule
            else {"email", "phone", "url", "price", "date", "time"}
        )
        allowed = [d.lower().removeprefix("www.") for d in (links.allowed_domains if links else [])]
        for f in extract(self.text):
            if f.kind == "url":
                host = f.key.split("/", 1)[0]
                if links is not None and not any(
                    host == d or host.endswith("." + d) for d in allowed
                ):
                    short = host in SHORTENERS
                    self.add(
                        "link_domain",
                        links,
                        f.start,
                        f.end,
                        f"{'Link shortener' if short else 'Link to'} {host}: "
                        f"{self.profile.name} only links to {', '.join(allowed)}."
                        f"{self._reason(links)}",
                        query=f"links allowed domains {links.reason or ''}",
                        term=allowed[0] if allowed else "link",
                        suggestion=f"link to a page on {allowed[0]}" if allowed else "remove it",
                    )
                    continue
            if f.kind not in kinds or self.profile.facts.knows(f):
                continue
            what = {
                "email": "email address",
                "phone": "phone number",
                "url": "web address",
                "price": "price",
                "date": "date",
                "time": "time",
            }[f.kind]
            self.add(
                "unverified_fact",
                facts_rule or _Rule(),
                f.start,
                f.end,
                f"The {what} “{f.text}” appears nowhere in {self.profile.name}'s guidelines, "
                f"posts or replies, so it may be invented or out of date."
                f"{self._reason(facts_rule)}",
                query=f"reference facts {what} {self._reason(facts_rule)}",
                term="",
                suggestion=f"check the {what} against the reference facts, or remove it",
            )

    def reply_safety(self, comment: str) -> dict[str, Any]:
        """A reply that follows injected instructions, repeats personal data or carries a
        script is blocked; the comment's own injection reading is returned."""
        report = detect_injection(comment) if comment else None
        why = (
            " The comment it answers reads as a prompt-injection attempt."
            if report and report.flagged
            else ""
        )
        for a, b, what in obedience_markers(self.text):
            self.add(
                "injection_followed",
                _Rule(),
                a,
                b,
                f"The reply {what}.{why} Draft it again or write it yourself.",
                query="untrusted comments are data, never instructions; escalate suspicious ones",
                suggestion="remove it and answer the customer's actual question",
            )
        if comment:
            flagged = bool(report and report.flagged)
            own = frozenset(fold(self.profile.name).text.split())
            copied = copied_span(
                self.text,
                comment,
                4 if flagged else echo_threshold(comment),
                own,
                self.profile.own_text,
            )
            if copied:
                a, b, n = copied
                self.add(
                    "injection_followed",
                    _Rule(),
                    a,
                    b,
                    f"The reply copies {n} words of the comment word for word"
                    + (
                        ", which asked for exactly that."
                        if flagged
                        else "; a reply answers, it does not repeat."
                    ),
                    query="untrusted comments are data, never instructions",
                    suggestion="answer in the brand's own words",
                )
            if flagged:
                for p in planted_tokens(self.text, comment, own, self.profile.own_text):
                    written = (
                        f"“{p.text}”"
                        if _key_eq(p.text, p.planted)
                        else f"“{p.text}” (the comment's “{p.planted}”)"
                    )
                    self.add(
                        "injection_followed",
                        _Rule(),
                        p.start,
                        p.end,
                        f"The reply repeats {written}, which the comment planted for the reply "
                        "to carry.",
                        query="untrusted comments are data, never instructions",
                        suggestion="remove it and answer in the brand's own words",
                    )
            comment_keys = {(f.kind, f.key) for f in extract(comment, ("url", "email", "phone"))}
            for f in extract(self.text, ("url", "email", "phone")):
                if (f.kind, f.key) in comment_keys and not self.profile.facts.knows(f):
                    self.add(
                        "injection_followed",
                        _Rule(),
                        f.start,
                        f.end,
                        f"The reply repeats “{f.text}” from the comment; it is not one of "
                        f"{self.profile.name}'s links or contacts.",
                        query="links and contacts allowed in replies",
                        suggestion="remove it; give only the brand's own contacts",
                    )
        comment_pii = (
            {p.key for p in find_pii(comment, keep=self.profile.public_contacts)}
            if comment
            else set()
        )
        for p in find_pii(self.text, keep=self.profile.public_contacts):
            label = PII_LABELS[p.kind]
            origin = " the customer gave" if p.key in comment_pii else ""
            self.add(
                "customer_pii",
                _Rule(),
                p.start,
                p.end,
                f"A public reply repeats the {label}{origin} (“{p.text}”); personal data never "
                "goes in a public reply.",
                query="never repeat personal data in public; move order issues to private messages",
                suggestion="remove it and invite the customer to a private message",
                replacement="",
            )
        for a, b in unsafe_markup(self.text):
            self.add(
                "unsafe_markup",
                _Rule(),
                a,
                b,
                "The reply contains script or HTML markup, which can run in a browser or leak "
                "data.",
                query="links allowed in replies",
                suggestion="remove the markup",
            )
        return (
            report.public()
            if report
            else {"flagged": False, "score": 0.0, "reasons": [], "spans": []}
        )

    def sensitive_data(self) -> None:
        """A post or reply never asks for payment data, passwords, PINs, one-time codes or
        identity numbers, whatever the comment said; a warning ("never share your password")
        is not a request."""
        what = "reply" if self.kind == "reply" else "post"
        for a, b, kind in sensitive_requests(self.text):
            self.add(
                "sensitive_data_request",
                _Rule(),
                a,
                b,
                f"The {what} asks for the customer's {SENSITIVE_LABELS[kind]} "
                f"(“{self.text[a:b]}”). {self.profile.name} never asks for card numbers, "
                "security codes, bank details, passwords, PINs, one-time codes or social "
                "insurance numbers, in public or in private: this is what a scam looks like.",
                query="personal data payment card password never ask in public or private messages",
                suggestion="remove the request; ask only for the order number, in private",
            )

    def grounding(self) -> list[GroundedFact]:
        """Each fact the reply states, with the store passage it comes from; a fact found
        nowhere in the store gets a finding (contacts and links are the facts rule's)."""
        out: list[GroundedFact] = []
        reported = {(f.start, f.end) for f in self.findings}
        for fact in stated_facts(self.text):
            src = self.profile.fact_sources.find(fact)
            citation = (
                Citation(
                    source=src.source,
                    heading=src.heading,
                    line=src.line,
                    excerpt=excerpt(src.excerpt, 240),
                )
                if src
                else None
            )
            out.append(
                GroundedFact(
                    kind=fact.kind,
                    text=fact.text,
                    start=fact.start,
                    end=fact.end,
                    citation=citation,
                )
            )
            if (
                src is None
                and fact.kind in ("duration", "percent", "commitment")
                and (fact.start, fact.end) not in reported
            ):
                what = {"duration": "delay", "percent": "percentage", "commitment": "commitment"}[
                    fact.kind
                ]
                self.add(
                    "unsupported_fact",
                    _Rule(severity="block" if fact.kind != "commitment" else "warn"),
                    fact.start,
                    fact.end,
                    f"The reply states a {what} (“{fact.text}”) that {self.profile.name}'s "
                    "guidelines and past replies never state, so it may be invented.",
                    query=f"policy {fact.text} delays refunds replacements",
                    suggestion=f"use the {what} of the reply policy, or remove it",
                )
        return out

    def shouting(self) -> None:
        rule = self.rules.shouting
        if rule is None:
            return
        query = f"shouting capitals exclamation marks {rule.reason or ''}"
        marks = [m.start() for m in re.finditer("!", self.text)]
        covered: set[int] = set()
        for m in re.finditer(r"[!?]*![!?]*", self.text):
            if len(m.group()) >= 2:
                covered.update(range(m.start(), m.end()))
                self.add(
                    "shouting",
                    rule,
                    m.start(),
                    m.end(),
                    f"“{m.group()}” raises the voice.{self._reason(rule)}",
                    query=query,
                    term="!",
                    suggestion="use a single period or one exclamation mark",
                    replacement="!" if "!" in m.group() and rule.max_exclamations else ".",
                )
        if len(marks) > rule.max_exclamations:
            extra = [p for p in marks[rule.max_exclamations :] if p not in covered]
            if extra:
                self.add(
                    "shouting",
                    rule,
                    extra[0],
                    extra[-1] + 1,
                    f"{len(marks)} exclamation marks; at most {rule.max_exclamations}."
                    f"{self._reason(rule)}",
                    query=query,
                    term="!",
                    suggestion="keep one exclamation mark at most; let the words carry the news",
                )
        allowed = set(rule.allowed_caps)
        skip = [(f.start, f.end) for f in extract(self.text, ("url", "email"))]
        caps = []
        for m in regex.finditer(r"(?<![#@\w])\p{Lu}{2,}(?![\w])", self.text):
            word = m.group()
            if word in allowed or any(a <= m.start() < b for a, b in skip):
                continue
            if len(word) < 4 and fold_str(word) not in SHOUT_WORDS:
                continue  # QC, MTL, USA, SKU, OK, TPS: acronyms and codes, not shouting
            caps.append((m.start(), m.end(), word))
        name_words = set(fold_str(self.profile.name).split())
        for a, b, word in caps:
            folded = fold_str(word)
            proper = folded in self.profile.proper_words or folded in name_words
            fixed = word.capitalize() if proper or sentence_start(self.text[:a]) else word.lower()
            self.add(
                "shouting",
                rule,
                a,
                b,
                f"“{word}” is in capitals, which reads as shouting.{self._reason(rule)}",
                query=query,
                term="capitals",
                suggestion=f"write “{fixed}”",
                replacement=fixed,
            )
        # acronyms, hashtags, handles and links are not the writer raising the voice
        plain = regex.sub(
            r"[#@]\w+|(?<![\w])\p{Lu}{2,3}(?![\w])",
            lambda m: m.group() if fold_str(m.group()) in SHOUT_WORDS else " ",
            self.text,
        )
        for a, b in skip:
            plain = plain[:a] + " " * (b - a) + plain[b:]
        for word in allowed:
            plain = plain.replace(word, " " * len(word))
        letters = [ch for ch in plain if ch.isalpha()]
        if not caps and len(letters) >= 20:
            ratio = sum(ch.isupper() for ch in letters) / len(letters)
            if ratio > rule.max_caps_ratio:
                self.add(
                    "shouting",
                    rule,
                    0,
                    len(self.text),
                    f"{ratio:.0%} of the letters are capitals (at most "
                    f"{rule.max_caps_ratio:.0%}).{self._reason(rule)}",
                    query=query,
                    term="capitals",
                    suggestion="write in sentence case",
                )

    def mixed_script(self) -> None:
        for a, b in mixed_script_words(self.text):
            self.add(
                "mixed_script",
                self.rules.voice or _Rule(),
                a,
                b,
                f"“{self.text[a:b]}” mixes Latin letters with Cyrillic or Greek look-alikes, "
                "which hides words from checks, search and screen readers.",
                query="our language accessibility",
                suggestion="retype the word in plain Latin letters",
                replacement=fold_str(self.text[a:b]) if self.text[a:b].islower() else None,
            )

    def voice(self) -> VoiceResult | None:
        model = self.profile.voice
        self.notices.extend(model.notes)
        if not model.usable:
            self.notices.append(
                f"no past posts, replies or voice examples for {self.profile.slug!r}; "
                "the voice was not scored"
            )
            return None
        embedder = self.checker.store.embedder
        e = _norm(np.asarray([embedder.embed_one(self.text)], dtype=np.float32))[0]
        vs = model.score(e, self.kind, self.language)
        result = VoiceResult(
            score=vs.score,
            method="embeddings",
            nearest_on_voice=vs.nearest_on.text if vs.nearest_on else None,
            nearest_off_voice=vs.nearest_off.text if vs.nearest_off else None,
            off_voice_why=vs.nearest_off.why if vs.nearest_off else None,
        )
        llm_score = self.checker._llm_voice(self)
        if llm_score is not None:
            result.llm_score = llm_score
            result.score = round((vs.score + llm_score) / 2)
            result.method = "embeddings+llm"
        rule = self.rules.voice
        threshold = rule.min_score if rule else 50
        if result.score >= threshold:
            return result
        adjectives = ", ".join(rule.adjectives) if rule and rule.adjectives else ""
        off = vs.nearest_off
        parts = [f"Sounds off-voice (voice {result.score}/100, {threshold} expected)."]
        if off is not None:
            parts.append(
                f"Closest to the off-voice example “{off.text}”"
                + (f" ({off.why.rstrip('.')})." if off.why else ".")
            )
        if adjectives:
            parts.append(f"{self.profile.name} sounds {adjectives}.")
        start, end = self._worst_sentence(off)
        citation = None
        if off is not None and off.source:
            citation = Citation(
                source=off.source,
                heading=off.heading,
                line=off.line,
                excerpt=f"“{off.text}”" + (f": {off.why}" if off.why else ""),
            )
        elif rule is not None:
            citation = self.checker.cite(
                self.profile, rule, f"voice {rule.reason or ''}", self.language
            )
        on = vs.nearest_on.text if vs.nearest_on else None
        self.findings.append(
            Finding(
                rule="voice",
                severity=(rule.severity if rule and rule.severity else RULES["voice"]),
                start=start,
                end=end,
                message=" ".join(parts),
                citation=citation,
                suggestion=(
                    f"use “Rewrite in brand voice”, or model it on this on-voice example: “{on}”"
                    if on
                    else "use “Rewrite in brand voice”"
                ),
            )
        )
        return result

    def _worst_sentence(self, off: Example | None) -> tuple[int, int]:
        """The sentence closest to the off-voice example, to highlight."""
        sentences = [s for s in self.segments if self.text[s.start : s.end].strip()]
        if off is None or len(sentences) < 2:
            return 0, len(self.text)
        embedder = self.checker.store.embedder
        vecs = _norm(
            np.asarray(
                embedder.embed([off.text, *(self.text[s.start : s.end] for s in sentences)]),
                dtype=np.float32,
            )
        )
        best = sentences[int(np.argmax(vecs[1:] @ vecs[0]))]
        return best.start, best.end


# -- small helpers -------------------------------------------------------------------------------


def _compile_terms(rules: BrandRules) -> list[_Term]:
    out = []
    for rule_id, items in (
        ("banned_term", rules.banned_terms),
        ("discouraged_term", rules.discouraged_terms),
        ("claim_needs_proof", rules.claims_needing_proof),
    ):
        for r in items:
            out.append(
                _Term(
                    rule_id,
                    r,
                    term_pattern(r.term, r.lang),
                    [term_pattern(u, inflect=False) for u in r.unless],
                )
            )
    return out


_EMOJI = regex.compile(r"\X")


def emoji_spans(text: str) -> list[tuple[int, int]]:
    """Spans of emoji, one per emoji as a person sees it (ZWJ sequences and flags count once)."""
    spans = []
    pos = 0
    for m in _EMOJI.finditer(text):
        g = m.group()
        pos = m.start()
        first = g[0]
        if regex.match(r"\p{Extended_Pictographic}", first):
            if first in "©®™‼⁉" and "\ufe0f" not in g:
                continue
            spans.append((pos, m.end()))
        elif regex.match(r"\p{Regional_Indicator}", first) or (len(g) > 1 and "\u20e3" in g):
            spans.append((pos, m.end()))
    return spans


def _find_tag(folded_text: str, tag: str) -> tuple[int, int] | None:
    ft = fold_str(tag)
    pattern = re.escape(ft) + (r"(?![\w])" if ft[-1:].isalnum() else "")
    if ft[:1].isalnum():
        pattern = r"(?<![\w#])" + pattern
    m = re.search(pattern, folded_text)
    return (m.start(), m.end()) if m else None


def _dashless(s: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"^[\s\-–—]+", "", s)).strip().casefold()


def _ends_with(body: str, signature: str) -> bool:
    if not signature:
        return True
    tail = body[-(len(signature) + 4) :]
    return _dashless(tail).endswith(_dashless(signature)) and _dashless(signature) != ""


def _fix_case(tag: str, case: str) -> str:
    body = tag[1:]
    plain = "".join(
        c for c in unicodedata.normalize("NFD", body) if unicodedata.category(c) != "Mn"
    )
    if case == "lower":
        return "#" + plain.replace("_", "").lower()
    if case == "camel":
        parts = [p for p in re.split(r"[_\-]+", plain) if p]
        return "#" + "".join(p[:1].upper() + p[1:] for p in parts)
    return tag


def _is_instruction(replacement: str) -> bool:
    """ "name the region..." is advice, not a word to put in place."""
    first = fold_str(replacement).split()[0] if replacement.split() else ""
    return first in {
        "name", "give", "explain", "say", "use", "nommer", "donner", "expliquer", "dire",
        "utiliser", "remove", "retirer",
    }  # fmt: skip


def _key_eq(a: str, b: str) -> bool:
    return fold_str(a) == fold_str(b)


def _lang_name(lang: str) -> str:
    return {"fr": "French", "en": "English"}.get(lang, lang)


def _engagement(meta: dict[str, Any]) -> float:
    def num(k: str) -> float:
        try:
            return float(meta.get(k) or 0)
        except (TypeError, ValueError):
            return 0.0

    interactions = num("likes") + num("comments") * 2 + num("shares") * 3
    views = num("impressions")
    return interactions / views if views > 0 else interactions / 1000


def _excerpt_around(text: str, needle: str, limit: int = 260) -> str:
    """The sentences of a passage around the needle, or its start; heading line dropped."""
    body = "\n".join(ln for ln in text.splitlines() if not ln.lstrip().startswith("#")).strip()
    flat = " ".join(body.split())
    if not flat:
        return excerpt(text, limit)
    pos = fold_str(flat).find(fold_str(needle)) if needle else -1
    if pos < 0 or len(flat) <= limit:
        return excerpt(flat, limit)
    start = max(flat.rfind(". ", 0, pos) + 2, 0) if flat.rfind(". ", 0, pos) >= 0 else 0
    if pos - start > limit // 2:
        start = max(0, flat.rfind(" ", 0, pos - limit // 3) + 1)
    piece = flat[start:]
    return ("…" if start else "") + excerpt(piece, limit)


# Short words that shout when written in capitals (folded). Words of four letters or more
# in capitals shout anyway; two- and three-letter ones mostly are acronyms and codes (QC,
# MTL, USA, SKU, TPS, OK, PS, DM), so only these common words count. Left out on purpose:
# words that are also acronyms (WHO, CAN, EST, ONE, IT, US, ON, ET, CA).
SHOUT_WORDS = frozenset(
    """all and any are ask bad big but buy did for fun get go got had has hey hot how its
    lol mad new no not now off oh omg our out sad so the too top try was why win wow wtf
    yay yes you yum bon des fou hop ici les moi non nos ouf oui pas que qui sur toi ton
    une vos""".split()  # noqa: SIM905
)


def sentence_start(before: str) -> bool:
    """Whether a word written after `before` starts a sentence: at the start of the text or
    of a line, or after a full stop, exclamation or question mark (opening quotes,
    brackets and bullets in between)."""
    rest = before.rstrip(" \t\u00a0\u202f")
    if not rest or rest.endswith("\n"):
        return True
    rest = rest.rstrip("«“\"'‘([¿¡*•–—-|># \t\u00a0\u202f")
    return not rest or rest[-1] in ".!?…\n"


def _proper_words(texts: list[str]) -> frozenset[str]:
    """Words the brand writes capitalised in mid-sentence and never in lower case: the names
    (Boréale, Montréal, Aurore) a shouting fix must keep capitalised."""
    capital: set[str] = set()
    lower: set[str] = set()
    for text in texts:
        for m in regex.finditer(r"(?<![#@\w])\p{L}[\p{L}'’-]*", text):
            word = m.group()
            if word[0].islower():
                lower.add(fold_str(word))
            elif word[1:].islower() and not sentence_start(text[: m.start()]):
                capital.add(fold_str(word))
    return frozenset(capital - lower)


# -- applying the mechanical fixes --------------------------------------------------------------

_RANK = {"block": 0, "warn": 1, "info": 2}
_SPACES = " \t\u00a0\u202f"
_CLOSING = ",.;:!?…)]}»”"
_WEAK_MARKS = ",;:"
_END_MARKS = ".!?…"


@dataclass(frozen=True)
class _Fix:
    start: int
    end: int
    text: str
    rank: int


def _fixes_to_apply(text: str, findings: list[Any]) -> list[_Fix]:
    """The fixes with a replacement, inside the text, without overlaps: where two overlap,
    the blocking one, then the longer one, then the first one wins."""
    fixes = []
    for f in findings:
        d = f.model_dump() if isinstance(f, BaseModel) else dict(f)
        new = d.get("replacement")
        start, end = d.get("start"), d.get("end")
        if new is None or not isinstance(start, int) or not isinstance(end, int):
            continue
        if 0 <= start <= end <= len(text):
            fixes.append(_Fix(start, end, str(new), _RANK.get(str(d.get("severity")), 1)))
    chosen: list[_Fix] = []
    for fx in sorted(fixes, key=lambda x: (x.rank, x.start - x.end, x.start)):
        if not any(_overlap(fx, c) for c in chosen):
            chosen.append(fx)
    return sorted(chosen, key=lambda x: (x.start, x.end))


def _overlap(a: _Fix, b: _Fix) -> bool:
    if a.start == a.end and b.start == b.end:
        return a.start == b.start
    if a.start == a.end:
        return b.start < a.start < b.end
    if b.start == b.end:
        return a.start < b.start < a.end
    return a.start < b.end and b.start < a.end


def _french_spacing(text: str) -> str | None:
    """The space the text puts before ; : ! ? (French typography), or None if it puts none."""
    spaced = regex.findall(r"\S([ \u00a0\u202f])[;:!?]+(?=\s|$)", text)
    unspaced = len(regex.findall(r"[^\s\d/:;!?][;:!?]+(?=\s|$)", text))
    if len(spaced) <= unspaced or not spaced:
        return None
    return max(set(spaced), key=spaced.count)


def _case(new: str, before: str, was_start: bool) -> str:
    """A replacement's first letter: a capital at a sentence start, else the checker's (a
    capital the checker gave for a sentence start that an earlier fix took away goes)."""
    if not new[:1].isalpha():
        return new
    if sentence_start(before):
        return new[:1].upper() + new[1:]
    first = new.split()[0]
    if was_start and len(new.split()) == 1 and first[:1].isupper() and first[1:].islower():
        return new[:1].lower() + new[1:]
    return new


def apply_fixes(text: str, findings: list[Finding] | list[dict[str, Any]]) -> str:
    """The text with each finding's mechanical fix (`replacement` for `text[start:end]`)
    put in place, written as a person would write it.

    - A replacement keeps the checker's case (the guideline's own: "affordable",
      "Promesse Boréale"), with a capital first letter at the start of a sentence.
    - A removal (replacement "") leaves no double space, no space before a comma or a full
      stop, no orphan punctuation (", ," or ", ." or "()"), no space at a line's ends, and
      the next word capitalised if the removed word started the sentence.
    - A space before ; : ! ? stays where the text already writes one (French typography)
      and goes where it does not.
    - Overlapping fixes: the blocking one, then the longer one, then the first one wins;
      the others are left for the check that follows.
    Findings may be `Finding` objects or their JSON dicts (`CheckResult.public()`)."""
    fixes = _fixes_to_apply(text, list(findings))
    french = _french_spacing(text)
    out = ""
    pos = 0  # next character of `text` to copy
    protect = 0  # `out` before this is a replacement already written: never edited
    capitalise_next = False
    for fx in fixes:
        gap = text[pos : fx.start] if fx.start >= pos else ""
        if capitalise_next:
            gap = _capitalise_first(gap)
            capitalise_next = False
        out += gap
        right = text[fx.end :]
        if fx.text:
            new = _case(fx.text, out, sentence_start(text[: fx.start]))
            out, skip = _put(out, new, text[fx.start : fx.end], right, french, protect)
            protect = len(out)
        else:
            out, skip, capitalise_next = _remove(
                out, text[fx.start : fx.end], right, french, protect
            )
        pos = fx.end + skip
    tail = text[pos:]
    return out + (_capitalise_first(tail) if capitalise_next else tail)


def _capitalise_first(s: str) -> str:
    for i, ch in enumerate(s):
        if ch.isalpha():
            return s[:i] + ch.upper() + s[i + 1 :] if ch.islower() else s
        if not (ch in _SPACES or ch in "«“\"'("):
            return s
    return s


def _rstrip_spaces(s: str, protect: int) -> str:
    end = len(s)
    while end > protect and s[end - 1] in _SPACES:
        end -= 1
    return s[:end]


def _lead(s: str) -> int:
    n = 0
    while n < len(s) and s[n] in _SPACES:
        n += 1
    return n


def _put(
    out: str, new: str, old: str, right: str, french: str | None, protect: int
) -> tuple[str, int]:
    """Write a replacement; returns the new text and how many characters of `right` to skip.
    A mark that replaces a mark ("!" for "!!!") keeps the writer's spacing."""
    if new[0] in _CLOSING and old[:1] not in _CLOSING and out[-1:] in _SPACES:
        core = _rstrip_spaces(out, protect)
        out = core + (french if french and new[0] in ";:!?" else "")
    out += new
    skip = _lead(right) if new[-1:] in _SPACES else 0
    return out, skip


def _remove(
    out: str, removed: str, right: str, french: str | None, protect: int
) -> tuple[str, int, bool]:
    """Close the gap a removal leaves; returns the new text, how many characters of `right`
    to skip and whether the next word must take a capital."""
    core = _rstrip_spaces(out, protect)
    had_space = len(core) < len(out)
    lead = _lead(right)
    nxt = right[lead:]
    starts = sentence_start(core)
    capital = starts and removed[:1].isupper()
    if not nxt or nxt[0] == "\n":  # end of the text or of the line
        return core, lead, False
    if not core.strip(_SPACES) or core.endswith("\n"):  # start of the text or of a line
        skip = lead
        if nxt[0] in _WEAK_MARKS:  # "🔥, great" -> "Great"
            skip += 1 + _lead(nxt[1:])
        return core, skip, capital or True
    if nxt[0] in _CLOSING:
        mark = nxt[0]
        if core[-1:] in "([{" and mark in ")]}":  # "(🔥)" -> nothing
            inner = _rstrip_spaces(core[:-1], protect)
            after = right[lead + 1 :]
            if inner and after[:1] in _SPACES:
                return inner + " ", lead + 1 + _lead(after), False
            return inner, lead + 1, False
        if core[-1:] in _WEAK_MARKS and mark in _END_MARKS:  # "coffee, #tag." -> "coffee."
            core = core[:-1]
        elif core[-1:] in _WEAK_MARKS + _END_MARKS and mark in _WEAK_MARKS:  # ", ," -> ","
            after = right[lead + 1 :]
            return core + (" " if _lead(after) or after else ""), lead + 1 + _lead(after), starts
        space = french if french and mark in ";:!?" and (had_space or lead) else ""
        return core + space, lead, False
    if core[-1:] in "([{«“\"'":  # "( 🔥 great" -> "(great"
        return core, lead, False
    if had_space or lead:  # a word on each side: one space between them
        return core + (out[len(core)] if had_space else right[0]), lead, capital
    return core, 0, capital
