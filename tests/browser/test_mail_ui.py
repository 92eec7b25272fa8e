"""The mail screen as people use it, in headless Chromium: desktop and a 390x844 phone."""

import pytest
from playwright.sync_api import Browser, expect

from tests import personas
from tests.browser.conftest import DESKTOP, PHONE, PageWatch, screenshot, sign_in
from tests.webmail.helpers import append, folder_uids, message

pytestmark = [pytest.mark.integration, pytest.mark.browser]
ALICE = "alice@example.test"


@pytest.fixture
def mailbox(mail_stack: None) -> None:
    personas.mailbox("alice")
    raws = [message(f"Weekly update {n}", body=f"Numbers for week {n} are in the sheet.") for n in range(1, 8)]
    raws.append(
        message("Lunch on Friday?", sender="Carol Nguyen <carol@example.test>", body="Shall we try the new café?")
    )
    append(ALICE, "INBOX", raws)


def test_phone_list_open_back_and_drawer(mailbox: None, live_server, browser: Browser) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    watch = PageWatch(page, live_server.url)
    sign_in(page, live_server.url)
    expect(page.get_by_text("Lunch on Friday?")).to_be_visible()
    screenshot(page, "mail-list-phone")

    page.get_by_role("button", name="Folders").click()
    expect(page.get_by_role("link", name="Archive")).to_be_visible()
    page.wait_for_timeout(300)  # the drawer slides in
    screenshot(page, "mail-drawer-phone")
    page.keyboard.press("Escape")

    page.get_by_text("Lunch on Friday?").click()
    expect(page.get_by_role("heading", name="Lunch on Friday?")).to_be_visible()
    expect(page.frame_locator("iframe.body-frame").get_by_text("Shall we try the new café?")).to_be_visible()
    screenshot(page, "mail-message-phone")

    page.get_by_role("link", name="Back to the list").click()
    expect(page.get_by_role("heading", name="Inbox")).to_be_visible()
    watch.assert_clean()
    context.close()


def test_desktop_select_range_and_archive(mailbox: None, live_server, browser: Browser) -> None:  # type: ignore[no-untyped-def]
    page = browser.new_page(viewport=DESKTOP)
    watch = PageWatch(page, live_server.url)
    sign_in(page, live_server.url)
    boxes = page.locator(".row input[name=uid]")
    boxes.nth(0).click()
    boxes.nth(2).click(modifiers=["Shift"])
    expect(page.locator(".row.selected")).to_have_count(3)
    screenshot(page, "mail-list-desktop")
    page.get_by_role("button", name="Archive").first.click()
    expect(page.get_by_role("status")).to_contain_text("Archived 3 messages")
    assert len(folder_uids(ALICE, "Archive")) == 3
    watch.assert_clean()
    page.close()


def test_keyboard_shortcuts(mailbox: None, live_server, browser: Browser) -> None:  # type: ignore[no-untyped-def]
    page = browser.new_page(viewport=DESKTOP)
    sign_in(page, live_server.url)
    page.keyboard.press("?")
    expect(page.get_by_role("dialog", name="Keyboard shortcuts")).to_be_visible()
    page.keyboard.press("Escape")
    page.keyboard.press("j")
    page.keyboard.press("j")
    page.keyboard.press("o")
    expect(page.get_by_role("heading", name="Weekly update 7")).to_be_visible()
    screenshot(page, "mail-message-desktop")
    page.keyboard.press("u")
    expect(page.get_by_role("heading", name="Inbox")).to_be_visible()
    page.keyboard.press("/")
    expect(page.get_by_role("searchbox", name="Search mail")).to_be_focused()
    page.close()


def test_drag_a_message_onto_a_folder(mailbox: None, live_server, browser: Browser) -> None:  # type: ignore[no-untyped-def]
    page = browser.new_page(viewport=DESKTOP)
    sign_in(page, live_server.url)
    page.locator(".row").first.drag_to(page.locator('[data-folder="Archive"]'))
    expect(page.locator(".row")).to_have_count(7)
    assert len(folder_uids(ALICE, "Archive")) == 1
    page.close()
