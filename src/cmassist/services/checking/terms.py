"""The brand's own words: banned and discouraged terms, claims that need proof, the ad
disclosure of a partnership post and the signature of a reply."""

from __future__ import annotations

import re

from cmassist.domain.guidelines import LocalizedText
from cmassist.domain.spans import within
from cmassist.domain.textmatch import fold_str, term_pattern
from cmassist.domain.textutil import find_signature
from cmassist.services.checking.context import CheckContext, reason
from cmassist.services.checking.profile import Term, sentence_start

LABELS = {
    "banned_term": "is a banned term",
    "discouraged_term": "is discouraged",
    "claim_needs_proof": "is a claim that needs proof",
}
# The first word of a replacement that is advice ("name the region..."), not a word to put in.
ADVICE_VERBS = {
    "name", "give", "explain", "say", "use", "nommer", "donner", "expliquer", "dire",
    "utiliser", "remove", "retirer",
}  # fmt: skip


def check_terms(ctx: CheckContext) -> None:
    """Each banned, discouraged or needing-proof term, where the sentence's language is the
    rule's, outside the phrases in which the rule says it is fine."""
    for t in ctx.profile.terms:
        unless_spans = [(m.start(), m.end()) for u in t.unless for m in u.finditer(ctx.folded.text)]
        for m in t.pattern.finditer(ctx.folded.text):
            if any(within((m.start(), m.end()), span) for span in unless_spans):
                continue
            start, end = ctx.folded.span(m.start(), m.end())
            seg_lang = ctx.lang_at(start)
            if t.rule.lang != "any" and seg_lang is not None and seg_lang != t.rule.lang:
                continue
            _term_finding(ctx, t, start, end)


def _term_finding(ctx: CheckContext, t: Term, start: int, end: int) -> None:
    found = ctx.text[start:end]
    replacement = getattr(t.rule, "replacement", None)
    mechanical = (
        replacement
        if replacement and len(replacement.split()) <= 4 and not is_advice(replacement)
        else None
    )
    if mechanical and sentence_start(ctx.text[:start]):
        mechanical = mechanical[:1].upper() + mechanical[1:]
    if t.rule_id == "claim_needs_proof":
        suggestion = "give the proof (award, certification, source) or remove it"
    elif replacement:
        suggestion = f"use “{replacement}” instead" if mechanical else replacement
    else:
        suggestion = "remove it"
    ctx.add(
        t.rule_id,
        t.rule,
        start,
        end,
        f"“{found}” {LABELS[t.rule_id]}.{reason(t.rule)}",
        query=f"{t.rule.term}: {t.rule.reason or ''}",
        term=t.rule.term,
        suggestion=suggestion,
        replacement=mechanical,
    )


def is_advice(replacement: str) -> bool:
    """ "name the region..." is advice, not a word to put in place."""
    first = fold_str(replacement).split()[0] if replacement.split() else ""
    return first in ADVICE_VERBS


def check_ad_disclosure(ctx: CheckContext, sponsored: bool) -> None:
    """A sponsored or partnership post carries the disclosure of its language, at the start
    where the rule says so."""
    rule = ctx.rules.ad_disclosure
    if rule is None or ctx.kind != "post":
        return
    trigger_span = None
    for phrase in rule.triggers:
        m = term_pattern(phrase, inflect=False).search(ctx.folded.text)
        if m:
            trigger_span = ctx.folded.span(m.start(), m.end())
            break
    if not sponsored and trigger_span is None:
        return
    lang = ctx.language or "en"
    wanted = rule.get(lang) or ""
    spans = {v: find_tag(ctx.folded.text, v) for v in rule.variants()}
    own = spans.get(wanted)
    if own is None:
        _missing_disclosure(ctx, rule, spans, trigger_span, wanted)
        return
    a, _ = ctx.folded.span(*own)
    if rule.position == "start" and a >= rule.within_chars:
        ctx.add(
            "ad_disclosure",
            rule,
            a,
            a + len(wanted),
            f"“{wanted}” must come at the start of the post (within the first "
            f"{rule.within_chars} characters), not at character {a}.{reason(rule)}",
            query=f"disclose partnership {rule.reason or ''}",
            term=wanted,
            suggestion=f"move “{wanted}” to the start of the post",
        )


def _missing_disclosure(
    ctx: CheckContext,
    rule: LocalizedText,
    spans: dict[str, tuple[int, int] | None],
    trigger_span: tuple[int, int] | None,
    wanted: str,
) -> None:
    """The post has the other language's disclosure, or none."""
    lang = ctx.language or "en"
    query = f"disclose partnership {rule.reason or ''}"
    why = "a partnership post" if trigger_span else "marked as sponsored"
    other = next((v for v, s in spans.items() if s is not None), None)
    found = spans.get(other) if other is not None else None
    if other is not None and found is not None:
        a, b = ctx.folded.span(*found)
        ctx.add(
            "ad_disclosure",
            rule,
            a,
            b,
            f"This is {why}; in a {lang_name(lang)} post the disclosure is "
            f"“{wanted}”, not “{other}”.{reason(rule)}",
            query=query,
            term=wanted,
            suggestion=f"use “{wanted}”",
            replacement=wanted,
        )
        return
    a, b = trigger_span or (0, 0)
    ctx.add(
        "ad_disclosure",
        rule,
        a,
        b,
        f"This is {why} but has no “{wanted}” disclosure.{reason(rule)}",
        query=query,
        term=wanted,
        suggestion=f"start the post with “{wanted}”",
    )


def check_signature(ctx: CheckContext) -> None:
    """A reply ends with the signature of its language, exactly, with nothing after it."""
    rule = ctx.rules.reply_signature
    if rule is None or ctx.kind != "reply":
        return
    lang = ctx.language or "en"
    wanted = rule.get(lang) or ""
    body = ctx.text.rstrip()
    if ends_with(body, wanted):
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
        ctx.add(
            "reply_signature",
            rule,
            found.start,
            len(body),
            f"Sign “{wanted}” exactly, with nothing after it.{reason(rule)}",
            query=query,
            term=wanted,
            suggestion=f"sign “{wanted}”",
            replacement=apart + wanted,
        )
        return
    if not _other_signature(ctx, rule, body, wanted):
        ctx.add(
            "reply_signature",
            rule,
            len(body),
            len(body),
            f"The reply does not end with the signature “{wanted}”.{reason(rule)}",
            query=query,
            term=wanted,
            suggestion=f"end with “{wanted}” on its own line",
            replacement=f"\n{wanted}",
        )


def _other_signature(ctx: CheckContext, rule: LocalizedText, body: str, wanted: str) -> bool:
    """A reply signed in the other language: the finding, and True."""
    for other in rule.variants():
        if other != wanted and ends_with(body, other):
            ctx.add(
                "reply_signature",
                rule,
                len(body) - len(other),
                len(body),
                f"A {lang_name(ctx.language or 'en')} reply is signed “{wanted}”, not "
                f"“{other}”.{reason(rule)}",
                query=f"reply signature {rule.reason or ''}",
                term=wanted,
                suggestion=f"sign “{wanted}”",
                replacement=wanted,
            )
            return True
    return False


def find_tag(folded_text: str, tag: str) -> tuple[int, int] | None:
    """Where a disclosure tag ("#ad", "#partenariat") stands in the folded text, whole."""
    ft = fold_str(tag)
    pattern = re.escape(ft) + (r"(?![\w])" if ft[-1:].isalnum() else "")
    if ft[:1].isalnum():
        pattern = r"(?<![\w#])" + pattern
    m = re.search(pattern, folded_text)
    return (m.start(), m.end()) if m else None


def _dashless(s: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"^[\s\-–—]+", "", s)).strip().casefold()


def ends_with(body: str, signature: str) -> bool:
    """Whether the body ends with the signature, dashes and spacing aside."""
    if not signature:
        return True
    tail = body[-(len(signature) + 4) :]
    return _dashless(tail).endswith(_dashless(signature)) and _dashless(signature) != ""


def lang_name(lang: str) -> str:
    return {"fr": "French", "en": "English"}.get(lang, lang)
