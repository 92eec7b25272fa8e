"""Web sign-in, then the INBOX page, read over IMAP through Dovecot's master user."""

import pytest
from django.test import Client
from django.urls import reverse

from tests import personas
from tests.mailstack import deliver, wait_for_subject
from webmail.mailstore import POOL

pytestmark = [pytest.mark.integration]


def _signed_in(client: Client, address: str = "alice@example.test") -> Client:
    response = client.post(reverse("accounts:login"), {"address": address, "password": personas.PASSWORD})
    assert response.status_code == 302, response.content
    return client


def test_inbox_lists_a_message_delivered_in_the_test(mail_stack: None, client: Client) -> None:
    personas.mailbox("alice")
    deliver("bob@partners.test", ["alice@example.test"], "Lunch on Friday?")
    wait_for_subject("alice@example.test", "Lunch on Friday?")

    response = _signed_in(client).get(reverse("webmail:folder", args=["INBOX"]))

    assert response.status_code == 200
    page = response.content.decode()
    assert "Lunch on Friday?" in page
    assert "bob@partners.test" in page
    assert "1 message" in page


def test_repeated_requests_reuse_one_imap_connection(mail_stack: None, client: Client) -> None:
    personas.mailbox("alice")
    _signed_in(client)
    for _ in range(5):
        assert client.get(reverse("webmail:folder", args=["INBOX"])).status_code == 200

    idle = [c for conns in POOL._idle.values() for c in conns]
    assert len(idle) == 1
    assert idle[0].logins == 1
    assert idle[0].selects == 1


def test_new_mail_shows_on_a_kept_connection(mail_stack: None, client: Client) -> None:
    personas.mailbox("alice")
    _signed_in(client)
    assert "Arrived later" not in client.get(reverse("webmail:folder", args=["INBOX"])).content.decode()
    deliver("bob@partners.test", ["alice@example.test"], "Arrived later")
    wait_for_subject("alice@example.test", "Arrived later")

    assert "Arrived later" in client.get(reverse("webmail:folder", args=["INBOX"])).content.decode()


def test_inbox_with_imap_down_says_so_without_a_traceback(mail_stack: None, client: Client, settings) -> None:  # type: ignore[no-untyped-def]
    personas.mailbox("alice")
    _signed_in(client)
    settings.ROOST_IMAP_PORT = 1  # nothing listens there

    response = client.get(reverse("webmail:folder", args=["INBOX"]))

    assert response.status_code == 503
    assert "Cannot reach the IMAP server at 127.0.0.1:1" in response.content.decode()
