"""Mail that claims one of our own addresses but was not sent by its signed-in owner is marked."""

import smtplib

import pytest
from django.test import Client
from django.urls import reverse

from tests import personas
from tests.mailstack import HOST, SMTP_PORT, SUBMISSION_PORT, make_message, wait_for_subject
from tests.webmail.helpers import folder_uids, signed_in

pytestmark = [pytest.mark.integration]
BANNER = "could not verify the sender"


@pytest.fixture
def bob(mail_stack: None, client: Client) -> Client:
    personas.mailbox("alice")
    personas.mailbox("bob")
    personas.mailbox("carol")
    return signed_in(client, "bob@example.test")


def opened(client: Client, subject: str) -> str:
    assert subject in wait_for_subject("bob@example.test", subject)
    uid = folder_uids("bob@example.test", "INBOX")[-1]
    return client.get(reverse("webmail:message", args=[uid]) + "?f=INBOX").content.decode()


def test_mail_from_outside_that_claims_alice_is_marked(bob: Client) -> None:
    with smtplib.SMTP(HOST, SMTP_PORT, timeout=10) as smtp:
        smtp.send_message(make_message("alice@example.test", "bob@example.test", "Urgent transfer"), "x@partners.test")
    page = opened(bob, "Urgent transfer")
    assert BANNER in page
    assert "not sent by the mailbox alice@example.test" in page


def test_mail_alice_submitted_herself_is_not_marked(bob: Client) -> None:
    with smtplib.SMTP(HOST, SUBMISSION_PORT, timeout=10) as smtp:
        smtp.login("alice@example.test", personas.PASSWORD)
        smtp.send_message(make_message("alice@example.test", "bob@example.test", "Lunch?"))
    assert BANNER not in opened(bob, "Lunch?")


def test_mail_from_another_domain_is_not_marked(bob: Client) -> None:
    with smtplib.SMTP(HOST, SMTP_PORT, timeout=10) as smtp:
        smtp.send_message(make_message("jose@partners.test", "bob@example.test", "From Jose"))
    assert BANNER not in opened(bob, "From Jose")
