"""Drafts in the browser: autosaved to the server while typing, and kept in the browser when a tab dies."""

import pytest
from playwright.sync_api import Browser, expect

from tests import personas
from tests.browser.conftest import DESKTOP, PageWatch, screenshot
from tests.webmail.helpers import folder_uids

pytestmark = [pytest.mark.integration, pytest.mark.browser]
ALICE = "alice@example.test"


def test_autosave_then_reopen_from_drafts_and_restore_after_a_crash(  # type: ignore[no-untyped-def]
    mail_stack: None, live_server, browser: Browser, tmp_path
) -> None:
    personas.mailbox("alice")
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    watch = PageWatch(page, live_server.url)
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Email address").fill(ALICE)
    page.get_by_label("Password").fill(personas.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"{live_server.url}/mail/compose/")
    page.wait_for_selector("html[data-compose-ready]", state="attached")
    page.get_by_label("To").fill("bob@example.test")
    page.get_by_label("Subject").fill("Draft in progress")
    page.get_by_label("Message").fill("First paragraph of a long letter.")
    budget = tmp_path / "budget.csv"
    budget.write_text("item,cost\nroom,100\n")
    page.get_by_label("Attachments").set_input_files(str(budget))
    expect(page.get_by_role("status").filter(has_text="Draft saved")).to_be_visible(timeout=15000)
    expect(page.get_by_role("group", name="Attached")).to_contain_text("budget.csv")
    uids = folder_uids(ALICE, "Drafts")
    assert len(uids) == 1
    screenshot(page, "compose-autosaved")

    page.goto(f"{live_server.url}/mail/compose/?draft={uids[0]}&f=Drafts")
    page.wait_for_selector("html[data-compose-ready]", state="attached")
    expect(page.get_by_label("Message")).to_have_text("First paragraph of a long letter.")
    expect(page.get_by_label("Subject")).to_have_value("Draft in progress")
    expect(page.get_by_role("group", name="Attached")).to_contain_text("budget.csv")

    # A second letter typed and the tab "crashes" before any save reaches the server:
    page.goto(f"{live_server.url}/mail/compose/")
    page.wait_for_selector("html[data-compose-ready]", state="attached")
    page.evaluate("document.querySelector('[data-compose]').dataset.autosaveUrl = '/nowhere/'")
    page.get_by_label("Message").fill("Words that never reached the server.")
    stored = "() => Object.keys(localStorage).some(k => (localStorage.getItem(k) || '').includes('never reached'))"
    for _ in range(50):
        if page.evaluate(stored):
            break
        page.wait_for_timeout(100)
    page.wait_for_timeout(500)  # the browser shares localStorage with new tabs a moment after the write
    page.close()
    fresh = context.new_page()
    fresh.goto(f"{live_server.url}/mail/compose/")
    fresh.wait_for_selector("html[data-compose-ready]", state="attached")
    screenshot(fresh, "restore-offer")
    fresh.get_by_role("button", name="Restore it").click()
    expect(fresh.get_by_label("Message")).to_have_text("Words that never reached the server.")
    # No autosave in flight while the test database is emptied afterwards.
    fresh.evaluate("() => { document.querySelector('[data-compose]').dataset.autosaveUrl = '/nowhere/'; }")
    watch.assert_clean()
    context.close()
