"""External mode: Roost in front of an IMAP server it does not manage (here, the same test Dovecot,
reached with each user's own password instead of the master user)."""

import base64
import re
from email.message import EmailMessage

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from tests import personas
from tests.mailstack import deliver, wait_for_subject
from tests.webmail.helpers import append

pytestmark = [pytest.mark.integration]


@pytest.fixture
def external(settings, mail_stack: None) -> None:  # type: ignore[no-untyped-def]
    personas.mailbox("alice")  # exists on "the other server"
    settings.ROOST_MAIL_MODE = "external"
    settings.AUTHENTICATION_BACKENDS = ["webmail.auth_backend.ImapLoginBackend"]
    settings.ROOST_DOVECOT_MASTER_PASSWORD = ""  # prove the master user is not used


def test_login_is_checked_by_imap_and_inbox_is_read_with_the_users_password(external: None, client: Client) -> None:
    deliver("bob@partners.test", ["alice@example.test"], "Seen through external mode")
    wait_for_subject("alice@example.test", "Seen through external mode")

    response = client.post(reverse("accounts:login"), {"address": "alice@example.test", "password": personas.PASSWORD})
    assert response.status_code == 302

    page = client.get(reverse("webmail:folder", args=["INBOX"])).content.decode()
    assert "Seen through external mode" in page
    assert personas.PASSWORD not in str(dict(client.session))


def test_wrong_password_is_refused_by_the_imap_server(external: None, client: Client) -> None:
    response = client.post(reverse("accounts:login"), {"address": "alice@example.test", "password": "wrong-one"})
    assert response.status_code == 400
    assert "do not match" in response.content.decode()


def test_first_login_creates_a_user_without_a_usable_password(external: None, client: Client) -> None:
    User.objects.filter(username="alice@example.test").delete()  # as if Roost had never seen her
    personas.mailbox("alice2")
    client.post(reverse("accounts:login"), {"address": "alice2@example.test", "password": personas.PASSWORD})
    assert "_auth_user_id" in client.session


def test_imap_server_down_gives_a_clear_message(external: None, client: Client, settings) -> None:  # type: ignore[no-untyped-def]
    settings.ROOST_IMAP_PORT = 1
    response = client.post(reverse("accounts:login"), {"address": "alice@example.test", "password": personas.PASSWORD})
    assert "Cannot reach the IMAP server at 127.0.0.1:1" in response.content.decode()


def test_inline_images_come_inside_the_body_frame(external: None, client: Client) -> None:
    """The frame's requests carry no session, and here only the session can open the mailbox."""
    png = base64.b64decode(
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
    )
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = "Carol <carol@partners.test>", "alice@example.test", "Logo"
    msg.set_content("Plain")
    msg.add_alternative('<p>Logo</p><img src="cid:logo@x">', subtype="html")
    msg.get_payload()[1].add_related(png, maintype="image", subtype="png", cid="<logo@x>")
    append("alice@example.test", "INBOX", [msg.as_bytes()])
    client.post(reverse("accounts:login"), {"address": "alice@example.test", "password": personas.PASSWORD})

    body = client.get(reverse("webmail:message_body", args=[1]) + "?f=INBOX").content.decode()

    sources = re.findall(r'<img src="([^"]+)"', body)
    assert sources == ["data:image/png;base64," + base64.b64encode(png).decode()]
