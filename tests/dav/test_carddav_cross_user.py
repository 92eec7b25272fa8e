"""Bob can reach nothing of alice's over CardDAV: every method on her books, cards and GAL answers 404 (409
for a write below a parent he cannot see, as the core documents), and her data is unchanged afterwards."""

import pytest

from tests import personas
from tests.dav.carddav_client import NS, Client, multiget, sync, vcard

pytestmark = [pytest.mark.django_db(transaction=True)]

MKCOL = (
    f"<D:mkcol {NS}><D:set><D:prop><D:resourcetype><D:collection/><C:addressbook/></D:resourcetype>"
    "</D:prop></D:set></D:mkcol>"
)
PATCH = f"<D:propertyupdate {NS}><D:set><D:prop><D:displayname>Mine</D:displayname></D:prop></D:set></D:propertyupdate>"


def _snapshot(alice: Client) -> dict[str, str]:
    found: dict[str, str] = {}
    for book in ("contacts/", "gal/"):
        path = alice.home + book
        for href, response in alice.propfind(path, "<D:getetag/><D:displayname/>", depth="1").responses().items():
            found[href] = "".join(response.itertext())
    return found


def test_bob_sees_and_changes_nothing_of_alice(live_server) -> None:  # type: ignore[no-untyped-def]
    personas.mailbox("alice")
    personas.mailbox("bob")
    alice, bob = Client(live_server.url, "alice"), Client(live_server.url, "bob")
    alice.propfind(alice.home, "<D:resourcetype/>", depth="1")
    book = alice.home + "contacts/"
    assert alice.put(book + "ann.vcf", vcard("uid-ann", "Ann Archer")).status == 201
    before = _snapshot(alice)
    gal = alice.home + "gal/"
    gal_card = next(h for h in before if h.startswith(gal) and h != gal)

    targets = [alice.home, book, book + "ann.vcf", gal, gal_card]
    for path in targets:
        assert bob.request("GET", path).status == 404, path
        assert bob.propfind(path, "<D:getetag/>", depth="1").status == 404, path
        assert bob.report(path, multiget([book + "ann.vcf"])).status == 404, path
        assert bob.report(path, sync()).status == 404, path
        assert bob.request("PROPPATCH", path, PATCH, Content_Type="application/xml").status == 404, path
        assert bob.request("DELETE", path).status == 404, path
    for path in (book + "ann.vcf", book + "new.vcf", gal_card):
        assert bob.put(path, vcard("uid-bob", "Bob Was Here")).status in (404, 409), path
    for path in (alice.home + "bobs/", book + "sub/"):
        assert bob.request("MKCOL", path, MKCOL, Content_Type="application/xml").status in (404, 409), path
    assert bob.request("MKCOL", alice.home, MKCOL, Content_Type="application/xml").status in (404, 405, 409)

    assert _snapshot(alice) == before
    assert alice.request("GET", book + "ann.vcf").body.decode() == vcard("uid-ann", "Ann Archer")
