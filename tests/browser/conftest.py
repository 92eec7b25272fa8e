"""Playwright driving Debian's Chromium (never a downloaded browser) against the live test server."""

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

CHROMIUM = os.environ.get("ROOST_CHROMIUM", "/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-output" / "screenshots"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Browser tests run last: once the browser starts, Playwright's event loop stays marked as running
    in the test thread until the session ends, and no other test should run beside it."""
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    # Playwright's sync API leaves its event loop marked as running in the test thread, so Django takes
    # every ORM call the test itself makes for one from async code. They are not (nothing runs on that
    # loop while the test's code does), so the check is off exactly while the loop exists.
    unsafe_before = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    with sync_playwright() as playwright:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
        try:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
            yield browser
            browser.close()
        finally:
            if unsafe_before is None:
                os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
            else:
                os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = unsafe_before


class PageWatch:
    """Fails the test on any dialog, page error, or request to a host other than the live server."""

    def __init__(self, page: Page, allowed_origin: str) -> None:
        self.problems: list[str] = []
        page.on("dialog", lambda d: (self.problems.append(f"dialog: {d.message}"), d.dismiss()))
        page.on("pageerror", lambda e: self.problems.append(f"page error: {e}"))
        page.on(
            "request",
            lambda r: (
                None
                if r.url.startswith((allowed_origin, "data:", "about:"))
                else self.problems.append(f"outside request: {r.url}")
            ),
        )

    def assert_clean(self) -> None:
        assert not self.problems, self.problems


def screenshot(page: Page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def sign_in(page: Page, base: str, address: str = "alice@example.test") -> None:
    """Sign in through the real form and wait for the Inbox."""
    from playwright.sync_api import expect

    from tests import personas

    page.goto(f"{base}/login/")
    page.get_by_label("Email address").fill(address)
    page.get_by_label("Password").fill(personas.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Inbox")).to_be_visible()
    page.wait_for_selector("html[data-mail-ready]", state="attached")
