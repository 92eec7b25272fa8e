"""The external mode's IMAP/SMTP password, kept encrypted in the server-side session for its lifetime.

The key is derived from SECRET_KEY, so a leaked session row alone does not reveal the password.
"""

import base64

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase

_SESSION_KEY = "roost_mail_credential"


def _fernet() -> Fernet:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"roost-session-credential").derive(
        settings.SECRET_KEY.encode()
    )
    return Fernet(base64.urlsafe_b64encode(key))


def credential_store(session: SessionBase, password: str) -> None:
    session[_SESSION_KEY] = _fernet().encrypt(password.encode()).decode()


def credential_load(session: SessionBase) -> str | None:
    token = session.get(_SESSION_KEY)
    if not token:
        return None
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken:
        return None
