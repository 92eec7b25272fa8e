"""One middleware turns Roost's errors into statuses for every app: a calm page inside the shell for a
browser, JSON for scripts; a mail server that is down is a 503, never a 500."""

import pytest
from django.test import Client
from django.urls import reverse

from core.errors import Conflict, NotFound, RoostError, ServiceUnavailable, Throttled
from tests import personas
from tests.webmail.helpers import signed_in

pytestmark = [pytest.mark.integration]


def test_each_error_kind_carries_its_status() -> None:
    assert RoostError("x").status == 400
    assert NotFound("x").status == 404
    assert Conflict("x").status == 409
    assert Throttled("x", retry_after=5).status == 429
    assert ServiceUnavailable("x").status == 503


@pytest.fixture
def alice(mail_stack: None, client: Client) -> Client:
    personas.mailbox("alice")
    return signed_in(client)


@pytest.mark.parametrize(
    "url",
    [
        reverse("webmail:folder", args=["INBOX"]),
        reverse("webmail:message", args=[1]) + "?f=INBOX",
        reverse("webmail:folders"),
        reverse("webmail:search") + "?all=1&q=x",
        reverse("webmail:message_source", args=[1]) + "?f=INBOX",
    ],
)
def test_imap_down_is_a_calm_503_page_inside_the_shell(alice: Client, settings, url: str) -> None:  # type: ignore[no-untyped-def]
    settings.ROOST_IMAP_PORT = 1  # nothing listens there
    response = alice.get(url)
    assert response.status_code == 503
    page = response.content.decode()
    assert 'data-error-status="503"' in page
    assert "Cannot reach the IMAP server" in page
    assert "Nothing you wrote is lost" in page
    assert 'data-app-key="mail"' in page  # still the mail app's shell, with its sidebar saying why it is empty
    assert "Folders unavailable" in page


def test_compose_with_imap_down_keeps_the_form_and_answers_503(alice: Client, settings) -> None:  # type: ignore[no-untyped-def]
    settings.ROOST_IMAP_PORT = 1
    response = alice.get(reverse("webmail:compose") + "?mode=reply&uid=1&f=INBOX")
    assert response.status_code == 503
    assert "Cannot reach the IMAP server" in response.content.decode()
    assert "<form" in response.content.decode()


def test_scripts_get_json_with_the_same_status(alice: Client, settings) -> None:  # type: ignore[no-untyped-def]
    response = alice.get(reverse("webmail:folder", args=["No such folder"]), headers={"Accept": "application/json"})
    assert response.status_code == 404
    assert response.json() == {"ok": False, "error": "There is no folder called No such folder."}
    settings.ROOST_IMAP_PORT = 1
    response = alice.get(reverse("webmail:folder", args=["INBOX"]), headers={"Accept": "application/json"})
    assert response.status_code == 503
    assert response.json()["ok"] is False
