import pytest
from django.test import Client
from django.urls import reverse

from tests import personas
from tests.webmail.helpers import append, message, signed_in
from webmail.models import MailPreferences, RemoteContentSender

pytestmark = [pytest.mark.integration]


@pytest.fixture
def alice(mail_stack: None, client: Client) -> Client:
    personas.mailbox("alice")
    return signed_in(client)


def test_mark_read_on_open_can_be_turned_off_and_senders_forgotten(alice: Client) -> None:
    page = alice.get(reverse("webmail:settings")).content.decode()
    assert 'name="mark_read_on_open" checked' in page
    alice.post(reverse("webmail:settings"), {})
    assert MailPreferences.objects.get().mark_read_on_open is False
    alice.post(reverse("webmail:remote_allow"), {"sender": "News@Partners.test"})
    assert RemoteContentSender.objects.get().address == "news@partners.test"
    alice.post(reverse("webmail:settings"), {"forget": "news@partners.test"})
    assert not RemoteContentSender.objects.exists()


def test_dates_follow_the_browser_time_zone(alice: Client) -> None:
    append("alice@example.test", "INBOX", [message("Zoned", Date="Tue, 03 Mar 2026 23:30:00 +0000")])
    url = reverse("webmail:message", args=[1]) + "?f=INBOX"
    assert "Tue 3 Mar 2026, 23:30" in alice.get(url).content.decode()
    alice.cookies["roost_tz"] = "Asia/Tokyo"
    assert "Wed 4 Mar 2026, 08:30" in alice.get(url).content.decode()
    alice.cookies["roost_tz"] = "Not/AZone"
    assert "Tue 3 Mar 2026, 23:30" in alice.get(url).content.decode()
