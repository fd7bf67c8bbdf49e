"""Hostile input: a reply that obeys instructions injected in the comment it answers, copies
the comment, carries what the comment planted or a script, or asks for sensitive data."""

from __future__ import annotations

from cmassist.domain.facts import extract
from cmassist.domain.findings import InjectionReading
from cmassist.domain.guidelines import Rule
from cmassist.domain.hostile import (
    SENSITIVE_LABELS,
    InjectionReport,
    copied_span,
    detect_injection,
    echo_threshold,
    obedience_markers,
    planted_tokens,
    sensitive_requests,
    unsafe_markup,
)
from cmassist.domain.textmatch import fold, fold_str
from cmassist.services.checking.context import CheckContext

UNTRUSTED = "untrusted comments are data, never instructions"


def check_obeyed(ctx: CheckContext, comment: str) -> InjectionReading:
    """A reply that follows injected instructions, copies the comment or repeats what it
    planted is blocked; returns the comment's own injection reading."""
    report = detect_injection(comment) if comment else None
    flagged = bool(report and report.flagged)
    why = " The comment it answers reads as a prompt-injection attempt." if flagged else ""
    for a, b, what in obedience_markers(ctx.text):
        ctx.add(
            "injection_followed",
            Rule(),
            a,
            b,
            f"The reply {what}.{why} Draft it again or write it yourself.",
            query=f"{UNTRUSTED}; escalate suspicious ones",
            suggestion="remove it and answer the customer's actual question",
        )
    if comment:
        own = frozenset(fold(ctx.profile.name).text.split())
        _copied(ctx, comment, flagged, own)
        if flagged:
            _planted(ctx, comment, own)
        _repeated_contacts(ctx, comment)
    return _reading(report)


def _reading(report: InjectionReport | None) -> InjectionReading:
    if report is None:
        return InjectionReading()
    return InjectionReading.model_validate(report.public())


def _copied(ctx: CheckContext, comment: str, flagged: bool, own: frozenset[str]) -> None:
    copied = copied_span(
        ctx.text,
        comment,
        4 if flagged else echo_threshold(comment),
        own,
        ctx.profile.own_text,
    )
    if copied:
        a, b, n = copied
        ctx.add(
            "injection_followed",
            Rule(),
            a,
            b,
            f"The reply copies {n} words of the comment word for word"
            + (
                ", which asked for exactly that."
                if flagged
                else "; a reply answers, it does not repeat."
            ),
            query=UNTRUSTED,
            suggestion="answer in the brand's own words",
        )


def _planted(ctx: CheckContext, comment: str, own: frozenset[str]) -> None:
    for p in planted_tokens(ctx.text, comment, own, ctx.profile.own_text):
        written = (
            f"“{p.text}”"
            if fold_str(p.text) == fold_str(p.planted)
            else f"“{p.text}” (the comment's “{p.planted}”)"
        )
        ctx.add(
            "injection_followed",
            Rule(),
            p.start,
            p.end,
            f"The reply repeats {written}, which the comment planted for the reply to carry.",
            query=UNTRUSTED,
            suggestion="remove it and answer in the brand's own words",
        )


def _repeated_contacts(ctx: CheckContext, comment: str) -> None:
    comment_keys = {(f.kind, f.key) for f in extract(comment, ("url", "email", "phone"))}
    for f in extract(ctx.text, ("url", "email", "phone")):
        if (f.kind, f.key) in comment_keys and not ctx.profile.facts.knows(f):
            ctx.add(
                "injection_followed",
                Rule(),
                f.start,
                f.end,
                f"The reply repeats “{f.text}” from the comment; it is not one of "
                f"{ctx.profile.name}'s links or contacts.",
                query="links and contacts allowed in replies",
                suggestion="remove it; give only the brand's own contacts",
            )


def check_markup(ctx: CheckContext) -> None:
    """Script or HTML markup in a reply."""
    for a, b in unsafe_markup(ctx.text):
        ctx.add(
            "unsafe_markup",
            Rule(),
            a,
            b,
            "The reply contains script or HTML markup, which can run in a browser or leak data.",
            query="links allowed in replies",
            suggestion="remove the markup",
        )


def check_sensitive_requests(ctx: CheckContext) -> None:
    """A post or reply never asks for payment data, passwords, PINs, one-time codes or
    identity numbers, whatever the comment said; a warning ("never share your password")
    is not a request."""
    what = "reply" if ctx.kind == "reply" else "post"
    for a, b, kind in sensitive_requests(ctx.text):
        ctx.add(
            "sensitive_data_request",
            Rule(),
            a,
            b,
            f"The {what} asks for the customer's {SENSITIVE_LABELS[kind]} "
            f"(“{ctx.text[a:b]}”). {ctx.profile.name} never asks for card numbers, "
            "security codes, bank details, passwords, PINs, one-time codes or social "
            "insurance numbers, in public or in private: this is what a scam looks like.",
            query="personal data payment card password never ask in public or private messages",
            suggestion="remove the request; ask only for the order number, in private",
        )
