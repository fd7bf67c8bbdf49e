"""The options and arguments several commands share, and reading a text from an argument,
standard input or a file. Light on purpose: importing it loads no service."""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import click

from cmassist.domain.errors import InputError
from cmassist.domain.platforms import PLATFORMS

PLATFORM_CHOICES = sorted(PLATFORMS)

# The user named on the group (`cmassist --user ana review list`, or CMASSIST_USER) or on
# the command (`cmassist review list --user ana`); the command's wins. ctx.meta is shared
# by every context of one invocation.
USER_KEY = "cmassist.user"
USER_HELP = "Act as this user (default: CMASSIST_USER); password: CMASSIST_PASSWORD or a prompt."

Decorator = Callable[..., Any]


class LazyChoice(click.Choice):
    """A choice whose values come from `load`, called only when the option is parsed or its
    help shown: the values stay defined once, in their module, and `cmassist --help` does
    not import it."""

    def __init__(self, load: Callable[[], Sequence[str]]) -> None:
        self.load = load
        super().__init__(())

    @property  # type: ignore[override]
    def choices(self) -> Sequence[str]:
        return tuple(self.load())

    @choices.setter
    def choices(self, _value: Sequence[str]) -> None:
        """click.Choice sets its values in __init__; here they are always `load()`'s."""


def draft_states() -> Sequence[str]:
    """What `review list --state` takes: the states of a draft."""
    from cmassist.services.review import STATES

    return STATES


def user_roles() -> Sequence[str]:
    """What `users add --role` takes."""
    from cmassist.domain.passwords import ROLES  # hashes a dummy password when imported

    return ROLES


def record_kinds() -> Sequence[str]:
    """What `search --kind` takes: the kinds of records a brand's store holds."""
    from cmassist.domain.models import Kind

    return [k.value for k in (Kind.GUIDELINE, Kind.POST, Kind.REPLY)]


def remember_user(ctx: click.Context, _param: click.Parameter, value: str | None) -> None:
    """The callback of every `--user`: keeps the name for `session.login`."""
    if value and value.strip():
        ctx.meta[USER_KEY] = value.strip()


def json_option(f: Decorator) -> Decorator:
    return click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")(f)


def brand_option(f: Decorator) -> Decorator:
    return click.option(
        "--brand", "-b", default=None, help="Brand name (default: CMASSIST_BRAND, 'boreale')."
    )(f)


def user_option(f: Decorator) -> Decorator:
    return click.option(
        "--user",
        metavar="NAME",
        expose_value=False,
        callback=remember_user,
        help=USER_HELP,
    )(f)


def expect_option(f: Decorator) -> Decorator:
    return click.option(
        "--expect-version",
        "expected",
        type=click.IntRange(min=1),
        default=None,
        metavar="N",
        help="The row version you saw (`review show`); if the draft changed since, nothing "
        "is done (exit 7).",
    )(f)


def text_options(f: Decorator) -> Decorator:
    """TEXT (or '-', or --file), --platform, --brand, --kind and --language: what a text to
    check or rewrite needs."""
    options: list[Decorator] = [
        click.argument("text", required=False),
        click.option("--file", "-f", "file", default=None, help="Read the text from a file."),
        click.option("--platform", "-p", required=True, help="Platform the text is for."),
        brand_option,
        click.option(
            "--kind", type=click.Choice(["post", "reply"]), default="post", show_default=True
        ),
        click.option("--language", "-l", default=None, help="fr or en (default: detected)."),
    ]
    for option in reversed(options):
        f = option(f)
    return f


def read_arg(value: str) -> str:
    """'-' reads the text from standard input (long briefs, comments with quotes)."""
    return sys.stdin.read() if value == "-" else value


def text_arg(text: str | None, file: str | None) -> str:
    """The text to check: from --file (UTF-8, a BOM allowed), else TEXT or '-' for stdin."""
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
    return read_arg(text)
