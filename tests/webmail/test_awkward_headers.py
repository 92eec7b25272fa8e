"""Messages whose headers mail from the outside world often gets wrong (no From, a Date with an
impossible zone, a subject with one word in an unknown charset) still list and open."""

import re
import smtplib

import pytest
from django.test import Client
from django.urls import reverse

from tests import personas
from tests.mailstack import HOST, SMTP_PORT, wait_for_count
from tests.webmail.helpers import append, list_url, signed_in

pytestmark = [pytest.mark.integration]
ALICE = "alice@example.test"


@pytest.fixture
def alice(mail_stack: None, client: Client) -> Client:
    personas.mailbox("alice")
    return signed_in(client)


def _deliver(raw: bytes) -> None:
    """Through Postfix port 25, as outside mail arrives. Postfix completes the headers of mail from its own
    addresses (local_header_rewrite_clients), so the client connects from another loopback address, as a
    stranger would."""
    with smtplib.SMTP(HOST, SMTP_PORT, timeout=20, source_address=("127.0.0.2", 0)) as smtp:
        smtp.sendmail("nobody@partners.test", [ALICE], raw)


def _open(client: Client, uid: int) -> str:
    response = client.get(reverse("webmail:message", args=[uid]) + "?f=INBOX")
    assert response.status_code == 200, response.content[:300]
    return response.content.decode()


def _row_date(page: str, uid: int) -> str:
    row = re.search(rf'data-uid="{uid}".*?<time datetime="([^"]*)"', page, re.S)
    assert row is not None
    return row.group(1)


def test_a_message_without_from_lists_and_opens(alice: Client) -> None:
    _deliver(b"To: alice@example.test\r\nSubject: No sender here\r\n\r\nWho sent this?\r\n")
    assert len(wait_for_count(ALICE, 1)) == 1

    listing = alice.get(list_url())
    page = _open(alice, 1)

    assert listing.status_code == 200
    assert "No sender here" in listing.content.decode()
    assert "(unknown sender)" in listing.content.decode()
    assert "(unknown sender)" in page
    assert alice.get(reverse("webmail:compose"), {"mode": "reply", "f": "INBOX", "uid": 1}).status_code == 200
    assert "Who sent this?" in alice.get(reverse("webmail:message_body", args=[1]) + "?f=INBOX").content.decode()
    search = alice.get(reverse("webmail:search") + "?q=sender&all=1")
    assert search.status_code == 200
    assert "(unknown sender)" in search.content.decode()


def test_an_impossible_date_zone_falls_back_to_the_arrival_time(alice: Client) -> None:
    _deliver(
        b"From: Bob <bob@partners.test>\r\nTo: alice@example.test\r\nSubject: Far zone\r\n"
        b"Date: Tue, 03 Mar 2026 10:15:00 -3000\r\n\r\nSent from nowhere.\r\n"
    )
    assert len(wait_for_count(ALICE, 1)) == 1
    append(
        ALICE,
        "INBOX",
        [b"From: Eve <eve@partners.test>\r\nSubject: Also far\r\nDate: Wed, 04 Mar 2026 08:00:00 +9999\r\n\r\nx\r\n"],
    )

    listing = alice.get(list_url())
    first, second = _open(alice, 1), _open(alice, 2)

    assert listing.status_code == 200
    text = listing.content.decode()
    assert "Far zone" in text
    assert "Also far" in text
    # the arrival time: today for the delivered one, 2026-03-01 09:00 UTC for the appended one
    assert _row_date(text, 2).startswith("2026-03-01T")
    assert _row_date(text, 1) != ""
    assert not _row_date(text, 1).startswith("2026-03-0")
    assert "Far zone" in first
    assert "1 Mar 2026" in second
    for uid in (1, 2):
        reply = alice.get(reverse("webmail:compose"), {"mode": "reply", "f": "INBOX", "uid": uid})
        assert reply.status_code == 200


def test_a_subject_with_one_unknown_charset_word_keeps_the_rest_decoded(alice: Client) -> None:
    append(
        ALICE,
        "INBOX",
        [
            b"From: Bob <bob@partners.test>\r\nTo: alice@example.test\r\n"
            b"Subject: =?utf-8?q?Caf=C3=A9?= =?x-unknown?q?abc?= =?iso-8859-1?q?cr=E8me?=\r\n\r\nx\r\n"
        ],
    )

    listing = alice.get(list_url()).content.decode()
    page = _open(alice, 1)

    assert "Café =?x-unknown?q?abc?= crème" in listing
    assert "Café =?x-unknown?q?abc?= crème" in page
