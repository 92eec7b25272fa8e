import pytest
from django.test import Client
from django.urls import reverse

from mailadmin.services import mailbox_set_active
from tests import personas

pytestmark = [pytest.mark.django_db]


def _login(client: Client, address: str, password: str, ip: str = "10.0.0.1"):  # type: ignore[no-untyped-def]
    return client.post(reverse("accounts:login"), {"address": address, "password": password}, REMOTE_ADDR=ip)


def test_right_password_signs_in_and_lands_on_the_inbox(client: Client) -> None:
    personas.mailbox("alice")
    response = _login(client, "Alice@Example.TEST ", personas.PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == reverse("webmail:home")


def test_wrong_password_is_refused_with_a_clear_message(client: Client) -> None:
    personas.mailbox("alice")
    response = _login(client, "alice@example.test", "not-her-password")
    assert response.status_code == 400
    assert "do not match an active account" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_unknown_address_gets_the_same_message(client: Client) -> None:
    response = _login(client, "nobody@example.test", "whatever-password")
    assert "do not match an active account" in response.content.decode()


def test_deactivated_mailbox_cannot_sign_in_on_the_web(client: Client) -> None:
    alice = personas.mailbox("alice")
    mailbox_set_active(mailbox=alice, active=False)
    response = _login(client, "alice@example.test", personas.PASSWORD)
    assert response.status_code == 400


def test_repeated_failures_lock_the_address_out_even_with_the_right_password(client: Client) -> None:
    personas.mailbox("alice")
    for attempt in range(5):
        _login(client, "alice@example.test", f"guess-{attempt}", ip=f"10.0.0.{attempt}")
    response = _login(client, "alice@example.test", personas.PASSWORD, ip="10.0.1.1")
    assert response.status_code == 429
    assert "Too many failed sign-in attempts" in response.content.decode()


def test_repeated_failures_from_one_client_lock_that_client_out(client: Client) -> None:
    personas.mailbox("alice")
    for attempt in range(5):
        _login(client, f"someone{attempt}@example.test", "guess", ip="10.9.9.9")
    assert _login(client, "alice@example.test", personas.PASSWORD, ip="10.9.9.9").status_code == 429
    assert _login(client, "alice@example.test", personas.PASSWORD, ip="10.9.9.8").status_code == 302


def test_redirect_after_login_stays_on_this_site(client: Client) -> None:
    personas.mailbox("alice")
    response = client.post(
        reverse("accounts:login") + "?next=https://evil.test/",
        {"address": "alice@example.test", "password": personas.PASSWORD},
    )
    assert response["Location"] == reverse("webmail:home")


def test_logout_ends_the_session(client: Client) -> None:
    personas.mailbox("alice")
    _login(client, "alice@example.test", personas.PASSWORD)
    assert client.post(reverse("accounts:logout")).status_code == 302
    response = client.get(reverse("webmail:folder", args=["INBOX"]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_logout_needs_post(client: Client) -> None:
    personas.mailbox("alice")
    _login(client, "alice@example.test", personas.PASSWORD)
    assert client.get(reverse("accounts:logout")).status_code == 405


def test_pages_carry_a_content_security_policy(client: Client) -> None:
    response = client.get(reverse("accounts:login"))
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
