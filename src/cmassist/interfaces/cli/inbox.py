"""`cmassist inbox ...`: incoming comments, mentions and messages imported, triaged, listed,
handled, answered with a draft reply, and crisis alerts with their holding statements."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from cmassist.interfaces.cli.drafting import print_draft
from cmassist.interfaces.cli.options import PLATFORM_CHOICES, brand_option, json_option, user_option
from cmassist.interfaces.cli.output import emit
from cmassist.interfaces.cli.session import login, services

if TYPE_CHECKING:
    from cmassist.services.inbox import InboxImportReport


@click.group()
def inbox() -> None:
    """Incoming comments, mentions and messages: import, triage, work the queue, crises."""


def _print_import(path: Path, report: InboxImportReport) -> None:
    for e in report.errors:
        click.echo(f"  rejected {e}", err=True)
    click.echo(
        f"{path.name}: {len(report.added)} added, {report.skipped} already in the inbox, "
        f"{len(report.errors)} rejected"
        + (
            f", {report.repaired} with broken characters (U+FFFD) removed"
            if report.repaired
            else ""
        )
        + (
            ""
            if report.added or not report.errors
            else "; nothing imported (fix the rows, or pass --skip-bad)"
        )
    )
    for a in report.open_alerts:
        click.echo(f"CRISIS ALERT #{a.id} {a.brand} {a.topic}: {a.reason}")


@inbox.command("import")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@brand_option
@click.option("--skip-bad", is_flag=True, help="Import the good rows even if some are bad.")
@click.option("--no-triage", is_flag=True, help="Store only; triage later (`inbox triage`).")
@json_option
@click.pass_context
def inbox_import(
    ctx: click.Context,
    path: Path,
    brand: str | None,
    skip_bad: bool,
    no_triage: bool,
    as_json: bool,
) -> None:
    """Import messages from a CSV, JSON or JSONL file (idempotent by id; see README).

    A file with a bad row imports nothing (exit 2), unless --skip-bad."""
    svc = services(ctx)
    report = svc.inbox.import_messages(
        path, brand=brand or svc.settings.brand, skip_bad=skip_bad, triage=not no_triage
    )
    if as_json:
        emit(report.public())
    else:
        _print_import(path, report)
    if report.errors:
        ctx.exit(2)


@inbox.command("triage")
@json_option
@click.pass_context
def inbox_triage(ctx: click.Context, as_json: bool) -> None:
    """Triage every message not triaged yet."""
    done = services(ctx).inbox.triage_all()
    if as_json:
        emit({"triaged": len(done.ids)})
    else:
        click.echo(f"{len(done.ids)} message(s) triaged")


@inbox.command("list")
@brand_option
@click.option("--platform", "-p", type=click.Choice(PLATFORM_CHOICES), default=None)
@click.option("--action", type=click.Choice(["reply", "escalate", "hide", "ignore"]), default=None)
@click.option("--sentiment", type=click.Choice(["negative", "neutral", "positive"]), default=None)
@click.option("--language", type=click.Choice(["fr", "en"]), default=None)
@click.option(
    "--status",
    type=click.Choice(["new", "handled", "hidden", "all"]),
    default="new",
    show_default=True,
)
@click.option("--limit", default=50, show_default=True, type=click.IntRange(1, 10_000))
@json_option
@click.pass_context
def inbox_list(
    ctx: click.Context,
    brand: str | None,
    platform: str | None,
    action: str | None,
    sentiment: str | None,
    language: str | None,
    status: str,
    limit: int,
    as_json: bool,
) -> None:
    """The queue, most urgent first, with the suggested action and why."""
    rows = services(ctx).inbox.list(
        brand=brand,
        platform=platform,
        action=action,
        sentiment=sentiment,
        language=language,
        status=None if status == "all" else status,
        limit=limit,
    )
    if as_json:
        emit({"messages": [r.model_dump(mode="json") for r in rows]})
        return
    for r in rows:
        why = (r.triage or {}).get("reasons", {}).get("action", "not triaged yet")
        click.echo(
            f"#{r.id:<5} {r.priority:>3} {r.action or '-':<8} {r.sentiment or '-':<8} "
            f"{r.platform:<9} {r.author[:16]:<16} {' '.join(r.text.split())[:70]}"
        )
        click.echo(f"       {why}")


@inbox.command("show")
@click.argument("message_id", metavar="ID", type=int)
@json_option
@click.pass_context
def inbox_show(ctx: click.Context, message_id: int, as_json: bool) -> None:
    """One message with every triage reason."""
    m = services(ctx).inbox.get(message_id)
    if as_json:
        emit({"message": m.model_dump(mode="json")})
        return
    click.echo(
        f"#{m.id} {m.brand} {m.platform} {m.kind} from {m.author} "
        f"at {m.received_at:%Y-%m-%d %H:%M} UTC"
    )
    click.echo(m.text)
    for what, why in (m.triage or {}).get("reasons", {}).items():
        click.echo(f"  {what:<11} {why}")


def _set_status(ctx: click.Context, ids: tuple[int, ...], status: str, reason: str) -> None:
    actor = login(ctx)
    n = services(ctx).inbox.set_status(actor, list(ids), status, reason=reason)
    click.echo(f"{n} message(s) {status if status != 'new' else 'reopened'}")


@inbox.command("hide")
@click.argument("ids", nargs=-1, type=int, required=True)
@click.option("--reason", default="", help="Why (kept in the audit log).")
@user_option
@click.pass_context
def inbox_hide(ctx: click.Context, ids: tuple[int, ...], reason: str) -> None:
    """Hide messages (spam, abuse) from the queue."""
    _set_status(ctx, ids, "hidden", reason)


@inbox.command("handled")
@click.argument("ids", nargs=-1, type=int, required=True)
@click.option("--reason", default="", help="Why (kept in the audit log).")
@user_option
@click.pass_context
def inbox_handled(ctx: click.Context, ids: tuple[int, ...], reason: str) -> None:
    """Mark messages handled."""
    _set_status(ctx, ids, "handled", reason)


@inbox.command("draft")
@click.argument("message_id", metavar="ID", type=int)
@user_option
@json_option
@click.pass_context
def inbox_draft(ctx: click.Context, message_id: int, as_json: bool) -> None:
    """Draft a reply to a message and save it for review. When no candidate reply is good
    enough, nothing is saved: it says why each was dropped and what to start from (past
    replies, facts), then fails with exit code 5."""
    from cmassist.services.replies import NoGoodReply

    actor = login(ctx)
    try:
        v = services(ctx).replies.draft_reply(actor, message_id).saved
    except NoGoodReply as e:
        if not as_json:
            print_draft(e.draft)  # the honest path; the one-line error follows on stderr
            raise
        emit({"error": e.to_dict(), "no_good_draft": e.draft.public()})
        click.echo(f"cmassist: error: {e}", err=True)
        ctx.exit(e.exit_code)
    if as_json:
        emit({"draft": v.model_dump(mode="json")})
        return
    click.echo(f"draft #{v.id} saved for review")
    click.echo(v.text)


@inbox.command("alerts")
@click.option("--all", "show_all", is_flag=True, help="Closed alerts too.")
@json_option
@click.pass_context
def inbox_alerts(ctx: click.Context, show_all: bool, as_json: bool) -> None:
    """Crisis alerts: spikes of negative messages on one topic."""
    alerts = services(ctx).inbox.alerts(status=None if show_all else "open")
    if as_json:
        emit({"alerts": [a.model_dump(mode="json") for a in alerts]})
        return
    if not alerts:
        click.echo("no open crisis alert")
    for a in alerts:
        click.echo(
            f"#{a.id} [{a.status}] {a.brand} {a.topic}: {a.reason}; messages {a.message_ids}"
        )


@inbox.command("holding")
@click.argument("alert_id", metavar="ALERT", type=int)
@user_option
@json_option
@click.pass_context
def inbox_holding(ctx: click.Context, alert_id: int, as_json: bool) -> None:
    """Draft the holding statement for a crisis alert from the crisis guidelines."""
    actor = login(ctx)
    views = services(ctx).crisis.holding_drafts(actor, alert_id)
    if as_json:
        emit({"drafts": [v.model_dump(mode="json") for v in views]})
        return
    for v in views:
        click.echo(f"draft #{v.id} ({v.language}) saved for review:\n{v.text}\n")


COMMANDS = (inbox,)
