"""Style that raises the voice or hides words: exclamation marks, words and texts in
capitals, and words mixing Latin letters with look-alikes from other scripts."""

from __future__ import annotations

import re

import regex

from cmassist.domain.facts import extract
from cmassist.domain.guidelines import Rule, ShoutingRule
from cmassist.domain.textmatch import fold_str, mixed_script_words
from cmassist.services.checking.context import CheckContext, reason
from cmassist.services.checking.profile import sentence_start

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


def _query(rule: ShoutingRule) -> str:
    return f"shouting capitals exclamation marks {rule.reason or ''}"


def check_shouting(ctx: CheckContext) -> None:
    """Runs of exclamation marks, more of them than the brand allows, words in capitals and
    texts mostly in capitals."""
    rule = ctx.rules.shouting
    if rule is None:
        return
    _exclamations(ctx, rule)
    skip = [(f.start, f.end) for f in extract(ctx.text, ("url", "email"))]
    caps = _capitals(ctx, rule, skip)
    if not caps:
        _caps_ratio(ctx, rule, skip)


def _exclamations(ctx: CheckContext, rule: ShoutingRule) -> None:
    marks = [m.start() for m in re.finditer("!", ctx.text)]
    covered: set[int] = set()
    for m in re.finditer(r"[!?]*![!?]*", ctx.text):
        if len(m.group()) >= 2:
            covered.update(range(m.start(), m.end()))
            ctx.add(
                "shouting",
                rule,
                m.start(),
                m.end(),
                f"“{m.group()}” raises the voice.{reason(rule)}",
                query=_query(rule),
                term="!",
                suggestion="use a single period or one exclamation mark",
                replacement="!" if "!" in m.group() and rule.max_exclamations else ".",
            )
    if len(marks) > rule.max_exclamations:
        extra = [p for p in marks[rule.max_exclamations :] if p not in covered]
        if extra:
            ctx.add(
                "shouting",
                rule,
                extra[0],
                extra[-1] + 1,
                f"{len(marks)} exclamation marks; at most {rule.max_exclamations}.{reason(rule)}",
                query=_query(rule),
                term="!",
                suggestion="keep one exclamation mark at most; let the words carry the news",
            )


def _capitals(
    ctx: CheckContext, rule: ShoutingRule, skip: list[tuple[int, int]]
) -> list[tuple[int, int, str]]:
    """Each word in capitals that shouts, with its fix; returns them."""
    allowed = set(rule.allowed_caps)
    caps = []
    for m in regex.finditer(r"(?<![#@\w])\p{Lu}{2,}(?![\w])", ctx.text):
        word = m.group()
        if word in allowed or any(a <= m.start() < b for a, b in skip):
            continue
        if len(word) < 4 and fold_str(word) not in SHOUT_WORDS:
            continue  # QC, MTL, USA, SKU, OK, TPS: acronyms and codes, not shouting
        caps.append((m.start(), m.end(), word))
    name_words = set(fold_str(ctx.profile.name).split())
    for a, b, word in caps:
        folded = fold_str(word)
        proper = folded in ctx.profile.proper_words or folded in name_words
        fixed = word.capitalize() if proper or sentence_start(ctx.text[:a]) else word.lower()
        ctx.add(
            "shouting",
            rule,
            a,
            b,
            f"“{word}” is in capitals, which reads as shouting.{reason(rule)}",
            query=_query(rule),
            term="capitals",
            suggestion=f"write “{fixed}”",
            replacement=fixed,
        )
    return caps


def _caps_ratio(ctx: CheckContext, rule: ShoutingRule, skip: list[tuple[int, int]]) -> None:
    # acronyms, hashtags, handles and links are not the writer raising the voice
    plain = regex.sub(
        r"[#@]\w+|(?<![\w])\p{Lu}{2,3}(?![\w])",
        lambda m: m.group() if fold_str(m.group()) in SHOUT_WORDS else " ",
        ctx.text,
    )
    for a, b in skip:
        plain = plain[:a] + " " * (b - a) + plain[b:]
    for word in set(rule.allowed_caps):
        plain = plain.replace(word, " " * len(word))
    letters = [ch for ch in plain if ch.isalpha()]
    if len(letters) < 20:
        return
    ratio = sum(ch.isupper() for ch in letters) / len(letters)
    if ratio > rule.max_caps_ratio:
        ctx.add(
            "shouting",
            rule,
            0,
            len(ctx.text),
            f"{ratio:.0%} of the letters are capitals (at most "
            f"{rule.max_caps_ratio:.0%}).{reason(rule)}",
            query=_query(rule),
            term="capitals",
            suggestion="write in sentence case",
        )


def check_mixed_script(ctx: CheckContext) -> None:
    """Words mixing Latin letters with Cyrillic or Greek look-alikes."""
    for a, b in mixed_script_words(ctx.text):
        word = ctx.text[a:b]
        ctx.add(
            "mixed_script",
            ctx.rules.voice or Rule(),
            a,
            b,
            f"“{word}” mixes Latin letters with Cyrillic or Greek look-alikes, "
            "which hides words from checks, search and screen readers.",
            query="our language accessibility",
            suggestion="retype the word in plain Latin letters",
            replacement=fold_str(word) if word.islower() else None,
        )
