"""Debian's Chromium for the browser tests, launched, watched and logged in the same way by each."""

import os
import shutil
from contextlib import contextmanager
from pathlib import Path

CHROMIUM = os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
PASSWORD = "correct horse battery"


@contextmanager
def chromium():
    """A headless Chromium (Playwright drives it; it downloads no browser of its own)."""
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        try:
            yield browser
        finally:
            browser.close()


def errors_of(page):
    """The list the page's console errors and uncaught exceptions go to (CSP violations are console errors)."""
    problems = []
    page.on("console", lambda message: message.type == "error" and problems.append(message.text))
    page.on("pageerror", lambda error: problems.append(str(error)))
    return problems


def log_in(page, live_url, username, next_url, password=PASSWORD):
    """Sign in through the admin's login form and land on `next_url`."""
    page.goto(f"{live_url}/admin/login/?next={next_url}")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.keyboard.press("Enter")
    page.wait_for_url(next_url)
