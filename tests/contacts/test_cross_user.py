"""Every contacts URL, requested by bob while naming alice's address books, contacts, groups, photos and import
jobs (and GAL entries of a domain bob does not see): 404 each time, and alice's data is exactly as it was."""

import base64

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from contacts.models import AddressBook, Contact, GalEntry, ImportJob
from contacts.selectors import addressbooks_for_user
from contacts.services import (
    addressbook_create,
    contact_save,
    contacts_import_start,
    group_create,
    group_members_add,
)
from contacts.vcard import ContactFields, Photo, TypedValue
from core.access import Access, Role
from tests import personas
from tests.crossuser import NotOwned, Probe, assert_covered, assert_second_user_sees_nothing

pytestmark = [pytest.mark.django_db]
ALICE = "alice@example.test"
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)


def _alice_state() -> object:
    books = sorted(AddressBook.objects.filter(owner__username=ALICE).values_list("pk", "name", "slug", "sync_seq"))
    contacts = sorted(Contact.objects.filter(book__owner__username=ALICE).values_list("book_id", "name", "etag"))
    jobs = sorted(ImportJob.objects.filter(owner__username=ALICE).values_list("pk", "state", "processed"))
    entries = sorted(GalEntry.objects.values_list("pk", "display_name", "email"))
    return books, contacts, jobs, entries


@pytest.fixture
def world() -> dict[str, object]:
    alice = personas.mailbox("alice").user
    bob = personas.mailbox("bob").user
    personas.mailbox("mallory", "elsewhere.test")
    book = addressbooks_for_user(user=alice)[0]
    work = Access(addressbook_create(owner=alice, name="Work"), Role.OWNER)
    ada = contact_save(
        access=book,
        name=None,
        fields=ContactFields(
            given="Ada", family="Lovelace", emails=[TypedValue("ada@example.org")], photo=Photo(PNG, "image/png")
        ),
    )
    alan = contact_save(access=book, name=None, fields=ContactFields(given="Alan", family="Turing"))
    group = group_create(access=book, name="Pioneers")
    group_members_add(access=book, group_name=group.name, member_names=[ada.name])
    job = contacts_import_start(
        access=book, data=b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:X\r\nEND:VCARD\r\n", filename="a.vcf", on_duplicate="merge"
    )
    hidden = GalEntry.objects.create(
        domain=personas.domain("elsewhere.test"), display_name="Secret desk", email="desk@elsewhere.test"
    )
    bob_book = addressbooks_for_user(user=bob)[0]
    return {
        "book": book.obj.pk, "work": work.obj.pk, "ada": ada.name, "alan": alan.name, "group": group.name,
        "job": job.pk, "entry": f"entry-{hidden.pk}.vcf", "bob_book": bob_book.obj.pk,
    }  # fmt: skip


def cases(w: dict[str, object]) -> list[Probe | NotOwned]:
    book, work, ada, alan, group = w["book"], w["work"], w["ada"], w["alan"], w["group"]
    json = {"Accept": "application/json"}
    form = {"given": "Mallory", "family": "Was here", "book": str(book), "etag": ""}
    upload = b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Intruder\r\nEMAIL:m@x.test\r\nEND:VCARD\r\n"
    return [
        Probe("contacts:book", args=(book,)),
        Probe("contacts:book", args=(work,), query={"q": "ada"}),
        Probe("contacts:book_settings", args=(book,)),
        Probe("contacts:book_settings", "post", args=(work,), data={"name": "Mine now"}),
        Probe("contacts:book_delete", "post", args=(work,), data={"confirm": "yes"}),
        Probe("contacts:book_export", args=(book,), query={"fmt": "vcf"}),
        Probe("contacts:book_export", args=(book,), query={"fmt": "csv"}),
        Probe("contacts:contact_new", query={"book": str(book)}),
        Probe("contacts:contact_new", "post", data=form),
        Probe("contacts:contact", args=(book, ada)),
        Probe("contacts:contact", args=(w["bob_book"], ada)),  # alice's card through bob's own book
        Probe("contacts:contact", args=(book, group)),
        Probe("contacts:contact_edit", args=(book, ada)),
        Probe("contacts:contact_edit", "post", args=(book, ada), data=form),
        Probe("contacts:contact_delete", args=(book, ada)),
        Probe("contacts:contact_delete", "post", args=(book, ada)),
        Probe("contacts:contact_delete", "post", args=(w["bob_book"], ada)),
        Probe("contacts:contact_photo", args=(book, ada)),
        Probe("contacts:contact_merge", args=(book, ada)),
        Probe("contacts:contact_merge", args=(book, ada), query={"other": alan}),
        Probe("contacts:contact_merge", "post", args=(book, ada), data={"other": alan, "keep": "this"}),
        Probe("contacts:contact_groups", "post", args=(book, alan), data={"op": "add", "group": group}),
        Probe("contacts:contact_groups", "post", args=(book, ada), data={"op": "remove", "group": group}),
        Probe("contacts:group_members", "post", args=(book, group), data={"op": "add", "member": alan}),
        Probe("contacts:group_members", "post", args=(book, group), data={"op": "remove", "member": ada}),
        Probe("contacts:group_rename", "post", args=(book, group), data={"name": "Hijacked"}),
        Probe("contacts:group_new", "post", data={"name": "Planted", "book": str(book)}),
        Probe("contacts:selection", "post", data={"selected": [f"{book}/{ada}"], "action": "delete", "confirm": "yes"}),
        Probe("contacts:selection", "post", data={"selected": [f"{book}/{ada}"], "action": "delete"}),
        Probe("contacts:selection", "post", data={"selected": [f"{book}/{ada}", f"{book}/{alan}"], "action": "merge"}),
        Probe("contacts:selection", "post", data={"selected": [f"{book}/{ada}"], "action": "export_vcf"}),
        Probe("contacts:gal_entry", args=(w["entry"],)),
        Probe("contacts:gal_add", "post", args=(w["entry"],)),
        Probe(
            "contacts:import",
            "post",
            data={"file": SimpleUploadedFile("x.vcf", upload), "on_duplicate": "add", "book": str(book)},
        ),
        Probe("contacts:import_job", args=(w["job"],)),
        Probe("contacts:import_job", args=(w["job"],), headers=json),
        NotOwned("contacts:home", "opens the signed-in user's own default book"),
        NotOwned("contacts:book_new", "makes a book of the signed-in user's own", "post", data={"name": "Bob's"}),
        NotOwned("contacts:gal", "the signed-in user's own domain directory"),
        NotOwned("contacts:export", "lists the signed-in user's own books"),
    ]


def test_every_contacts_url_has_a_second_user_case(world: dict[str, object]) -> None:
    assert_covered("contacts", cases(world))


def test_bob_gets_404_for_alices_things_and_changes_nothing(world: dict[str, object], client: Client) -> None:
    from accounts.models import User

    client.force_login(User.objects.get(username="bob@example.test"))
    assert_second_user_sees_nothing(client, cases(world), _alice_state)
    assert not Contact.objects.filter(display_name__in=["Intruder", "Planted", "Mallory Was here"]).exists()
