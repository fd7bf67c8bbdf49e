"""Facts and links: links only to the brand's domains, contacts, prices, dates and times
found in its store, and every fact a reply states grounded in a passage it can cite.

A figure the customer wrote (the "12 jours" they have waited) is theirs: a reply that
quotes it states no fact of the brand's, so it is neither unverified nor unsupported.
Contacts and links are never exempt (a comment can plant them), nor commitments. A
commitment (a refund, a replacement) is grounded only by a passage that allows it: the
sheet's policies when they speak of it, else a guideline sentence that states it without
denying it ("we never promise refunds" grounds no refund); a commitment the text denies
is grounded by the passage that forbids it. A delay is grounded as `FactSources.find`
says (the same delay, or a tight range around it).
"""

from __future__ import annotations

import re

from cmassist.domain.facts import extract
from cmassist.domain.factsheet import Policy
from cmassist.domain.findings import Citation, GroundedFact
from cmassist.domain.grounding import Source, StatedFact, stated_facts
from cmassist.domain.guidelines import Rule
from cmassist.domain.textmatch import fold_str
from cmassist.domain.textutil import excerpt
from cmassist.services.checking import sheet_reading as reading
from cmassist.services.checking.context import CheckContext, reason
from cmassist.services.checking.policy_reading import negated
from cmassist.services.checking.profile import BrandProfile

SHORTENERS = {
    "bit.ly", "tinyurl.com", "t.co", "goo.gl", "ow.ly", "buff.ly", "is.gd", "lnkd.in",
    "rebrand.ly", "cutt.ly", "shorturl.at", "tiny.cc", "rb.gy", "t.ly", "s.id",
}  # fmt: skip
FACT_NAMES = {
    "email": "email address",
    "phone": "phone number",
    "url": "web address",
    "price": "price",
    "date": "date",
    "time": "time",
}
DEFAULT_FACT_KINDS = {"email", "phone", "url", "price", "date", "time"}
# The kinds of figures a reply may quote from the comment it answers.
QUOTABLE = {"price", "date", "year", "time", "duration", "percent"}


def check_links_and_facts(ctx: CheckContext) -> None:
    """Links to other domains, and facts of the kinds the brand checks that appear nowhere
    in its guidelines, posts or replies."""
    links = ctx.rules.links
    facts_rule = ctx.rules.facts
    kinds = set(facts_rule.kinds) if facts_rule else DEFAULT_FACT_KINDS
    allowed = [d.lower().removeprefix("www.") for d in (links.allowed_domains if links else [])]
    quoted = {(f.kind, f.key) for f in extract(ctx.replying_to)} if ctx.replying_to else set()
    for f in extract(ctx.text):
        if f.kind == "url" and links is not None:
            host = f.key.split("/", 1)[0]
            if not any(host == d or host.endswith("." + d) for d in allowed):
                ctx.add(
                    "link_domain",
                    links,
                    f.start,
                    f.end,
                    f"{'Link shortener' if host in SHORTENERS else 'Link to'} {host}: "
                    f"{ctx.profile.name} only links to {', '.join(allowed)}.{reason(links)}",
                    query=f"links allowed domains {links.reason or ''}",
                    term=allowed[0] if allowed else "link",
                    suggestion=f"link to a page on {allowed[0]}" if allowed else "remove it",
                )
                continue
        if f.kind not in kinds or ctx.profile.facts.knows(f):
            continue
        if f.kind in QUOTABLE and (f.kind, f.key) in quoted:
            continue  # the customer's own figure, quoted back
        what = FACT_NAMES[f.kind]
        ctx.add(
            "unverified_fact",
            facts_rule or Rule(),
            f.start,
            f.end,
            f"The {what} “{f.text}” appears nowhere in {ctx.profile.name}'s guidelines, "
            f"posts or replies, so it may be invented or out of date.{reason(facts_rule)}",
            query=f"reference facts {what} {reason(facts_rule)}",
            term="",
            suggestion=f"check the {what} against the reference facts, or remove it",
        )


def grounded_facts(ctx: CheckContext) -> list[GroundedFact]:
    """Each fact the text states, with the store passage that grounds it (no citation
    where none does): a commitment by a passage that allows it, or, when the text denies
    it, by one that forbids it; a delay by the same delay or a tight range around it; any
    other fact by the passage or past reply that states it. The coverage of a check counts
    these, so that it and the reply's grounding always agree."""
    return [g for _, g in _grounded(ctx)]


def _grounded(ctx: CheckContext) -> list[tuple[StatedFact, GroundedFact]]:
    out: list[tuple[StatedFact, GroundedFact]] = []
    for fact in stated_facts(ctx.text):
        if fact.kind == "commitment":
            denied = _denied(ctx.text, fact)
            src = _denial_source(ctx, fact) if denied else _commitment_source(ctx, fact)
        else:
            src = ctx.profile.fact_sources.find(fact)
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
        grounded = GroundedFact(
            kind=fact.kind, text=fact.text, start=fact.start, end=fact.end, citation=citation
        )
        out.append((fact, grounded))
    return out


def check_grounding(ctx: CheckContext) -> list[GroundedFact]:
    """Each fact the reply states, with the store passage it comes from (`grounded_facts`);
    a fact found nowhere in the store gets a finding (contacts and links are the facts
    rule's), unless the customer wrote it first or the reply denies it."""
    pairs = _grounded(ctx)
    reported = [(f.start, f.end) for f in ctx.findings]
    quoted = (
        {(f.kind, f.key) for f in stated_facts(ctx.replying_to) if f.kind in QUOTABLE}
        if ctx.replying_to
        else set()
    )
    for fact, grounded in pairs:
        if (
            grounded.citation is None
            and fact.kind in ("duration", "percent", "year", "commitment")
            and (fact.kind, fact.key) not in quoted
            and not any(a < fact.end and fact.start < b for a, b in reported)
            and not (fact.kind == "commitment" and _denied(ctx.text, fact))
        ):
            _unsupported(ctx, fact)
    return [g for _, g in pairs]


def _denied(text: str, fact: StatedFact) -> bool:
    """Whether the text denies the commitment rather than making it ("on ne peut pas
    promettre de remboursement")."""
    sent = next((s for s in reading.sentences(text) if s.start <= fact.start < s.end), None)
    return sent is not None and negated(text, sent, fact.start)


def _best_policy(ctx: CheckContext, policies: list[Policy]) -> Source | None:
    """The policy that shares most words with the text (in its language first)."""
    said = set(re.findall(r"\w{4,}", fold_str(ctx.text)))
    ranked = sorted(
        policies,
        key=lambda p: (
            -len(said & set(re.findall(r"\w{4,}", fold_str(f"{p.topic} {p.text}")))),
            0 if p.source and p.source.language == ctx.language else 1,
        ),
    )
    if not ranked:
        return None
    p = ranked[0]
    if p.source is None:
        return Source("fact sheet", p.topic, None, p.text)
    return Source(p.source.source, p.source.heading, p.source.line, p.text)


def _commitment_source(ctx: CheckContext, fact: StatedFact) -> Source | None:
    """The passage that allows a commitment: the policy of the sheet that allows it and
    shares most words with the reply (none when the sheet's policies only forbid it), else
    a guideline sentence, else a past reply, that states it without denying it."""
    policies = ctx.profile.factsheet.policies
    if any(fact.key in p.allows or fact.key in p.forbids for p in policies):
        return _best_policy(ctx, [p for p in policies if fact.key in p.allows])
    hit = commitment_passages(ctx.profile)[0].get(fact.key)
    if hit is not None:
        return hit
    past = ctx.profile.fact_sources.find(fact)
    if past is None or not past.source.startswith("past reply"):
        return None
    return past if _allows(past.excerpt, fact.key) else None


def _denial_source(ctx: CheckContext, fact: StatedFact) -> Source | None:
    """The passage that backs a commitment the text denies ("on ne peut pas promettre de
    remboursement"): a policy of the sheet that forbids it, else a guideline sentence that
    denies it."""
    forbidding = [p for p in ctx.profile.factsheet.policies if fact.key in p.forbids]
    if forbidding:
        return _best_policy(ctx, forbidding)
    return commitment_passages(ctx.profile)[1].get(fact.key)


def _allows(text: str, key: str) -> bool:
    """Whether `text` states commitment `key` somewhere without denying it."""
    for sent in reading.sentences(text):
        for f in stated_facts(sent.text):
            hit = f.kind == "commitment" and f.key == key
            if hit and not negated(text, sent, sent.start + f.start):
                return True
    return False


_PASSAGES: dict[tuple[str, str, int], tuple[dict[str, Source], dict[str, Source]]] = {}


def commitment_passages(profile: BrandProfile) -> tuple[dict[str, Source], dict[str, Source]]:
    """For each commitment, the first guideline sentence that states it without denying
    it, and the first that denies it (remembered per revision of the brand's records)."""
    key = (profile.slug, profile.revision, len(profile.passages))
    found = _PASSAGES.get(key)
    if found is not None:
        return found
    allows: dict[str, Source] = {}
    denies: dict[str, Source] = {}
    for p in profile.passages:
        for sent in reading.sentences(p.text):
            if sent.text.lstrip().startswith("#"):
                continue
            for f in stated_facts(sent.text):
                if f.kind != "commitment":
                    continue
                into = denies if negated(p.text, sent, sent.start + f.start) else allows
                into.setdefault(f.key, Source(p.source, p.heading, p.line, sent.text.strip()))
    if len(_PASSAGES) > 16:
        _PASSAGES.clear()
    _PASSAGES[key] = (allows, denies)
    return allows, denies


def _unsupported(ctx: CheckContext, fact: StatedFact) -> None:
    what = {
        "duration": "delay",
        "percent": "percentage",
        "year": "year",
        "commitment": "commitment",
    }[fact.kind]
    ctx.add(
        "unsupported_fact",
        Rule(severity="block" if fact.kind != "commitment" else "warn"),
        fact.start,
        fact.end,
        f"The reply states a {what} (“{fact.text}”) that {ctx.profile.name}'s "
        "guidelines and past replies never state, so it may be invented.",
        query=f"policy {fact.text} delays refunds replacements",
        suggestion=f"use the {what} of the reply policy, or remove it",
    )
