"""Sealing secrets that Roost must keep for a while (the external mode's mail password in a session or
on an outbox row). One MultiFernet: the current key seals, the current and every key in
SECRET_KEY_FALLBACKS open, so rotating SECRET_KEY (old value moved to the fallbacks) keeps what is
already sealed readable. Each purpose derives its own key, so a token sealed for one cannot be
opened as another."""

import base64

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings


def _fernet_for(secret: str, purpose: str) -> Fernet:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=f"roost-{purpose}".encode()).derive(
        secret.encode()
    )
    return Fernet(base64.urlsafe_b64encode(key))


def _fernets(purpose: str) -> MultiFernet:
    secrets = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return MultiFernet([_fernet_for(secret, purpose) for secret in secrets])


def secret_seal(value: str, *, purpose: str) -> str:
    return _fernets(purpose).encrypt(value.encode()).decode()


def secret_open(token: str, *, purpose: str) -> str | None:
    """The sealed value, or None when the token is empty, tampered with or sealed by a key no longer known."""
    if not token:
        return None
    try:
        return _fernets(purpose).decrypt(token.encode()).decode()
    except InvalidToken:
        return None
