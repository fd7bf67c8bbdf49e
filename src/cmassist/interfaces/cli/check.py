"""`cmassist check`, `rewrite` and `redact`: a text against the brand's guidelines, the same
text rewritten in the brand's voice, and personal data taken out of a text."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from cmassist.domain.errors import InputError
from cmassist.interfaces.cli.options import json_option, text_arg, text_options
from cmassist.interfaces.cli.output import emit, print_findings
from cmassist.interfaces.cli.session import services

FAILING_VERDICTS = {"block": ("block",), "warn": ("block", "warn"), "never": ()}


@click.command()
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
    svc = services(ctx)
    body = text_arg(text, file)
    result = svc.checker.check(
        body,
        platform=platform,
        brand=brand or svc.settings.brand,
        kind=kind,
        sponsored=sponsored,
        language=language,
    )
    data = result.public()
    if as_json:
        emit(data)
    else:
        print_findings(body, data)
    if result.verdict in FAILING_VERDICTS[fail_on]:
        ctx.exit(1)


@click.command()
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
    svc = services(ctx)
    body = text_arg(text, file)
    brand = brand or svc.settings.brand
    before = svc.checker.check(body, platform=platform, brand=brand, kind=kind)
    problems = [f.message for f in before.findings][:8]
    drafts = [
        e.draft
        for e in svc.drafting.stream_rewrite(
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
        emit({"before": before.public(), "rewrite": d.public()})
        return
    click.echo("before:")
    print_findings(body, before.public(), "  ")
    click.echo(f"\nrewrite:\n{d.text}\n")
    for note in d.notes:
        click.echo(f"  note: {note}")
    if d.check:
        print_findings(d.text, d.check, "  ")


@click.command()
@click.argument("text", required=False)
@click.option("--file", "path", type=click.Path(dir_okay=False, path_type=Path), default=None)
@json_option
def redact(text: str | None, path: Path | None, as_json: bool) -> None:
    """Replace personal data (emails, phones, addresses, cards, IBANs, order numbers)."""
    from cmassist.domain.redact import redact as redact_text

    if path is not None:
        raw = path.read_bytes()
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise InputError(f"{path} is not UTF-8 text", "save it as UTF-8") from None
    elif text is None or text == "-":
        text = sys.stdin.read()  # click.get_text_stream is deprecated
    r = redact_text(text)
    if as_json:
        emit({"text": r.text, "found": [p.__dict__ for p in r.found]})
    else:
        click.echo(r.text)


COMMANDS = (check, rewrite, redact)
