"""The `cmassist` command: drafting (ingest, ideas, draft, reply, search, brands, platforms,
serve) and the review workflow (users, review, schedule, publish, worker, pause, resume,
audit).

Every command takes `--json` for scripts. Errors are one line on stderr (and a JSON
object on stdout with `--json`) with a non-zero exit code: 2 bad input, 3 configuration,
4 knowledge store, 5 LLM, 6 login or permission refused, 7 conflict (someone changed the
draft first), 8 publishing blocked.

Commands that read or change review data act as a user: `--user NAME` (or CMASSIST_USER),
with the password from CMASSIST_PASSWORD or a hidden prompt.
"""

from __future__ import annotations

import csv
import difflib
import io
import json
import os
import signal
import sys
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click

from cmassist import __version__
from cmassist.domain.passwords import ROLES
from cmassist.config import Settings
from cmassist.domain.errors import (
    AuthError,
    CmassistError,
    ForbiddenError,
    InputError,
)
from cmassist.domain.models import Draft, Kind
from cmassist.domain.platforms import PLATFORMS, table
from cmassist.services.review import STATES, Actor, DraftView, ReviewService
from cmassist.bootstrap import Services

PLATFORM_CHOICES = sorted(PLATFORMS)


def _services(ctx: click.Context) -> Services:
    obj = ctx.ensure_object(dict)
    if "services" not in obj:
        obj["services"] = Services(Settings())
    return obj["services"]


def json_option(f: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")(f)


def brand_option(f: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--brand", "-b", default=None, help="Brand name (default: CMASSIST_BRAND, 'boreale')."
    )(f)


def _emit(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


# -- acting as a user -------------------------------------------------------------------

# The user named on the group (`cmassist --user ana review list`, or CMASSIST_USER) or on
# the command (`cmassist review list --user ana`); the command's wins. ctx.meta is shared
# by every context of one invocation.
_USER = "cmassist.user"
USER_HELP = "Act as this user (default: CMASSIST_USER); password: CMASSIST_PASSWORD or a prompt."


def _remember_user(ctx: click.Context, _param: click.Parameter, value: str | None) -> None:
    if value and value.strip():
        ctx.meta[_USER] = value.strip()


def user_option(f: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--user",
        metavar="NAME",
        expose_value=False,
        callback=_remember_user,
        help=USER_HELP,
    )(f)


def _ask_secret(prompt: str, env: str, error: type[CmassistError], *, confirm: bool) -> str:
    """A hidden prompt, only when someone can answer it: scripts and cron jobs get an error
    naming the variable instead of a process that waits forever."""
    if sys.stdin is None or not sys.stdin.isatty():
        raise error(
            f"{prompt.lower()} is needed and standard input is not a terminal to ask for it",
            f"set {env}",
        )
    return str(click.prompt(prompt, hide_input=True, confirmation_prompt=confirm, err=True))


def _login(ctx: click.Context) -> Actor:
    """The authenticated user of this command.

    Failed logins (unknown user, wrong password, disabled account) are audited by the
    review service and end with exit code 6.
    """
    name = ctx.meta.get(_USER)
    review = _services(ctx).review
    if not name:
        if not review.has_users():
            raise AuthError(
                "no users yet", "create the first admin: cmassist users add NAME --role admin"
            )
        raise AuthError("this command needs a user", "pass --user NAME or set CMASSIST_USER")
    password = os.environ.get("CMASSIST_PASSWORD")
    if password is None:
        password = _ask_secret(
            f"Password for {name}", "CMASSIST_PASSWORD", AuthError, confirm=False
        )
    return review.authenticate(name, password)


def _maybe_login(ctx: click.Context) -> Actor | None:
    """The authenticated user if one is named, else None (commands that work without)."""
    return _login(ctx) if ctx.meta.get(_USER) else None


def _require_admin(review: ReviewService, actor: Actor, action: str, what: str) -> None:
    if actor.role != "admin":
        error = ForbiddenError(f"{actor.name} ({actor.role}) may not {what}", "ask an admin")
        review.audit_refusal(actor.name, action, error)
        raise error


def _read_arg(value: str) -> str:
    """'-' reads the text from standard input (long briefs, comments with quotes)."""
    return sys.stdin.read() if value == "-" else value


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="cmassist")
@click.option(
    "--user",
    metavar="NAME",
    envvar="CMASSIST_USER",
    expose_value=False,
    callback=_remember_user,
    help=USER_HELP,
)
def cli() -> None:
    """cmassist: drafts posts and replies in your brand's voice, from its own guidelines
    and past posts. Runs offline by default; see README for LLM and store configuration.

    Nothing is published until a second person approved it: see `cmassist review --help`.
    """


@cli.command()
@click.argument("paths", nargs=-1, required=True)
@brand_option
@click.option(
    "--kind",
    type=click.Choice(["posts", "replies", "guidelines"]),
    default=None,
    help="Force the kind of data files (default: from their columns).",
)
@json_option
@click.pass_context
def ingest(
    ctx: click.Context, paths: tuple[str, ...], brand: str | None, kind: str | None, as_json: bool
) -> None:
    """Ingest guideline documents (.md) and past posts/replies (.csv, .json, .jsonl).

    Folders are read recursively (README files are skipped). Ingesting the same files
    again adds nothing; changed files update only what changed.
    """
    from cmassist.services.ingest import ingest as run_ingest

    services = _services(ctx)
    bar = None

    def progress(done: int, total: int) -> None:
        nonlocal bar
        if as_json or total < 200:
            return
        if bar is None:
            from tqdm import tqdm

            bar = tqdm(total=total, unit="rec", desc="ingest", file=sys.stderr, disable=None)
        bar.update(done - bar.n)

    try:
        report = run_ingest(services.store, paths, brand=brand, kind=kind, progress=progress)
    finally:
        if bar is not None:
            bar.close()
    if as_json:
        _emit(report.public())
    else:
        for f in report.files:
            if f.error:
                click.echo(f"skipped  {f.error}", err=True)
                continue
            click.echo(
                f"{f.kind:<10} {f.path}: +{f.added} added, ~{f.updated} updated, "
                f"={f.unchanged} unchanged, !{f.rejected} rejected"
                + (f", -{f.removed} removed" if f.removed else "")
                + f" (brand {f.brand})"
            )
            for problem in f.problems:
                click.echo(f"  rejected {problem}", err=True)
        click.echo(report.summary())
    if not report.ok:
        ctx.exit(InputError.exit_code)


def _print_draft(d: Draft, streamed: str | None = None) -> None:
    head = f"── {d.kind} {d.variant}" + (f" · {d.platform}" if d.platform else "")
    if d.limit:
        head += f" · {d.length}/{d.limit} chars"
    if streamed is None:
        click.echo(head)
        click.echo(d.text)
    elif d.text != streamed.strip():
        click.echo(f"\n  (final, after fitting: {'; '.join(d.notes)})\n{d.text}")
    else:
        click.echo()
    for note in d.notes if streamed is None else []:
        click.echo(f"  note: {note}")
    if d.sources:
        click.echo(
            "  sources: " + "; ".join(f"{s.kind.value} {s.title or s.id}" for s in d.sources[:6])
        )
    click.echo()


Saver = Callable[[Sequence[Draft]], list[int | None]]


def _saver(ctx: click.Context, actor: Actor, context: str, platform: str | None = None) -> Saver:
    """Keeps generated drafts in the review store; returns their ids (None: empty, not kept)."""
    review = _services(ctx).review

    def save(drafts: Sequence[Draft]) -> list[int | None]:
        ids: list[int | None] = []
        for d in drafts:  # one at a time, so every id belongs to its own draft
            views = review.save_generated(actor, [d], context=context, platform=platform)
            ids.append(views[0].id if views else None)
        return ids

    return save


def _run_stream(events: Iterator[Any], as_json: bool, key: str, save: Saver | None = None) -> None:
    drafts: list[Draft] = []
    live = not as_json and sys.stdout.isatty()
    current: tuple[int, str | None] | None = None
    streamed = ""
    for event in events:
        if event.type == "token" and live and key != "ideas":
            if current != (event.variant, event.platform):
                current = (event.variant, event.platform)
                streamed = ""
                click.echo(
                    f"── {key[:-1]} {event.variant}"
                    + (f" · {event.platform}" if event.platform else "")
                )
            streamed += event.text
            click.echo(event.text, nl=False)
        elif event.draft is not None:
            drafts.append(event.draft)
            if not as_json:
                if live and key != "ideas":
                    _print_draft(event.draft, streamed)
                elif key == "ideas":
                    click.echo(f"{event.draft.variant}. {event.draft.text}")
                else:
                    _print_draft(event.draft)
    ids = save(drafts) if save else []
    if as_json:
        items = [d.public() for d in drafts]
        for item, draft_id in zip(items, ids, strict=False):
            item["draft_id"] = draft_id
        _emit({key: items})
        return
    if key == "ideas" and drafts and drafts[0].sources:
        click.echo(
            "\nsources: "
            + "; ".join(f"{s.kind.value} {s.title or s.id}" for s in drafts[0].sources[:6])
        )
    if save:
        kept = [
            f"#{i}" + (f" ({d.platform})" if d.platform else "")
            for d, i in zip(drafts, ids, strict=True)
            if i is not None
        ]
        if kept:
            click.echo(
                f"saved for review: {', '.join(kept)}; submit with `cmassist review submit ID`"
            )
        else:
            click.echo("nothing saved: every draft came back empty", err=True)


@cli.command()
@click.argument("topic")
@click.option("--count", "-n", default=5, show_default=True, type=int, help="How many ideas.")
@brand_option
@click.option("--language", "-l", default=None, help="fr or en (default: the topic's).")
@click.option("--seed", type=int, default=None, help="Seed, for reproducible output.")
@json_option
@click.pass_context
def ideas(
    ctx: click.Context,
    topic: str,
    count: int,
    brand: str | None,
    language: str | None,
    seed: int | None,
    as_json: bool,
) -> None:
    """Post ideas for a TOPIC or goal ('-' reads it from stdin)."""
    events = _services(ctx).drafting.stream_ideas(
        _read_arg(topic), brand=brand, count=count, language=language, seed=seed
    )
    _run_stream(events, as_json, "ideas")


@cli.command()
@click.argument("brief")
@click.option(
    "--platform",
    "-p",
    "platforms",
    multiple=True,
    required=True,
    help=f"Target platform, repeatable: {', '.join(PLATFORM_CHOICES)}.",
)
@click.option(
    "--variants", "-n", default=1, show_default=True, type=int, help="Variants per platform."
)
@brand_option
@click.option("--language", "-l", default=None, help="fr or en (default: the brief's).")
@click.option("--seed", type=int, default=None, help="Seed, for reproducible output.")
@user_option
@json_option
@click.pass_context
def draft(
    ctx: click.Context,
    brief: str,
    platforms: tuple[str, ...],
    variants: int,
    brand: str | None,
    language: str | None,
    seed: int | None,
    as_json: bool,
) -> None:
    """Post drafts from a BRIEF ('-' reads it from stdin), fitted to each platform.

    With a user (--user or CMASSIST_USER) the drafts are saved in the review store and
    their ids printed, ready for `cmassist review submit ID`. Without one nothing is
    saved: the drafts are only printed.
    """
    actor = _maybe_login(ctx)
    brief = _read_arg(brief)
    events = _services(ctx).drafting.stream_posts(
        brief,
        brand=brand,
        platforms=platforms,
        variants=variants,
        language=language,
        seed=seed,
    )
    _run_stream(events, as_json, "drafts", _saver(ctx, actor, brief) if actor else None)


@cli.command()
@click.argument("comment")
@click.option("--platform", "-p", default=None, help="Platform the comment was posted on.")
@click.option("--variants", "-n", default=1, show_default=True, type=int)
@brand_option
@click.option("--language", "-l", default=None, help="fr or en (default: the comment's).")
@click.option("--seed", type=int, default=None, help="Seed, for reproducible output.")
@user_option
@json_option
@click.pass_context
def reply(
    ctx: click.Context,
    comment: str,
    platform: str | None,
    variants: int,
    brand: str | None,
    language: str | None,
    seed: int | None,
    as_json: bool,
) -> None:
    """Suggested replies to a customer's COMMENT ('-' reads it from stdin).

    With a user (--user or CMASSIST_USER) the replies are saved in the review store and
    their ids printed. Without one nothing is saved: the replies are only printed.
    """
    actor = _maybe_login(ctx)
    comment = _read_arg(comment)
    events = _services(ctx).drafting.stream_replies(
        comment,
        brand=brand,
        platform=platform,
        variants=variants,
        language=language,
        seed=seed,
    )
    save = _saver(ctx, actor, comment, platform) if actor else None
    _run_stream(events, as_json, "replies", save)


@cli.command()
@click.argument("query")
@brand_option
@click.option(
    "--kind",
    type=click.Choice([k.value for k in (Kind.GUIDELINE, Kind.POST, Kind.REPLY)]),
    default=None,
    help="Only this kind of record.",
)
@click.option("-k", "limit", default=5, show_default=True, type=click.IntRange(1, 100))
@json_option
@click.pass_context
def search(
    ctx: click.Context, query: str, brand: str | None, kind: str | None, limit: int, as_json: bool
) -> None:
    """Search the brand's knowledge store."""
    services = _services(ctx)
    if not query.strip():
        raise InputError("the query is empty", "type words to search for")
    hits = services.store.search(
        brand or services.settings.brand, query, kind=Kind(kind) if kind else None, k=limit
    )
    if as_json:
        _emit(
            {
                "results": [
                    {
                        "id": h.id,
                        "kind": h.kind.value,
                        "score": round(h.score or 0, 4),
                        "text": h.text,
                        "metadata": h.metadata,
                    }
                    for h in hits
                ]
            }
        )
        return
    for h in hits:
        label = h.metadata.get("heading") or h.metadata.get("platform") or ""
        click.echo(
            f"{h.score or 0:.3f}  {h.kind.value:<9} {label}\n       "
            + " ".join(h.text.split())[:160]
        )


def _print_findings(text: str, result: dict[str, Any], indent: str = "") -> None:
    """Findings as a reviewer reads them: where, what, why (cited), and the fix."""
    voice = result.get("voice") or {}
    head = f"{result['verdict'].upper()} · score {result['score']}/100"
    if voice:
        head += f" · voice {voice['score']}/100"
    if result.get("limit"):
        head += f" · {result.get('chars')}/{result['limit']} chars"
    click.echo(indent + head)
    for f in result["findings"]:
        line = text[: f["start"]].count("\n") + 1
        col = f["start"] - (text.rfind("\n", 0, f["start"]) + 1) + 1
        words = text[f["start"] : f["end"]]
        shown = f" “{_one_line(words, 50)}”" if words.strip() else ""
        click.echo(f"{indent}  {line}:{col} {f['severity']:<5} {f['rule']}{shown}")
        click.echo(f"{indent}      {f['message']}")
        if f.get("suggestion"):
            click.echo(f"{indent}      fix: {f['suggestion']}")
        c = f.get("citation")
        if c:
            where = f"{c['source']}:{c['line']}" if c.get("line") else c["source"]
            heading = c.get("heading", "").split(" > ")[-1]
            click.echo(f"{indent}      see {where} ({heading}): {_one_line(c['excerpt'], 160)}")
    for n in result.get("notices", []):
        click.echo(f"{indent}  note: {n}")


def _text_arg(text: str | None, file: str | None) -> str:
    if file:
        path = Path(file)
        try:
            data = path.read_bytes()
        except OSError as e:
            raise InputError(f"{file}: cannot read ({e.strerror or e})", "check the path") from e
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise InputError(
                f"{file}: not UTF-8 text (it looks binary)", "save it as UTF-8 plain text"
            ) from None
    if text is None:
        raise InputError("no text to check", "give TEXT, '-' for standard input, or --file")
    return _read_arg(text)


def text_options(f: Callable[..., Any]) -> Callable[..., Any]:
    """TEXT (or '-', or --file), --platform, --brand, --kind and --language: what a text to
    check or rewrite needs."""
    for option in reversed(
        [
            click.argument("text", required=False),
            click.option("--file", "-f", "file", default=None, help="Read the text from a file."),
            click.option("--platform", "-p", required=True, help="Platform the text is for."),
            brand_option,
            click.option(
                "--kind", type=click.Choice(["post", "reply"]), default="post", show_default=True
            ),
            click.option("--language", "-l", default=None, help="fr or en (default: detected)."),
        ]
    ):
        f = option(f)
    return f


@cli.command()
@text_options
@click.option("--sponsored", is_flag=True, help="A paid or partnership post (ad disclosure).")
@click.option(
    "--fail-on",
    type=click.Choice(["block", "warn", "never"]),
    default="block",
    show_default=True,
    help="Exit 1 when the verdict is this bad, for scripts and CI.",
)
@json_option
@click.pass_context
def check(
    ctx: click.Context,
    text: str | None,
    file: str | None,
    platform: str,
    brand: str | None,
    kind: str,
    sponsored: bool,
    language: str | None,
    fail_on: str,
    as_json: bool,
) -> None:
    """Check TEXT against the brand's guidelines: findings with their guideline, and fixes.

    Prints {"score", "verdict", "findings": [{"rule", "severity", "start", "end",
    "message", "citation": {"source", "excerpt"}, "suggestion"}]} with --json.
    """
    services = _services(ctx)
    body = _text_arg(text, file)
    result = services.checker.check(
        body,
        platform=platform,
        brand=brand or services.settings.brand,
        kind=kind,
        sponsored=sponsored,
        language=language,
    )
    data = result.public()
    if as_json:
        _emit(data)
    else:
        _print_findings(body, data)
    bad = {"block": ("block",), "warn": ("block", "warn"), "never": ()}[fail_on]
    if result.verdict in bad:
        ctx.exit(1)


@cli.command()
@text_options
@click.option("--seed", type=int, default=None, help="Seed, for reproducible output.")
@json_option
@click.pass_context
def rewrite(
    ctx: click.Context,
    text: str | None,
    file: str | None,
    platform: str,
    brand: str | None,
    kind: str,
    language: str | None,
    seed: int | None,
    as_json: bool,
) -> None:
    """Rewrite TEXT in the brand's voice, keeping its facts, and check the rewrite."""
    services = _services(ctx)
    body = _text_arg(text, file)
    brand = brand or services.settings.brand
    before = services.checker.check(body, platform=platform, brand=brand, kind=kind)
    problems = [f.message for f in before.findings][:8]
    drafts = [
        e.draft
        for e in services.drafting.stream_rewrite(
            body,
            platform=platform,
            kind=kind,
            brand=brand,
            language=language,
            problems=problems,
            findings=before.findings,  # the original is not checked twice
            seed=seed,
        )
        if e.draft is not None
    ]
    d = drafts[0]
    if as_json:
        _emit({"before": before.public(), "rewrite": d.public()})
        return
    click.echo("before:")
    _print_findings(body, before.public(), "  ")
    click.echo(f"\nrewrite:\n{d.text}\n")
    for note in d.notes:
        click.echo(f"  note: {note}")
    if d.check:
        _print_findings(d.text, d.check, "  ")


@cli.command()
@json_option
@click.pass_context
def brands(ctx: click.Context, as_json: bool) -> None:
    """List the brands in the store and what each holds."""
    infos = _services(ctx).store.brands()
    if as_json:
        _emit({"brands": [{"brand": b.slug, "name": b.name, "counts": b.counts} for b in infos]})
        return
    if not infos:
        click.echo("no brands yet: cmassist ingest PATH --brand NAME")
    for b in infos:
        counts = ", ".join(f"{n} {k}s" for k, n in b.counts.items())
        click.echo(f"{b.slug:<16} {b.name} ({counts})")


@cli.command()
@json_option
def platforms(as_json: bool) -> None:
    """The platforms and their limits."""
    rows = table()
    if as_json:
        _emit({"platforms": rows})
        return
    for r in rows:
        tags = f", {r['max_hashtags']} hashtags max" if r["max_hashtags"] else ""
        link = f", links count {r['link_chars']}" if r["link_chars"] else ""
        click.echo(f"{r['platform']:<10} {r['name']:<12} {r['max_chars']} chars{tags}{link}")


@cli.command()
@click.option("--host", default=None, help="Interface to listen on (default CMASSIST_HOST).")
@click.option("--port", default=None, type=int, help="Port (default CMASSIST_PORT, 7860).")
@click.option("--no-warm-up", is_flag=True, help="Do not load the models before serving.")
@click.option(
    "--no-worker",
    is_flag=True,
    help="Do not publish from this server (run `cmassist worker` apart instead).",
)
@json_option
@click.pass_context
def serve(
    ctx: click.Context,
    host: str | None,
    port: int | None,
    no_warm_up: bool,
    no_worker: bool,
    as_json: bool,
) -> None:
    """Serve the Gradio app; it asks for a login (see `cmassist users`). With no user yet,
    CMASSIST_ADMIN_USER and CMASSIST_ADMIN_PASSWORD create the first admin.

    The server also publishes: a worker thread sends the due posts every
    CMASSIST_PUBLISH_INTERVAL seconds (60), unless --no-worker."""
    from cmassist.interfaces.web.app import AUTH_MESSAGE, app_auth, build_app

    services = _services(ctx)
    settings = services.settings
    auth = app_auth(services)  # refuses (one line, exit 3) when nobody could log in
    if not no_warm_up:
        services.embedder.embed_one("warm up")
        services.llm.warm_up()
    app = build_app(services)
    host = host or settings.host
    port = port or settings.port
    if as_json:
        _emit(
            {
                "url": f"http://{host}:{port}",
                "llm": services.llm.describe(),
                "publishing_worker": not no_worker,
            }
        )
    import uvicorn

    from cmassist.interfaces.http.inbox_api import build_server

    server, _ = build_server(services, app, auth=auth, auth_message=AUTH_MESSAGE, show_error=True)
    if not settings.inbox_token:
        click.echo("inbox endpoint off: set CMASSIST_INBOX_TOKEN to receive messages over HTTP")
    if no_worker:
        click.echo("publishing worker off: run `cmassist worker` so that scheduled posts go out")
    else:
        worker = services.start_publishing_worker()
        click.echo(f"publishing worker on: a pass every {worker.interval:g} s")
    try:
        uvicorn.run(server, host=host, port=port, log_level="warning")
    finally:
        services.stop_publishing_worker()


# -- inbox ------------------------------------------------------------------------------


@cli.group()
def inbox() -> None:
    """Incoming comments, mentions and messages: import, triage, work the queue, crises."""


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
    svc = _services(ctx)
    report = svc.inbox.import_file(path, brand=brand or svc.settings.brand, skip_bad=skip_bad)
    triaged = [] if no_triage or not report.added else _triage_all(svc)
    alerts = svc.inbox.alerts()
    if as_json:
        _emit({**report.public(), "triaged": len(triaged), "open_alerts": len(alerts)})
    else:
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
        for a in alerts:
            click.echo(f"CRISIS ALERT #{a.id} {a.brand} {a.topic}: {a.reason}")
    if report.errors:
        ctx.exit(2)


def _triage_all(svc: Services) -> list[int]:
    done: list[int] = []
    while True:
        batch = svc.inbox.triage_pending(limit=256)
        if not batch:
            return done
        done.extend(batch)


@inbox.command("triage")
@json_option
@click.pass_context
def inbox_triage(ctx: click.Context, as_json: bool) -> None:
    """Triage every message not triaged yet."""
    done = _triage_all(_services(ctx))
    _emit({"triaged": len(done)}) if as_json else click.echo(f"{len(done)} message(s) triaged")


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
    rows = _services(ctx).inbox.list(
        brand=brand,
        platform=platform,
        action=action,
        sentiment=sentiment,
        language=language,
        status=None if status == "all" else status,
        limit=limit,
    )
    if as_json:
        _emit({"messages": [r.model_dump(mode="json") for r in rows]})
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
    m = _services(ctx).inbox.get(message_id)
    if as_json:
        _emit({"message": m.model_dump(mode="json")})
        return
    click.echo(
        f"#{m.id} {m.brand} {m.platform} {m.kind} from {m.author} "
        f"at {m.received_at:%Y-%m-%d %H:%M} UTC"
    )
    click.echo(m.text)
    for what, why in (m.triage or {}).get("reasons", {}).items():
        click.echo(f"  {what:<11} {why}")


def _set_status(ctx: click.Context, ids: tuple[int, ...], status: str, reason: str) -> None:
    actor = _login(ctx)
    n = _services(ctx).inbox.set_status(actor, list(ids), status, reason=reason)
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
    """Draft a reply to a message and save it for review."""
    actor = _login(ctx)
    svc = _services(ctx)
    m = svc.inbox.get(message_id)
    drafts = svc.drafting.suggest_replies(m.text, brand=m.brand, platform=m.platform)
    views = svc.review.save_generated(actor, drafts, context=m.text, platform=m.platform)
    if not views:
        raise InputError("the model returned no reply", "try again, or write the reply yourself")
    svc.inbox.link_draft(actor, m.id, views[0].id)
    v = views[0]
    if as_json:
        _emit({"draft": v.model_dump(mode="json")})
        return
    click.echo(f"draft #{v.id} saved for review")
    click.echo(v.text)


@inbox.command("alerts")
@click.option("--all", "show_all", is_flag=True, help="Closed alerts too.")
@json_option
@click.pass_context
def inbox_alerts(ctx: click.Context, show_all: bool, as_json: bool) -> None:
    """Crisis alerts: spikes of negative messages on one topic."""
    alerts = _services(ctx).inbox.alerts(status=None if show_all else "open")
    if as_json:
        _emit({"alerts": [a.model_dump(mode="json") for a in alerts]})
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
    actor = _login(ctx)
    views = _services(ctx).crisis_drafts(actor, alert_id)
    if as_json:
        _emit({"drafts": [v.model_dump(mode="json") for v in views]})
        return
    for v in views:
        click.echo(f"draft #{v.id} ({v.language}) saved for review:\n{v.text}\n")


@cli.command()
@click.argument("text", required=False)
@click.option("--file", "path", type=click.Path(dir_okay=False, path_type=Path), default=None)
@json_option
def redact(text: str | None, path: Path | None, as_json: bool) -> None:
    """Replace personal data (emails, phones, addresses, cards, IBANs, order numbers)."""
    from cmassist.domain.redact import redact as do_redact

    if path is not None:
        raw = path.read_bytes()
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise InputError(f"{path} is not UTF-8 text", "save it as UTF-8") from None
    elif text is None or text == "-":
        text = click.get_text_stream("stdin").read()
    r = do_redact(text)
    if as_json:
        _emit({"text": r.text, "found": [p.__dict__ for p in r.found]})
    else:
        click.echo(r.text)


# -- users ------------------------------------------------------------------------------


@cli.group()
def users() -> None:
    """Who may write, review and administer drafts.

    The very first user of an empty install is created without logging in and must be an
    admin; after that only an admin (--user) may add or disable users.
    """


@users.command("add")
@click.argument("name")
@click.option("--role", type=click.Choice(ROLES), required=True, help="What the user may do.")
@click.option("--display-name", default="", help="Shown in the app (default: NAME).")
@user_option
@json_option
@click.pass_context
def users_add(ctx: click.Context, name: str, role: str, display_name: str, as_json: bool) -> None:
    """Add a user. The password comes from a hidden prompt (asked twice), or from
    CMASSIST_NEW_PASSWORD for scripts."""
    review = _services(ctx).review
    bootstrap = not review.has_users()
    if bootstrap:
        if role != "admin":
            raise InputError(
                "the first user must be an admin", f"cmassist users add {name} --role admin"
            )
        by = "bootstrap"
    else:
        admin = _login(ctx)
        _require_admin(review, admin, "user_add", "add users")
        by = admin.name
    password = os.environ.get("CMASSIST_NEW_PASSWORD")
    if password is None:
        password = _ask_secret(
            f"Password for new user {name}", "CMASSIST_NEW_PASSWORD", InputError, confirm=True
        )
    user = review.add_user(name, password, role, display_name=display_name, by=by)
    if as_json:
        shown = {"name": user.name, "role": user.role, "display_name": display_name or user.name}
        _emit({"user": shown, "bootstrap": bootstrap})
    else:
        click.echo(f"added {user.name} as {user.role}" + (" (first admin)" if bootstrap else ""))


@users.command("list")
@user_option
@json_option
@click.pass_context
def users_list(ctx: click.Context, as_json: bool) -> None:
    """List the users, their roles and whether they are disabled."""
    review = _services(ctx).review
    if review.has_users():
        _login(ctx)
    rows = review.list_users()
    if as_json:
        _emit({"users": rows})
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
    review = _services(ctx).review
    admin = _login(ctx)
    _require_admin(review, admin, "user_disable", "disable users")
    if name.strip().lower() == admin.name:
        # Refusing this also means there is always an enabled admin left: the caller.
        raise InputError("you cannot disable your own account", "ask another admin")
    review.disable_user(name, by=admin.name, reason=reason)
    if as_json:
        _emit({"user": {"name": name.strip().lower(), "disabled": True}})
    else:
        click.echo(f"disabled {name.strip().lower()}")


# -- review -----------------------------------------------------------------------------


def _when(at: datetime | None) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC") if at else "-"


def _one_line(text: str, width: int) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


def expect_option(f: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--expect-version",
        "expected",
        type=click.IntRange(min=1),
        default=None,
        metavar="N",
        help="The row version you saw (`review show`); if the draft changed since, nothing "
        "is done (exit 7).",
    )(f)


def _print_change(view: DraftView, as_json: bool, message: str) -> None:
    if as_json:
        _emit({"draft": view.model_dump(mode="json")})
    else:
        click.echo(f"{message} (row version {view.row_version})")


@cli.group()
def review() -> None:
    """Drafts waiting for review: list, show, submit, edit, approve, reject, request changes.

    Nothing is published until a second person approved its exact text. Every command
    acts as a user (--user or CMASSIST_USER).
    """


@review.command("list")
@click.option("--state", type=click.Choice(STATES), default=None, help="Only this state.")
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
    _login(ctx)
    views = _services(ctx).review.list(
        state=state, brand=brand, platform=platform, author=author, limit=limit
    )
    if as_json:
        _emit({"drafts": [v.model_dump(mode="json") for v in views]})
        return
    if not views:
        click.echo("no drafts" + (f" in state {state}" if state else ""))
    for v in views:
        click.echo(
            f"#{v.id:<5} {v.state:<17} {v.platform:<10} {v.brand:<12} {v.author:<12} "
            f"v{v.version} r{v.row_version}  {_when(v.updated_at)}  {_one_line(v.text, 60)}"
        )


@review.command("show")
@click.argument("draft_id", metavar="ID", type=int)
@user_option
@json_option
@click.pass_context
def review_show(ctx: click.Context, draft_id: int, as_json: bool) -> None:
    """A draft with its versions, decisions, comments and outbox items; the text output
    ends with the changes between its last two versions."""
    _login(ctx)
    v = _services(ctx).review.get(draft_id)
    if as_json:
        _emit({"draft": v.model_dump(mode="json")})
        return
    click.echo(
        f"draft #{v.id} · {v.state} · {v.kind} for {v.platform} · brand {v.brand} · "
        f"by {v.author} · version {v.version} · row version {v.row_version}"
    )
    if v.approved_until:
        click.echo(f"approved until {_when(v.approved_until)}")
    click.echo(f"\n{v.text}\n")
    if v.check and "error" in v.check:
        click.echo(f"check: could not run ({v.check['error']})")
    elif v.check and "unchecked" in v.check:
        click.echo(f"check: not run ({v.check['unchecked']})")
    elif v.check:
        _print_findings(v.text, v.check)
    if v.override:
        o = v.override
        click.echo(f"blocking findings overridden by {o['reviewer']}: {o['reason']}")
    if v.context:
        click.echo(f"from: {_one_line(v.context, 200)}")
    click.echo("versions:")
    for ver in v.versions:
        note = f" ({ver.note})" if ver.note else ""
        click.echo(f"  v{ver.number}  {_when(ver.created_at)}  {ver.author}{note}")
    if v.decisions:
        click.echo("decisions:")
    for d in v.decisions:
        why = f": {d.comment}" if d.comment else ""
        valid = " [valid]" if d.valid else ""
        click.echo(f"  v{d.version}  {_when(d.created_at)}  {d.reviewer} {d.decision}{valid}{why}")
    if v.comments:
        click.echo("comments:")
    for c in v.comments:
        click.echo(f"  {_when(c.created_at)}  {c.user}: {c.body}")
    if v.outbox:
        click.echo("outbox:")
    for o in v.outbox:
        error = f"  ({o.last_error})" if o.last_error else ""
        click.echo(
            f"  {o.adapter:<10} {o.state:<10} due {_when(o.due_at)}  {o.attempts} attempt(s){error}"
        )
    if len(v.versions) >= 2:
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


@review.command("submit")
@click.argument("draft_id", metavar="ID", type=int)
@expect_option
@user_option
@json_option
@click.pass_context
def review_submit(ctx: click.Context, draft_id: int, expected: int | None, as_json: bool) -> None:
    """Send a draft to review (its author or an admin)."""
    actor = _login(ctx)
    svc = _services(ctx).review
    view = svc.submit(actor, draft_id, expected=expected)
    _print_change(view, as_json, f"draft #{view.id} submitted for review")


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
    actor = _login(ctx)
    svc = _services(ctx).review
    before = svc.get(draft_id)  # only to say what changed; the edit checks --expect-version
    view = svc.edit(actor, draft_id, _read_arg(text), expected=expected, note=note)
    if view.version == before.version:
        message = f"draft #{view.id} unchanged: same text as version {view.version}"
    else:
        message = f"draft #{view.id} is at version {view.version}, {view.state}"
        if before.state in ("approved", "scheduled", "failed") and view.state == "submitted":
            message += " (the approval was for other words: back in review)"
    _print_change(view, as_json, message)


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
    actor = _login(ctx)
    view = _services(ctx).review.approve(actor, draft_id, comment=comment, expected=expected)
    _print_change(view, as_json, f"draft #{view.id} approved until {_when(view.approved_until)}")


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
    actor = _login(ctx)
    view = _services(ctx).review.reject(actor, draft_id, reason=reason, expected=expected)
    _print_change(view, as_json, f"draft #{view.id} rejected")


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
    actor = _login(ctx)
    view = _services(ctx).review.request_changes(actor, draft_id, reason=reason, expected=expected)
    _print_change(view, as_json, f"draft #{view.id}: changes requested")


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
    actor = _login(ctx)
    view = _services(ctx).review.override_findings(
        actor, draft_id, reason=reason, expected=expected
    )
    _print_change(view, as_json, f"draft #{view.id}: blocking findings overridden")


# -- scheduling and publishing ----------------------------------------------------------

TIME_EXAMPLE = "e.g. 2026-12-01T09:00-05:00 or 2026-12-01T14:00Z"


def _parse_time(value: str) -> datetime:
    try:
        at = datetime.fromisoformat(value.strip())
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


@cli.command()
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
    at = _parse_time(at_text)
    actor = _login(ctx)
    from cmassist.services.outbox import build_publishers

    services = _services(ctx)
    configured = sorted(build_publishers(services.settings))
    chosen = list(dict.fromkeys(a.strip().lower() for a in adapters)) or configured
    unknown = [a for a in chosen if a not in configured]
    if unknown:
        raise InputError(
            f"unknown or unconfigured adapter {', '.join(map(repr, unknown))}",
            f"use one of {', '.join(configured) or '(none configured)'}",
        )
    svc = services.review
    view = svc.schedule(actor, draft_id, at, adapters=chosen, expected=expected)
    if as_json:
        _emit({"draft": view.model_dump(mode="json")})
        return
    click.echo(
        f"draft #{view.id} scheduled for {_when(at)} through {', '.join(chosen)} "
        f"(row version {view.row_version})"
    )
    if at <= svc.now():
        click.echo("  the time has passed: it goes out at the publishing worker's next pass")


def _print_publish_report(report: Any, as_json: bool) -> None:
    """Everything the run did; failures are printed, but they are the items' outcome, not
    the command's (they are retried or shown in `review show`), so the exit code stays 0."""
    if as_json:
        _emit(report.model_dump(mode="json"))
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
            f"(next attempt {_when(o.next_attempt_at)})"
        )
    for o in report.failed:
        click.echo(f"failed     #{o.draft_id} via {o.adapter}: {o.error}")
    for o in report.blocked:
        click.echo(f"blocked    #{o.draft_id} via {o.adapter}: {o.error}")
    done = report.published or report.retrying or report.failed or report.blocked
    if not done and not report.paused:
        click.echo("nothing was due")


@cli.command()
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

    actor = _maybe_login(ctx)
    review = _services(ctx).review
    by = actor.name if actor else "system"
    report = OutboxWorker(review, kind="once", by=by, limit=limit).run_once()
    _print_publish_report(report, as_json)


@cli.command()
@click.option("--once", is_flag=True, help="Run one pass, then exit (like `publish --due`).")
@click.option(
    "--interval",
    type=click.FloatRange(min=0, min_open=True),
    default=None,
    help="Seconds between passes (default CMASSIST_PUBLISH_INTERVAL, 60).",
)
@click.option("--limit", default=100, show_default=True, type=click.IntRange(1, 10_000))
@json_option
@click.pass_context
def worker(
    ctx: click.Context, once: bool, interval: float | None, limit: int, as_json: bool
) -> None:
    """Publish the due posts, a pass every CMASSIST_PUBLISH_INTERVAL seconds, until Ctrl-C
    or SIGTERM: for deployments that serve with `cmassist serve --no-worker`, or serve
    nothing. It stops after the pass under way. With --json, one JSON line per pass.

    Each pass writes a heartbeat to the review database: the app's Admin tab shows this
    worker, its last run and its failures."""
    from cmassist.services.outbox_worker import OutboxWorker

    review = _services(ctx).review
    if once:
        _print_publish_report(OutboxWorker(review, kind="once", limit=limit).run_once(), as_json)
        return

    def show(report: Any) -> None:
        if as_json:
            click.echo(json.dumps(report.model_dump(mode="json"), ensure_ascii=False))
        elif not report.quiet:
            _print_publish_report(report, False)

    loop = OutboxWorker(review, kind="worker", interval=interval, limit=limit, on_pass=show)
    if not as_json:
        click.echo(
            f"publishing worker {loop.id}: a pass every {loop.interval:g} s; "
            "Ctrl-C or SIGTERM stops it"
        )
    with _stopping_on_signals(loop.stop):
        loop.run()
    if not as_json:
        click.echo("publishing worker stopped")


@contextmanager
def _stopping_on_signals(stop: Callable[[], None]) -> Iterator[None]:
    """SIGINT and SIGTERM call `stop` (a clean stop after the pass under way); a second
    one interrupts at once."""
    stopping = False

    def handler(signum: int, _frame: Any) -> None:
        nonlocal stopping
        if stopping:
            raise KeyboardInterrupt
        stopping = True
        stop()

    previous = {sig: signal.signal(sig, handler) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


def _set_paused(ctx: click.Context, paused: bool, reason: str, as_json: bool) -> None:
    actor = _login(ctx)
    svc = _services(ctx).review
    if not reason.strip():
        raise InputError("a reason is required", "say why, for the audit log")
    svc.set_paused(actor, paused, reason=reason.strip())
    if as_json:
        _emit({"paused": paused, "by": actor.name, "reason": reason.strip()})
    else:
        click.echo(f"publishing is {'paused' if paused else 'resumed'} by {actor.name}")


@cli.command()
@click.option("--reason", required=True, help="Why, for the audit log.")
@user_option
@json_option
@click.pass_context
def pause(ctx: click.Context, reason: str, as_json: bool) -> None:
    """Stop all publishing until `cmassist resume` (admins only); scheduled items wait."""
    _set_paused(ctx, True, reason, as_json)


@cli.command()
@click.option("--reason", required=True, help="Why, for the audit log.")
@user_option
@json_option
@click.pass_context
def resume(ctx: click.Context, reason: str, as_json: bool) -> None:
    """Publish again after `cmassist pause` (admins only)."""
    _set_paused(ctx, False, reason, as_json)


# -- audit ------------------------------------------------------------------------------


def _write_atomically(path: Path, text: str) -> None:
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


@cli.command()
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
    _login(ctx)
    svc = _services(ctx).review
    filters: dict[str, Any] = {"draft_id": draft_id, "actor": actor, "action": action}
    if fmt and output:
        text = svc.export_audit(fmt, **filters)
        _write_atomically(output, text)
        rows_out = json.loads(text) if fmt == "json" else list(csv.DictReader(io.StringIO(text)))
        count = len(rows_out)
        if as_json:
            _emit({"exported": str(output), "format": fmt, "entries": count})
        else:
            click.echo(f"wrote {count} audit entries to {output} ({fmt})")
        return
    rows = svc.audit_log(limit=limit, **filters)
    if as_json:
        _emit({"audit": [r.model_dump(mode="json") for r in rows]})
        return
    if not rows:
        click.echo("no audit entries")
    for r in rows:
        target = f"#{r.draft_id}" if r.draft_id is not None else "-"
        why = f"  {_one_line(r.reason, 80)}" if r.reason else ""
        attempted = r.details.get("attempted")
        what = f"{r.action} ({attempted})" if attempted else r.action
        click.echo(f"{_when(r.at)}  {r.actor:<14} {what:<24} {target:<6}{why}".rstrip())


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    as_json = "--json" in args
    try:
        rv = cli.main(args=args, prog_name="cmassist", standalone_mode=False)
        if isinstance(rv, int):  # ctx.exit(code) comes back as the return value
            return rv
    except CmassistError as e:
        if as_json:
            _emit({"error": e.to_dict()})
        click.echo(f"cmassist: error: {e}", err=True)
        return e.exit_code
    except click.exceptions.Exit as e:
        return e.exit_code
    except click.ClickException as e:
        if as_json:
            _emit({"error": {"type": "UsageError", "problem": e.format_message(), "fix": None}})
        click.echo(f"cmassist: error: {e.format_message()}", err=True)
        return e.exit_code
    except click.Abort:
        click.echo("cmassist: aborted", err=True)
        return 130
    except KeyboardInterrupt:
        return 130
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
