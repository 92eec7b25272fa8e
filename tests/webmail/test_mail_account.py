"""A MailAccount is what every service takes: from a web session, from a password a DAV request carried,
or inside a task from a sealed credential; managed mode always through Dovecot's master user. Sealed
credentials survive a SECRET_KEY rotation (the old key moved to SECRET_KEY_FALLBACKS)."""

import pytest
from django.contrib.sessions.backends.signed_cookies import SessionStore

from accounts.credentials import credential_store
from accounts.models import User
from core.crypto import secret_open, secret_seal
from webmail.mailstore import (
    SessionExpired,
    mail_account_for_session,
    mail_account_for_task,
    mail_account_with_password,
)

ALICE = User(username="alice@example.test")


def test_managed_mode_uses_the_master_user_whatever_the_door(settings) -> None:  # type: ignore[no-untyped-def]
    settings.ROOST_MAIL_MODE = "managed"
    for account in (
        mail_account_for_session(ALICE, None),
        mail_account_with_password(ALICE, "ignored"),
        mail_account_for_task(ALICE),
    ):
        assert account.login.username == f"alice@example.test*{settings.ROOST_DOVECOT_MASTER_USER}"
        assert account.sealed_credential() == ""


def test_external_mode_takes_the_password_from_the_session(settings) -> None:  # type: ignore[no-untyped-def]
    settings.ROOST_MAIL_MODE = "external"
    session = SessionStore()
    credential_store(session, "her-password")
    account = mail_account_for_session(ALICE, session)
    assert (account.login.username, account.login.password) == ("alice@example.test", "her-password")
    assert "her-password" not in repr(account)
    with pytest.raises(SessionExpired):
        mail_account_for_session(ALICE, SessionStore())


def test_a_task_gets_the_account_from_a_sealed_credential(settings) -> None:  # type: ignore[no-untyped-def]
    settings.ROOST_MAIL_MODE = "external"
    sealed = mail_account_with_password(ALICE, "her-password").sealed_credential()
    assert "her-password" not in sealed
    assert mail_account_for_task(ALICE, sealed).login.password == "her-password"
    with pytest.raises(SessionExpired):
        mail_account_for_task(ALICE, sealed[:-4] + "AAAA")


def test_sealed_secrets_survive_a_key_rotation_and_die_with_the_old_key(settings) -> None:  # type: ignore[no-untyped-def]
    settings.SECRET_KEY = "old-key-" + "x" * 40
    settings.SECRET_KEY_FALLBACKS = []
    token = secret_seal("pw", purpose="session-credential")
    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = "new-key-" + "y" * 40, ["old-key-" + "x" * 40]
    assert secret_open(token, purpose="session-credential") == "pw"
    settings.SECRET_KEY_FALLBACKS = []
    assert secret_open(token, purpose="session-credential") is None


def test_a_secret_sealed_for_one_purpose_cannot_be_opened_as_another() -> None:
    token = secret_seal("pw", purpose="session-credential")
    assert secret_open(token, purpose="outbox-credential") is None
    assert secret_open("", purpose="session-credential") is None
