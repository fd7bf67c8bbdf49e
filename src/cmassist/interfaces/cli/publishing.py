"""`cmassist schedule`, `publish`, `pause` and `resume`: approved drafts queued for a time,
the due ones sent through the outbox, and the switch that stops all publishing."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import click

from cmassist.domain.errors import InputError
from cmassist.domain.timeutil import parse_iso
from cmassist.interfaces.cli.options import expect_option, json_option, user_option
from cmassist.interfaces.cli.output import emit, when
from cmassist.interfaces.cli.session import login, maybe_login, services

TIME_EXAMPLE = "e.g. 2026-12-01T09:00-05:00 or 2026-12-01T14:00Z"


def parse_time(value: str) -> datetime:
    """An ISO 8601 time that names its offset: a time without one is refused as ambiguous."""
    try:
        at = parse_iso(value, default_tz=None)
    except ValueError:
        raise InputError(
            f"cannot read the time {value!r}", f"use ISO 8601 with a timezone, {TIME_EXAMPLE}"
        ) from None
    if at.tzinfo is None or at.utcoffset() is None:
        raise InputError(
            f"the time {value!r} has no timezone, so it is ambiguous",
            f"add the offset, {TIME_EXAMPLE}",
        )
    return at


@click.command()
@click.argument("draft_id", metavar="ID", type=int)
@click.option(
    "--at", "at_text", required=True, help=f"When, ISO 8601 with a zone ({TIME_EXAMPLE})."
)
@click.option(
    "--adapter",
    "adapters",
    multiple=True,
    help="Publish through this adapter, repeatable (default: every configured one).",
)
@expect_option
@user_option
@json_option
@click.pass_context
def schedule(
    ctx: click.Context,
    draft_id: int,
    at_text: str,
    adapters: tuple[str, ...],
    expected: int | None,
    as_json: bool,
) -> None:
    """Queue an approved draft for publishing at a time; the publishing worker of
    `cmassist serve` (or `cmassist worker`, or `cmassist publish --due`) sends it."""
    at = parse_time(at_text)
    actor = login(ctx)
    svc = services(ctx)
    # Unknown adapters are refused by the review service, naming the configured ones.
    chosen = list(dict.fromkeys(a.strip().lower() for a in adapters))
    chosen = chosen or sorted(svc.publisher_names())
    view = svc.review.schedule(actor, draft_id, at, adapters=chosen, expected=expected)
    if as_json:
        emit({"draft": view.model_dump(mode="json")})
        return
    click.echo(
        f"draft #{view.id} scheduled for {when(at)} through {', '.join(chosen)} "
        f"(row version {view.row_version})"
    )
    if at <= svc.review.now():
        click.echo("  the time has passed: it goes out at the publishing worker's next pass")


def print_publish_report(report: Any, as_json: bool) -> None:
    """Everything the run did; failures are printed, but they are the items' outcome, not
    the command's (they are retried or shown in `review show`), so the exit code stays 0."""
    if as_json:
        emit(report.model_dump(mode="json"))
        return
    if report.expired:
        click.echo(f"expired {report.expired} draft(s) (pending too long, or approval expired)")
    if report.paused:
        waiting = f": {len(report.skipped)} due item(s) wait" if report.skipped else ""
        click.echo(f"publishing is paused{waiting}; `cmassist resume --reason R` to restart")
    for o in report.published:
        ref = f" ({o.external_ref})" if o.external_ref else ""
        click.echo(f"published  #{o.draft_id} via {o.adapter}{ref}")
    for o in report.retrying:
        click.echo(
            f"retrying   #{o.draft_id} via {o.adapter}: {o.error} "
            f"(next attempt {when(o.next_attempt_at)})"
        )
    for o in report.failed:
        click.echo(f"failed     #{o.draft_id} via {o.adapter}: {o.error}")
    for o in report.blocked:
        click.echo(f"blocked    #{o.draft_id} via {o.adapter}: {o.error}")
    done = report.published or report.retrying or report.failed or report.blocked
    if not done and not report.paused:
        click.echo("nothing was due")


@click.command()
@click.option("--due", is_flag=True, help="Publish the scheduled items whose time has come.")
@click.option("--limit", default=100, show_default=True, type=click.IntRange(1, 10_000))
@user_option
@json_option
@click.pass_context
def publish(ctx: click.Context, due: bool, limit: int, as_json: bool) -> None:
    """Expire stale drafts and approvals, then publish what is due through the outbox.

    Meant for cron: no user is needed (only approved, scheduled items that are due go
    out, each through the publishing gate); with --user the expiries are recorded under
    that name. Items that fail are printed and retried later; the exit code stays 0.
    """
    if not due:
        raise InputError(
            "say what to publish", "use `cmassist publish --due` for the items that are due"
        )
    from cmassist.services.outbox_worker import OutboxWorker

    actor = maybe_login(ctx)
    review = services(ctx).review
    by = actor.name if actor else "system"
    report = OutboxWorker(review, kind="once", by=by, limit=limit).run_once()
    print_publish_report(report, as_json)


def _set_paused(ctx: click.Context, paused: bool, reason: str, as_json: bool) -> None:
    actor = login(ctx)
    svc = services(ctx).review
    if not reason.strip():
        raise InputError("a reason is required", "say why, for the audit log")
    svc.set_paused(actor, paused, reason=reason.strip())
    if as_json:
        emit({"paused": paused, "by": actor.name, "reason": reason.strip()})
    else:
        click.echo(f"publishing is {'paused' if paused else 'resumed'} by {actor.name}")


@click.command()
@click.option("--reason", required=True, help="Why, for the audit log.")
@user_option
@json_option
@click.pass_context
def pause(ctx: click.Context, reason: str, as_json: bool) -> None:
    """Stop all publishing until `cmassist resume` (admins only); scheduled items wait."""
    _set_paused(ctx, True, reason, as_json)


@click.command()
@click.option("--reason", required=True, help="Why, for the audit log.")
@user_option
@json_option
@click.pass_context
def resume(ctx: click.Context, reason: str, as_json: bool) -> None:
    """Publish again after `cmassist pause` (admins only)."""
    _set_paused(ctx, False, reason, as_json)


COMMANDS = (schedule, publish, pause, resume)
