from core.errors import RoostError, ServiceUnavailable


class ImapError(RoostError):
    """The IMAP server refused or failed a command."""


class ImapAuthError(ImapError):
    """The server refused the login."""


class ImapUnavailable(ImapError, ServiceUnavailable):
    """The IMAP server cannot be reached."""
