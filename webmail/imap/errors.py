from core.errors import NotFound, RoostError, ServiceUnavailable


class ImapError(RoostError):
    """The IMAP server refused or failed a command."""


class ImapAuthError(ImapError):
    """The server refused the login."""


class ImapUnavailable(ImapError, ServiceUnavailable):
    """The IMAP server cannot be reached."""


class ImapFolderMissing(ImapError, NotFound):
    """SELECT of a folder that does not exist (RFC 5530 NONEXISTENT)."""
