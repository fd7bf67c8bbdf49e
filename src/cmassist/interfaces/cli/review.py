"""`cmassist review ...`: drafts waiting for review, listed, shown, submitted, edited,
approved, rejected, sent back, or let through despite their blocking findings."""

from __future__ import annotations

import difflib
from typing import TYPE_CHECKING

import click

from cmassist.interfaces.cli.options import (
    LazyChoice,
    draft_states,
    expect_option,
    json_option,
    read_arg,
    user_option,
)
from cmassist.interfaces.cli.output import emit, one_line, print_findings, when
from cmassist.interfaces.cli.session import login, services

if TYPE_CHECKING:
    from cmassist.services.review import DraftView


def print_change(view: DraftView, as_json: bool, message: str) -> None:
    """The changed draft as JSON, or `message` with its new row version."""
    if as_json:
        emit({"draft": view.model_dump(mode="json")})
    else:
        click.echo(f"{message} (row version {view.row_version})")


@click.group()
def review() -> None:
    """Drafts waiting for review: list, show, submit, edit, approve, reject, request changes.

    Nothing is published until a second person approved its exact text. Every command
    acts as a user (--user or CMASSIST_USER).
    """


@review.command("list")
@click.option("--state", type=LazyChoice(draft_states), default=None, help="Only this state.")
@click.option("--brand", "-b", default=None, help="Only this brand.")
@click.option("--platform", "-p", default=None, help="Only this platform.")
@click.option("--author", default=None, help="Only drafts by this user.")
@click.option("--limit", default=100, show_default=True, type=click.IntRange(1, 10_000))
@user_option
@json_option
@click.pass_context
def review_list(
    ctx: click.Context,
    state: str | None,
    brand: str | None,
    platform: str | None,
    author: str | None,
    limit: int,
    as_json: bool,
) -> None:
    """List drafts, most recently changed first."""
    login(ctx)
    views = services(ctx).review.list(
        state=state, brand=brand, platform=platform, author=author, limit=limit
    )
    if as_json:
        emit({"drafts": [v.model_dump(mode="json") for v in views]})
        return
    if not views:
        click.echo("no drafts" + (f" in state {state}" if state else ""))
    for v in views:
        click.echo(
            f"#{v.id:<5} {v.state:<17} {v.platform:<10} {v.brand:<12} {v.author:<12} "
            f"v{v.version} r{v.row_version}  {when(v.updated_at)}  {one_line(v.text, 60)}"
        )


def _print_check(v: DraftView) -> None:
    if v.check and "error" in v.check:
        click.echo(f"check: could not run ({v.check['error']})")
    elif v.check and "unchecked" in v.check:
        click.echo(f"check: not run ({v.check['unchecked']})")
    elif v.check:
        print_findings(v.text, v.check)


def _print_history(v: DraftView) -> None:
    """Versions, decisions, comments and outbox items, oldest first."""
    click.echo("versions:")
    for ver in v.versions:
        note = f" ({ver.note})" if ver.note else ""
        click.echo(f"  v{ver.number}  {when(ver.created_at)}  {ver.author}{note}")
    if v.decisions:
        click.echo("decisions:")
    for d in v.decisions:
        why = f": {d.comment}" if d.comment else ""
        valid = " [valid]" if d.valid else ""
        click.echo(f"  v{d.version}  {when(d.created_at)}  {d.reviewer} {d.decision}{valid}{why}")
    if v.comments:
        click.echo("comments:")
    for c in v.comments:
        click.echo(f"  {when(c.created_at)}  {c.user}: {c.body}")
    if v.outbox:
        click.echo("outbox:")
    for o in v.outbox:
        error = f"  ({o.last_error})" if o.last_error else ""
        click.echo(
            f"  {o.adapter:<10} {o.state:<10} due {when(o.due_at)}  {o.attempts} attempt(s){error}"
        )


def _print_last_change(v: DraftView) -> None:
    if len(v.versions) < 2:
        return
    before, after = v.versions[-2], v.versions[-1]
    diff = difflib.unified_diff(
        before.text.splitlines(),
        after.text.splitlines(),
        fromfile=f"v{before.number} ({before.platform})",
        tofile=f"v{after.number} ({after.platform})",
        lineterm="",
    )
    click.echo("changes:")
    for line in diff:
        click.echo(f"  {line}")


@review.command("show")
@click.argument("draft_id", metavar="ID", type=int)
@user_option
@json_option
@click.pass_context
def review_show(ctx: click.Context, draft_id: int, as_json: bool) -> None:
    """A draft with its versions, decisions, comments and outbox items; the text output
    ends with the changes between its last two versions."""
    login(ctx)
    v = services(ctx).review.get(draft_id)
    if as_json:
        emit({"draft": v.model_dump(mode="json")})
        return
    click.echo(
        f"draft #{v.id} · {v.state} · {v.kind} for {v.platform} · brand {v.brand} · "
        f"by {v.author} · version {v.version} · row version {v.row_version}"
    )
    if v.approved_until:
        click.echo(f"approved until {when(v.approved_until)}")
    click.echo(f"\n{v.text}\n")
    _print_check(v)
    if v.override:
        o = v.override
        click.echo(f"blocking findings overridden by {o['reviewer']}: {o['reason']}")
    if v.context:
        click.echo(f"from: {one_line(v.context, 200)}")
    _print_history(v)
    _print_last_change(v)


@review.command("submit")
@click.argument("draft_id", metavar="ID", type=int)
@expect_option
@user_option
@json_option
@click.pass_context
def review_submit(ctx: click.Context, draft_id: int, expected: int | None, as_json: bool) -> None:
    """Send a draft to review (its author or an admin)."""
    actor = login(ctx)
    view = services(ctx).review.submit(actor, draft_id, expected=expected)
    print_change(view, as_json, f"draft #{view.id} submitted for review")


@review.command("edit")
@click.argument("draft_id", metavar="ID", type=int)
@click.option("--text", required=True, help="The new text ('-' reads it from stdin).")
@click.option("--note", default="", help="What changed and why, kept with the version.")
@expect_option
@user_option
@json_option
@click.pass_context
def review_edit(
    ctx: click.Context,
    draft_id: int,
    text: str,
    note: str,
    expected: int | None,
    as_json: bool,
) -> None:
    """Save a new version of a draft. An approved or scheduled draft goes back to review:
    the approval was for other words."""
    actor = login(ctx)
    svc = services(ctx).review
    before = svc.get(draft_id)  # only to say what changed; the edit checks --expect-version
    view = svc.edit(actor, draft_id, read_arg(text), expected=expected, note=note)
    if view.version == before.version:
        message = f"draft #{view.id} unchanged: same text as version {view.version}"
    else:
        message = f"draft #{view.id} is at version {view.version}, {view.state}"
        if before.state in ("approved", "scheduled", "failed") and view.state == "submitted":
            message += " (the approval was for other words: back in review)"
    print_change(view, as_json, message)


@review.command("approve")
@click.argument("draft_id", metavar="ID", type=int)
@click.option("--comment", default="", help="A note for the author.")
@expect_option
@user_option
@json_option
@click.pass_context
def review_approve(
    ctx: click.Context, draft_id: int, comment: str, expected: int | None, as_json: bool
) -> None:
    """Approve a submitted draft's current text (a reviewer or admin who did not write it)."""
    actor = login(ctx)
    view = services(ctx).review.approve(actor, draft_id, comment=comment, expected=expected)
    print_change(view, as_json, f"draft #{view.id} approved until {when(view.approved_until)}")


@review.command("reject")
@click.argument("draft_id", metavar="ID", type=int)
@click.option("--reason", required=True, help="Why, for the author and the audit log.")
@expect_option
@user_option
@json_option
@click.pass_context
def review_reject(
    ctx: click.Context, draft_id: int, reason: str, expected: int | None, as_json: bool
) -> None:
    """Reject a submitted draft for good."""
    actor = login(ctx)
    view = services(ctx).review.reject(actor, draft_id, reason=reason, expected=expected)
    print_change(view, as_json, f"draft #{view.id} rejected")


@review.command("request-changes")
@click.argument("draft_id", metavar="ID", type=int)
@click.option("--reason", required=True, help="What to change, for the author.")
@expect_option
@user_option
@json_option
@click.pass_context
def review_request_changes(
    ctx: click.Context, draft_id: int, reason: str, expected: int | None, as_json: bool
) -> None:
    """Send a submitted draft back to its author with what to change."""
    actor = login(ctx)
    view = services(ctx).review.request_changes(actor, draft_id, reason=reason, expected=expected)
    print_change(view, as_json, f"draft #{view.id}: changes requested")


@review.command("override")
@click.argument("draft_id", metavar="ID", type=int)
@click.option("--reason", required=True, help="Why the blocking findings do not apply.")
@expect_option
@user_option
@json_option
@click.pass_context
def review_override(
    ctx: click.Context, draft_id: int, reason: str, expected: int | None, as_json: bool
) -> None:
    """Let a draft's current text go on despite its blocking findings (a reviewer who did
    not write it; the reason is audited; any edit voids it)."""
    actor = login(ctx)
    view = services(ctx).review.override_findings(actor, draft_id, reason=reason, expected=expected)
    print_change(view, as_json, f"draft #{view.id}: blocking findings overridden")


COMMANDS = (review,)
