"""Compose with an attachment in Chromium, send, and see it arrive in the recipient's INBOX."""

from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from tests import personas
from tests.browser.conftest import DESKTOP, PHONE, PageWatch, screenshot
from webmail.models import Outbox
from webmail.services.outbox import outbox_deliver, outbox_file

pytestmark = [pytest.mark.integration, pytest.mark.browser]


def sign_in(page, base: str, address: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{base}/login/")
    page.get_by_label("Email address").fill(address)
    page.get_by_label("Password").fill(personas.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Inbox")).to_be_visible()


def test_compose_with_attachment_send_and_receive(
    mail_stack: None, live_server, browser: Browser, settings, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    settings.ROOST_UNDO_SEND_SECONDS = 0
    personas.mailbox("alice")
    personas.mailbox("bob")
    attachment = tmp_path / "agenda.txt"
    attachment.write_text("1. Welcome\n2. Budget\n")
    page = browser.new_page(viewport=DESKTOP)
    watch = PageWatch(page, live_server.url)
    sign_in(page, live_server.url, "alice@example.test")
    page.get_by_role("link", name="Compose").click()
    page.get_by_label("To").fill("Bob <bob@example.test>")
    page.get_by_label("Subject").fill("Agenda for Monday")
    page.get_by_label("Message").fill("Hi Bob,\n\nthe agenda is attached.\n\nAlice")
    page.get_by_label("Attachments").set_input_files(str(attachment))
    screenshot(page, "compose-desktop")
    page.get_by_role("button", name="Send", exact=True).click()
    expect(page.get_by_role("heading", name="Outbox")).to_be_visible()
    row = Outbox.objects.get(subject="Agenda for Monday")
    if outbox_deliver(outbox_id=row.pk).file_next:  # what the Celery worker does
        outbox_file(outbox_id=row.pk)
    page.reload()
    expect(page.locator(f'[data-outbox-row="{row.pk}"] [data-state]')).to_have_text("sent")
    watch.assert_clean()
    page.close()

    bob = browser.new_page(viewport=PHONE)
    sign_in(bob, live_server.url, "bob@example.test")
    bob.get_by_text("Agenda for Monday").click()
    expect(bob.get_by_role("heading", name="Agenda for Monday")).to_be_visible()
    expect(bob.get_by_role("link", name="agenda.txt")).to_be_visible()
    expect(bob.frame_locator("iframe.body-frame").get_by_text("the agenda is attached.")).to_be_visible()
    bob.wait_for_timeout(300)
    screenshot(bob, "received-phone")
    bob.close()
