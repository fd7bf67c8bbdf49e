"""The real server (`cmassist serve`'s: the inbox endpoint, the language middleware and the
Gradio app) in headless Chromium: a French browser gets the app in French, the switch
changes the language for labels and for what the server writes, and a real streamed draft
of the embedded model that is stopped, or whose browser is killed, leaves the model free
for the next one.

Needs Debian's `chromium` (/usr/bin/chromium) and Playwright for Python, like
tests/test_browser.py."""

from __future__ import annotations

import os
import re
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from cmassist.adapters.embeddings import SentenceTransformerEmbedder
from cmassist.bootstrap import Services
from cmassist.config import Settings
from cmassist.interfaces.http.inbox_api import build_server
from cmassist.interfaces.i18n import MISSED, catalog
from cmassist.interfaces.web.app import build_app
from cmassist.interfaces.web.auth import AUTH_MESSAGE, app_auth
from tests.browser_support import CHROMIUM, chromium, free_port
from tests.support import wait_until

if not CHROMIUM.exists():
    pytest.skip(
        "needs Debian's chromium package: /usr/bin/chromium is missing", allow_module_level=True
    )

pytestmark = pytest.mark.slow
PASSWORD = "correct horse battery"
SAMPLE_INBOX = Path(__file__).resolve().parents[1] / "brand_guidelines" / "inbox" / "sample.jsonl"
TIMEOUT_MS = 30_000
TABS_FR = (
    "Rédiger",
    "Répondre",
    "Boîte de réception",
    "Vérifier",
    "Relecture",
    "Calendrier",
    "Connaissances",
    "Journal",
    "Administration",
)
# English messages that are also ordinary French or names (the same word in both).
SAME_IN_BOTH = {m for m, fr in catalog().items() if m == fr}


def serve(services: Services) -> Iterator[str]:
    """The app as `cmassist serve` serves it, on a free port, stopped afterwards."""
    import uvicorn

    services.review.add_user("admin", PASSWORD, "admin")
    services.review.add_user("alice", PASSWORD, "author")
    app = build_app(services)
    server_app, _ = build_server(services, app, auth=app_auth(services), auth_message=AUTH_MESSAGE)
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(server_app, host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.1)
    try:
        yield f"http://127.0.0.1:{port}/"
    finally:
        server.should_exit = True
        thread.join(timeout=30)


@pytest.fixture
def app_url(services: Services) -> Iterator[str]:
    yield from serve(services)


@pytest.fixture
def browser() -> Iterator[Browser]:
    with chromium(TIMEOUT_MS) as browser:
        yield browser


def log_in(browser: Browser, url: str, name: str, locale: str) -> Page:
    """A new browser (its own cookies) in `locale`, logged in as `name`."""
    context = browser.new_context(viewport={"width": 1400, "height": 1100}, locale=locale)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(url)
    page.locator("input[type=password]").wait_for()
    page.locator("input:not([type=password])").first.fill(name)
    page.locator("input[type=password]").fill(PASSWORD)
    page.locator("input[type=password]").press("Enter")
    page.locator("#language-fr").wait_for()
    return page


def english_left(text: str) -> list[str]:
    """The app's English messages (two words or more, not also French) found in `text`."""
    return sorted(
        m
        for m in catalog()
        if m not in SAME_IN_BOTH and "{" not in m and len(m.split()) >= 2 and m in text
    )


def test_a_french_browser_gets_every_screen_in_french_and_the_switch_changes_it(
    app_url: str, browser: Browser, services: Services, tmp_path: Path
) -> None:
    services.inbox.import_file(SAMPLE_INBOX, brand="boreale")
    services.inbox.triage_pending(limit=5000)
    shots = Path(os.environ.get("UI_SCREENSHOT_DIR") or tmp_path)
    MISSED.clear()
    context = browser.new_context(locale="fr-FR")
    login = context.new_page()
    login.goto(app_url)
    expect(login.get_by_text("Connectez-vous avec votre compte cmassist")).to_be_visible()
    assert english_left(login.inner_text("body")) == []
    assert "Log in with your cmassist account" not in login.inner_text("body")

    page = log_in(browser, app_url, "admin", "fr-FR")
    expect(page.get_by_text("Connecté en tant que admin")).to_be_visible()
    for tab in TABS_FR:
        page.get_by_role("tab", name=tab, exact=True).click()
        page.wait_for_timeout(1500)  # the tab's own load events
        seen = page.inner_text("body")
        assert english_left(seen) == [], tab
        page.screenshot(path=shots / f"fr-{tab}.png", full_page=True)
    page.screenshot(path=tmp_path / "admin-fr.png", full_page=True)
    expect(page.get_by_text("Processus de publication", exact=False)).to_be_visible()

    # A French error is French too: an empty brief.
    page.get_by_role("tab", name="Rédiger", exact=True).click()
    page.get_by_role("button", name="Rédiger les publications").click()
    expect(page.get_by_text("le champ consigne est vide")).to_be_visible()
    assert set() == MISSED, sorted(MISSED)

    # The switch: English labels, and English from the server, kept across a reload.
    page.locator("#language-en").click()
    expect(page.get_by_role("tab", name="Compose", exact=True)).to_be_visible()
    expect(page.get_by_text("Logged in as admin")).to_be_visible()
    page.reload()
    expect(page.get_by_role("tab", name="Compose", exact=True)).to_be_visible()
    seen = page.inner_text("body")
    assert "Boîte de réception" not in seen and "Connecté en tant que" not in seen
    page.locator("#language-fr").click()
    expect(page.get_by_role("tab", name="Rédiger", exact=True)).to_be_visible()


def test_an_english_browser_gets_the_app_in_english(app_url: str, browser: Browser) -> None:
    page = log_in(browser, app_url, "alice", "en-US")
    expect(page.get_by_role("tab", name="Compose", exact=True)).to_be_visible()
    expect(page.get_by_text("Logged in as alice")).to_be_visible()
    french = [fr for m, fr in catalog().items() if fr != m and len(fr.split()) >= 3]
    seen = page.inner_text("body")
    assert [f for f in french if "{" not in f and f in seen] == []
    assert len(english_left(seen)) > 10  # the check above and the French one can fail


@pytest.fixture
def real_services(sample_settings: Settings, embedder: SentenceTransformerEmbedder) -> Services:
    """The sample brand with the embedded GGUF model, as `make run` serves it."""
    return Services(sample_settings, embedder=embedder)


@pytest.fixture
def real_url(real_services: Services) -> Iterator[str]:
    real_services.llm.warm_up()
    yield from serve(real_services)
    real_services.llm.close()


def draft_one(page: Page, brief: str) -> None:
    page.get_by_label("Brief").fill(brief)
    variants = page.get_by_label("number input for Variants per platform")
    variants.fill("1")
    variants.press("Enter")
    page.get_by_role("button", name="Draft posts").click()


def ready(page: Page, llm: object, timeout_s: float = 240) -> None:
    """Wait for the draft to be done: "1 post ready", or an honest "No good draft" (the
    request went through; every candidate was dropped); on a time-out, say what the model
    and the page were doing."""
    try:
        expect(page.get_by_text(re.compile(r"1 post ready in|No good draft in"))).to_be_visible(
            timeout=timeout_s * 1000
        )
    except AssertionError as e:
        status = re.findall(r"(?m)^.*(?:✍️|⏳|⏹️|⚠️|✅).*$", page.inner_text("body"))
        raise AssertionError(
            f"no draft after {timeout_s:g} s: model busy={getattr(llm, 'busy', None)}, "
            f"waiting={getattr(llm, 'waiting', None)}, status lines {status[:3]}"
        ) from e


def test_a_stopped_or_abandoned_real_draft_leaves_the_model_free(
    real_url: str, browser: Browser, real_services: Services
) -> None:
    llm = real_services.llm
    page = log_in(browser, real_url, "alice", "en-US")
    # Stop while the embedded model is streaming: the model is free at once, and the next
    # draft goes through.
    draft_one(page, "Our Ethiopian single origin is back on Friday")
    expect(page.get_by_text(re.compile(r"Writing post 1 of 1"))).to_be_visible(timeout=120_000)
    page.get_by_role("button", name="Stop", exact=True).first.click()
    expect(page.get_by_text("⏹️")).to_be_visible()
    assert wait_until(lambda: not llm.busy, 30), "the model is still busy 30 s after Stop"
    draft_one(page, "The holiday gift box is in the shop")
    ready(page, llm)

    # Kill the browser while it streams: another user drafts right after.
    doomed = log_in(browser, real_url, "admin", "en-US")
    draft_one(doomed, "Our café in Mile End opens on Sundays")
    expect(doomed.get_by_text(re.compile(r"Writing post 1 of 1"))).to_be_visible(timeout=120_000)
    doomed.context.close()
    draft_one(page, "A new decaf from Colombia")
    ready(page, llm)
