"""Discovery over real HTTP against the live server: the well-known redirects, the root's
current-user-principal, the principal's homes, and 404 for another user's principal and homes."""

import base64
import http.client
from urllib.parse import urlsplit
from xml.etree import ElementTree as ET

import pytest

from tests import personas

pytestmark = [pytest.mark.django_db(transaction=True)]

PROPFIND = """<D:propfind xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"
 xmlns:CR="urn:ietf:params:xml:ns:carddav"><D:prop><D:current-user-principal/><D:resourcetype/>
<D:displayname/><C:calendar-home-set/><CR:addressbook-home-set/><C:calendar-user-address-set/>
<D:principal-URL/></D:prop></D:propfind>"""


def _ask(
    base: str, method: str, path: str, user: str | None = "alice", body: str = PROPFIND, depth: str = "0"
) -> tuple[int, dict[str, str], bytes]:
    parts = urlsplit(base)
    connection = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=10)
    headers = {"Depth": depth, "Content-Type": "application/xml; charset=utf-8"}
    if user:
        token = base64.b64encode(f"{user}@example.test:{personas.PASSWORD}".encode()).decode()
        headers["Authorization"] = f"Basic {token}"
    connection.request(method, path, body=body.encode(), headers=headers)
    response = connection.getresponse()
    return response.status, dict(response.getheaders()), response.read()


def _props(body: bytes) -> dict[str, ET.Element]:
    root = ET.fromstring(body)
    return {str(p.tag): p for p in root.iterfind(".//{DAV:}propstat/{DAV:}prop/*")}


@pytest.fixture
def people() -> None:
    personas.mailbox("alice")
    personas.mailbox("bob")


@pytest.mark.parametrize("kind", ["caldav", "carddav"])
def test_well_known_redirects_to_the_root(live_server, people: None, kind: str) -> None:  # type: ignore[no-untyped-def]
    status, headers, _ = _ask(live_server.url, "GET", f"/.well-known/{kind}", user=None, body="")
    assert status == 301
    assert headers["Location"] == "/dav/"


def test_dav_methods_follow_to_the_root_with_their_body(live_server, people: None) -> None:  # type: ignore[no-untyped-def]
    # 308, not 301: clients built on requests drop a PROPFIND's body when following a 301.
    for path in ("/.well-known/caldav", "/.well-known/carddav", "/"):
        status, headers, _ = _ask(live_server.url, "PROPFIND", path, user=None)
        assert status == 308, path
        assert headers["Location"] == "/dav/"
    status, headers, _ = _ask(live_server.url, "GET", "/", user=None, body="")
    assert status == 302  # people go to their mail
    assert headers["Location"].startswith("/mail/")


def test_root_gives_the_current_user_principal_and_the_principal_its_homes(live_server, people: None) -> None:  # type: ignore[no-untyped-def]
    status, _, body = _ask(live_server.url, "PROPFIND", "/dav/")
    assert status == 207
    principal = _props(body)["{DAV:}current-user-principal"].findtext("{DAV:}href")
    assert principal == "/dav/principals/alice@example.test/"

    status, _, body = _ask(live_server.url, "PROPFIND", principal)
    props = _props(body)
    assert props["{urn:ietf:params:xml:ns:caldav}calendar-home-set"].findtext("{DAV:}href") == (
        "/dav/calendars/alice@example.test/"
    )
    assert props["{urn:ietf:params:xml:ns:carddav}addressbook-home-set"].findtext("{DAV:}href") == (
        "/dav/addressbooks/alice@example.test/"
    )
    addresses = [h.text for h in props["{urn:ietf:params:xml:ns:caldav}calendar-user-address-set"]]
    assert "mailto:alice@example.test" in addresses
    assert props["{DAV:}resourcetype"].find("{DAV:}principal") is not None
    assert props["{DAV:}displayname"].text == "Alice"

    for home in ("/dav/calendars/alice@example.test/", "/dav/addressbooks/alice@example.test/"):
        status, _, body = _ask(live_server.url, "PROPFIND", home, depth="1")
        assert status == 207
        assert _props(body)["{DAV:}resourcetype"].find("{DAV:}collection") is not None


def test_options_and_unauthenticated(live_server, people: None) -> None:  # type: ignore[no-untyped-def]
    status, headers, _ = _ask(live_server.url, "OPTIONS", "/dav/", body="")
    assert status == 200
    assert "calendar-access" in headers["DAV"]
    status, headers, _ = _ask(live_server.url, "PROPFIND", "/dav/", user=None)
    assert status == 401
    assert headers["WWW-Authenticate"].startswith('Basic realm="Roost"')


@pytest.mark.parametrize(
    "path",
    [
        "/dav/principals/alice@example.test/",
        "/dav/calendars/alice@example.test/",
        "/dav/addressbooks/alice@example.test/",
        "/dav/calendars/alice@example.test/anything/",
    ],
)
def test_another_user_gets_404_on_alices_principal_and_homes(live_server, people: None, path: str) -> None:  # type: ignore[no-untyped-def]
    for method in ("PROPFIND", "MKCALENDAR", "DELETE"):
        status, _, _ = _ask(live_server.url, method, path, user="bob", body="" if method != "PROPFIND" else PROPFIND)
        # Below a home that is not bob's, a write finds no parent collection: 409 as for any missing one.
        nested = path.endswith("anything/") and method == "MKCALENDAR"
        assert status == (409 if nested else 404), method
    # alice's own view is unchanged
    status, _, _ = _ask(live_server.url, "PROPFIND", "/dav/calendars/alice@example.test/")
    assert status == 207
