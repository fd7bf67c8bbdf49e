"""The `cmassist` command: the click group, assembled from one module per command group.

Drafting (ingest, ideas, draft, reply, search, brands, platforms, check, rewrite, redact,
serve) and the review workflow (users, review, schedule, publish, worker, pause, resume,
audit, inbox). Every command takes `--json` for scripts. Errors are one line on stderr (and
a JSON object on stdout with `--json`) with a non-zero exit code: 2 bad input,
3 configuration, 4 knowledge store, 5 LLM, 6 login or permission refused, 7 conflict
(someone changed the draft first), 8 publishing blocked.

Commands that read or change review data act as a user: `--user NAME` (or CMASSIST_USER),
with the password from CMASSIST_PASSWORD or a hidden prompt.

Importing this module loads click and the command definitions only: each command imports
the services it calls when it runs, so `cmassist --help` loads no model, store or database.
"""

from __future__ import annotations

import sys

import click

from cmassist import __version__
from cmassist.interfaces.cli import (
    admin,
    check,
    drafting,
    inbox,
    knowledge,
    publishing,
    review,
    serve,
)
from cmassist.interfaces.cli.options import USER_HELP, remember_user
from cmassist.interfaces.cli.output import run_command


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="cmassist")
@click.option(
    "--user",
    metavar="NAME",
    envvar="CMASSIST_USER",
    expose_value=False,
    callback=remember_user,
    help=USER_HELP,
)
def cli() -> None:
    """cmassist: drafts posts and replies in your brand's voice, from its own guidelines
    and past posts. Runs offline by default; see README for LLM and store configuration.

    Nothing is published until a second person approved it: see `cmassist review --help`.
    """


for _module in (knowledge, drafting, check, review, publishing, serve, inbox, admin):
    for _command in _module.COMMANDS:
        cli.add_command(_command)


def main(argv: list[str] | None = None) -> int:
    """Run `cmassist` with `argv` (default: the process's arguments); the exit code."""
    args = sys.argv[1:] if argv is None else argv
    return run_command(
        lambda: cli.main(args=args, prog_name="cmassist", standalone_mode=False),
        as_json="--json" in args,
    )


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
