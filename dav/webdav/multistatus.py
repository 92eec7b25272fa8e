"""Building 207 Multi-Status bodies (RFC 4918 section 13) and <D:error> bodies (section 16)."""

from functools import cache
from http import HTTPStatus
from urllib.parse import quote

from .davxml import Element, dav, element, href_element, to_bytes
from .errors import DavError


def encode_href(path: str) -> str:
    """Percent-encode a decoded path for an href (the "@" of an address stays readable)."""
    return quote(path, safe="/@:+,;=!$&'()*~")


@cache
def status_line(status: int) -> str:
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        phrase = "Unknown"
    return f"HTTP/1.1 {status} {phrase}"


class Multistatus:
    """Responses in the order added. `add` takes the found properties (name -> element holding the value)
    and the other properties' statuses, and groups them in one propstat per status."""

    def __init__(self) -> None:
        self.root = element(dav("multistatus"))

    def add(self, path: str, found: list[Element], missing: dict[str, int] | None = None) -> None:
        response = element(dav("response"), children=[href_element(encode_href(path))])
        if found:
            response.append(propstat(found, 200))
        by_status: dict[int, list[Element]] = {}
        for name, status in (missing or {}).items():
            by_status.setdefault(status, []).append(element(name))
        for status, props in sorted(by_status.items()):
            response.append(propstat(props, status))
        if not found and not by_status:
            response.append(propstat([], 200))
        self.root.append(response)

    def add_status(self, path: str, status: int, precondition: Element | None = None) -> None:
        """A response with a status of its own: a deleted member in a sync report (404), a truncation (507)."""
        response = element(
            dav("response"), children=[href_element(encode_href(path)), element(dav("status"), status_line(status))]
        )
        if precondition is not None:
            response.append(element(dav("error"), children=[precondition]))
        self.root.append(response)

    def add_sync_token(self, token: str) -> None:
        self.root.append(element(dav("sync-token"), token))

    def to_bytes(self) -> bytes:
        return to_bytes(self.root)


def propstat(props: list[Element], status: int) -> Element:
    return element(
        dav("propstat"), children=[element(dav("prop"), children=props), element(dav("status"), status_line(status))]
    )


def error_body(error: DavError) -> bytes | None:
    """The <D:error> body of an error with a precondition (None when it has none: the body is then text)."""
    if error.precondition is None:
        return None
    root = element(dav("error"), children=[error.precondition])
    if error.message:
        # RFC 4918 allows other elements; this one carries the human-readable reason.
        root.append(element("{http://roost.invalid/ns/}message", error.message))
    return to_bytes(root)
