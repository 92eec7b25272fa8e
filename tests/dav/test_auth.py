"""DAV Basic auth: the web password, a credential cache that spares the hash and forgets a changed
password, the sign-in throttle, and no way in for a deactivated account."""

import base64

import pytest
from django.test import Client

from accounts.hashers import MailBcryptHasher
from mailadmin.services import mailbox_set_active, mailbox_set_password
from tests import personas

pytestmark = [pytest.mark.django_db]

URL = "/dav/principals/alice@example.test/"
PROPFIND = '<D:propfind xmlns:D="DAV:"><D:prop><D:displayname/></D:prop></D:propfind>'


def _basic(address: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{address}:{password}".encode()).decode()


def _propfind(client: Client, password: str, ip: str = "192.0.2.10", address: str = "alice@example.test") -> int:
    response = client.generic(
        "PROPFIND",
        URL,
        PROPFIND,
        content_type="application/xml",
        HTTP_DEPTH="0",
        HTTP_AUTHORIZATION=_basic(address, password),
        REMOTE_ADDR=ip,
    )
    return response.status_code


@pytest.fixture
def hashes(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every password check that reaches bcrypt."""
    calls: list[str] = []
    original = MailBcryptHasher.verify

    def counting(self: MailBcryptHasher, password: str, encoded: str) -> bool:
        calls.append(password)
        return original(self, password, encoded)

    monkeypatch.setattr(MailBcryptHasher, "verify", counting)
    return calls


def test_missing_or_wrong_credentials_get_a_basic_challenge(client: Client) -> None:
    personas.mailbox("alice")
    response = client.generic("PROPFIND", URL, PROPFIND, HTTP_DEPTH="0")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Basic realm="Roost", charset="UTF-8"'
    assert _propfind(client, "wrong-password") == 401
    garbled = client.generic("PROPFIND", URL, PROPFIND, HTTP_AUTHORIZATION="Basic !!!not-base64")
    assert garbled.status_code == 401


def test_a_session_is_not_enough(client: Client) -> None:
    alice = personas.mailbox("alice")
    client.force_login(alice.user)
    assert client.generic("PROPFIND", URL, PROPFIND, HTTP_DEPTH="0").status_code == 401


def test_cache_hit_spares_the_hash(client: Client, hashes: list[str]) -> None:
    personas.mailbox("alice")
    assert _propfind(client, personas.PASSWORD) == 207
    assert _propfind(client, personas.PASSWORD) == 207
    assert _propfind(client, personas.PASSWORD) == 207
    assert len(hashes) == 1
    assert _propfind(client, "wrong-password") == 401  # a different password is never a cache hit
    assert len(hashes) == 2


def test_password_change_ends_the_cached_credential(
    client: Client, hashes: list[str], django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    alice = personas.mailbox("alice")
    assert _propfind(client, personas.PASSWORD) == 207
    with django_capture_on_commit_callbacks(execute=True):
        mailbox_set_password(mailbox=alice, password="another-long-password")
    assert _propfind(client, personas.PASSWORD) == 401
    assert _propfind(client, "another-long-password") == 207


def test_deactivated_account_is_refused_even_when_cached(client: Client, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    alice = personas.mailbox("alice")
    assert _propfind(client, personas.PASSWORD) == 207
    with django_capture_on_commit_callbacks(execute=True):
        mailbox_set_active(mailbox=alice, active=False)
    assert _propfind(client, personas.PASSWORD) == 401


def test_failures_are_throttled_like_the_web_sign_in(client: Client, settings) -> None:  # type: ignore[no-untyped-def]
    personas.mailbox("alice")
    settings.ROOST_LOGIN_MAX_FAILURES = 3
    statuses = [_propfind(client, f"wrong-{n}", ip="192.0.2.20") for n in range(6)]
    assert statuses[:3] == [401, 401, 401]
    assert 429 in statuses[3:]
    response = client.generic(
        "PROPFIND", URL, PROPFIND, HTTP_AUTHORIZATION=_basic("alice@example.test", "x"), REMOTE_ADDR="192.0.2.20"
    )
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert "Too many failed sign-in attempts" in response.content.decode()


def test_throttle_counts_per_client_address_across_accounts(client: Client, settings) -> None:  # type: ignore[no-untyped-def]
    personas.mailbox("alice")
    personas.mailbox("bob")
    settings.ROOST_LOGIN_MAX_FAILURES = 3
    statuses = [_propfind(client, "wrong", ip="192.0.2.30", address=f"user{n}@example.test") for n in range(5)]
    assert statuses[-1] == 429
    # another client is not held up by that address's failures
    assert _propfind(client, personas.PASSWORD, ip="192.0.2.31") == 207
