"""CardDAV as a third-party client speaks it: the `caldav` library's WebDAV client (DAVClient, which has no
address-book helpers but does the HTTP, auth and multistatus parsing a sync client does) against the live
server: discovery from /.well-known/carddav, PUT, multiget, a stale ETag refused, and sync-collection."""

from urllib.parse import urlsplit

import caldav
import pytest

from contacts.selectors import addressbook_get_owned, contact_get
from tests import personas
from tests.dav.carddav_client import NS, multiget, sync, vcard

pytestmark = [pytest.mark.django_db(transaction=True)]
D, CR = "{DAV:}", "{urn:ietf:params:xml:ns:carddav}"


@pytest.fixture
def client(live_server) -> caldav.DAVClient:  # type: ignore[no-untyped-def]
    personas.mailbox("alice")
    return caldav.DAVClient(url=live_server.url + "/", username="alice@example.test", password=personas.PASSWORD)


def _book_url(client: caldav.DAVClient) -> str:
    """Discovery as a phone does it, from the server address alone."""
    root = client.propfind(
        str(client.url.join("/.well-known/carddav")),
        "<D:propfind xmlns:D='DAV:'><D:prop><D:current-user-principal/></D:prop></D:propfind>",
    )
    principal = root.tree.find(f".//{D}current-user-principal/{D}href").text
    home = (
        client.propfind(
            str(client.url.join(principal)),
            f"<D:propfind {NS}><D:prop><C:addressbook-home-set/></D:prop></D:propfind>",
        )
        .tree.find(f".//{CR}addressbook-home-set/{D}href")
        .text
    )
    books = client.propfind(
        str(client.url.join(home)),
        "<D:propfind xmlns:D='DAV:'><D:prop><D:resourcetype/><D:displayname/></D:prop></D:propfind>",
        depth=1,
    )
    found = [
        r.find(f"{D}href").text
        for r in books.tree.findall(f"{D}response")
        if r.find(f".//{D}resourcetype/{CR}addressbook") is not None
    ]
    assert any(href.endswith("/gal/") for href in found)  # the organisation's book is there, read-only
    (mine,) = [href for href in found if href.endswith("/contacts/")]
    return str(client.url.join(mine))


def test_a_client_library_discovers_writes_reads_and_syncs(client: caldav.DAVClient) -> None:
    book = _book_url(client)
    created = client.put(
        book + "ada.vcf",
        vcard("ada", "Ada Lovelace", email="ada@engines.example"),
        {"Content-Type": "text/vcard", "If-None-Match": "*"},
    )
    assert created.status == 201
    etag = created.headers["ETag"]

    first = client.report(book, sync(), depth=1)
    token = first.tree.findtext(f"{D}sync-token")
    assert token

    got = client.report(book, multiget([urlsplit(book).path + "ada.vcf"]), depth=1)
    assert "Ada Lovelace" in got.raw

    stale = client.put(
        book + "ada.vcf",
        vcard("ada", "Ada King", email="ada@engines.example"),
        {"Content-Type": "text/vcard", "If-Match": '"not-the-etag"'},
    )
    assert stale.status == 412
    assert (
        "Ada Lovelace"
        in contact_get(book=addressbook_get_owned(user=_alice(), slug="contacts").obj, name="ada.vcf").data
    )

    changed = client.put(
        book + "ada.vcf",
        vcard("ada", "Ada King", email="ada@engines.example"),
        {"Content-Type": "text/vcard", "If-Match": etag},
    )
    assert changed.status == 204
    client.put(book + "charles.vcf", vcard("charles", "Charles Babbage"), {"Content-Type": "text/vcard"})
    since = client.report(book, sync(token), depth=1)
    hrefs = sorted(r.findtext(f"{D}href").rsplit("/", 1)[1] for r in since.tree.findall(f"{D}response"))
    assert hrefs == ["ada.vcf", "charles.vcf"]


def _alice():  # type: ignore[no-untyped-def]
    from accounts.models import User

    return User.objects.get(username="alice@example.test")
