"""A command's services and its user: the services are built on first use (so a command
loads only what it calls), and the user logs in only when the command needs one."""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING

import click

from cmassist.domain.errors import AuthError, CmassistError
from cmassist.interfaces.cli.options import USER_KEY

if TYPE_CHECKING:
    from cmassist.bootstrap import Services
    from cmassist.services.review import Actor


def services(ctx: click.Context) -> Services:
    """The invocation's `Services`, built from the environment's settings the first time."""
    obj = ctx.ensure_object(dict)
    if "services" not in obj:
        from cmassist.bootstrap import Services
        from cmassist.config import Settings

        obj["services"] = Services(Settings())
    built: Services = obj["services"]
    return built


def ask_secret(prompt: str, env: str, error: type[CmassistError], *, confirm: bool) -> str:
    """A hidden prompt, only when someone can answer it: scripts and cron jobs get an error
    naming the variable instead of a process that waits forever."""
    if sys.stdin is None or not sys.stdin.isatty():
        raise error(
            f"{prompt.lower()} is needed and standard input is not a terminal to ask for it",
            f"set {env}",
        )
    return str(click.prompt(prompt, hide_input=True, confirmation_prompt=confirm, err=True))


def login(ctx: click.Context) -> Actor:
    """The authenticated user of this command.

    Failed logins (unknown user, wrong password, disabled account) are audited by the
    review service and end with exit code 6.
    """
    name = ctx.meta.get(USER_KEY)
    review = services(ctx).review
    if not name:
        if not review.has_users():
            raise AuthError(
                "no users yet", "create the first admin: cmassist users add NAME --role admin"
            )
        raise AuthError("this command needs a user", "pass --user NAME or set CMASSIST_USER")
    password = os.environ.get("CMASSIST_PASSWORD")
    if password is None:
        password = ask_secret(f"Password for {name}", "CMASSIST_PASSWORD", AuthError, confirm=False)
    return review.authenticate(name, password)


def maybe_login(ctx: click.Context) -> Actor | None:
    """The authenticated user if one is named, else None (commands that work without)."""
    return login(ctx) if ctx.meta.get(USER_KEY) else None
