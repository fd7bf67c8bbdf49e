"""Facts and links: links only to the brand's domains, contacts, prices, dates and times
found in its store, and every fact a reply states grounded in a passage it can cite."""

from __future__ import annotations

from cmassist.domain.facts import extract
from cmassist.domain.findings import Citation, GroundedFact
from cmassist.domain.grounding import StatedFact, stated_facts
from cmassist.domain.guidelines import Rule
from cmassist.domain.textutil import excerpt
from cmassist.services.checking.context import CheckContext, reason

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


def check_links_and_facts(ctx: CheckContext) -> None:
    """Links to other domains, and facts of the kinds the brand checks that appear nowhere
    in its guidelines, posts or replies."""
    links = ctx.rules.links
    facts_rule = ctx.rules.facts
    kinds = set(facts_rule.kinds) if facts_rule else DEFAULT_FACT_KINDS
    allowed = [d.lower().removeprefix("www.") for d in (links.allowed_domains if links else [])]
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


def check_grounding(ctx: CheckContext) -> list[GroundedFact]:
    """Each fact the reply states, with the store passage it comes from; a fact found
    nowhere in the store gets a finding (contacts and links are the facts rule's)."""
    out: list[GroundedFact] = []
    reported = {(f.start, f.end) for f in ctx.findings}
    for fact in stated_facts(ctx.text):
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
        out.append(
            GroundedFact(
                kind=fact.kind, text=fact.text, start=fact.start, end=fact.end, citation=citation
            )
        )
        if (
            src is None
            and fact.kind in ("duration", "percent", "commitment")
            and (fact.start, fact.end) not in reported
        ):
            _unsupported(ctx, fact)
    return out


def _unsupported(ctx: CheckContext, fact: StatedFact) -> None:
    what = {"duration": "delay", "percent": "percentage", "commitment": "commitment"}[fact.kind]
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
