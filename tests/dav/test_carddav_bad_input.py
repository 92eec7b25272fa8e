"""CardDAV refuses bad input with a 4xx and a precondition, and stores nothing."""

import base64

import pytest

from tests import personas
from tests.dav.carddav_client import NS, Client, query, vcard

pytestmark = [pytest.mark.django_db(transaction=True)]


@pytest.fixture
def alice(live_server) -> Client:  # type: ignore[no-untyped-def]
    personas.mailbox("alice")
    client = Client(live_server.url, "alice")
    client.propfind(client.home, "<D:resourcetype/>", depth="1")  # makes the default book
    return client


def _names(client: Client) -> set[str]:
    book = client.home + "contacts/"
    return {h for h in client.propfind(book, "<D:getetag/>", depth="1").responses() if h != book}


def test_broken_vcard_is_refused_with_valid_address_data(alice: Client) -> None:
    book = alice.home + "contacts/"
    for broken in ("not a vcard at all", "BEGIN:VCARD\r\nVERSION:4.0\r\nFN:No Uid\r\nEND:VCARD\r\n",
                   "BEGIN:VCARD\r\nVERSION:2.1\r\nUID:x\r\nFN:Old\r\nEND:VCARD\r\n"):  # fmt: skip
        answer = alice.put(book + "broken.vcf", broken)
        assert answer.status == 403, answer.body
        assert b"valid-address-data" in answer.body
    wrong_type = alice.put(book + "typed.vcf", vcard("uid-t", "Tee Type"), Content_Type="text/calendar")
    assert wrong_type.status == 403
    assert b"supported-address-data" in wrong_type.body
    assert _names(alice) == set()


def test_uid_clash_is_refused_with_the_existing_href(alice: Client) -> None:
    book = alice.home + "contacts/"
    assert alice.put(book + "first.vcf", vcard("same-uid", "First One")).status == 201
    answer = alice.put(book + "second.vcf", vcard("same-uid", "Second One"))
    assert answer.status == 403
    assert b"no-uid-conflict" in answer.body
    assert f"<D:href>{book}first.vcf</D:href>".encode() in answer.body
    assert _names(alice) == {book + "first.vcf"}


def test_oversized_photo_is_refused(alice: Client) -> None:
    photo = base64.b64encode(b"\xff" * (300 * 1024)).decode()
    card = vcard("uid-big", "Big Photo", extra=f"PHOTO;ENCODING=b;TYPE=JPEG:{photo}")
    answer = alice.put(alice.home + "contacts/big.vcf", card)
    assert 400 <= answer.status < 500
    assert b"max-resource-size" in answer.body
    assert _names(alice) == set()


def test_hostile_or_broken_xml_in_a_report_is_a_400(alice: Client) -> None:
    book = alice.home + "contacts/"
    bomb = (
        '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]>'
        f"<C:addressbook-query {NS}><C:filter>&b;</C:filter></C:addressbook-query>"
    )
    assert alice.report(book, bomb).status == 400
    assert alice.report(book, "<C:addressbook-query").status == 400
    bad_match = '<C:prop-filter name="FN"><C:text-match match-type="regex">.*</C:text-match></C:prop-filter>'
    assert alice.report(book, query(bad_match)).status == 400
    collation = '<C:prop-filter name="FN"><C:text-match collation="i;klingon">a</C:text-match></C:prop-filter>'
    answer = alice.report(book, query(collation))
    assert answer.status == 403
    assert b"supported-collation" in answer.body


def test_huge_propfind_body_is_refused(alice: Client) -> None:
    props = "<D:getetag/>" * 200_000
    answer = alice.request("PROPFIND", alice.home, f"<D:propfind {NS}><D:prop>{props}</D:prop></D:propfind>", Depth="0")
    assert 400 <= answer.status < 500


def test_the_gal_is_read_only(alice: Client) -> None:
    gal = alice.home + "gal/"
    answer = alice.put(gal + "x.vcf", vcard("uid-x", "Ex Gal"))
    assert answer.status == 403
    assert b"need-privileges" in answer.body
    cards = [h for h in alice.propfind(gal, "<D:getetag/>", depth="1").responses() if h != gal]
    assert cards
    deleted = alice.request("DELETE", cards[0])
    assert deleted.status == 403
    assert b"need-privileges" in deleted.body
    assert alice.request("GET", cards[0]).status == 200
