import pytest
from django.contrib.sessions.backends.db import SessionStore

from accounts.credentials import credential_load, credential_store

pytestmark = [pytest.mark.django_db]


def test_credential_is_stored_encrypted_and_read_back() -> None:
    session = SessionStore()
    credential_store(session, "s3cret-pass")
    session.save()

    stored = SessionStore(session_key=session.session_key)
    assert "s3cret-pass" not in str(stored.load())
    assert credential_load(stored) == "s3cret-pass"


def test_tampered_credential_reads_as_missing() -> None:
    session = SessionStore()
    credential_store(session, "s3cret-pass")
    session["roost_mail_credential"] = session["roost_mail_credential"][:-4] + "AAAA"
    assert credential_load(session) is None


def test_password_hash_is_bcrypt_that_dovecot_can_read() -> None:
    from tests import personas

    alice = personas.mailbox("alice")
    assert alice.user.password.startswith("bcrypt$$2b$")
