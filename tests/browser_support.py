"""Shared by the browser test modules: Debian's Chromium driven by Playwright (Playwright's
own browser download is not used), and a free port for the server under test."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from playwright.sync_api import Browser, expect, sync_playwright

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def chromium(timeout_ms: int) -> Iterator[Browser]:
    """Headless Chromium; `expect` waits up to `timeout_ms` by default."""
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        expect.set_options(timeout=timeout_ms)
        try:
            yield browser
        finally:
            browser.close()
