"""The tone and compliance checker: findings from the brand's own rules, each citing its guideline.

`Checker.check()` reads the brand's machine-readable rules (guideline front matter) and
applies them to a text, one family of rules per module: terms, claims, the ad disclosure
and the signature (`terms`), emoji, hashtags and length (`platform_rules`), links and facts
(`fact_rules`), names the store never wrote (`names`), shouting and look-alike letters
(`style`), hostile input and sensitive requests (`reply_safety`), personal data
(`personal_data`) and the voice (`voice_check`). The result says, aspect by aspect, what
was checked and what was not (`coverage`): a fact nothing grounds keeps a text from a
pass, and nothing here judges the meaning.
Nothing in here knows any brand. Every finding has character offsets into the text, a
message, the guideline passage it rests on (retrieved from the store) and a fix where one
exists. The brand's profile is kept on disk per revision of its records (`profile_cache`).
"""

from __future__ import annotations

import threading
import time
import unicodedata
from typing import Literal

from cmassist.domain.errors import InputError
from cmassist.domain.facts import ALL_KINDS, Fact
from cmassist.domain.findings import (
    PENALTY,
    Aspect,
    AspectStatus,
    CheckResult,
    Citation,
    Finding,
    GroundedFact,
    InjectionReading,
    Severity,
    Verdict,
    VoiceResult,
)
from cmassist.domain.grounding import StatedFact, stated_facts
from cmassist.domain.guidelines import Rule
from cmassist.domain.limits import MAX_TEXT_CHARS
from cmassist.domain.platforms import count_chars, get_platform
from cmassist.domain.textmatch import fold
from cmassist.domain.textutil import detect_language, looks_binary, normalize_language
from cmassist.services.checking import profile_cache
from cmassist.services.checking.citations import cite
from cmassist.services.checking.context import RULES, CheckContext, segments
from cmassist.services.checking.contradictions import check_contradictions
from cmassist.services.checking.fact_rules import (
    check_grounding,
    check_links_and_facts,
    grounded_facts,
)
from cmassist.services.checking.fixes import apply_fixes
from cmassist.services.checking.names import NameReport, check_names
from cmassist.services.checking.personal_data import check_personal_data
from cmassist.services.checking.platform_rules import (
    check_emoji,
    check_hashtags,
    check_length,
    emoji_spans,
)
from cmassist.services.checking.profile import BrandProfile, build_profile, sentence_start
from cmassist.services.checking.reply_safety import (
    check_markup,
    check_obeyed,
    check_sensitive_requests,
)
from cmassist.services.checking.shape import check_shape
from cmassist.services.checking.style import SHOUT_WORDS, check_mixed_script, check_shouting
from cmassist.services.checking.terms import (
    check_ad_disclosure,
    check_signature,
    check_terms,
    ends_with,
)
from cmassist.services.checking.voice_check import check_voice
from cmassist.services.ports.models import LLM, Prompts
from cmassist.services.ports.store import Store, brand_slug

__all__ = [
    "MAX_CHECK_CHARS",
    "PENALTY",
    "RULES",
    "SHOUT_WORDS",
    "Aspect",
    "BrandProfile",
    "CheckResult",
    "Checker",
    "Citation",
    "Finding",
    "GroundedFact",
    "Severity",
    "Verdict",
    "VoiceResult",
    "apply_fixes",
    "check_input",
    "emoji_spans",
    "sentence_start",
]

MAX_CHECK_CHARS = MAX_TEXT_CHARS


def check_input(text: object) -> str:
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
    if len(text) > MAX_TEXT_CHARS:
        raise InputError(
            f"the text is {len(text):,} characters; the checker takes at most {MAX_TEXT_CHARS:,}",
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


class Checker:
    """Checks texts against one brand's rules and voice; thread-safe. Profiles are kept in
    memory and on disk, per revision of the brand's records."""

    def __init__(
        self, store: Store, llm: LLM | None = None, prompts: Prompts | None = None
    ) -> None:
        self.store = store
        self.llm = llm
        self.prompts = prompts
        self._profiles: dict[str, BrandProfile] = {}
        self._lock = threading.Lock()

    def profile(self, brand: str) -> BrandProfile:
        """The brand's checking profile at its current revision: from memory, else from
        the saved copy, else built from the store (and saved)."""
        slug = brand_slug(brand)
        revision = self.store.revision(slug)
        cached = self._profiles.get(slug)
        if cached is not None and cached.revision == revision:
            return cached
        with self._lock:
            cached = self._profiles.get(slug)
            if cached is not None and cached.revision == revision:
                return cached
            self.store.forget_rules(slug)  # the rules may have changed with the revision
            folder = self.store.derived_dir(slug)
            expected = profile_cache.fingerprint(revision, self.store.embedder.name)
            profile = profile_cache.load(folder, expected) if folder else None
            if profile is None or profile.slug != slug or profile.revision != revision:
                profile = build_profile(self.store, slug, revision)
                if folder:
                    profile_cache.save(folder, profile, expected)
            if folder:
                profile.query_vectors.update(profile_cache.load_queries(folder, expected))
                profile.queries_saved = len(profile.query_vectors)
            self._profiles[slug] = profile
            return profile

    def _keep_queries(self, profile: BrandProfile) -> None:
        """Save the citation queries this check embedded for the first time, so that the
        next process does not embed them again."""
        folder = self.store.derived_dir(profile.slug)
        if folder is None or len(profile.query_vectors) <= profile.queries_saved:
            return
        expected = profile_cache.fingerprint(profile.revision, self.store.embedder.name)
        with self._lock:
            vectors = dict(profile.query_vectors)
            profile_cache.save_queries(folder, vectors, expected)
            profile.queries_saved = len(vectors)

    def cite(
        self,
        profile: BrandProfile,
        rule: Rule | None,
        query: str,
        language: str | None,
        term: str = "",
    ) -> Citation | None:
        """The guideline passage a rule rests on: the rule's own document, closest passage."""
        embed_one = self.store.embedder.embed_one
        return cite(
            profile, lambda q: profile.embed_query(q, embed_one), rule, query, language, term
        )

    def check(
        self,
        text: object,
        *,
        platform: str | None,
        brand: str,
        kind: str = "post",
        sponsored: bool = False,
        language: str | None = None,
        voice: bool = True,
        replying_to: str | None = None,
        brief: str | None = None,
    ) -> CheckResult:
        """Check `text`; for a reply, `replying_to` is the comment it answers (untrusted):
        the reply is then also checked for obeyed injections, repeated personal data and
        facts not grounded in the store. `brief` is what a draft was written from
        (untrusted): a draft that copies its instructions is flagged."""
        t0 = time.perf_counter()
        text = check_input(text)
        plat = get_platform(platform) if platform else None
        if kind not in ("post", "reply"):
            raise InputError(f"unknown kind {kind!r}", "use post or reply")
        profile = self.profile(brand)
        lang = _language(text, language)
        ctx = CheckContext(
            profile=profile,
            text=text,
            folded=fold(text),
            language=lang,
            segments=segments(text, lang),
            platform=plat,
            kind=kind,
            cite=lambda rule, query, at, term: self.cite(profile, rule, query, at, term),
            brief=brief or "",
            replying_to=replying_to or "",
        )
        notices = _notices(profile, lang)
        limit, names = self._rules(ctx, sponsored)
        grounding: list[GroundedFact] = []
        injection: InjectionReading | None = None
        if kind == "reply":
            comment = replying_to or ""
            injection = check_obeyed(ctx, comment)
            check_personal_data(ctx, comment)
            check_markup(ctx)
            grounding = check_grounding(ctx)
        _drop_signature_before_the_cut(ctx)
        voice_result = (
            check_voice(ctx, self.store.embedder, self.llm, self.prompts) if voice else None
        )
        notices.extend(ctx.notices)
        findings = sorted(ctx.findings, key=lambda f: (f.start, list(RULES).index(f.rule)))
        coverage, unsettled = _coverage(
            ctx,
            findings,
            voice_result,
            names,
            self.llm,
            grounding if kind == "reply" else grounded_facts(ctx),
        )
        score, verdict = _score(findings, voice_result, unsettled)
        self._keep_queries(profile)
        return CheckResult(
            brand=profile.slug,
            platform=plat.key if plat else "",
            kind=kind,
            language=lang,
            score=score,
            verdict=verdict,
            findings=findings,
            voice=voice_result,
            notices=notices,
            chars=count_chars(text, plat) if plat else len(text),
            limit=limit,
            grounding=grounding,
            injection=injection,
            coverage=coverage,
            summary=" · ".join(f"{a.name}: {a.detail}" for a in coverage),
            elapsed_ms=(time.perf_counter() - t0) * 1000,
        )

    @staticmethod
    def _rules(ctx: CheckContext, sponsored: bool) -> tuple[int, NameReport]:
        """The rules every text gets, in the order they were written; returns the limit
        and what the names check read."""
        check_terms(ctx)
        check_ad_disclosure(ctx, sponsored)
        check_signature(ctx)
        check_emoji(ctx)
        check_hashtags(ctx)
        limit = check_length(ctx)
        check_links_and_facts(ctx)
        check_contradictions(ctx)
        names = check_names(ctx)
        check_shape(ctx)
        check_shouting(ctx)
        check_mixed_script(ctx)
        check_sensitive_requests(ctx)
        return limit, names


def _language(text: str, language: str | None) -> str | None:
    if not language:
        return detect_language(text)
    lang = normalize_language(language)
    if lang is None:
        raise InputError(f"unsupported language {language!r}", "use fr or en")
    return lang


def _notices(profile: BrandProfile, lang: str | None) -> list[str]:
    notices: list[str] = []
    if profile.rules.is_empty():
        notices.append(
            f"brand {profile.slug!r} has no machine-readable rules, so only length, facts "
            "and voice were checked; add a `rules:` block to a guideline's front matter"
        )
    if lang is None:
        notices.append(
            "the text does not read as French or English; language-specific rules "
            "were applied in both languages"
        )
    return notices


def _score(
    findings: list[Finding], voice: VoiceResult | None, unsettled: int = 0
) -> tuple[int, Verdict]:
    """Compliance loses points per finding, and per fact the store cannot ground as much as
    a warning; the voice weighs 40% where it was scored. A text that states such a fact is
    not a plain pass, even when no rule flags it: nothing vouched for the fact."""
    counts = {"block": 0, "warn": 0, "info": 0}
    for f in findings:
        counts[f.severity] += 1
    penalty = sum(PENALTY[s] * n for s, n in counts.items()) + PENALTY["warn"] * unsettled
    compliance = max(0, 100 - penalty)
    score = compliance if voice is None else round(0.6 * compliance + 0.4 * voice.score)
    verdict: Verdict = (
        "block" if counts["block"] else "warn" if counts["warn"] or unsettled else "pass"
    )
    return max(0, min(100, int(score))), verdict


# The rules that speak of facts and of names; the others are the "rules" aspect.
FACT_RULES = frozenset({"unverified_fact", "unsupported_fact", "contradicted_fact"})
NAME_RULES = frozenset({"unknown_name"})


def _coverage(
    ctx: CheckContext,
    findings: list[Finding],
    voice: VoiceResult | None,
    names: NameReport,
    llm: LLM | None,
    grounding: list[GroundedFact],
) -> tuple[list[Aspect], int]:
    """What was checked and what was not, aspect by aspect, and how many stated facts the
    store cannot ground without a rule having flagged them (they keep a text from a pass).
    `grounding` is each stated fact with the passage that grounds it (`grounded_facts`):
    the reply's own grounding, so that the two never disagree."""
    rules = [f for f in findings if f.rule not in FACT_RULES | NAME_RULES | {"voice"}]
    flagged = [f for f in findings if f.rule in FACT_RULES]
    facts, unsettled = _facts_aspect(ctx, flagged, grounding)
    aspects = [
        _findings_aspect("rules", rules),
        facts,
        _names_aspect(names, [f for f in findings if f.rule in NAME_RULES]),
        _voice_aspect(voice, [f for f in findings if f.rule == "voice"]),
        _meaning_aspect(llm),
    ]
    return aspects, unsettled


def _worst(findings: list[Finding]) -> AspectStatus:
    severities = {f.severity for f in findings}
    return "block" if "block" in severities else "warn" if "warn" in severities else "pass"


def _findings_aspect(name: Literal["rules"], findings: list[Finding]) -> Aspect:
    counts: dict[str, int] = {}
    for f in findings:
        counts[f.severity] = counts.get(f.severity, 0) + 1
    detail = ", ".join(f"{n} {sev}" for sev, n in counts.items()) or "pass"
    return Aspect(name=name, status=_worst(findings), detail=detail, counts=counts)


def _facts_aspect(
    ctx: CheckContext, flagged: list[Finding], grounding: list[GroundedFact]
) -> tuple[Aspect, int]:
    """Each fact the text states: contradicted (a finding says so), grounded in the store
    (a citation in `grounding`, or a fact the store's index knows), quoted from the comment
    a reply answers, or unknown (flagged or not)."""
    cited = {(g.kind, g.start, g.end) for g in grounding if g.citation is not None}
    quoted = {(f.kind, f.key) for f in stated_facts(ctx.replying_to)} if ctx.replying_to else set()
    contradicted = [f for f in flagged if f.rule == "contradicted_fact"]
    counts = {"contradicted": len(contradicted), "unknown": 0, "quoted": 0, "grounded": 0}
    unsettled = 0
    stated = stated_facts(ctx.text)
    for fact in stated:
        if any(_overlap(f, fact) for f in contradicted):
            continue
        if any(_overlap(f, fact) for f in flagged):
            counts["unknown"] += 1
        elif (fact.kind, fact.start, fact.end) in cited or _known(ctx, fact):
            counts["grounded"] += 1
        elif (fact.kind, fact.key) in quoted:
            counts["quoted"] += 1
        else:
            counts["unknown"] += 1
            unsettled += 1
    # a fact finding on words `stated_facts` does not read (a format it misses) counts too
    counts["unknown"] += sum(
        1
        for f in flagged
        if f.rule != "contradicted_fact" and not any(_overlap(f, x) for x in stated)
    )
    words = {"quoted": "from the comment"}
    detail = ", ".join(f"{n} {words.get(k, k)}" for k, n in counts.items() if n) or "none stated"
    status = _worst(flagged)
    if status == "pass" and unsettled:
        status = "unknown"
    return Aspect(name="facts", status=status, detail=detail, counts=counts), unsettled


def _known(ctx: CheckContext, fact: StatedFact) -> bool:
    """A price, date, time or contact the store's index knows (its posts included), as the
    facts rule reads it; delays, percentages and commitments are grounded by citation only."""
    if fact.kind not in ALL_KINDS:
        return False
    as_fact = Fact(fact.kind, fact.start, fact.end, fact.text, fact.key)
    return ctx.profile.facts.knows(as_fact)


def _drop_signature_before_the_cut(ctx: CheckContext) -> None:
    """A reply signed before the few-shot scaffolding the model went on with is signed:
    cutting the text there (the scaffolding's fix) leaves the signature at its end, and a
    signature finding would sign it twice."""
    rule = ctx.rules.reply_signature
    cuts = [
        f.start
        for f in ctx.findings
        if f.rule == "scaffolding" and f.start > 0 and f.end == len(ctx.text)
    ]
    if rule is None or not cuts or ctx.kind != "reply":
        return
    wanted = rule.get(ctx.language or "en") or ""
    if wanted and ends_with(ctx.text[: min(cuts)].rstrip(), wanted):
        ctx.findings[:] = [f for f in ctx.findings if f.rule != "reply_signature"]


def _overlap(a: Finding | StatedFact, b: Finding | StatedFact) -> bool:
    return a.start < b.end and b.start < a.end


def _names_aspect(report: NameReport, flagged: list[Finding]) -> Aspect:
    unknown, unsure = len(report.unknown), len(report.unsure)
    counts = {"unknown": unknown, "unsure": unsure, "known": report.seen - unknown - unsure}
    parts = [f"{n} {k}" for k, n in counts.items() if n]
    if report.skipped_lines:
        parts.append("title case not judged")
    status = _worst(flagged)
    if status == "pass" and report.skipped_lines:
        status = "unknown"
    counts["skipped_lines"] = report.skipped_lines
    return Aspect(
        name="names", status=status, detail=", ".join(parts) or "none found", counts=counts
    )


def _voice_aspect(voice: VoiceResult | None, flagged: list[Finding]) -> Aspect:
    if voice is None:
        return Aspect(name="voice", status="not_judged", detail="not scored")
    how = " (embeddings + LLM)" if voice.llm_score is not None else ""
    return Aspect(
        name="voice",
        status=_worst(flagged),
        detail=f"{voice.score}/100{how}",
        counts={"score": voice.score},
    )


def _meaning_aspect(llm: LLM | None) -> Aspect:
    """Nothing here judges whether the text makes sense: the checker's only LLM use is a
    chat model's opinion of the voice, and the embedded base model is not even asked."""
    if llm is None or getattr(llm, "style", "completion") != "chat":
        return Aspect(name="meaning", status="not_judged", detail="not judged (no chat model)")
    return Aspect(
        name="meaning",
        status="not_judged",
        detail="not judged (the chat model judges the voice only)",
    )
