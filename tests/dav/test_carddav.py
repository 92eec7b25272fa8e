"""CardDAV over real HTTP against the live server: discovery, PUT/GET/DELETE with ETags, multiget, query,
sync-collection, version conversion, unknown properties, MKCOL, and a change made through the web UI's
services seen by the next sync."""

import pytest

from accounts.models import User
from contacts.selectors import addressbook_get_owned, contact_get
from contacts.services import TypedValue, contact_save
from contacts.vcard import parse_card, read_fields
from tests import personas
from tests.dav.carddav_client import CR, NS, Client, D, multiget, prop, query, status_of, sync, vcard

pytestmark = [pytest.mark.django_db(transaction=True)]


@pytest.fixture
def alice(live_server) -> Client:  # type: ignore[no-untyped-def]
    personas.mailbox("alice")
    personas.mailbox("bob")
    return Client(live_server.url, "alice")


def _book(client: Client) -> str:
    return client.home + "contacts/"


def test_discovery_from_well_known_to_the_books(alice: Client) -> None:
    answer = alice.request("GET", "/.well-known/carddav")
    assert answer.status == 301
    assert answer.headers["Location"] == "/dav/"
    root = alice.propfind("/dav/", "<D:current-user-principal/>").responses()["/dav/"]
    principal = prop(root, f"{D}current-user-principal")
    assert principal is not None
    principal_path = str(principal.findtext(f"{D}href"))
    home_set = prop(alice.propfind(principal_path, "<C:addressbook-home-set/>").responses()[principal_path],
                    f"{CR}addressbook-home-set")  # fmt: skip
    assert home_set is not None
    home = str(home_set.findtext(f"{D}href"))
    assert home == alice.home

    props = (
        "<D:resourcetype/><D:displayname/><C:supported-address-data/><C:max-resource-size/>"
        "<CS:getctag/><D:sync-token/><D:current-user-privilege-set/><D:owner/><D:supported-report-set/>"
    )
    responses = alice.propfind(home, props, depth="1").responses()
    books = {h: r for h, r in responses.items() if r.find(f".//{D}resourcetype/{CR}addressbook") is not None}
    assert set(books) == {home + "contacts/", home + "gal/"}
    own, gal = books[home + "contacts/"], books[home + "gal/"]
    assert prop(own, f"{D}displayname").text == "Contacts"  # type: ignore[union-attr]
    versions = {t.get("version") for t in own.iter(f"{CR}address-data-type")}
    assert versions == {"3.0", "4.0"}
    assert int(prop(own, f"{CR}max-resource-size").text or 0) > 0  # type: ignore[union-attr]
    assert (prop(own, f"{D}sync-token").text or "").startswith("http")  # type: ignore[union-attr]
    reports = {str(r[0].tag) for r in own.iter(f"{D}report")}
    assert {f"{CR}addressbook-multiget", f"{CR}addressbook-query", f"{D}sync-collection"} <= reports
    assert own.find(f".//{D}current-user-privilege-set/{D}privilege/{D}write-content") is not None
    assert gal.find(f".//{D}current-user-privilege-set/{D}privilege/{D}read") is not None
    assert gal.find(f".//{D}current-user-privilege-set/{D}privilege/{D}write-content") is None
    # The GAL holds alice and bob (their mailboxes), as cards readable like any other.
    cards = [h for h in alice.propfind(home + "gal/", "<D:getetag/>", depth="1").responses() if not h.endswith("/")]
    assert len(cards) >= 2
    body = alice.request("GET", cards[0]).body.decode()
    assert body.startswith("BEGIN:VCARD")


def test_put_get_multiget_query_stale_etag_and_delete(alice: Client) -> None:
    book = _book(alice)
    alice.propfind(alice.home, "<D:resourcetype/>", depth="1")  # makes the default book
    card = vcard("uid-ann", "Ann Archer", email="ann@example.org")
    created = alice.put(book + "ann.vcf", card, If_None_Match="*")
    assert created.status == 201
    etag = created.headers["ETag"]
    got = alice.request("GET", book + "ann.vcf")
    assert got.status == 200
    assert got.headers["ETag"] == etag
    assert "FN:Ann Archer" in got.body.decode()
    assert alice.put(book + "ann.vcf", card, If_None_Match="*").status == 412

    assert alice.put(book + "bo.vcf", vcard("uid-bo", "Bo Baker", email="bo@example.net")).status == 201
    responses = alice.report(book, multiget([book + "ann.vcf", book + "bo.vcf", book + "none.vcf"])).responses()
    assert "Ann Archer" in (prop(responses[book + "ann.vcf"], f"{CR}address-data").text or "")  # type: ignore[union-attr]
    assert prop(responses[book + "bo.vcf"], f"{D}getetag").text == alice.request("GET", book + "bo.vcf").headers["ETag"]  # type: ignore[union-attr]
    assert "404" in status_of(responses[book + "none.vcf"])

    by_email = (
        '<C:prop-filter name="EMAIL"><C:text-match match-type="ends-with">example.net</C:text-match></C:prop-filter>'
    )
    assert set(alice.report(book, query(by_email)).responses()) == {book + "bo.vcf"}
    by_fn = '<C:prop-filter name="FN"><C:text-match>ann</C:text-match></C:prop-filter>'
    assert set(alice.report(book, query(by_fn)).responses()) == {book + "ann.vcf"}
    every = '<C:prop-filter name="FN"/>'
    limited = alice.report(book, query(every, limit=1)).responses()
    assert len([h for h in limited if h.endswith(".vcf")]) == 1
    assert "507" in status_of(limited[book])

    changed = vcard("uid-ann", "Ann Changed")
    assert alice.put(book + "ann.vcf", changed, If_Match='"stale"').status == 412
    assert alice.request("GET", book + "ann.vcf").body.decode() == card
    updated = alice.put(book + "ann.vcf", changed, If_Match=etag)
    assert updated.status == 204
    assert updated.headers["ETag"] != etag

    assert alice.request("DELETE", book + "ann.vcf", If_Match=etag).status == 412
    assert alice.request("DELETE", book + "ann.vcf").status == 204
    assert alice.request("GET", book + "ann.vcf").status == 404


def _sync(alice: Client, book: str, token: str = "") -> tuple[str, dict[str, str]]:
    answer = alice.report(book, sync(token))
    assert answer.status == 207, answer.body
    root = answer.xml()
    return str(root.findtext(f"{D}sync-token")), {h: status_of(r) for h, r in answer.responses().items()}


def test_sync_collection_reports_exactly_what_changed(alice: Client) -> None:
    book = _book(alice)
    alice.propfind(alice.home, "<D:resourcetype/>", depth="1")
    for name in ("one", "two"):
        assert alice.put(f"{book}{name}.vcf", vcard(f"uid-{name}", f"Person {name}")).status == 201
    first, everything = _sync(alice, book)
    assert set(everything) == {book + "one.vcf", book + "two.vcf"}

    assert alice.put(book + "three.vcf", vcard("uid-three", "Person three")).status == 201
    assert alice.put(book + "four.vcf", vcard("uid-four", "Person four")).status == 201
    assert alice.put(book + "one.vcf", vcard("uid-one", "Person one edited")).status == 204
    assert alice.request("DELETE", book + "two.vcf").status == 204
    second, changes = _sync(alice, book, first)
    assert second != first
    assert {h for h, s in changes.items() if "200" in s} == {book + "three.vcf", book + "four.vcf", book + "one.vcf"}
    assert {h for h, s in changes.items() if "404" in s} == {book + "two.vcf"}
    _, nothing = _sync(alice, book, second)
    assert nothing == {}
    bad = alice.report(book, sync("http://roost.invalid/ns/sync/book-999999/1"))
    assert bad.status == 403
    assert b"valid-sync-token" in bad.body

    # A change made through the web UI's door is seen by the next sync, with a new ETag.
    user = User.objects.get(username=alice.address)
    access = addressbook_get_owned(user=user, slug="contacts")
    old_etag = alice.request("GET", book + "three.vcf").headers["ETag"]
    fields = read_fields(parse_card(contact_get(book=access.obj, name="three.vcf").data))
    fields.emails = [TypedValue("three@example.org", ("work",))]
    contact_save(access=access, name="three.vcf", fields=fields)
    third, after_web = _sync(alice, book, second)
    assert third != second
    assert set(after_web) == {book + "three.vcf"}
    new_etag = alice.request("GET", book + "three.vcf").headers["ETag"]
    assert new_etag != old_etag


def test_vcard_3_read_back_as_4_and_unknown_properties_kept(alice: Client) -> None:
    book = _book(alice)
    alice.propfind(alice.home, "<D:resourcetype/>", depth="1")
    extra = "item1.EMAIL;TYPE=INTERNET:odd@example.org\r\nitem1.X-ABLabel:Custom, label\r\nX-FOO;X-P=1:bar,baz"
    card = vcard("uid-old", "Old Timer", extra=extra, version="3.0")
    assert alice.put(book + "old.vcf", card).status == 201
    assert alice.request("GET", book + "old.vcf").body.decode() == card

    asked = '<C:address-data content-type="text/vcard" version="4.0"/>'
    response = alice.report(book, multiget([book + "old.vcf"], asked)).responses()[book + "old.vcf"]
    data = prop(response, f"{CR}address-data").text or ""  # type: ignore[union-attr]
    assert "VERSION:4.0" in data
    assert "VERSION:3.0" not in data
    # Property names are case-insensitive (RFC 6350 3.3); values and groups are kept as sent.
    assert "item1.x-ablabel:custom, label" in data.lower()
    assert "X-FOO;X-P=1:bar,baz" in data

    subset = '<C:address-data><C:prop name="FN"/></C:address-data>'
    response = alice.report(book, multiget([book + "old.vcf"], subset)).responses()[book + "old.vcf"]
    data = prop(response, f"{CR}address-data").text or ""  # type: ignore[union-attr]
    assert "FN:Old Timer" in data
    assert "EMAIL" not in data


def test_mkcol_proppatch_and_delete_of_a_book(alice: Client) -> None:
    body = (
        f"<D:mkcol {NS}><D:set><D:prop><D:resourcetype><D:collection/><C:addressbook/></D:resourcetype>"
        "<D:displayname>Work</D:displayname><C:addressbook-description>Colleagues</C:addressbook-description>"
        "</D:prop></D:set></D:mkcol>"
    )
    assert alice.request("MKCOL", alice.home + "work/", body, Content_Type="application/xml").status == 201
    assert alice.request("MKCOL", alice.home + "work/", body, Content_Type="application/xml").status == 405
    books = alice.propfind(alice.home, "<D:displayname/><C:addressbook-description/>", depth="1").responses()
    work = books[alice.home + "work/"]
    assert prop(work, f"{D}displayname").text == "Work"  # type: ignore[union-attr]
    assert prop(work, f"{CR}addressbook-description").text == "Colleagues"  # type: ignore[union-attr]
    assert alice.put(alice.home + "work/x.vcf", vcard("uid-x", "Xena Work")).status == 201

    patch = (
        f"<D:propertyupdate {NS}><D:set><D:prop><D:displayname>Office</D:displayname></D:prop></D:set>"
        "</D:propertyupdate>"
    )
    assert alice.request("PROPPATCH", alice.home + "work/", patch, Content_Type="application/xml").status == 207
    work = alice.propfind(alice.home + "work/", "<D:displayname/>").responses()[alice.home + "work/"]
    assert prop(work, f"{D}displayname").text == "Office"  # type: ignore[union-attr]
    gal_patch = alice.request("PROPPATCH", alice.home + "gal/", patch, Content_Type="application/xml")
    assert gal_patch.status == 207
    assert b"403" in gal_patch.body

    assert alice.request("DELETE", alice.home + "work/").status == 204
    assert alice.request("PROPFIND", alice.home + "work/", Depth="0").status == 404
    assert alice.request("DELETE", alice.home + "gal/").status == 403
