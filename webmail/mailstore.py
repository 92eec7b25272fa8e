"""Where the Django side meets the IMAP adapter: endpoint and login from settings and the session."""

from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase
from django.core.exceptions import ImproperlyConfigured

from accounts.credentials import credential_load
from accounts.models import User
from core.errors import RoostError
from core.logins import login_generation

from .imap.connection import ImapEndpoint, ImapLogin
from .imap.pool import ImapPool, PooledConnection

POOL = ImapPool()


class SessionExpired(RoostError):
    pass


def imap_endpoint() -> ImapEndpoint:
    return ImapEndpoint(
        host=settings.ROOST_IMAP_HOST,
        port=settings.ROOST_IMAP_PORT,
        security=settings.ROOST_IMAP_SECURITY,
        timeout=settings.ROOST_IMAP_TIMEOUT,
    )


def imap_login_for(user: User, session: SessionBase | None) -> ImapLogin:
    """Managed mode opens the mailbox through Dovecot's master user; external mode with the
    user's own password, which lives only in their session."""
    if settings.ROOST_MAIL_MODE == "managed":
        if not settings.ROOST_DOVECOT_MASTER_PASSWORD:
            raise ImproperlyConfigured(
                "ROOST_DOVECOT_MASTER_PASSWORD is not set; deploy/setup.sh writes it to /etc/roost/roost.env."
            )
        return ImapLogin(
            f"{user.username}*{settings.ROOST_DOVECOT_MASTER_USER}", settings.ROOST_DOVECOT_MASTER_PASSWORD
        )
    password = credential_load(session) if session is not None else None
    if password is None:
        raise SessionExpired("Your session has expired. Sign in again.")
    return ImapLogin(user.username, password)


@contextmanager
def mailbox_connection(user: User, session: SessionBase | None) -> Iterator[PooledConnection]:
    """A pooled connection for user; ones kept from before their last sign-out or password change
    (in this or any other process) are closed instead of reused."""
    generation = login_generation(username=user.username)
    with POOL.connection(imap_endpoint(), imap_login_for(user, session), generation=generation) as conn:
        yield conn
