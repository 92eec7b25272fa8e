"""Errors that cross layers. Adapters turn protocol failures into these; views show their message."""


class RoostError(Exception):
    """An error whose message is meant for the person who caused or can fix it."""


class ServiceUnavailable(RoostError):
    """A server Roost depends on (IMAP, SMTP, the database, Redis) cannot be reached."""


class NotFound(RoostError):
    """What was asked for is not there (or not the asker's to see)."""
