"""`cmassist ideas`, `draft` and `reply`: drafts streamed from the drafting service, printed
as they come, and saved for review when a user is named.

Posts and replies are chosen among candidates: on a terminal the first candidate of each
variant is printed as it is written, then a line per further candidate ("choosing"), then
each final draft with why it was chosen; a variant with no good draft says so, why each
candidate was dropped, and what to start from (past posts or replies, facts). Those lines
are in the draft's language (French for a French brief)."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

import click

from cmassist.interfaces.cli.options import (
    PLATFORM_CHOICES,
    brand_option,
    json_option,
    read_arg,
    user_option,
)
from cmassist.interfaces.cli.output import emit
from cmassist.interfaces.cli.session import maybe_login, services
from cmassist.interfaces.i18n import gettext, translate

if TYPE_CHECKING:
    from cmassist.domain.models import Draft
    from cmassist.services.review import Actor

Saver = Callable[[Sequence["Draft"]], list[int | None]]


def print_draft(d: Draft, streamed: str | None = None) -> None:
    """A draft's header, text (unless it was streamed as is), notes, why it was chosen (or
    the "no good draft" path) and sources."""
    head = f"── {d.kind} {d.variant}" + (f" · {d.platform}" if d.platform else "")
    if d.no_good_draft:
        head += " · " + gettext("no good draft", d.language)
    elif d.limit:
        head += f" · {d.length}/{d.limit} chars"
    if streamed is None:
        click.echo(head)
        if d.text:
            click.echo(d.text)
    elif d.no_good_draft:
        click.echo(f"\n{head}")
    elif d.text != streamed.strip():
        click.echo(f"\n{head} · {gettext('final', d.language)}\n{d.text}")
    else:
        click.echo(f"\n{head} · {gettext('as written above', d.language)}")
    for note in d.notes:
        click.echo(f"  note: {note}")
    print_choice(d)
    if d.sources:
        click.echo(
            "  sources: " + "; ".join(f"{s.kind.value} {s.title or s.id}" for s in d.sources[:6])
        )
    click.echo()


def print_choice(d: Draft) -> None:
    """Why the draft was chosen, or why there is none and what to start from."""
    lang = d.language
    why = "; ".join(translate(w, lang) for w in d.why)
    if not d.no_good_draft:
        if why:
            click.echo("  " + gettext("why: {why}", lang, why=why))
        return
    click.echo("  " + gettext("no good draft: {why}", lang, why=why or "…"))
    for r in d.rejected:
        reasons = "; ".join(translate(x, lang) for x in r.reasons)
        click.echo(
            "    "
            + gettext("candidate {n} dropped: {reasons}", lang, n=r.candidate, reasons=reasons)
        )
    if d.starting_points:
        click.echo("  " + gettext("start from:", lang))
    labels = {"post": "past post", "reply": "past reply", "fact": "fact"}
    for p in d.starting_points:
        label = gettext(labels.get(p.kind, "past post"), lang)
        title = f" ({p.title})" if p.title else ""
        if p.kind == "reply" and p.title:
            title = " " + gettext("to «{comment}»", lang, comment=p.title)
        click.echo(f"    {label}{title}: «{p.text}»")


def saver(ctx: click.Context, actor: Actor, context: str, platform: str | None = None) -> Saver:
    """Keeps generated drafts in the review store; returns their ids (None: empty, not kept)."""
    review = services(ctx).review

    def save(drafts: Sequence[Draft]) -> list[int | None]:
        ids: list[int | None] = []
        for d in drafts:  # one at a time, so every id belongs to its own draft
            views = review.save_generated(actor, [d], context=context, platform=platform)
            ids.append(views[0].id if views else None)
        return ids

    return save


def _echo_stream(events: Iterator[Any], as_json: bool, key: str) -> list[Draft]:
    """Print the events as they come (tokens live on a terminal); the drafts they carry."""
    drafts: list[Draft] = []
    live = not as_json and sys.stdout.isatty()
    current: tuple[int, str | None] | None = None
    streamed: dict[tuple[int, str | None], str] = {}
    for event in events:
        where = (event.variant, event.platform)
        if event.type == "token" and live and key != "ideas":
            if current != where:
                current = where
                streamed[where] = ""
                click.echo(
                    f"── {key[:-1]} {event.variant}"
                    + (f" · {event.platform}" if event.platform else "")
                )
            streamed[where] += event.text
            click.echo(event.text, nl=False)
        elif event.type == "choosing" and live:
            current = None
            click.echo(
                f"\n  choosing: writing candidate {event.candidates} of at most {event.total}…"
            )
        elif event.draft is not None:
            drafts.append(event.draft)
            if not as_json:
                if live and key != "ideas":
                    current = None
                    print_draft(event.draft, streamed.get(where, ""))
                elif key == "ideas":
                    click.echo(f"{event.draft.variant}. {event.draft.text}")
                else:
                    print_draft(event.draft)
    return drafts


def run_stream(events: Iterator[Any], as_json: bool, key: str, save: Saver | None = None) -> None:
    """Print a drafting stream, save its drafts when `save` is given, then say what was kept."""
    drafts = _echo_stream(events, as_json, key)
    ids = save(drafts) if save else []
    if as_json:
        items = [d.public() for d in drafts]
        for item, draft_id in zip(items, ids, strict=False):
            item["draft_id"] = draft_id
        emit({key: items})
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
        elif drafts and all(d.no_good_draft for d in drafts):
            click.echo(
                "nothing saved: no good draft; start from the texts and facts above", err=True
            )
        else:
            click.echo("nothing saved: every draft came back empty", err=True)


@click.command()
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
    events = services(ctx).drafting.stream_ideas(
        read_arg(topic), brand=brand, count=count, language=language, seed=seed
    )
    run_stream(events, as_json, "ideas")


@click.command()
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
    actor = maybe_login(ctx)
    brief = read_arg(brief)
    events = services(ctx).drafting.stream_posts(
        brief,
        brand=brand,
        platforms=platforms,
        variants=variants,
        language=language,
        seed=seed,
    )
    run_stream(events, as_json, "drafts", saver(ctx, actor, brief) if actor else None)


@click.command()
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
    actor = maybe_login(ctx)
    comment = read_arg(comment)
    events = services(ctx).drafting.stream_replies(
        comment,
        brand=brand,
        platform=platform,
        variants=variants,
        language=language,
        seed=seed,
    )
    save = saver(ctx, actor, comment, platform) if actor else None
    run_stream(events, as_json, "replies", save)


COMMANDS = (ideas, draft, reply)
