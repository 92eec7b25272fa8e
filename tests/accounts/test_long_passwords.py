"""A password longer than bcrypt's 72 bytes, typed at a sign-in door, is a wrong password (never a 500):
no stored password can be that long (accounts.validators refuses them when they are set)."""

import pytest
from django.test import Client
from django.urls import reverse

from tests import personas

LONG = personas.PASSWORD + "x" * 60  # 81 bytes, starting with the right password


def _web(client: Client, address: str, password: str) -> int:
    response = client.post(reverse("accounts:login"), {"address": address, "password": password})
    if response.status_code == 400:
        assert "do not match an active account" in response.content.decode()
    return response.status_code


@pytest.mark.django_db
@pytest.mark.parametrize("password", [LONG, "é" * 100])
def test_web_and_admin_sign_in_call_a_long_password_wrong(client: Client, password: str) -> None:
    alice = personas.mailbox("alice")
    alice.user.is_staff = True
    alice.user.save(update_fields=["is_staff"])

    assert _web(client, "alice@example.test", password) == 400
    assert _web(client, "nobody@example.test", password) == 400
    admin = client.post("/admin/login/?next=/admin/", {"username": "alice@example.test", "password": password})
    assert admin.status_code == 200
    assert "Please enter the correct" in admin.content.decode()


@pytest.mark.integration
def test_external_mode_sign_in_calls_a_long_password_wrong(mail_stack: None, client: Client, settings) -> None:  # type: ignore[no-untyped-def]
    personas.mailbox("alice", password="é" * 30 + "-ok")  # 63 bytes; IMAP LOGIN could not carry it
    settings.ROOST_MAIL_MODE = "external"
    settings.AUTHENTICATION_BACKENDS = ["webmail.auth_backend.ImapLoginBackend"]
    assert _web(client, "alice@example.test", LONG) == 400
    assert _web(client, "alice@example.test", "é" * 100) == 400
    assert _web(client, "alice@example.test", "é" * 30 + "-ok") == 302
