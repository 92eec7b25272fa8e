"""Building 207 Multi-Status bodies (RFC 4918 section 13) and <D:error> bodies (section 16)."""

from functools import cache
from http import HTTPStatus
from urllib.parse import quote

from .davxml import Element, Names, dav, document, element, encode, href_element, to_bytes
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
    """Responses in the order added, each written out as text when it is added (a REPORT over thousands of
    objects builds no tree). `add` takes the found properties (name -> element holding the value) and the
    other properties' statuses, and groups them in one propstat per status."""

    def __init__(self) -> None:
        self._names = Names()
        self._body: list[str] = [f"<{self._names[dav('multistatus')]}>"]

    def _open(self, path: str) -> None:
        self._body.append(f"<{self._names[dav('response')]}>")
        encode(href_element(encode_href(path)), self._names, self._body)

    def _close(self) -> None:
        self._body.append(f"</{self._names[dav('response')]}>")

    def _propstat(self, props: list[Element], status: int) -> None:
        encode(propstat(props, status), self._names, self._body)

    def add(self, path: str, found: list[Element], missing: dict[str, int] | None = None) -> None:
        self._open(path)
        if found:
            self._propstat(found, 200)
        by_status: dict[int, list[Element]] = {}
        for name, status in (missing or {}).items():
            by_status.setdefault(status, []).append(element(name))
        for status, props in sorted(by_status.items()):
            self._propstat(props, status)
        if not found and not by_status:
            self._propstat([], 200)
        self._close()

    def add_status(self, path: str, status: int, precondition: Element | None = None) -> None:
        """A response with a status of its own: a deleted member in a sync report (404), a truncation (507)."""
        self._open(path)
        encode(element(dav("status"), status_line(status)), self._names, self._body)
        if precondition is not None:
            encode(element(dav("error"), children=[precondition]), self._names, self._body)
        self._close()

    def add_sync_token(self, token: str) -> None:
        encode(element(dav("sync-token"), token), self._names, self._body)

    def to_bytes(self) -> bytes:
        return document(self._names, [*self._body, f"</{self._names[dav('multistatus')]}>"])


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
