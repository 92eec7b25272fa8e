"""The one error type of the WebDAV core. Everything that fails in a request becomes a DavError: raised by
the core, by a protocol layer (CalDAV, CardDAV) with a precondition element, or turned from Roost's own
errors (core.errors, whose status is the HTTP status) in `dav_error_from`, the only place that maps them.
"""

from xml.etree import ElementTree as ET

from core.errors import RoostError


class DavError(Exception):
    """status is the HTTP status; precondition, when given, is the element RFC 4918 section 16 puts in the
    <D:error> body (a qualified name, or a built element with children such as an href)."""

    def __init__(
        self,
        status: int,
        message: str = "",
        *,
        precondition: str | ET.Element | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message or f"HTTP {status}")
        self.status = status
        self.message = message
        self.precondition = ET.Element(precondition) if isinstance(precondition, str) else precondition
        self.headers = headers or {}


class PropertyErrors(Exception):
    """A PROPPATCH that changed nothing: the status of each property that could not be set (the others
    get 424 Failed Dependency)."""

    def __init__(self, statuses: dict[str, int]) -> None:
        super().__init__(", ".join(f"{name}: {status}" for name, status in statuses.items()))
        self.statuses = statuses


def dav_error_from(error: Exception) -> DavError | None:
    """A DavError for errors the layers below raise (None for bugs, which stay 500s)."""
    if isinstance(error, DavError):
        return error
    if isinstance(error, RoostError):
        retry_after = getattr(error, "retry_after", None)
        headers = {"Retry-After": str(retry_after)} if retry_after else {}
        return DavError(error.status, str(error), headers=headers)
    return None
