"""Sign in through the real UI in headless Chromium and see a message delivered in the test."""

import pytest
from playwright.sync_api import Browser, expect

from tests import personas
from tests.browser.conftest import DESKTOP, PHONE, PageWatch, screenshot
from tests.mailstack import deliver, wait_for_subject

pytestmark = [pytest.mark.integration, pytest.mark.browser]


@pytest.mark.parametrize(("viewport", "label"), [(DESKTOP, "desktop"), (PHONE, "phone")])
def test_sign_in_and_see_the_inbox(mail_stack: None, live_server, browser: Browser, viewport, label) -> None:  # type: ignore[no-untyped-def]
    personas.mailbox("alice")
    deliver("jose@partners.test", ["alice@example.test"], "Visita a Lyon — fechas")
    deliver("bob@partners.test", ["alice@example.test"], "Lab safety training moved to Monday")
    wait_for_subject("alice@example.test", "Lab safety training moved to Monday")
    context = browser.new_context(viewport=viewport)
    page = context.new_page()
    watch = PageWatch(page, live_server.url)

    page.goto(f"{live_server.url}/")
    expect(page).to_have_title("Sign in · Roost")
    screenshot(page, f"login-{label}")
    page.get_by_label("Email address").fill("alice@example.test")
    page.get_by_label("Password").fill(personas.PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    expect(page.get_by_role("heading", name="Inbox")).to_be_visible()
    expect(page.get_by_test_id("message-count")).to_have_text("2 messages")
    expect(page.get_by_text("Visita a Lyon — fechas")).to_be_visible()
    expect(page.get_by_text("Lab safety training moved to Monday")).to_be_visible()
    screenshot(page, f"inbox-{label}")

    page.locator("[data-account-menu] summary").click()
    expect(page.get_by_role("menu")).to_contain_text("alice@example.test")
    screenshot(page, f"account-menu-{label}")
    page.get_by_role("menuitem", name="Sign out").click()
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    watch.assert_clean()
    context.close()


def test_wrong_password_shows_the_reason(mail_stack: None, live_server, browser: Browser) -> None:  # type: ignore[no-untyped-def]
    personas.mailbox("alice")
    page = browser.new_page(viewport=PHONE)
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Email address").fill("alice@example.test")
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Sign in").click()

    expect(page.get_by_role("alert")).to_contain_text("do not match an active account")
    screenshot(page, "login-error-phone")
    page.close()
