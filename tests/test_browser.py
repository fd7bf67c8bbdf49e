"""The real app in headless Chromium: an author drafts and submits a post, a reviewer logs in
from another browser context, approves and schedules it, and finds it in the calendar.

Needs Debian's `chromium` package (/usr/bin/chromium) and Playwright for Python; Playwright's
own browser download (`playwright install`) is not used. Set UI_SCREENSHOT_DIR to keep the
screenshots of each tab."""

from __future__ import annotations

import csv
import io
import os
import re
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Browser, Page, expect

os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"  # before gradio is imported

from cmassist.bootstrap import Services
from cmassist.interfaces.web.app import build_app
from cmassist.interfaces.web.auth import app_auth
from cmassist.interfaces.web.language import auth_message
from tests.browser_support import CHROMIUM, chromium, free_port

if not CHROMIUM.exists():
    pytest.skip(
        "needs Debian's chromium package: /usr/bin/chromium is missing", allow_module_level=True
    )

PASSWORD = "correct horse battery"
ZONE = "America/Toronto"  # the browsers' time zone: the app shows times in it
XSS = "<img src=x onerror=alert(1)>"
TIMEOUT_MS = 30_000

pytestmark = pytest.mark.slow


@pytest.fixture
def app_url(services: Services, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.setenv("GRADIO_ANALYTICS_ENABLED", "False")
    services.review.add_user("alice", PASSWORD, "author")
    services.review.add_user("bob", PASSWORD, "reviewer")
    app = build_app(services)
    port = free_port()
    app.launch(
        server_name="127.0.0.1",
        server_port=port,
        prevent_thread_lock=True,
        quiet=True,
        auth=app_auth(services),
        auth_message=auth_message("en"),
        i18n=app.i18n_instance,
    )
    try:
        yield f"http://127.0.0.1:{port}/"
    finally:
        app.close()


@pytest.fixture
def browser() -> Iterator[Browser]:
    with chromium(TIMEOUT_MS) as browser:
        yield browser


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("UI_SCREENSHOT_DIR") or tmp_path / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def log_in(browser: Browser, url: str, name: str, dialogs: list[str]) -> Page:
    """A new browser context (its own cookies) logged in as `name`."""
    context = browser.new_context(viewport={"width": 1400, "height": 1100}, timezone_id=ZONE)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(url)
    expect(page.get_by_text("Log in with your cmassist account")).to_be_visible()
    page.get_by_label("username").fill(name)
    page.get_by_label("password").fill(PASSWORD)
    page.get_by_role("button", name="Login").click()
    expect(page.get_by_text(f"Logged in as {name}")).to_be_visible()
    return page


def screenshot(page: Page, path: Path) -> None:
    page.wait_for_timeout(800)  # let the last updates render: the pictures are for people
    page.screenshot(path=path, full_page=True)


def test_author_submits_reviewer_approves_and_schedules_it_shows_in_the_calendar(
    app_url: str, browser: Browser, services: Services, shots: Path
) -> None:
    dialogs: list[str] = []

    # The author drafts a post in Compose and submits the first variant.
    author = log_in(browser, app_url, "alice", dialogs)
    author.get_by_label("Brief").fill(f"Our Ethiopian single origin is back {XSS}")
    author.get_by_role("button", name="Draft posts").click()
    expect(author.get_by_text(re.compile(r"2 posts ready"))).to_be_visible(timeout=90_000)
    author.get_by_role("button", name="Submit for review").first.click()
    expect(author.get_by_role("button", name="Submitted for review ✓")).to_be_visible()
    header = author.get_by_text(re.compile(r"Draft #\d+ · submitted")).first
    draft_id = int(re.search(r"#(\d+)", header.inner_text()).group(1))
    screenshot(author, shots / "compose.png")
    assert services.review.get(draft_id).author == "alice"

    # The reviewer, in another browser context, opens it from the queue and approves it.
    reviewer = log_in(browser, app_url, "bob", dialogs)
    reviewer.get_by_role("tab", name="Review").click()
    expect(reviewer.get_by_text("1 draft · click a row to open it")).to_be_visible()
    reviewer.get_by_role("gridcell", name=str(draft_id), exact=True).first.click()
    expect(reviewer.get_by_text(re.compile(r"State submitted · version 1"))).to_be_visible()
    reviewer.locator("#review-comment textarea").fill(f"Lovely, ship it {XSS}")
    reviewer.get_by_role("button", name="Approve").click()
    expect(reviewer.get_by_text(f"Draft #{draft_id} approved: now approved.")).to_be_visible()

    # ... and schedules it for tomorrow 09:30 in the browser's time zone.
    at = (datetime.now(ZoneInfo(ZONE)) + timedelta(days=1)).replace(
        hour=9, minute=30, second=0, microsecond=0
    )
    when = reviewer.locator("#schedule-at input")
    when.fill(at.strftime("%Y-%m-%d %H:%M:%S"))
    when.press("Enter")
    reviewer.get_by_role("button", name="Schedule", exact=True).click()
    expect(
        reviewer.get_by_text(
            re.compile(
                rf"Draft #{draft_id} scheduled for "
                rf"{at:%Y-%m-%d} 09:30 \({ZONE}\)"
            )
        )
    ).to_be_visible()
    reviewer.get_by_role("tab", name="Comments").click()
    expect(reviewer.get_by_role("gridcell", name=f"Lovely, ship it {XSS}")).to_be_visible()
    screenshot(reviewer, shots / "review.png")
    assert services.review.get(draft_id).state == "scheduled"
    assert {o.due_at for o in services.review.outbox()} == {at}

    # The post is in the calendar, on its day, at its time.
    reviewer.get_by_role("tab", name="Calendar").click()
    week = reviewer.locator("#calendar-week input")
    week.fill(at.date().isoformat())
    week.press("Enter")
    day = reviewer.get_by_label(re.compile(rf"{at:%a} {at.day} {at:%b} · 1 post"))
    shown = re.escape(services.review.get(draft_id).text[:30])  # the brief's post, or the model's
    expect(day).to_have_value(
        re.compile(rf"^09:30 · #{draft_id} · boreale · Instagram · csv · queued · {shown}")
    )
    screenshot(reviewer, shots / "calendar.png")

    # The audit log says who did what, and downloads as CSV.
    reviewer.get_by_role("tab", name="Audit").click()
    expect(reviewer.get_by_role("gridcell", name="scheduled").first).to_be_visible()
    reviewer.get_by_role("button", name="Export").click()
    link = reviewer.locator("a[download$='.csv']")
    expect(link).to_have_attribute("download", re.compile(r"^audit-\d{8}-\d{6}\.csv$"))
    with reviewer.expect_download() as download:
        link.click()
    rows = list(
        csv.DictReader(io.StringIO(Path(download.value.path()).read_text(encoding="utf-8")))
    )
    assert [(r["actor"], r["action"]) for r in rows if r["draft_id"] == str(draft_id)] == [
        ("alice", "created"),
        ("alice", "submitted"),
        ("bob", "approved"),
        ("bob", "scheduled"),
    ]
    screenshot(reviewer, shots / "audit.png")
    reviewer.get_by_role("tab", name="Admin").click()
    expect(reviewer.get_by_text("Only an admin can pause or resume publishing")).to_be_visible()
    screenshot(reviewer, shots / "admin.png")

    # Untrusted text stayed text: no element was made from it, no script ran.
    assert author.locator("img[src=x]").count() == 0
    assert reviewer.locator("img[src=x]").count() == 0
    assert dialogs == []

    # Logging out brings the login page back.
    author.get_by_role("link", name="Log out").click()
    expect(author.get_by_role("button", name="Login")).to_be_visible()


def test_check_tab_highlights_findings_as_plain_text_and_applies_fixes(
    app_url: str, browser: Browser, shots: Path
) -> None:
    dialogs: list[str] = []
    page = log_in(browser, app_url, "alice", dialogs)
    page.get_by_role("tab", name="Check").click()
    page.locator("#check-text textarea").fill(f"Our cheap coffee is great!!! {XSS}")
    page.locator("#check-btn").click()
    summary = page.locator("#check-summary")
    expect(summary).to_contain_text("block")
    highlight = page.locator("#check-highlight")
    expect(highlight).to_contain_text("cheap")
    expect(highlight).to_contain_text(XSS)  # the pasted markup is shown as text
    assert highlight.locator("img").count() == 0
    expect(page.get_by_role("gridcell", name="banned_term").first).to_be_visible()
    screenshot(page, shots / "check.png")
    page.locator("#check-fix").click()
    # The fixes replace the banned term; the markup leaked after the text is cut with it.
    expect(page.locator("#check-text textarea")).to_have_value("Our affordable coffee is great!")
    expect(summary).not_to_contain_text("block")
    assert dialogs == []


def test_inbox_shows_the_crisis_alert_and_hides_a_ticked_message(
    app_url: str, browser: Browser, services: Services, shots: Path
) -> None:
    inbox = services.inbox
    inbox.import_file(
        Path(__file__).resolve().parents[1] / "brand_guidelines" / "inbox" / "sample.jsonl",
        brand="boreale",
    )
    evil, _ = inbox.add_one(
        {
            "id": "xss-1",
            "platform": "facebook",
            "author": XSS,
            "text": f"My beans are stale {XSS}",
            "time": "2025-11-20T10:00:00-05:00",
        },
        brand="boreale",
    )
    inbox.triage_pending(limit=5000)
    alert = inbox.alerts()[0]
    top = inbox.list()[0]
    dialogs: list[str] = []

    page = log_in(browser, app_url, "bob", dialogs)
    page.get_by_role("tab", name="Inbox").click()
    expect(page.locator("#inbox-info")).to_contain_text("121 messages, most urgent first")
    expect(page.locator("#crisis-summary")).to_contain_text(
        f"Crisis alert #{alert.id}: {alert.topic}"
    )
    expect(page.locator("#crisis-summary")).to_contain_text(
        f"{alert.count} negative or complaint messages"
    )
    crisis = page.locator("#crisis-panel")
    expect(crisis.get_by_role("button", name="Draft holding statement")).to_be_visible()
    queue = page.locator("#inbox-queue")
    expect(queue.get_by_role("gridcell", name=str(top.id), exact=True).first).to_be_visible()
    screenshot(page, shots / "inbox.png")

    # Tick the most urgent message, hide it: it leaves the queue of new messages.
    queue.get_by_role("gridcell", name="☐", exact=True).first.click()
    expect(page.locator("#inbox-ticked")).to_contain_text("1 message ticked")
    page.get_by_role("button", name="Hide", exact=True).click()
    expect(page.locator("#inbox-action-status")).to_contain_text("1 message hidden")
    expect(page.locator("#inbox-info")).to_contain_text("120 messages, most urgent first")
    assert inbox.get(top.id).status == "hidden" and inbox.get(top.id).handled_by == "bob"

    # A message's text and author are shown as text, never as markup.
    number = page.locator("#inbox-message-no input")
    number.fill(str(evil))
    number.press("Enter")
    expect(page.locator("#inbox-text textarea")).to_have_value(f"My beans are stale {XSS}")
    expect(page.locator("#inbox-reasons").get_by_role("gridcell", name="method")).to_be_visible()
    screenshot(page, shots / "inbox-message.png")
    assert page.locator("img[src=x]").count() == 0
    assert dialogs == []
