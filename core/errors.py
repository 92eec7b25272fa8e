"""Errors that cross layers. Adapters turn protocol failures into these; services raise them; one
middleware (core.middleware.RoostErrorMiddleware) turns them into a page or a JSON status for every app,
so views need no try/except of their own. Each kind carries the HTTP status it stands for."""


class RoostError(Exception):
    """An error whose message is meant for the person who caused or can fix it (the request's fault: 400)."""

    status = 400


class Forbidden(RoostError):
    """The asker may see the object but not change it (a calendar shared read-only with them)."""

    status = 403


class NotFound(RoostError):
    """What was asked for is not there, or is not the asker's to see: both look the same from outside."""

    status = 404


class Conflict(RoostError):
    """The change collides with a newer one (a stale version or ETag, a slot already taken)."""

    status = 409


class PreconditionFailed(RoostError):
    """A conditional request's precondition does not hold (If-Match with a stale ETag, If-None-Match: * on
    an existing object): nothing was changed."""

    status = 412


class PayloadTooLarge(RoostError):
    """The body is larger than this kind of object may be (a photo, an import, a DAV request)."""

    status = 413


class Throttled(RoostError):
    """Too many attempts; retry_after says when to try again."""

    status = 429

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class ServiceUnavailable(RoostError):
    """A server Roost depends on (IMAP, SMTP, the database, Redis) cannot be reached."""

    status = 503


def error_status(error: RoostError) -> int:
    return error.status
