"""A small CalDAV/CardDAV client over http.client, the same for every server: discovery from
/.well-known, MKCALENDAR and extended MKCOL, PUT and DELETE, the calendar-query and sync-collection
REPORTs, with each response's time and size. It knows nothing of Roost or Radicale."""

import base64
import http.client
import threading
import time
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import quote, unquote, urljoin, urlsplit
from xml.etree.ElementTree import Element
from xml.sax.saxutils import escape

from defusedxml.ElementTree import fromstring

from bench.dav.data import DavObject

DAV = "DAV:"
CALDAV = "urn:ietf:params:xml:ns:caldav"
CARDDAV = "urn:ietf:params:xml:ns:carddav"
ICALENDAR = "text/calendar; charset=utf-8"
VCARD = "text/vcard; charset=utf-8"


class DavError(Exception):
    pass


@dataclass(frozen=True)
class Response:
    status: int
    headers: dict[str, str]
    body: bytes
    seconds: float  # from sending the request to the last byte of the body


@dataclass
class Entry:
    """One <response> of a multistatus: its href (unquoted path), status and properties by Clark name."""

    href: str
    status: int
    props: dict[str, Element] = field(default_factory=dict)

    def text(self, name: str) -> str:
        element = self.props.get(name)
        return (element.text or "") if element is not None else ""


@dataclass(frozen=True)
class Multistatus:
    entries: list[Entry]
    sync_token: str | None


class DavClient:
    """One keep-alive connection per thread to one server, HTTP Basic auth on every request."""

    def __init__(self, base_url: str, user: str, password: str, *, timeout: float = 600) -> None:
        parts = urlsplit(base_url)
        if parts.scheme != "http" or not parts.hostname:
            raise DavError(f"only http:// URLs are supported, not {base_url!r}")
        self.host = parts.hostname
        self.port = parts.port or 80
        self.timeout = timeout
        token = base64.b64encode(f"{user}:{password}".encode()).decode()
        self.auth = f"Basic {token}"
        self._local = threading.local()
        self._opened: list[http.client.HTTPConnection] = []  # every thread's, so close() reaches them all
        self._lock = threading.Lock()

    def request(
        self, method: str, path: str, body: str | bytes | None = None, headers: dict[str, str] | None = None
    ) -> Response:
        payload = body.encode() if isinstance(body, str) else body
        sent = {"Authorization": self.auth, "Host": f"{self.host}:{self.port}", **(headers or {})}
        if payload is not None:
            sent.setdefault("Content-Type", "application/xml; charset=utf-8")
        for attempt in (1, 2):  # a kept-alive connection the server has closed is retried once on a new one
            conn = self._connection()
            started = time.perf_counter()
            try:
                conn.request(method, path, body=payload, headers=sent)
                answer = conn.getresponse()
                data = answer.read()
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                conn.close()
                if attempt == 2:
                    raise
                continue
            seconds = time.perf_counter() - started
            if answer.will_close:
                conn.close()
            return Response(answer.status, {k.lower(): v for k, v in answer.getheaders()}, data, seconds)
        raise AssertionError("unreachable")

    def _connection(self) -> http.client.HTTPConnection:
        conn: http.client.HTTPConnection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
            self._local.conn = conn
            with self._lock:
                self._opened.append(conn)
        return conn

    def close(self) -> None:
        with self._lock:
            for conn in self._opened:
                conn.close()

    # --- discovery and collections ---------------------------------------------------------------

    def discover_home(self, service: str) -> str:
        """The calendar (service "caldav") or address book ("carddav") home path, as RFC 6764 finds it:
        /.well-known/<service>, redirects followed, then current-user-principal, then the home set."""
        path = f"/.well-known/{service}"
        for _ in range(5):
            answer = self.request("PROPFIND", path, _propfind("<D:current-user-principal/>"), {"Depth": "0"})
            if answer.status in (301, 302, 303, 307, 308):
                path = urlsplit(urljoin(path, answer.headers.get("location", "/"))).path
                continue
            break
        principal = _single(answer, f"PROPFIND {path}").props.get(f"{{{DAV}}}current-user-principal")
        href = principal.find(f"{{{DAV}}}href") if principal is not None else None
        if href is None or not href.text:
            raise DavError(f"no current-user-principal at {path}")
        principal_path = urlsplit(urljoin(path, href.text.strip())).path
        namespace, prop = (CALDAV, "calendar-home-set") if service == "caldav" else (CARDDAV, "addressbook-home-set")
        answer = self.request(
            "PROPFIND", principal_path, _propfind(f'<H:{prop} xmlns:H="{namespace}"/>'), {"Depth": "0"}
        )
        home = _single(answer, f"PROPFIND {principal_path}").props.get(f"{{{namespace}}}{prop}")
        href = home.find(f"{{{DAV}}}href") if home is not None else None
        if href is None or not href.text:
            raise DavError(f"no {prop} on {principal_path}")
        return quote(unquote(urlsplit(urljoin(principal_path, href.text.strip())).path))

    def make_calendar(self, path: str, name: str) -> None:
        body = (
            f'<C:mkcalendar xmlns:D="{DAV}" xmlns:C="{CALDAV}"><D:set><D:prop>'
            f"<D:displayname>{name}</D:displayname>"
            '<C:supported-calendar-component-set><C:comp name="VEVENT"/></C:supported-calendar-component-set>'
            "</D:prop></D:set></C:mkcalendar>"
        )
        _expect(self.request("MKCALENDAR", path, body), (201,), f"MKCALENDAR {path}")

    def make_addressbook(self, path: str, name: str) -> None:
        body = (
            f'<D:mkcol xmlns:D="{DAV}" xmlns:A="{CARDDAV}"><D:set><D:prop>'
            "<D:resourcetype><D:collection/><A:addressbook/></D:resourcetype>"
            f"<D:displayname>{name}</D:displayname>"
            "</D:prop></D:set></D:mkcol>"
        )
        _expect(self.request("MKCOL", path, body), (201,), f"MKCOL {path}")

    def delete(self, path: str) -> None:
        _expect(self.request("DELETE", path), (200, 204), f"DELETE {path}")

    # --- objects ---------------------------------------------------------------------------------

    def put(self, collection: str, obj: DavObject, content_type: str) -> None:
        path = collection + quote(obj.name)
        _expect(self.request("PUT", path, obj.text, {"Content-Type": content_type}), (201, 204), f"PUT {path}")

    def put_many(self, collection: str, objects: Sequence[DavObject], content_type: str, *, workers: int = 4) -> None:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            list(pool.map(lambda obj: self.put(collection, obj, content_type), objects))

    # --- reports ---------------------------------------------------------------------------------

    def calendar_query(self, collection: str, start: datetime, end: datetime) -> Response:
        body = (
            f'<C:calendar-query xmlns:D="{DAV}" xmlns:C="{CALDAV}">'
            "<D:prop><D:getetag/><C:calendar-data/></D:prop>"
            '<C:filter><C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT">'
            f'<C:time-range start="{start:%Y%m%dT%H%M%SZ}" end="{end:%Y%m%dT%H%M%SZ}"/>'
            "</C:comp-filter></C:comp-filter></C:filter></C:calendar-query>"
        )
        return _expect(self.request("REPORT", collection, body, {"Depth": "1"}), (207,), f"REPORT {collection}")

    def sync_collection(self, collection: str, token: str = "") -> Response:
        body = (
            f'<D:sync-collection xmlns:D="{DAV}"><D:sync-token>{escape(token)}</D:sync-token>'
            "<D:sync-level>1</D:sync-level><D:prop><D:getetag/></D:prop></D:sync-collection>"
        )
        return _expect(self.request("REPORT", collection, body), (207,), f"sync-collection {collection}")


def parse_multistatus(body: bytes) -> Multistatus:
    root = fromstring(body)
    entries = []
    for response in root.findall(f"{{{DAV}}}response"):
        href = unquote(response.findtext(f"{{{DAV}}}href", "").strip())
        status = _status(response.findtext(f"{{{DAV}}}status"))
        props: dict[str, Element] = {}
        for propstat in response.findall(f"{{{DAV}}}propstat"):
            if _status(propstat.findtext(f"{{{DAV}}}status")) != 200:
                continue
            for prop in propstat.findall(f"{{{DAV}}}prop"):
                props.update({child.tag: child for child in prop})
            status = status or 200
        entries.append(Entry(href=href, status=status, props=props))
    token = root.findtext(f"{{{DAV}}}sync-token")
    return Multistatus(entries=entries, sync_token=token.strip() if token is not None else None)


def calendar_data(entry: Entry) -> str:
    return entry.text(f"{{{CALDAV}}}calendar-data")


def components(text: str) -> Iterable[tuple[str, str | None]]:
    """(UID, RECURRENCE-ID value or None) of each VEVENT in an iCalendar text, read line by line, so the
    client needs no iCalendar library and judges both servers' answers the same way."""
    unfolded = text.replace("\r\n ", "").replace("\n ", "").replace("\r\n\t", "").replace("\n\t", "")
    uid: str | None = None
    recurrence: str | None = None
    inside = False
    for raw in unfolded.splitlines():
        line = raw.strip()
        if line == "BEGIN:VEVENT":
            inside, uid, recurrence = True, None, None
        elif line == "END:VEVENT" and inside:
            inside = False
            if uid is not None:
                yield uid, recurrence
        elif inside and line.startswith("UID:"):
            uid = line[4:]
        elif inside and line.startswith("RECURRENCE-ID"):
            recurrence = line.split(":", 1)[1]


def _status(line: str | None) -> int:
    if not line:
        return 0
    parts = line.split()
    return int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else 0


def _propfind(props: str) -> str:
    return f'<D:propfind xmlns:D="{DAV}"><D:prop>{props}</D:prop></D:propfind>'


def _single(answer: Response, what: str) -> Entry:
    _expect(answer, (207,), what)
    entries = parse_multistatus(answer.body).entries
    if not entries:
        raise DavError(f"{what}: empty multistatus")
    return entries[0]


def _expect(answer: Response, statuses: tuple[int, ...], what: str) -> Response:
    if answer.status not in statuses:
        raise DavError(f"{what}: HTTP {answer.status}: {answer.body[:300]!r}")
    return answer
