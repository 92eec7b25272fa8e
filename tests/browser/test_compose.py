"""Compose with an attachment in Chromium, send, and see it arrive in the recipient's INBOX."""

import email
import email.policy
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from tests import personas
from tests.browser.conftest import DESKTOP, PHONE, PageWatch, screenshot, sign_in
from tests.mailstack import master_login, wait_for_subject
from webmail.models import Outbox
from webmail.services.outbox import outbox_deliver, outbox_file

pytestmark = [pytest.mark.integration, pytest.mark.browser]
ALICE = "alice@example.test"


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


def _draft_files(address: str) -> list[list[str]]:
    """The file names in each message of the Drafts folder, read over IMAP."""
    client = master_login(address)
    try:
        client.select_folder("Drafts", readonly=True)
        uids = client.search("ALL")
        found = client.fetch(uids, ["BODY.PEEK[]"]) if uids else {}
        messages = [email.message_from_bytes(item[b"BODY[]"], policy=email.policy.default) for item in found.values()]
        return [[str(part.get_filename()) for part in m.iter_attachments()] for m in messages]  # type: ignore[attr-defined]
    finally:
        client.logout()


def test_a_file_over_the_limit_never_reaches_the_draft_and_never_blocks_send_for_good(  # type: ignore[no-untyped-def]
    mail_stack: None, live_server, browser: Browser, settings, tmp_path: Path
) -> None:
    settings.ROOST_UNDO_SEND_SECONDS = 0
    settings.ROOST_ATTACHMENT_MAX_BYTES = 3000
    personas.mailbox("alice")
    personas.mailbox("bob")
    files = {name: tmp_path / name for name in ("huge.bin", "notes.txt", "plan.txt")}
    files["huge.bin"].write_bytes(b"h" * 5000)
    files["notes.txt"].write_text("n" * 2000)
    files["plan.txt"].write_text("p" * 2000)
    page = browser.new_page(viewport=DESKTOP)
    watch = PageWatch(page, live_server.url)
    sign_in(page, live_server.url, "alice@example.test")
    page.goto(f"{live_server.url}/mail/compose/")
    page.wait_for_selector("html[data-compose-ready]", state="attached")
    picker = page.get_by_label("Attachments")
    sendable = "() => document.querySelector('form[data-compose]').checkValidity()"

    def saved_after(step) -> None:  # type: ignore[no-untyped-def]
        # A save answers even when it changes nothing (then the server keeps the version): wait for the answer.
        with page.expect_response(lambda r: "/mail/drafts/save/" in r.url and r.request.method == "POST"):
            step()

    saved_after(lambda: page.get_by_label("To").fill("bob@example.test"))
    page.get_by_label("Subject").fill("Files within the limit")
    page.get_by_label("Message").fill("Only the plan.")
    saved_after(lambda: picker.set_input_files(str(files["huge.bin"])))
    assert not page.evaluate(sendable)
    assert _draft_files(ALICE) == [[]]  # the text was saved, the file was not
    saved_after(lambda: page.get_by_role("button", name="Remove").click())
    assert page.evaluate(sendable)

    saved_after(lambda: picker.set_input_files(str(files["notes.txt"])))
    expect(page.get_by_role("group", name="Attached")).to_contain_text("notes.txt")
    saved_after(lambda: picker.set_input_files(str(files["plan.txt"])))  # 2 + 2 KB: over the 3 KB limit
    assert not page.evaluate(sendable)
    assert _draft_files(ALICE) == [["notes.txt"]]
    saved_after(lambda: page.get_by_role("group", name="Attached").get_by_role("checkbox").first.uncheck())
    assert page.evaluate(sendable)
    expect(page.get_by_role("group", name="Attached")).to_contain_text("plan.txt")
    screenshot(page, "compose-within-limit")
    page.get_by_role("button", name="Send", exact=True).click()
    expect(page.get_by_role("heading", name="Outbox")).to_be_visible()
    row = Outbox.objects.get(subject="Files within the limit")
    if outbox_deliver(outbox_id=row.pk).file_next:
        outbox_file(outbox_id=row.pk)
    wait_for_subject("bob@example.test", "Files within the limit")
    client = master_login("bob@example.test")
    try:
        client.select_folder("INBOX", readonly=True)
        (uid,) = client.search(["SUBJECT", "Files within the limit"])
        got = email.message_from_bytes(
            client.fetch([uid], ["BODY.PEEK[]"])[uid][b"BODY[]"], policy=email.policy.default
        )
    finally:
        client.logout()
    assert {p.get_filename(): p.get_content() for p in got.iter_attachments()} == {"plan.txt": "p" * 2000}  # type: ignore[attr-defined]
    watch.assert_clean()
    page.close()
