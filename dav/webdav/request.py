"""A DAV request and response as plain values, and the header parsing every method shares."""

from dataclasses import dataclass, field

from .errors import DavError
from .resource import Preconditions, Principal


@dataclass(frozen=True)
class DavRequest:
    method: str  # upper case
    path: str  # decoded, absolute ("/dav/calendars/alice@example.test/")
    principal: Principal
    headers: dict[str, str] = field(default_factory=dict)  # names in lower case
    body: bytes = b""

    def header(self, name: str, default: str = "") -> str:
        return self.headers.get(name.lower(), default)


@dataclass
class DavResponse:
    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)


def depth(request: DavRequest, default: str = "0") -> str:
    """ "0", "1" or "infinity". A missing Depth is read as `default` (Radicale and xandikos do the same
    for PROPFIND; RFC 4918 would say infinity, which no client relies on and which this server refuses)."""
    value = request.header("depth", default).strip().lower() or default
    if value not in ("0", "1", "infinity"):
        raise DavError(400, f"Depth must be 0, 1 or infinity, not {value[:20]!r}.")
    return value


def _etags(value: str) -> tuple[str, ...] | None:
    value = value.strip()
    if not value:
        return None
    if value == "*":
        return ("*",)
    tags = []
    for part in value.split(","):
        tag = part.strip()
        if tag.startswith("W/"):
            tag = tag[2:]
        if len(tag) < 2 or not (tag.startswith('"') and tag.endswith('"')):
            raise DavError(400, f"An ETag in If-Match / If-None-Match must be quoted: {part.strip()[:60]!r}.")
        tags.append(tag[1:-1])
    return tuple(tags)


def preconditions(request: DavRequest) -> Preconditions:
    return Preconditions(
        if_match=_etags(request.header("if-match")), if_none_match=_etags(request.header("if-none-match"))
    )


def quote_etag(etag: str) -> str:
    return f'"{etag}"'
