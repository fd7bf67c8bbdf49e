"""`cmassist ingest`, `search`, `brands`, `facts` and `platforms`: what the knowledge store
holds, how it is filled, the facts read from the brand's guidelines, and the platforms'
limits."""

from __future__ import annotations

import sys
from typing import Any

import click

from cmassist.domain.errors import InputError
from cmassist.interfaces.cli.options import LazyChoice, brand_option, json_option, record_kinds
from cmassist.interfaces.cli.output import emit, one_line
from cmassist.interfaces.cli.session import services


class _Progress:
    """A progress bar on stderr for large ingests (200 records or more), made on first use."""

    def __init__(self, quiet: bool) -> None:
        self.quiet = quiet
        self.bar: Any = None

    def __call__(self, done: int, total: int) -> None:
        if self.quiet or total < 200:
            return
        if self.bar is None:
            from tqdm import tqdm

            self.bar = tqdm(total=total, unit="rec", desc="ingest", file=sys.stderr, disable=None)
        self.bar.update(done - self.bar.n)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def _print_ingest(report: Any) -> None:
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


@click.command()
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

    store = services(ctx).store
    progress = _Progress(quiet=as_json)
    try:
        report = run_ingest(store, paths, brand=brand, kind=kind, progress=progress)
    finally:
        progress.close()
    if as_json:
        emit(report.public())
    else:
        _print_ingest(report)
    if not report.ok:
        ctx.exit(InputError.exit_code)


@click.command()
@click.argument("query")
@brand_option
@click.option(
    "--kind", type=LazyChoice(record_kinds), default=None, help="Only this kind of record."
)
@click.option("-k", "limit", default=5, show_default=True, type=click.IntRange(1, 100))
@json_option
@click.pass_context
def search(
    ctx: click.Context, query: str, brand: str | None, kind: str | None, limit: int, as_json: bool
) -> None:
    """Search the brand's knowledge store."""
    svc = services(ctx)
    if not query.strip():
        raise InputError("the query is empty", "type words to search for")
    from cmassist.domain.models import Kind

    hits = svc.store.search(
        brand or svc.settings.brand, query, kind=Kind(kind) if kind else None, k=limit
    )
    if as_json:
        results = [
            {
                "id": h.id,
                "kind": h.kind.value,
                "score": round(h.score or 0, 4),
                "text": h.text,
                "metadata": h.metadata,
            }
            for h in hits
        ]
        emit({"results": results})
        return
    for h in hits:
        label = h.metadata.get("heading") or h.metadata.get("platform") or ""
        click.echo(
            f"{h.score or 0:.3f}  {h.kind.value:<9} {label}\n       "
            + " ".join(h.text.split())[:160]
        )


@click.command()
@json_option
@click.pass_context
def brands(ctx: click.Context, as_json: bool) -> None:
    """List the brands in the store and what each holds."""
    infos = services(ctx).store.brands()
    if as_json:
        emit({"brands": [{"brand": b.slug, "name": b.name, "counts": b.counts} for b in infos]})
        return
    if not infos:
        click.echo("no brands yet: cmassist ingest PATH --brand NAME")
    for b in infos:
        counts = ", ".join(f"{n} {k}s" for k, n in b.counts.items())
        click.echo(f"{b.slug:<16} {b.name} ({counts})")


@click.command()
@json_option
def platforms(as_json: bool) -> None:
    """The platforms and their limits."""
    from cmassist.domain.platforms import table

    rows = table()
    if as_json:
        emit({"platforms": rows})
        return
    for r in rows:
        tags = f", {r['max_hashtags']} hashtags max" if r["max_hashtags"] else ""
        link = f", links count {r['link_chars']}" if r["link_chars"] else ""
        click.echo(f"{r['platform']:<10} {r['name']:<12} {r['max_chars']} chars{tags}{link}")


def _fact_kinds() -> tuple[str, ...]:
    from cmassist.domain.factsheet import FACT_KINDS

    return FACT_KINDS


@click.command()
@brand_option
@click.option("--kind", type=LazyChoice(_fact_kinds), default=None, help="Only this kind of fact.")
@json_option
@click.pass_context
def facts(ctx: click.Context, brand: str | None, kind: str | None, as_json: bool) -> None:
    """The brand's fact sheet: hours, prices, delays, policies, addresses, contacts and
    names read from its guidelines, each with the passage it comes from.

    Prints {"brand", "counts", "hours": [...], "prices": [...], ...} with --json.
    """
    svc = services(ctx)
    slug = svc.store.require_brand(brand or svc.settings.brand)
    sheet = svc.checker.profile(slug).factsheet
    data = sheet.to_dict()
    kinds = [kind] if kind else list(_fact_kinds())
    if as_json:
        emit({"brand": slug, "counts": sheet.counts(), **{k: data[k] for k in kinds}})
        return
    for k in kinds:
        records = data[k]
        click.echo(f"{k} ({len(records)})")
        for r in records:
            source = r.get("source") or {}
            where = (
                f"{source.get('source', '')} · {str(source.get('heading', '')).split(' > ')[-1]}"
            )
            click.echo(f"  {fact_line(k, r):<72} {where}")


def fact_line(kind: str, r: dict[str, Any]) -> str:
    """One fact as a line of text (a record of `FactSheet.to_dict()`)."""
    from cmassist.domain.factsheet import weekday_name

    if kind == "hours":
        when = f"{r['opens']}–{r['closes']}" if r["opens"] else "closed"
        season = f" ({r['season']})" if r["season"] else ""
        return f"{r['place']} · {weekday_name(r['day'], 'en')}{season} · {when}"
    if kind == "prices":
        extra = f" ({r['qualifier']})" if r["qualifier"] else ""
        return f"{r['product']} · {r['amount']} {r['currency']}".rstrip() + extra
    if kind == "delays":
        span = f"{r['low']:g}" if r["low"] == r["high"] else f"{r['low']:g}–{r['high']:g}"
        return f"{r['subject']} · {span} {r['unit']}"
    if kind == "policies":
        allows = ", ".join(r["allows"]) or "-"
        forbids = ", ".join(r["forbids"]) or "-"
        return f"allows {allows} · forbids {forbids} · {one_line(r['text'], 60)}"
    if kind == "addresses":
        return f"{r['place']} · {r['address']}"
    if kind == "contacts":
        return f"{r['kind']} {r['value']} · {r['purpose'] or '-'}"
    aliases = f" (also {', '.join(r['aliases'])})" if r["aliases"] else ""
    return f"{r['name']} · {r['kind']}{aliases}"


COMMANDS = (ingest, search, brands, facts, platforms)
