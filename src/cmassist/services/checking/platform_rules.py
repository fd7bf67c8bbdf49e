"""What the brand and the platform allow in one post: emoji, hashtags and their style, and
the length as the platform counts it."""

from __future__ import annotations

import re
from typing import Literal

import regex

from cmassist.domain.guidelines import PlatformRule, Rule
from cmassist.domain.platforms import HASHTAG, count_chars
from cmassist.domain.textmatch import fold_str, strip_accents
from cmassist.services.checking.context import CheckContext, reason

_EMOJI = regex.compile(r"\X")


def emoji_spans(text: str) -> list[tuple[int, int]]:
    """Spans of emoji, one per emoji as a person sees it (ZWJ sequences and flags count once)."""
    spans = []
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


def _over_limit(
    ctx: CheckContext,
    what: Literal["emoji", "hashtags"],
    spans: list[tuple[int, int]],
    general_term: str,
    fix: str,
) -> None:
    """One finding over the emoji or hashtags beyond the limit, citing the rule that set
    it: the platform's section, or the general one."""
    limit, rule = ctx.rules.limit(what, ctx.platform)
    if limit is None or len(spans) <= limit:
        return
    ctx.add(
        what,
        rule,
        spans[limit][0],
        spans[-1][1],
        f"{len(spans)} {what}; {ctx.where} by {ctx.profile.name} use at most {limit}."
        f"{reason(rule)}",
        query=f"{ctx.where} {what} limit {getattr(rule, 'reason', '')}",
        term=ctx.platform.name if isinstance(rule, PlatformRule) and ctx.platform else general_term,
        suggestion=fix.format(limit=limit),
    )


def check_emoji(ctx: CheckContext) -> None:
    """Emoji the brand never uses, and more emoji than the platform's limit."""
    rule = ctx.rules.emoji
    found = emoji_spans(ctx.text)
    banned = {fold_str(b).replace("\ufe0f", "") for b in (rule.banned if rule else [])}
    for a, b in found:
        if banned and fold_str(ctx.text[a:b]).replace("\ufe0f", "") in banned:
            ctx.add(
                "emoji",
                rule,
                a,
                b,
                f"The emoji {ctx.text[a:b]} is not used by {ctx.profile.name}.{reason(rule)}",
                query=f"banned emoji {rule.reason if rule else ''}",
                suggestion="remove it or choose another emoji",
                replacement="",
            )
    _over_limit(ctx, "emoji", found, "emoji", "keep at most {limit} emoji")


def check_hashtags(ctx: CheckContext) -> None:
    """Hashtags never to use, hashtags not in the brand's case, and too many of them."""
    rule = ctx.rules.hashtags
    tags = [(m.start(), m.end(), m.group()) for m in HASHTAG.finditer(ctx.text)]
    if not tags:
        return
    disclosure = ctx.rules.ad_disclosure
    disclosures = {fold_str(v) for v in (disclosure.variants() if disclosure else [])}
    if rule is not None:
        banned = {fold_str(b) for b in rule.banned}
        for a, b, tag in tags:
            if fold_str(tag) in banned:
                ctx.add(
                    "hashtags",
                    rule,
                    a,
                    b,
                    f"{tag} is on {ctx.profile.name}'s list of hashtags never to use."
                    f"{reason(rule)}",
                    query=f"banned hashtags {rule.reason or ''}",
                    term=tag,
                    suggestion="remove it",
                    replacement="",
                )
                continue
            if fold_str(tag) in disclosures:
                continue
            fixed = fix_case(tag, rule.case)
            if fixed != tag:
                style = "CamelCase" if rule.case == "camel" else "lowercase"
                ctx.add(
                    "hashtags",
                    rule,
                    a,
                    b,
                    f"{tag} is not written in {style} without accents.{reason(rule)}",
                    query=f"hashtag format {style} {rule.reason or ''}",
                    term="hashtag",
                    suggestion=f"write {fixed}",
                    replacement=fixed,
                )
    _over_limit(
        ctx, "hashtags", [(a, b) for a, b, _ in tags], "hashtag", "keep the {limit} most useful"
    )


def fix_case(tag: str, case: str) -> str:
    """The hashtag in the brand's case ("camel" or "lower"), without accents."""
    plain = strip_accents(tag[1:])
    if case == "lower":
        return "#" + plain.replace("_", "").lower()
    if case == "camel":
        parts = [p for p in re.split(r"[_\-]+", plain) if p]
        return "#" + "".join(p[:1].upper() + p[1:] for p in parts)
    return tag


def check_length(ctx: CheckContext) -> int:
    """The text fits the platform's limit (or the brand's, if lower); returns the limit."""
    if ctx.platform is None:
        return 0
    prule = ctx.rules.platforms.get(ctx.platform.key)
    limit = ctx.platform.max_chars
    if prule and prule.max_chars:
        limit = min(limit, prule.max_chars)
    n = count_chars(ctx.text, ctx.platform)
    if n > limit:
        lo, hi = 0, len(ctx.text)
        while lo < hi:  # the first character past the limit
            mid = (lo + hi) // 2
            if count_chars(ctx.text[: mid + 1], ctx.platform) > limit:
                hi = mid
            else:
                lo = mid + 1
        rule = prule if prule and prule.max_chars and prule.max_chars <= limit else None
        ctx.add(
            "length",
            rule or Rule(),
            lo,
            len(ctx.text),
            f"{n} characters as {ctx.platform.name} counts them; the limit is {limit} "
            f"({n - limit} over).{reason(rule)}",
            query=f"{ctx.platform.name} length limit characters",
            term=ctx.platform.name,
            suggestion=f"cut {n - limit} characters",
        )
    return limit


def check_required_hashtags(ctx: CheckContext) -> None:
    """Posts carry the hashtags the brand requires (`hashtags.required`); replies never do.
    The format has one list for every platform, so it applies to every post. The missing
    ones are one finding at the end of the text whose fix appends them: on the hashtag line
    where the post ends with one, inline on short platforms, else on a line of their own."""
    rule = ctx.rules.hashtags
    if rule is None or not rule.required or ctx.kind != "post":
        return
    present = {fold_str(m.group()) for m in HASHTAG.finditer(ctx.text)}
    missing: list[str] = []
    for wanted in rule.required:
        tag = "#" + wanted.strip().lstrip("#")
        if len(tag) > 1 and fold_str(tag) not in present:
            missing.append(tag)
            present.add(fold_str(tag))
    if not missing:
        return
    body = ctx.text.rstrip()
    last_line = body.rsplit("\n", 1)[-1]
    on_tag_line = bool(HASHTAG.search(last_line)) and not regex.search(
        r"\w", HASHTAG.sub("", last_line)
    )
    short = ctx.platform is not None and ctx.platform.max_chars <= 500
    tags = " ".join(missing)
    glue = " " if on_tag_line or short else "\n\n"
    ctx.add(
        "required_hashtag",
        rule,
        len(body),
        len(body),
        f"{ctx.where} by {ctx.profile.name} carry {tags}; this one does not.{reason(rule)}",
        query=f"required hashtags {tags} {rule.reason or ''}",
        term=missing[0],
        suggestion=f"add {tags}",
        replacement=glue + tags if body else tags,
    )
