from django.conf import settings
from django.contrib.auth.hashers import BCryptPasswordHasher

from .validators import BCRYPT_MAX_BYTES


class MailBcryptHasher(BCryptPasswordHasher):
    """Plain bcrypt ("bcrypt$$2b$..."), which Dovecot verifies as {BLF-CRYPT}.

    Dovecot reads the hash through the roost_mail_users view, which drops the "bcrypt$" prefix.
    The algorithm name stays "bcrypt" so that prefix is fixed; only the cost comes from settings.
    """

    @property
    def rounds(self) -> int:  # type: ignore[override]
        return int(settings.ROOST_BCRYPT_ROUNDS)

    def verify(self, password: str, encoded: str) -> bool:
        # No stored password is this long (BcryptLengthValidator refuses them), and bcrypt would raise.
        if len(password.encode()) > BCRYPT_MAX_BYTES:
            return False
        return super().verify(password, encoded)
