"""The Outbox in Chromium: a message on its way says how long it has been trying; an uncertain one
says plainly what is known, and sending it again takes a confirmation."""

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, expect

from accounts.models import User
from tests import personas
from tests.browser.conftest import DESKTOP, PHONE, PageWatch, screenshot, sign_in
from webmail.mailstore import mail_account_for_task
from webmail.mime.compose import parse_address_list
from webmail.models import Outbox
from webmail.services.compose import ComposeRequest, message_send
from webmail.services.outbox import UNCERTAIN_TEXT

pytestmark = [pytest.mark.integration, pytest.mark.browser]


def row(user: User, subject: str, **state: object) -> Outbox:
    request = ComposeRequest(
        idempotency_key=uuid.uuid4().hex,
        from_address=user.username,
        to=parse_address_list("bob@example.test"),
        subject=subject,
        text="x",
    )
    made = message_send(account=mail_account_for_task(user), request=request)
    Outbox.objects.filter(pk=made.pk).update(**state)
    made.refresh_from_db()
    return made


def test_uncertain_message_is_explained_and_sent_again_only_when_confirmed(
    mail_stack: None, live_server, browser: Browser, settings
) -> None:  # type: ignore[no-untyped-def]
    settings.ROOST_UNDO_SEND_SECONDS = 0
    alice = User.objects.get(pk=personas.mailbox("alice").user_id)
    personas.mailbox("bob")
    now = timezone.now()
    row(alice, "Still going", state=Outbox.State.SENDING, send_after=now - timedelta(seconds=20),
        lease_until=now + timedelta(seconds=40), attempts=1)  # fmt: skip
    unsure = row(alice, "Lost its reply", state=Outbox.State.UNCERTAIN, last_error=UNCERTAIN_TEXT)

    for name, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        page = browser.new_page(viewport=viewport)
        watch = PageWatch(page, live_server.url)
        sign_in(page, live_server.url, "alice@example.test")
        page.goto(f"{live_server.url}/mail/outbox/")
        expect(page.get_by_text("Sending…")).to_be_visible()
        expect(page.get_by_text("trying for")).to_be_visible()
        line = page.locator(f'[data-outbox-row="{unsure.pk}"]')
        expect(line).to_contain_text("The server received the message but did not confirm it.")
        line.get_by_role("button", name="Send again").click()
        expect(line.get_by_text("sending it again can give them a second copy")).to_be_visible()
        screenshot(page, f"outbox-uncertain-confirm-{name}")
        unsure.refresh_from_db()
        assert unsure.state == Outbox.State.UNCERTAIN  # asking is not sending
        if name == "phone":
            line.get_by_role("button", name="Send it again anyway").click()
            expect(page.get_by_text("Sending again.")).to_be_visible()
            unsure.refresh_from_db()
            assert unsure.state == Outbox.State.QUEUED
        watch.assert_clean()
        page.close()
