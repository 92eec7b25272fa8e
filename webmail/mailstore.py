"""Where the Django side meets the IMAP adapter: a MailAccount says who a service acts for and how their
mailbox is reached, whichever door the work came through (a web request, a DAV request, a Celery task,
a websocket consumer). Services take the account, never a browser session."""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest

from accounts.access import request_user
from accounts.credentials import credential_load
from accounts.models import User
from core.crypto import secret_open, secret_seal
from core.errors import RoostError
from core.logins import login_generation

from .imap.connection import ImapEndpoint, ImapLogin
from .imap.pool import ImapPool, PooledConnection

POOL = ImapPool()
# The external mode's password handed to a Celery task (on an outbox row) is sealed for this purpose.
TASK_CREDENTIAL = "outbox-credential"


class SessionExpired(RoostError):
    pass


@dataclass(frozen=True)
class MailAccount:
    """A user and the login that opens their mailbox over IMAP and SMTP submission. Managed mode logs in
    through Dovecot's master user; external mode with the user's own password (from their session, their
    DAV request or a sealed copy a task was given)."""

    user: User
    login: ImapLogin

    @property
    def address(self) -> str:
        return self.user.username

    def sealed_credential(self) -> str:
        """What a task needs to act for this account later: nothing in managed mode, the sealed password
        in external mode."""
        if settings.ROOST_MAIL_MODE == "managed":
            return ""
        return secret_seal(self.login.password, purpose=TASK_CREDENTIAL)


def imap_endpoint() -> ImapEndpoint:
    return ImapEndpoint(
        host=settings.ROOST_IMAP_HOST,
        port=settings.ROOST_IMAP_PORT,
        security=settings.ROOST_IMAP_SECURITY,
        timeout=settings.ROOST_IMAP_TIMEOUT,
    )


def _master_login(user: User) -> ImapLogin:
    if not settings.ROOST_DOVECOT_MASTER_PASSWORD:
        raise ImproperlyConfigured(
            "ROOST_DOVECOT_MASTER_PASSWORD is not set; deploy/setup.sh writes it to /etc/roost/roost.env."
        )
    return ImapLogin(f"{user.username}*{settings.ROOST_DOVECOT_MASTER_USER}", settings.ROOST_DOVECOT_MASTER_PASSWORD)


def mail_account_with_password(user: User, password: str | None) -> MailAccount:
    """The account of a user whose password the caller holds (external mode); managed mode ignores it."""
    if settings.ROOST_MAIL_MODE == "managed":
        return MailAccount(user=user, login=_master_login(user))
    if password is None:
        raise SessionExpired("Your session has expired. Sign in again.")
    return MailAccount(user=user, login=ImapLogin(user.username, password))


def mail_account_for_session(user: User, session: SessionBase | None) -> MailAccount:
    """A web request's or websocket's account: external mode finds the password sealed in the session."""
    if settings.ROOST_MAIL_MODE == "managed":
        return mail_account_with_password(user, None)
    return mail_account_with_password(user, credential_load(session) if session is not None else None)


def mail_account_for_request(request: HttpRequest) -> MailAccount:
    return mail_account_for_session(request_user(request), request.session)


def mail_account_for_task(user: User, sealed_credential: str = "") -> MailAccount:
    """A Celery task's account: managed mode needs nothing more; external mode the sealed password the task
    was given (it is gone once the key that sealed it is rotated out)."""
    if settings.ROOST_MAIL_MODE == "managed":
        return mail_account_with_password(user, None)
    password = secret_open(sealed_credential, purpose=TASK_CREDENTIAL)
    if password is None:
        raise SessionExpired("The saved sign-in for this work is gone; sign in again.")
    return mail_account_with_password(user, password)


def mailbox_opens_without_session() -> bool:
    """Whether a request that carries no session (the sandboxed message frame's) can still open a mailbox."""
    return settings.ROOST_MAIL_MODE == "managed"


def pool_generation(account: MailAccount) -> object:
    """What a kept connection must still match to be reused: the same mailbox row (a re-created address is
    another mailbox) and the same login generation (core.logins: moved on by sign-out and password changes)."""
    return (account.user.pk, login_generation(username=account.address))


@contextmanager
def mailbox_connection(account: MailAccount) -> Iterator[PooledConnection]:
    """A pooled connection for the account; ones kept from before the user's last sign-out or password change
    (in this or any other process), or from an earlier mailbox of the same address, are closed, not reused."""
    with POOL.connection(imap_endpoint(), account.login, generation=pool_generation(account)) as conn:
        yield conn
