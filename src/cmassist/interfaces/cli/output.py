"""What every command prints: JSON for scripts, times and one-line excerpts, a check's
findings, and errors as one line on stderr with their exit code."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import click

from cmassist.domain.errors import CmassistError


def emit(data: Any) -> None:
    """`data` as indented JSON on stdout (what `--json` prints)."""
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


def emit_line(data: Any) -> None:
    """`data` as one JSON line (a stream of results, one per line)."""
    click.echo(json.dumps(data, ensure_ascii=False))


def when(at: datetime | None) -> str:
    """A time as the CLI shows it, in UTC to the minute; '-' for none."""
    return at.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC") if at else "-"


def one_line(text: str, width: int) -> str:
    """`text` on one line, cut to `width` characters with an ellipsis."""
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


def check_head(result: dict[str, Any]) -> str:
    """A check's first line: the verdict, then what was checked and what was not, e.g.
    "WARN · rules: pass · facts: 1 unknown, 2 grounded · names: 3 known · voice: 71/100 ·
    meaning: not judged (no chat model) · 212/280 chars". A check saved before coverage
    was recorded says so rather than show a bare score."""
    head = result["verdict"].upper()
    if result.get("summary"):
        head += f" · {result['summary']}"
    else:
        voice = result.get("voice") or {}
        head += " · coverage not recorded" + (f" · voice {voice['score']}/100" if voice else "")
    if result.get("limit"):
        head += f" · {result.get('chars')}/{result['limit']} chars"
    return head


def print_findings(text: str, result: dict[str, Any], indent: str = "") -> None:
    """Findings as a reviewer reads them: where, what, why (cited), and the fix."""
    click.echo(indent + check_head(result))
    for f in result["findings"]:
        line = text[: f["start"]].count("\n") + 1
        col = f["start"] - (text.rfind("\n", 0, f["start"]) + 1) + 1
        words = text[f["start"] : f["end"]]
        shown = f" “{one_line(words, 50)}”" if words.strip() else ""
        click.echo(f"{indent}  {line}:{col} {f['severity']:<5} {f['rule']}{shown}")
        click.echo(f"{indent}      {f['message']}")
        if f.get("suggestion"):
            click.echo(f"{indent}      fix: {f['suggestion']}")
        c = f.get("citation")
        if c:
            where = f"{c['source']}:{c['line']}" if c.get("line") else c["source"]
            heading = c.get("heading", "").split(" > ")[-1]
            click.echo(f"{indent}      see {where} ({heading}): {one_line(c['excerpt'], 160)}")
    for n in result.get("notices", []):
        click.echo(f"{indent}  note: {n}")


def run_command(invoke: Callable[[], Any], as_json: bool) -> int:
    """Run a click command in non-standalone mode and turn what it raised into the exit code.

    Errors are one line on stderr (`cmassist: error: ...`), and a JSON object on stdout
    when the command was asked for `--json`: 2 bad input, 3 configuration, 4 knowledge
    store, 5 LLM, 6 login or permission refused, 7 conflict, 8 publishing blocked."""
    try:
        rv = invoke()
        if isinstance(rv, int):  # ctx.exit(code) comes back as the return value
            return rv
    except CmassistError as e:
        if as_json:
            emit({"error": e.to_dict()})
        click.echo(f"cmassist: error: {e}", err=True)
        return e.exit_code
    except click.exceptions.Exit as e:
        return e.exit_code
    except click.ClickException as e:
        if as_json:
            emit({"error": {"type": "UsageError", "problem": e.format_message(), "fix": None}})
        click.echo(f"cmassist: error: {e.format_message()}", err=True)
        return e.exit_code
    except click.Abort:
        click.echo("cmassist: aborted", err=True)
        return 130
    except KeyboardInterrupt:
        return 130
    return 0
