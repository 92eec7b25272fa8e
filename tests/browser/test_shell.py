"""The page shell in Chromium: an administrator's app switcher on the desktop and in the phone drawer,
the folder sidebar on the Settings page, the shortcuts dialog, and a calm page when the mail server is down."""

import pytest
from playwright.sync_api import Browser, expect

from tests import personas
from tests.browser.conftest import DESKTOP, PHONE, PageWatch, screenshot, sign_in

pytestmark = [pytest.mark.integration, pytest.mark.browser]


@pytest.fixture
def postmaster(mail_stack: None) -> str:
    personas.mailbox("alice")
    box = personas.mailbox("postmaster")
    box.user.is_staff = True
    box.user.save(update_fields=["is_staff"])
    return "postmaster@example.test"


def test_admin_switcher_and_settings_sidebar_on_the_desktop(postmaster: str, live_server, browser: Browser) -> None:  # type: ignore[no-untyped-def]
    page = browser.new_page(viewport=DESKTOP)
    watch = PageWatch(page, live_server.url)
    sign_in(page, live_server.url, postmaster)
    switcher = page.get_by_role("navigation", name="Apps")
    expect(switcher.get_by_role("link", name="Mail")).to_have_attribute("aria-current", "page")
    expect(switcher.get_by_role("link", name="Admin")).to_be_visible()
    page.get_by_role("link", name="Settings").click()
    expect(page.get_by_role("heading", name="Mail settings")).to_be_visible()
    expect(page.locator('[data-folder="INBOX"]')).to_be_visible()  # the sidebar no longer vanishes here
    page.keyboard.press("?")
    expect(page.get_by_role("dialog", name="Keyboard shortcuts")).to_be_visible()
    screenshot(page, "shell-shortcuts-desktop")
    page.keyboard.press("Escape")
    screenshot(page, "shell-settings-desktop")
    watch.assert_clean()
    page.close()


def test_admin_switcher_in_the_phone_drawer(postmaster: str, live_server, browser: Browser) -> None:  # type: ignore[no-untyped-def]
    page = browser.new_page(viewport=PHONE)
    sign_in(page, live_server.url, postmaster)
    expect(page.get_by_role("navigation", name="Apps")).to_be_hidden()
    page.get_by_role("button", name="Folders").click()
    drawer = page.locator("[data-drawer]")
    expect(drawer.get_by_role("link", name="Admin")).to_be_visible()
    expect(drawer.locator('[data-folder="INBOX"]')).to_be_visible()
    page.wait_for_timeout(300)  # the drawer slides in
    screenshot(page, "shell-drawer-phone")
    page.close()


def test_mail_server_down_is_a_calm_page(postmaster: str, live_server, browser: Browser, settings) -> None:  # type: ignore[no-untyped-def]
    page = browser.new_page(viewport=PHONE)
    sign_in(page, live_server.url, "alice@example.test")
    settings.ROOST_IMAP_PORT = 1
    response = page.goto(f"{live_server.url}/mail/f/INBOX/")
    assert response is not None
    assert response.status == 503
    expect(page.get_by_role("alert")).to_contain_text("Cannot reach the IMAP server")
    screenshot(page, "shell-unavailable-phone")
    page.close()
