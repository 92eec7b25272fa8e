from django.conf import settings
from django.contrib.auth.hashers import BCryptPasswordHasher


class MailBcryptHasher(BCryptPasswordHasher):
    """Plain bcrypt ("bcrypt$$2b$..."), which Dovecot verifies as {BLF-CRYPT}.

    Dovecot reads the hash through the roost_mail_users view, which drops the "bcrypt$" prefix.
    The algorithm name stays "bcrypt" so that prefix is fixed; only the cost comes from settings.
    """

    @property
    def rounds(self) -> int:  # type: ignore[override]
        return int(settings.ROOST_BCRYPT_ROUNDS)
