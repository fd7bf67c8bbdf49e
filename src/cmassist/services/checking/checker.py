"""The tone and compliance checker: findings from the brand's own rules, each citing its guideline.

`Checker.check()` reads the brand's machine-readable rules (guideline front matter) and
applies them to a text, one family of rules per module: terms, claims, the ad disclosure
and the signature (`terms`), emoji, hashtags and length (`platform_rules`), links and facts
(`fact_rules`), shouting and look-alike letters (`style`), hostile input and sensitive
requests (`reply_safety`), personal data (`personal_data`) and the voice (`voice_check`).
Nothing in here knows any brand. Every finding has character offsets into the text, a
message, the guideline passage it rests on (retrieved from the store) and a fix where one
exists. The brand's profile is kept on disk per revision of its records (`profile_cache`).
"""

from __future__ import annotations

import threading
import time
import unicodedata

from cmassist.domain.errors import InputError
from cmassist.domain.findings import (
    PENALTY,
    CheckResult,
    Citation,
    Finding,
    GroundedFact,
    InjectionReading,
    Severity,
    Verdict,
    VoiceResult,
)
from cmassist.domain.guidelines import Rule
from cmassist.domain.limits import MAX_TEXT_CHARS
from cmassist.domain.platforms import count_chars, get_platform
from cmassist.domain.textmatch import fold
from cmassist.domain.textutil import detect_language, looks_binary, normalize_language
from cmassist.services.checking import profile_cache
from cmassist.services.checking.citations import cite
from cmassist.services.checking.context import RULES, CheckContext, segments
from cmassist.services.checking.contradictions import check_contradictions
from cmassist.services.checking.fact_rules import check_grounding, check_links_and_facts
from cmassist.services.checking.names import check_names
from cmassist.services.checking.fixes import apply_fixes
from cmassist.services.checking.personal_data import check_personal_data
from cmassist.services.checking.platform_rules import (
    check_emoji,
    check_hashtags,
    check_length,
    emoji_spans,
)
from cmassist.services.checking.profile import BrandProfile, build_profile, sentence_start
from cmassist.services.checking.shape import check_shape
from cmassist.services.checking.reply_safety import (
    check_markup,
    check_obeyed,
    check_sensitive_requests,
)
from cmassist.services.checking.style import SHOUT_WORDS, check_mixed_script, check_shouting
from cmassist.services.checking.terms import check_ad_disclosure, check_signature, check_terms
from cmassist.services.checking.voice_check import check_voice
from cmassist.services.ports.models import LLM, Prompts
from cmassist.services.ports.store import Store, brand_slug

__all__ = [
    "MAX_CHECK_CHARS",
    "PENALTY",
    "RULES",
    "SHOUT_WORDS",
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
        limit = self._rules(ctx, sponsored)
        grounding: list[GroundedFact] = []
        injection: InjectionReading | None = None
        if kind == "reply":
            comment = replying_to or ""
            injection = check_obeyed(ctx, comment)
            check_personal_data(ctx, comment)
            check_markup(ctx)
            grounding = check_grounding(ctx)
        voice_result = (
            check_voice(ctx, self.store.embedder, self.llm, self.prompts) if voice else None
        )
        notices.extend(ctx.notices)
        findings = sorted(ctx.findings, key=lambda f: (f.start, list(RULES).index(f.rule)))
        score, verdict = _score(findings, voice_result)
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
            elapsed_ms=(time.perf_counter() - t0) * 1000,
        )

    @staticmethod
    def _rules(ctx: CheckContext, sponsored: bool) -> int:
        """The rules every text gets, in the order they were written; returns the limit."""
        check_terms(ctx)
        check_ad_disclosure(ctx, sponsored)
        check_signature(ctx)
        check_emoji(ctx)
        check_hashtags(ctx)
        limit = check_length(ctx)
        check_links_and_facts(ctx)
        check_contradictions(ctx)
        check_names(ctx)
        check_shape(ctx)
        check_shouting(ctx)
        check_mixed_script(ctx)
        check_sensitive_requests(ctx)
        return limit


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


def _score(findings: list[Finding], voice: VoiceResult | None) -> tuple[int, Verdict]:
    """Compliance loses points per finding; the voice weighs 40% where it was scored."""
    counts = {"block": 0, "warn": 0, "info": 0}
    for f in findings:
        counts[f.severity] += 1
    compliance = max(0, 100 - sum(PENALTY[s] * n for s, n in counts.items()))
    score = compliance if voice is None else round(0.6 * compliance + 0.4 * voice.score)
    verdict: Verdict = "block" if counts["block"] else "warn" if counts["warn"] else "pass"
    return max(0, min(100, int(score))), verdict
