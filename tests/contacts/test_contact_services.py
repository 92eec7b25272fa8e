"""Address book and contact services: conditional puts, UID conflicts, merges, sync and access."""

import pytest

from contacts.models import AddressBookChange, Contact
from contacts.query import AddressbookQuery, PropFilter, TextMatch
from contacts.selectors import (
    addressbook_get_for_user,
    addressbook_get_owned,
    addressbooks_for_user,
    contact_changes_since,
    contact_get,
    contacts_in_book,
    contacts_query,
    contacts_search,
)
from contacts.services import (
    ContactFields,
    InvalidCard,
    InvalidSyncToken,
    TypedValue,
    UidConflict,
    addressbook_create,
    addressbook_delete,
    contact_delete,
    contact_merge,
    contact_put,
    contact_save,
)
from core.access import Access, Role
from core.errors import Conflict, Forbidden, NotFound, PayloadTooLarge, PreconditionFailed
from tests import personas

from .helpers import SAMPLES, card, default_book

pytestmark = [pytest.mark.django_db]


@pytest.fixture
def alice():  # type: ignore[no-untyped-def]
    return personas.mailbox("alice").user


def test_default_book_is_made_once(alice) -> None:  # type: ignore[no-untyped-def]
    books = addressbooks_for_user(user=alice)
    assert [(b.obj.slug, b.obj.name, b.role) for b in books] == [("contacts", "Contacts", Role.OWNER)]
    assert addressbooks_for_user(user=alice)[0].obj.pk == books[0].obj.pk
    second = addressbook_create(owner=alice, name="Work people")
    assert second.slug == "work-people"
    assert addressbook_create(owner=alice, name="Work people").slug == "work-people-2"
    with pytest.raises(Conflict):
        addressbook_create(owner=alice, name="Other", slug="contacts")


def test_put_stores_the_text_as_sent_and_conditions_hold(alice) -> None:  # type: ignore[no-untyped-def]
    access = default_book(alice)
    text = (SAMPLES / "vcf" / "apple-contacts-3.0.vcf").read_text()
    result = contact_put(access=access, name="johnny.vcf", data=text.encode(), if_none_match_any=True)
    assert result.created and contact_get(book=access.obj, name="johnny.vcf").data == text
    assert result.contact.emails == ["johnny@apple.example", "johnny.home@mail.example"]
    with pytest.raises(PreconditionFailed):
        contact_put(access=access, name="johnny.vcf", data=text, if_none_match_any=True)
    with pytest.raises(PreconditionFailed):
        contact_put(access=access, name="johnny.vcf", data=text.replace("Engineer", "Boss"), if_match='"stale"')
    assert contact_get(book=access.obj, name="johnny.vcf").etag == result.etag  # nothing changed
    changed = contact_put(
        access=access, name="johnny.vcf", data=text.replace("Engineer", "Boss"), if_match=f'"{result.etag}"'
    )
    assert not changed.created and changed.etag != result.etag
    with pytest.raises(PreconditionFailed):
        contact_put(access=access, name="new.vcf", data=card("n1", "New"), if_match='"x"')


def test_uid_conflict_names_the_existing_contact(alice) -> None:  # type: ignore[no-untyped-def]
    access = default_book(alice)
    contact_put(access=access, name="a.vcf", data=card("same", "A"))
    seq = access.obj.sync_seq
    with pytest.raises(UidConflict) as caught:
        contact_put(access=access, name="b.vcf", data=card("same", "B"))
    assert caught.value.existing_name == "a.vcf" and caught.value.status == 409
    assert not Contact.objects.filter(name="b.vcf").exists()
    assert AddressBookChange.objects.filter(book=access.obj).count() == 1
    access.obj.refresh_from_db()
    assert access.obj.sync_seq == seq == 1


def test_bad_cards_store_nothing(alice) -> None:  # type: ignore[no-untyped-def]
    access = default_book(alice)
    with pytest.raises(InvalidCard, match="UID"):
        contact_put(access=access, name="x.vcf", data="BEGIN:VCARD\r\nVERSION:3.0\r\nFN:X\r\nEND:VCARD\r\n")
    big = "A" * (400 * 1024)
    with pytest.raises(PayloadTooLarge):
        contact_put(access=access, name="x.vcf", data=card("p", "P", extra=f"PHOTO;ENCODING=b;TYPE=JPEG:{big}"))
    with pytest.raises(InvalidCard):
        contact_put(access=access, name="x.vcf", data=(SAMPLES / "vcf" / "broken-line.vcf").read_bytes())
    assert not Contact.objects.exists() and not AddressBookChange.objects.exists()


def test_read_only_access_is_forbidden(alice) -> None:  # type: ignore[no-untyped-def]
    book = default_book(alice).obj
    reader = Access(book, Role.SHARED_READ)
    with pytest.raises(Forbidden):
        contact_put(access=reader, name="a.vcf", data=card("a", "A"))
    with pytest.raises(Forbidden):
        contact_save(access=reader, name=None, fields=ContactFields(formatted_name="A"))


def test_sync_reports_exactly_adds_edits_and_deletes(alice) -> None:  # type: ignore[no-untyped-def]
    access = default_book(alice)
    book = access.obj
    initial = contact_changes_since(book=book, seq=None)
    assert (initial.seq, initial.changed, initial.deleted) == (0, [], [])
    contact_put(access=access, name="a.vcf", data=card("a", "A"))
    contact_put(access=access, name="b.vcf", data=card("b", "B"))
    token = contact_changes_since(book=book, seq=None)
    assert token.changed == ["a.vcf", "b.vcf"]
    contact_put(access=access, name="a.vcf", data=card("a", "A2"))
    contact_put(access=access, name="c.vcf", data=card("c", "C"))
    contact_delete(access=access, name="b.vcf")
    contact_put(access=access, name="d.vcf", data=card("d", "D"))
    contact_delete(access=access, name="d.vcf")
    since = contact_changes_since(book=book, seq=token.seq)
    assert (since.changed, since.deleted) == (["a.vcf", "c.vcf"], ["b.vcf", "d.vcf"])
    assert contact_changes_since(book=book, seq=since.seq).changed == []
    with pytest.raises(InvalidSyncToken):
        contact_changes_since(book=book, seq=since.seq + 1)
    with pytest.raises(InvalidSyncToken):
        contact_changes_since(book=book, seq=-1)


def test_delete_checks_the_etag(alice) -> None:  # type: ignore[no-untyped-def]
    access = default_book(alice)
    contact_put(access=access, name="a.vcf", data=card("a", "A"))
    with pytest.raises(PreconditionFailed):
        contact_delete(access=access, name="a.vcf", if_match='"old"')
    assert contacts_in_book(book=access.obj, names=["a.vcf"])
    with pytest.raises(NotFound):
        contact_delete(access=access, name="zzz.vcf")


def test_form_save_creates_then_edits_keeping_unknown_properties(alice) -> None:  # type: ignore[no-untyped-def]
    access = default_book(alice)
    made = contact_save(
        access=access, name=None,
        fields=ContactFields(given="Carol", family="Jones", emails=[TypedValue("Carol@Example.org", ("work",))]),
    )  # fmt: skip
    assert made.version == "4.0" and made.display_name == "Carol Jones" and made.emails == ["carol@example.org"]
    contact_put(access=access, name=made.name, data=made.data.replace("END:VCARD", "X-CUSTOM:keep me\r\nEND:VCARD"))
    stored = contact_get(book=access.obj, name=made.name)
    edited = contact_save(
        access=access, name=made.name, if_match=stored.etag,
        fields=ContactFields(given="Carol", family="Smith", organisation="Acme"),
    )  # fmt: skip
    assert edited.uid == made.uid and "X-CUSTOM:keep me" in edited.data and edited.organisation == "Acme"
    with pytest.raises(PreconditionFailed):
        contact_save(access=access, name=made.name, if_match=stored.etag, fields=ContactFields(given="Late"))


def test_merge_unites_addresses_and_deletes_the_second(alice) -> None:  # type: ignore[no-untyped-def]
    access = default_book(alice)
    contact_put(access=access, name="a.vcf", data=card("a", "Bob", email="bob@x.org", extra="TEL:+1 555 0100"))
    contact_put(
        access=access, name="b.vcf", data=card("b", "Bobby", email="bob@y.org", extra="ORG:Acme\r\nTEL:15550100")
    )
    merged = contact_merge(access=access, keep_name="a.vcf", merge_name="b.vcf")
    assert merged.emails == ["bob@x.org", "bob@y.org"] and merged.organisation == "Acme"
    assert merged.phones == ["15550100"] and merged.display_name == "Bob"
    assert [c.name for c in contacts_in_book(book=access.obj)] == ["a.vcf"]
    changes = contact_changes_since(book=access.obj, seq=2)
    assert (changes.changed, changes.deleted) == (["a.vcf"], ["b.vcf"])


def test_query_semantics(alice) -> None:  # type: ignore[no-untyped-def]
    access = default_book(alice)
    contact_put(
        access=access, name="a.vcf", data=card("a", "Ärger Müller", email="m@x.org", extra="EMAIL;TYPE=WORK:w@x.org")
    )
    contact_put(access=access, name="b.vcf", data=card("b", "Bob Stone", extra="TEL;TYPE=CELL:123"))
    Contact.objects.create(book=access.obj, name="broken.vcf", uid="zz", data="garbage", version="3.0", etag="e")

    def names(*filters: PropFilter, test: str = "anyof", limit: int | None = None) -> list[str]:
        query = AddressbookQuery(test=test, prop_filters=filters, limit=limit)  # type: ignore[arg-type]
        return sorted(c.name for c in contacts_query(book=access.obj, query=query))

    assert names() == ["a.vcf", "b.vcf"]  # the broken card is left out, and fails nothing
    assert names(PropFilter("FN", text_matches=(TextMatch("ärger"),))) == ["a.vcf"]
    assert names(PropFilter("FN", text_matches=(TextMatch("ärger", collation="i;ascii-casemap"),))) == []
    assert names(
        PropFilter("FN", text_matches=(TextMatch("Ärger", collation="i;octet", match_type="starts-with"),))
    ) == ["a.vcf"]
    assert names(PropFilter("FN", text_matches=(TextMatch("stone", match_type="ends-with"),))) == ["b.vcf"]
    assert names(PropFilter("FN", text_matches=(TextMatch("bob", match_type="equals"),))) == []
    assert names(PropFilter("EMAIL", is_not_defined=True)) == ["b.vcf"]
    assert names(PropFilter("FN", text_matches=(TextMatch("bob", negate=True),))) == ["a.vcf"]
    work = PropFilter("EMAIL", param_filters=(ParamFilterT("TYPE", text_match=TextMatch("work", match_type="equals")),))
    assert names(work) == ["a.vcf"]
    assert names(PropFilter("TEL", param_filters=(ParamFilterT("TYPE", is_not_defined=True),))) == []
    both = (PropFilter("FN", text_matches=(TextMatch("bob"),)), PropFilter("TEL"))
    assert names(*both, test="allof") == ["b.vcf"]
    assert names(PropFilter("FN", text_matches=(TextMatch("ärger"),)), PropFilter("TEL")) == ["a.vcf", "b.vcf"]
    assert len(names(PropFilter("FN"), limit=1)) == 1
    allof = PropFilter("FN", test="allof", text_matches=(TextMatch("bob"), TextMatch("stone")))
    assert names(allof) == ["b.vcf"]
    with pytest.raises(Exception, match="collation"):
        names(PropFilter("FN", text_matches=(TextMatch("x", collation="i;klingon"),)))


from contacts.query import ParamFilter as ParamFilterT  # noqa: E402


def test_search_finds_name_address_organisation_and_phone(alice) -> None:  # type: ignore[no-untyped-def]
    access = default_book(alice)
    contact_put(
        access=access,
        name="a.vcf",
        data=card("a", "Dana Scully", email="dana@fbi.example", extra="ORG:FBI\r\nTEL:+1 (202) 555-0199"),
    )
    for q in ("scully", "FBI.EX", "fbi", "555-0199", "2025550199"):
        assert [c.name for c in contacts_search(user=alice, q=q)] == ["a.vcf"], q
    assert contacts_search(user=alice, q="mulder") == []


def test_second_user_gets_not_found_everywhere(alice) -> None:  # type: ignore[no-untyped-def]
    bob = personas.mailbox("bob").user
    access = default_book(alice)
    contact_put(access=access, name="a.vcf", data=card("a", "Secret", email="s@x.org"))
    with pytest.raises(NotFound):
        addressbook_get_for_user(user=bob, book_id=access.obj.pk)
    with pytest.raises(NotFound):
        addressbook_get_owned(user=bob, slug="contacts-none")
    with pytest.raises(NotFound):
        addressbook_get_owned(user=bob, slug="contacts")  # alice's slug, and bob has no books yet
    assert default_book(bob).obj.pk != access.obj.pk
    assert contacts_search(user=bob, q="secret") == []
    bobs = addressbook_get_owned(user=bob, slug="contacts")
    with pytest.raises(NotFound):
        contact_delete(access=bobs, name="a.vcf")
    with pytest.raises(NotFound):
        contact_get(book=bobs.obj, name="a.vcf")
    assert contact_get(book=access.obj, name="a.vcf").display_name == "Secret"


def test_owner_deletes_a_book(alice) -> None:  # type: ignore[no-untyped-def]
    access = default_book(alice)
    contact_put(access=access, name="a.vcf", data=card("a", "A"))
    with pytest.raises(Forbidden):
        addressbook_delete(access=Access(access.obj, Role.SHARED_WRITE))
    addressbook_delete(access=access)
    assert not Contact.objects.exists()
