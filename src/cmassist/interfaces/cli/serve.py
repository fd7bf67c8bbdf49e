"""`cmassist serve` and `worker`: the web app with the inbox endpoint (and, unless told
otherwise, the publishing worker in a thread), or the publishing worker alone."""

from __future__ import annotations

import signal
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import click

from cmassist.interfaces.cli.options import json_option
from cmassist.interfaces.cli.output import emit, emit_line
from cmassist.interfaces.cli.publishing import print_publish_report
from cmassist.interfaces.cli.session import services


@click.command()
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
    # Looked up at call time, so that tests can replace the app and the server.
    from cmassist.interfaces.http import inbox_api
    from cmassist.interfaces.web import app as web

    svc = services(ctx)
    settings = svc.settings
    auth = web.app_auth(svc)  # refuses (one line, exit 3) when nobody could log in
    if not no_warm_up:
        svc.embedder.embed_one("warm up")
        svc.llm.warm_up()
    blocks = web.build_app(svc)
    host = host or settings.host
    port = port or settings.port
    if as_json:
        emit(
            {
                "url": f"http://{host}:{port}",
                "llm": svc.llm.describe(),
                "publishing_worker": not no_worker,
            }
        )
    import uvicorn

    server, _ = inbox_api.build_server(
        svc, blocks, auth=auth, auth_message=web.AUTH_MESSAGE, show_error=True
    )
    if not settings.inbox_token:
        click.echo("inbox endpoint off: set CMASSIST_INBOX_TOKEN to receive messages over HTTP")
    if no_worker:
        click.echo("publishing worker off: run `cmassist worker` so that scheduled posts go out")
    else:
        worker = svc.start_publishing_worker()
        click.echo(f"publishing worker on: a pass every {worker.interval:g} s")
    try:
        uvicorn.run(server, host=host, port=port, log_level="warning")
    finally:
        svc.stop_publishing_worker()


@click.command()
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

    review = services(ctx).review
    if once:
        print_publish_report(OutboxWorker(review, kind="once", limit=limit).run_once(), as_json)
        return

    def show(report: Any) -> None:
        if as_json:
            emit_line(report.model_dump(mode="json"))
        elif not report.quiet:
            print_publish_report(report, False)

    loop = OutboxWorker(review, kind="worker", interval=interval, limit=limit, on_pass=show)
    if not as_json:
        click.echo(
            f"publishing worker {loop.id}: a pass every {loop.interval:g} s; "
            "Ctrl-C or SIGTERM stops it"
        )
    with stopping_on_signals(loop.stop):
        loop.run()
    if not as_json:
        click.echo("publishing worker stopped")


@contextmanager
def stopping_on_signals(stop: Callable[[], None]) -> Iterator[None]:
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


COMMANDS = (serve, worker)
