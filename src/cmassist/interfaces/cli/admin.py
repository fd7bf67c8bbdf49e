"""`cmassist users ...` and `audit`: who may write, review and administer drafts, and the log
of who did what, listed or exported."""

from __future__ import annotations

import csv
import io
import json
import os
import tempfile
from contextlib import suppress
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from cmassist.domain.errors import ForbiddenError, InputError
from cmassist.interfaces.cli.options import LazyChoice, json_option, user_option, user_roles
from cmassist.interfaces.cli.output import emit, one_line, when
from cmassist.interfaces.cli.session import ask_secret, login, services

if TYPE_CHECKING:
    from cmassist.services.review import Actor, ReviewService


def require_admin(review: ReviewService, actor: Actor, action: str, what: str) -> None:
    """Refuse (exit 6, audited) unless `actor` is an admin."""
    if actor.role != "admin":
        error = ForbiddenError(f"{actor.name} ({actor.role}) may not {what}", "ask an admin")
        review.audit_refusal(actor.name, action, error)
        raise error


@click.group()
def users() -> None:
    """Who may write, review and administer drafts.

    The very first user of an empty install is created without logging in and must be an
    admin; after that only an admin (--user) may add or disable users.
    """


@users.command("add")
@click.argument("name")
@click.option("--role", type=LazyChoice(user_roles), required=True, help="What the user may do.")
@click.option("--display-name", default="", help="Shown in the app (default: NAME).")
@user_option
@json_option
@click.pass_context
def users_add(ctx: click.Context, name: str, role: str, display_name: str, as_json: bool) -> None:
    """Add a user. The password comes from a hidden prompt (asked twice), or from
    CMASSIST_NEW_PASSWORD for scripts."""
    review = services(ctx).review
    bootstrap = not review.has_users()
    if bootstrap:
        if role != "admin":
            raise InputError(
                "the first user must be an admin", f"cmassist users add {name} --role admin"
            )
        by = "bootstrap"
    else:
        admin = login(ctx)
        require_admin(review, admin, "user_add", "add users")
        by = admin.name
    password = os.environ.get("CMASSIST_NEW_PASSWORD")
    if password is None:
        password = ask_secret(
            f"Password for new user {name}", "CMASSIST_NEW_PASSWORD", InputError, confirm=True
        )
    user = review.add_user(name, password, role, display_name=display_name, by=by)
    if as_json:
        shown = {"name": user.name, "role": user.role, "display_name": display_name or user.name}
        emit({"user": shown, "bootstrap": bootstrap})
    else:
        click.echo(f"added {user.name} as {user.role}" + (" (first admin)" if bootstrap else ""))


@users.command("list")
@user_option
@json_option
@click.pass_context
def users_list(ctx: click.Context, as_json: bool) -> None:
    """List the users, their roles and whether they are disabled."""
    review = services(ctx).review
    if review.has_users():
        login(ctx)
    rows = review.list_users()
    if as_json:
        emit({"users": rows})
        return
    if not rows:
        click.echo("no users yet: cmassist users add NAME --role admin")
    for u in rows:
        state = "disabled" if u["disabled"] else "enabled"
        click.echo(f"{u['name']:<20} {u['role']:<9} {state:<9} {u['display_name']}")


@users.command("disable")
@click.argument("name")
@click.option("--reason", default="", help="Why, for the audit log.")
@user_option
@json_option
@click.pass_context
def users_disable(ctx: click.Context, name: str, reason: str, as_json: bool) -> None:
    """Disable a user: they can no longer log in. Their drafts and decisions stay."""
    review = services(ctx).review
    admin = login(ctx)
    require_admin(review, admin, "user_disable", "disable users")
    review.disable_user(name, by=admin.name, reason=reason)  # never the caller's own account
    if as_json:
        emit({"user": {"name": name.strip().lower(), "disabled": True}})
    else:
        click.echo(f"disabled {name.strip().lower()}")


def write_atomically(path: Path, text: str) -> None:
    """Write to a temporary file beside `path`, then rename: readers never see half a file,
    and a failed export leaves any previous one intact."""
    path = path.expanduser()
    folder = path.parent if str(path.parent) else Path(".")
    try:
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as e:
        raise InputError(
            f"cannot write to {folder} ({e.strerror})", "choose another --output"
        ) from e
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except OSError as e:
        with suppress(OSError):
            os.unlink(tmp)
        raise InputError(f"cannot write {path} ({e.strerror})", "choose another --output") from e
    except BaseException:
        with suppress(OSError):
            os.unlink(tmp)
        raise


def _export(review: ReviewService, fmt: str, output: Path, as_json: bool, **filters: Any) -> None:
    text = review.export_audit(fmt, **filters)
    write_atomically(output, text)
    rows = json.loads(text) if fmt == "json" else list(csv.DictReader(io.StringIO(text)))
    if as_json:
        emit({"exported": str(output), "format": fmt, "entries": len(rows)})
    else:
        click.echo(f"wrote {len(rows)} audit entries to {output} ({fmt})")


@click.command()
@click.option("--draft", "draft_id", type=int, default=None, help="Only this draft.")
@click.option("--actor", default=None, help="Only what this user did.")
@click.option("--action", default=None, help="Only this action (approved, refused, ...).")
@click.option("--limit", default=50, show_default=True, type=click.IntRange(1, 100_000))
@click.option(
    "--export",
    "fmt",
    type=click.Choice(["csv", "json"]),
    default=None,
    help="Write every matching entry (oldest first, no limit) to --output.",
)
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), default=None)
@user_option
@json_option
@click.pass_context
def audit(
    ctx: click.Context,
    draft_id: int | None,
    actor: str | None,
    action: str | None,
    limit: int,
    fmt: str | None,
    output: Path | None,
    as_json: bool,
) -> None:
    """The audit log, newest first: who did what to which draft, when and why."""
    if (fmt is None) != (output is None):
        raise InputError(
            "--export and --output go together", "e.g. --export csv --output audit.csv"
        )
    login(ctx)
    svc = services(ctx).review
    filters: dict[str, Any] = {"draft_id": draft_id, "actor": actor, "action": action}
    if fmt and output:
        _export(svc, fmt, output, as_json, **filters)
        return
    rows = svc.audit_log(limit=limit, **filters)
    if as_json:
        emit({"audit": [r.model_dump(mode="json") for r in rows]})
        return
    if not rows:
        click.echo("no audit entries")
    for r in rows:
        target = f"#{r.draft_id}" if r.draft_id is not None else "-"
        why = f"  {one_line(r.reason, 80)}" if r.reason else ""
        attempted = r.details.get("attempted")
        what = f"{r.action} ({attempted})" if attempted else r.action
        click.echo(f"{when(r.at)}  {r.actor:<14} {what:<24} {target:<6}{why}".rstrip())


COMMANDS = (users, audit)
