"""Opening an IMAP connection, and the one place where imapclient's and socket errors become ours."""

import contextlib
import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientError, LoginError

from .errors import ImapAuthError, ImapError, ImapUnavailable


@dataclass(frozen=True)
class ImapEndpoint:
    host: str
    port: int
    security: str = "none"  # "none", "starttls" or "ssl"
    timeout: float = 15.0

    def describe(self) -> str:
        return f"the IMAP server at {self.host}:{self.port}"


@dataclass(frozen=True)
class ImapLogin:
    username: str
    password: str

    def __repr__(self) -> str:  # never print the password
        return f"ImapLogin(username={self.username!r})"


@contextmanager
def imap_errors(endpoint: ImapEndpoint) -> Iterator[None]:
    """Turn library and socket failures inside the block into ImapError subclasses."""
    try:
        yield
    except LoginError:
        raise ImapAuthError("The mail server refused the login.") from None
    except TimeoutError:
        raise ImapUnavailable(f"{endpoint.describe()} did not answer in time.") from None
    except (ConnectionError, OSError, ssl.SSLError) as error:
        if isinstance(error, IMAPClientError):
            raise ImapError(f"The mail server answered with an error: {error}") from None
        raise ImapUnavailable(f"Cannot reach {endpoint.describe()} ({error.__class__.__name__}).") from None
    except IMAPClientError as error:
        raise ImapError(f"The mail server answered with an error: {error}") from None


def imap_connect(endpoint: ImapEndpoint, login: ImapLogin) -> IMAPClient:
    with imap_errors(endpoint):
        client = IMAPClient(endpoint.host, port=endpoint.port, ssl=endpoint.security == "ssl", timeout=endpoint.timeout)
        client.normalise_times = False
        try:
            if endpoint.security == "starttls":
                client.starttls()
            if login.password.isascii():
                client.login(login.username, login.password)
            else:  # LOGIN's arguments are ASCII only; AUTHENTICATE PLAIN carries UTF-8 (RFC 4616)
                client.plain_login(login.username, login.password)
        except BaseException:
            _close_quietly(client)
            raise
    return client


def imap_check_login(endpoint: ImapEndpoint, login: ImapLogin) -> bool:
    """True when the server accepts the login; ImapUnavailable when it cannot be asked."""
    try:
        client = imap_connect(endpoint, login)
    except ImapAuthError:
        return False
    _close_quietly(client)
    return True


def _close_quietly(client: IMAPClient) -> None:
    """Log out if the server still listens, else just drop the socket; the connection is thrown away either way."""
    try:
        client.logout()
    except Exception:  # noqa: BLE001
        with contextlib.suppress(Exception):
            client.shutdown()
