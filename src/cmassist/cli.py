"""The `cmassist` command: ingest, ideas, draft, reply, search, brands, platforms, serve.

Every command takes `--json` for scripts. Errors are one line on stderr (and a JSON
object on stdout with `--json`) with a non-zero exit code: 2 bad input, 3 configuration,
4 knowledge store, 5 LLM.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from typing import Any

import click

from cmassist import __version__
from cmassist.config import Settings
from cmassist.errors import CmassistError, InputError
from cmassist.models import Draft, Kind
from cmassist.platforms import PLATFORMS, table
from cmassist.services import Services

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


def _read_arg(value: str) -> str:
    """'-' reads the text from standard input (long briefs, comments with quotes)."""
    return sys.stdin.read() if value == "-" else value


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="cmassist")
def cli() -> None:
    """cmassist: drafts posts and replies in your brand's voice, from its own guidelines
    and past posts. Runs offline by default; see README for LLM and store configuration."""


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
    from cmassist.ingest import ingest as run_ingest

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


def _run_stream(events: Iterator[Any], as_json: bool, key: str) -> None:
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
    if as_json:
        _emit({key: [d.public() for d in drafts]})
    elif key == "ideas" and drafts and drafts[0].sources:
        click.echo(
            "\nsources: "
            + "; ".join(f"{s.kind.value} {s.title or s.id}" for s in drafts[0].sources[:6])
        )


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
    """Post drafts from a BRIEF ('-' reads it from stdin), fitted to each platform."""
    events = _services(ctx).drafting.stream_posts(
        _read_arg(brief),
        brand=brand,
        platforms=platforms,
        variants=variants,
        language=language,
        seed=seed,
    )
    _run_stream(events, as_json, "drafts")


@cli.command()
@click.argument("comment")
@click.option("--platform", "-p", default=None, help="Platform the comment was posted on.")
@click.option("--variants", "-n", default=1, show_default=True, type=int)
@brand_option
@click.option("--language", "-l", default=None, help="fr or en (default: the comment's).")
@click.option("--seed", type=int, default=None, help="Seed, for reproducible output.")
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
    """Suggested replies to a customer's COMMENT ('-' reads it from stdin)."""
    events = _services(ctx).drafting.stream_replies(
        _read_arg(comment),
        brand=brand,
        platform=platform,
        variants=variants,
        language=language,
        seed=seed,
    )
    _run_stream(events, as_json, "replies")


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
@json_option
@click.pass_context
def serve(
    ctx: click.Context, host: str | None, port: int | None, no_warm_up: bool, as_json: bool
) -> None:
    """Serve the Gradio app."""
    from cmassist.ui import build_app

    services = _services(ctx)
    settings = services.settings
    if not no_warm_up:
        services.embedder.embed_one("warm up")
        services.llm.warm_up()
    app = build_app(services)
    host = host or settings.host
    port = port or settings.port
    if as_json:
        _emit({"url": f"http://{host}:{port}", "llm": services.llm.describe()})
    app.launch(server_name=host, server_port=port, show_error=True)


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
