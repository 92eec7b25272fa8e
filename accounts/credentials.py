"""The external mode's IMAP/SMTP password, kept sealed in the server-side session for its lifetime.

The key is derived from SECRET_KEY (core.crypto), so a leaked session row alone does not reveal the password.
"""

from django.contrib.sessions.backends.base import SessionBase

from core.crypto import secret_open, secret_seal

_SESSION_KEY = "roost_mail_credential"
PURPOSE = "session-credential"


def credential_store(session: SessionBase, password: str) -> None:
    session[_SESSION_KEY] = secret_seal(password, purpose=PURPOSE)


def credential_load(session: SessionBase) -> str | None:
    return secret_open(session.get(_SESSION_KEY) or "", purpose=PURPOSE)
