"""Every contacts page and action through Django's test client: the list and detail, the form (photo, typed rows,
a stale ETag that keeps what was typed), delete, merge, groups, the selection bar, import (at once and as a
job), export, the GAL, address books; bad input is a 4xx with a clear message, never a 500."""

import base64
import re
from html import unescape

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from contacts.models import AddressBook, Contact, GalEntry, ImportJob
from contacts.selectors import addressbooks_for_user, contact_fields, contacts_in_book
from contacts.services import addressbook_create, contact_put, contact_save, contacts_import_run, group_create
from contacts.vcard import ContactFields, PostalAddress, TypedValue, parse_card, read_fields
from core.access import Access
from tests import personas

from .helpers import card

pytestmark = [pytest.mark.django_db]

# The smallest PNG there is (1x1), and a JPEG header good enough for the type check.
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)


@pytest.fixture
def alice(client: Client) -> User:
    user = personas.mailbox("alice").user
    client.force_login(user)
    return user


@pytest.fixture
def book(alice: User) -> Access[AddressBook]:
    return addressbooks_for_user(user=alice)[0]


def person(book: Access[AddressBook], given: str, family: str, email: str = "", **more: object) -> Contact:
    fields = ContactFields(given=given, family=family, emails=[TypedValue(email, ("work",))] if email else [])
    for key, value in more.items():
        setattr(fields, key, value)
    return contact_save(access=book, name=None, fields=fields)


def text(response) -> str:  # type: ignore[no-untyped-def]
    return unescape(response.content.decode())


def form_post(**overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "given": "Ada",
        "family": "Lovelace",
        "organisation": "Analytical Engines",
        "department": "Research",
        "title": "Programmer",
        "email_value": ["ada@example.org", "ada@home.example"],
        "email_type": ["work|", "home|"],
        "email_pref": ["1", "0"],
        "phone_value": ["+44 20 7946 0018"],
        "phone_type": ["cell|"],
        "phone_pref": ["0"],
        "adr_street": ["12 St James's Square"],
        "adr_locality": ["London"],
        "adr_region": [""],
        "adr_postal_code": ["SW1Y 4JH"],
        "adr_country": ["United Kingdom"],
        "adr_po_box": [""],
        "adr_extended": [""],
        "adr_type": ["home|"],
        "adr_pref": ["0"],
        "url_value": ["ada.example.org"],
        "url_type": ["work|"],
        "url_pref": ["0"],
        "birthday": "1815-12-10",
        "anniversary": "--07-08",
        "note": "Wrote the first program.",
        "categories": "Mathematics, Heroes",
    }
    data.update(overrides)
    return data


def etag_in(html: str) -> str:
    match = re.search(r'name="etag" value="([^"]*)"', html)
    assert match is not None
    return match.group(1)


# ---------------------------------------------------------------------------------------------------------
# The list and the detail


def test_home_opens_the_default_book_with_people_under_letters(client: Client, book: Access[AddressBook]) -> None:
    person(book, "Grace", "Hopper", "grace@navy.example", organisation="US Navy")
    person(book, "Alan", "Turing", "alan@bletchley.example")
    person(book, "Émile", "Zola", "emile@example.fr")
    group_create(access=book, name="Book club")
    response = client.get(reverse("contacts:home"))
    assert response.status_code == 302
    page = client.get(response["Location"])
    assert page.status_code == 200
    html = text(page)
    letters = re.findall(r'<h2 class="ct-letter"[^>]*>(.)</h2>', html)
    assert letters == ["H", "T", "Z"]  # by family name; groups are in the sidebar, not the list
    assert html.index("Grace Hopper") < html.index("Alan Turing") < html.index("Émile Zola")
    assert "grace@navy.example · US Navy" in html
    assert "Book club" in html  # in the sidebar
    assert re.search(r"Contacts</span><span class=\"ct-side-count\" aria-label=\"3 contacts\">3<", html)


def test_search_finds_people_by_name_address_organisation_and_phone(client: Client, book: Access[AddressBook]) -> None:
    person(book, "Grace", "Hopper", "grace@navy.example", organisation="US Navy")
    person(book, "Alan", "Turing", "alan@bletchley.example", phones=[TypedValue("+44 1908 640404")])
    url = reverse("contacts:book", args=[book.obj.pk])
    for q, found, not_found in (
        ("hopper", "Grace Hopper", "Alan Turing"),
        ("bletchley", "Alan Turing", "Grace Hopper"),
        ("navy", "Grace Hopper", "Alan Turing"),
        ("640404", "Alan Turing", "Grace Hopper"),
    ):
        html = text(client.get(url, {"q": q}))
        assert found in html, q
        assert not_found not in html, q
    assert "Nothing matches “nobody”" in text(client.get(url, {"q": "nobody"}))


def test_the_detail_shows_everything_with_safe_links(client: Client, book: Access[AddressBook]) -> None:
    ada = person(
        book, "Ada", "Lovelace", "ada@example.org",
        organisation="Analytical Engines", title="Programmer", department="Research",
        phones=[TypedValue("+44 (20) 7946-0018", ("cell",))],
        addresses=[PostalAddress(street="12 St James's Square", locality="London", postal_code="SW1Y 4JH")],
        urls=[TypedValue("javascript:alert(1)"), TypedValue("https://ada.example.org")],
        birthday="1815-12-10", anniversary="--07-08", note="First program.", categories=["Heroes"],
    )  # fmt: skip
    club = group_create(access=book, name="Book club")
    client.post(reverse("contacts:contact_groups", args=[book.obj.pk, ada.name]), {"op": "add", "group": club.name})
    html = text(client.get(reverse("contacts:contact", args=[book.obj.pk, ada.name])))
    assert 'href="/mail/compose/?to=ada%40example.org"' in html
    assert 'href="tel:+442079460018"' in html
    assert "Programmer · Analytical Engines · Research" in html
    assert "SW1Y 4JH London" in html
    assert "10 December 1815" in html
    assert "8 July" in html
    assert 'href="https://ada.example.org"' in html
    assert 'href="javascript:' not in html  # shown as text, never a link
    assert "First program." in html
    assert "Heroes" in html
    assert 'class="ct-chip ct-chip-group"><a href="/contacts/books/' in html
    assert "Book club" in html


def test_a_photo_is_served_from_its_own_url_and_only_as_a_picture(client: Client, book: Access[AddressBook]) -> None:
    from contacts.vcard import Photo

    with_photo = person(book, "Pic", "Ture", photo=Photo(PNG, "image/png"))
    response = client.get(reverse("contacts:contact_photo", args=[book.obj.pk, with_photo.name]))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response.content == PNG
    svg = "data:image/svg+xml;base64," + base64.b64encode(b"<svg onload='alert(1)'/>").decode()
    contact_put(access=book, name="svg.vcf", data=card("svg", "Svg", extra=f"PHOTO:{svg}", version="4.0"))
    assert client.get(reverse("contacts:contact_photo", args=[book.obj.pk, "svg.vcf"])).status_code == 404
    plain = person(book, "No", "Photo")
    assert client.get(reverse("contacts:contact_photo", args=[book.obj.pk, plain.name])).status_code == 404


def test_a_card_that_cannot_be_read_does_not_take_the_pages_down(client: Client, book: Access[AddressBook]) -> None:
    person(book, "Ada", "Lovelace", "ada@example.org")
    broken = Contact.objects.create(
        book=book.obj, name="broken.vcf", uid="b1", data="BEGIN:VCARD\r\nthis is not a card", version="3.0",
        etag="x", display_name="Broken Bob", sort_key="bob", emails=["bob@broken.example"],
    )  # fmt: skip
    listing = text(client.get(reverse("contacts:book", args=[book.obj.pk])))
    assert "Broken Bob" in listing
    assert "Ada Lovelace" in listing
    detail = client.get(reverse("contacts:contact", args=[book.obj.pk, broken.name]))
    assert detail.status_code == 200
    assert "could not be read completely" in text(detail)
    form = text(client.get(reverse("contacts:contact_edit", args=[book.obj.pk, broken.name])))
    assert 'value="bob@broken.example"' in form  # the form starts from what the index still knows
    assert client.get(reverse("contacts:contact_photo", args=[book.obj.pk, broken.name])).status_code == 404
    assert client.post(reverse("contacts:contact_delete", args=[book.obj.pk, broken.name])).status_code == 302
    assert not Contact.objects.filter(pk=broken.pk).exists()


# ---------------------------------------------------------------------------------------------------------
# The form


def test_a_new_contact_through_the_form(client: Client, book: Access[AddressBook]) -> None:
    page = client.get(reverse("contacts:contact_new"))
    assert page.status_code == 200
    assert 'name="given"' in text(page)
    photo = ("ada.png", PNG, "image/png")
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = form_post(book=str(book.obj.pk), photo=SimpleUploadedFile(*photo))
    response = client.post(reverse("contacts:contact_new"), data)
    assert response.status_code == 302
    (ada,) = contacts_in_book(book=book.obj)
    assert response["Location"] == reverse("contacts:contact", args=[book.obj.pk, ada.name])
    fields = read_fields(parse_card(ada.data))
    assert (fields.given, fields.family, fields.organisation, fields.department) == (
        "Ada", "Lovelace", "Analytical Engines", "Research",
    )  # fmt: skip
    assert [(e.value, e.types, e.pref) for e in fields.emails] == [
        ("ada@example.org", ("work",), True),
        ("ada@home.example", ("home",), False),
    ]
    assert fields.phones[0].types == ("cell",)
    assert fields.addresses[0].locality == "London"
    assert fields.urls[0].value == "ada.example.org"
    assert (fields.birthday, fields.anniversary) == ("1815-12-10", "--07-08")
    assert fields.categories == ["Mathematics", "Heroes"]
    assert fields.photo is not None
    assert fields.photo.data == PNG
    assert "Ada Lovelace was added." in text(client.get(response["Location"]))


def test_new_contact_can_be_prefilled_from_an_address(client: Client, book: Access[AddressBook]) -> None:
    html = text(client.get(reverse("contacts:contact_new"), {"email": "zed@example.net", "name": "Zed"}))
    assert 'value="zed@example.net"' in html
    assert 'value="Zed"' in html


def test_edit_keeps_what_the_form_does_not_show(client: Client, book: Access[AddressBook]) -> None:
    raw = card(
        "apple-1", "Tim Cook", email="tim@apple.example",
        extra="N:Cook;Tim;;;\r\nX-SOCIALPROFILE;TYPE=twitter:tim\r\nitem1.TEL:+1 408 996 1010\r\n"
        "item1.X-ABLabel:_$!<Assistant>!$_\r\nTEL;TYPE=WORK,FAX:+1 408 555 0000",
    )  # fmt: skip
    contact_put(access=book, name="tim.vcf", data=raw)
    contact_save(access=book, name="tim.vcf", fields=_with_photo(Contact.objects.get(name="tim.vcf")))
    page = text(client.get(reverse("contacts:contact_edit", args=[book.obj.pk, "tim.vcf"])))
    assert '<option value="|Assistant" selected>Assistant</option>' in page
    assert '<option value="work,fax|" selected>Work fax</option>' in page
    data = {
        "etag": etag_in(page),
        "given": "Timothy",
        "family": "Cook",
        "email_value": ["tim@apple.example"], "email_type": ["|"], "email_pref": ["0"],
        "phone_value": ["+1 408 996 1010", "+1 408 555 0000"], "phone_type": ["|Assistant", "work,fax|"],
        "phone_pref": ["0", "0"],
    }  # fmt: skip
    response = client.post(reverse("contacts:contact_edit", args=[book.obj.pk, "tim.vcf"]), data)
    assert response.status_code == 302, text(response)[:2000]
    saved = Contact.objects.get(name="tim.vcf")
    assert "X-SOCIALPROFILE;TYPE=twitter:tim" in saved.data
    fields = read_fields(parse_card(saved.data))
    assert fields.given == "Timothy"
    assert fields.formatted_name == "Timothy Cook"
    assert [(p.types, p.label) for p in fields.phones] == [((), "Assistant"), (("work", "fax"), "")]
    assert fields.photo is not None
    assert fields.photo.data == PNG


def _with_photo(contact: Contact) -> ContactFields:
    from contacts.vcard import Photo

    fields = read_fields(parse_card(contact.data))
    fields.photo = Photo(PNG, "image/png")
    return fields


def test_a_stale_etag_brings_the_form_back_with_the_input_and_saving_again_wins(
    client: Client, book: Access[AddressBook]
) -> None:
    ada = person(book, "Ada", "Lovelace", "ada@example.org")
    url = reverse("contacts:contact_edit", args=[book.obj.pk, ada.name])
    old_etag = etag_in(text(client.get(url)))
    # Meanwhile a phone changes her.
    fields = contact_fields(contact=ada)
    assert fields is not None
    fields.note = "Changed on the phone"
    contact_save(access=book, name=ada.name, fields=fields, if_match=ada.etag)
    theirs = Contact.objects.get(pk=ada.pk)

    response = client.post(url, form_post(etag=old_etag, given="Augusta Ada", note="Typed in the browser"))
    assert response.status_code == 409
    html = text(response)
    assert "Someone changed this contact after you opened it" in html
    assert 'value="Augusta Ada"' in html
    assert "Typed in the browser" in html
    assert 'value="+44 20 7946 0018"' in html
    assert 'value="SW1Y 4JH"' in html
    assert Contact.objects.get(pk=ada.pk).etag == theirs.etag  # nothing saved
    assert etag_in(html) == theirs.etag  # saving again now keeps the browser's version

    again = client.post(url, form_post(etag=etag_in(html), given="Augusta Ada", note="Typed in the browser"))
    assert again.status_code == 302
    saved = read_fields(parse_card(Contact.objects.get(pk=ada.pk).data))
    assert (saved.given, saved.note) == ("Augusta Ada", "Typed in the browser")


def test_a_new_photo_survives_a_failed_save(client: Client, book: Access[AddressBook]) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = form_post(book=str(book.obj.pk), email_value=["not an address"], photo=SimpleUploadedFile("a.png", PNG))
    response = client.post(reverse("contacts:contact_new"), data)
    assert response.status_code == 400
    html = text(response)
    carried = re.search(r'name="photo_carried" value="([^"]+)"', html)
    assert carried is not None
    assert carried.group(1).startswith("data:image/png;base64,")
    fixed = form_post(book=str(book.obj.pk), photo_carried=carried.group(1))
    assert client.post(reverse("contacts:contact_new"), fixed).status_code == 302
    fields = contact_fields(contact=Contact.objects.get())
    assert fields is not None
    assert fields.photo is not None
    assert fields.photo.data == PNG


@pytest.mark.parametrize(
    ("overrides", "status", "message"),
    [
        ({"email_value": ["ada at example"]}, 400, "'ada at example' is not an e-mail address."),
        ({"phone_value": ["call me"]}, 400, "'call me' is not a phone number."),
        ({"birthday": "1815-13-40"}, 400, "The birthday '1815-13-40' is not a date"),
        ({"url_value": ["javascript:alert(1)"]}, 400, "is not a web address"),
        ({"given": "x" * 300}, 400, "The first name may be at most 200 characters."),
        (
            {"given": "", "family": "", "organisation": "", "email_value": [], "email_type": [], "email_pref": []},
            400,
            "A contact needs a name, an organisation or an email address.",
        ),
    ],
)
def test_bad_form_input_comes_back_with_a_message_and_the_input(
    client: Client, book: Access[AddressBook], overrides: dict[str, object], status: int, message: str
) -> None:
    data = form_post(book=str(book.obj.pk), note="Keep me", **overrides)
    response = client.post(reverse("contacts:contact_new"), data)
    assert response.status_code == status
    html = text(response)
    assert message in html
    assert "Keep me" in html
    assert not Contact.objects.exists()


def test_photos_that_are_too_big_or_not_pictures_are_refused(client: Client, book: Access[AddressBook]) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    big = SimpleUploadedFile("big.jpg", b"\xff\xd8\xff" + b"0" * (300 * 1024), content_type="image/jpeg")
    response = client.post(reverse("contacts:contact_new"), form_post(book=str(book.obj.pk), photo=big))
    assert response.status_code == 413
    assert "at most 256 KB" in text(response)
    fake = SimpleUploadedFile("x.png", b"<html>not a picture</html>", content_type="image/png")
    response = client.post(reverse("contacts:contact_new"), form_post(book=str(book.obj.pk), photo=fake))
    assert response.status_code == 400
    assert "must be a JPEG, PNG, GIF or WebP picture" in text(response)
    assert not Contact.objects.exists()


# ---------------------------------------------------------------------------------------------------------
# Delete, merge, groups


def test_delete_asks_first(client: Client, book: Access[AddressBook]) -> None:
    ada = person(book, "Ada", "Lovelace")
    url = reverse("contacts:contact_delete", args=[book.obj.pk, ada.name])
    confirm = client.get(url)
    assert confirm.status_code == 200
    assert "Delete Ada Lovelace?" in text(confirm)
    assert Contact.objects.filter(pk=ada.pk).exists()
    response = client.post(url)
    assert response.status_code == 302
    assert not Contact.objects.filter(pk=ada.pk).exists()
    assert "Contact “Ada Lovelace” deleted." in text(client.get(response["Location"]))


def test_merge_with_another_contact(client: Client, book: Access[AddressBook]) -> None:
    ada = person(book, "Ada", "Lovelace", "ada@example.org")
    twin = person(book, "Ada", "King", "countess@example.org", phones=[TypedValue("+44 1234 567890")])
    url = reverse("contacts:contact_merge", args=[book.obj.pk, ada.name])
    chooser = text(client.get(url))
    assert "Ada King" in chooser
    assert 'name="other"' in chooser
    compare = text(client.get(url, {"other": twin.name}))
    assert "countess@example.org" in compare
    assert "ada@example.org" in compare
    response = client.post(url, {"other": twin.name, "keep": "other"})
    assert response.status_code == 302
    (kept,) = contacts_in_book(book=book.obj)
    assert kept.name == twin.name  # the one chosen to keep
    assert set(kept.emails) == {"ada@example.org", "countess@example.org"}
    assert client.get(url, {"other": ada.name}).status_code == 404  # ada is gone


def test_groups_are_made_and_filled_from_either_side(client: Client, book: Access[AddressBook]) -> None:
    ada = person(book, "Ada", "Lovelace", "ada@example.org")
    alan = person(book, "Alan", "Turing", "alan@example.org")
    response = client.post(reverse("contacts:group_new"), {"name": "Pioneers", "book": str(book.obj.pk)})
    assert response.status_code == 302
    group = Contact.objects.get(kind=Contact.Kind.GROUP)
    assert group.display_name == "Pioneers"
    # From the contact's page.
    client.post(reverse("contacts:contact_groups", args=[book.obj.pk, ada.name]), {"op": "add", "group": group.name})
    # From the group's page.
    client.post(reverse("contacts:group_members", args=[book.obj.pk, group.name]), {"op": "add", "member": alan.name})
    page = text(client.get(reverse("contacts:contact", args=[book.obj.pk, group.name])))
    assert "2 members" in page
    assert "Ada Lovelace" in page
    assert "Alan Turing" in page
    members = contact_fields(contact=Contact.objects.get(pk=group.pk))
    assert members is not None
    assert members.members == [
        f"urn:uuid:{ada.uid.removeprefix('urn:uuid:')}",
        f"urn:uuid:{alan.uid.removeprefix('urn:uuid:')}",
    ]
    assert "Pioneers" in text(client.get(reverse("contacts:contact", args=[book.obj.pk, ada.name])))

    client.post(reverse("contacts:group_members", args=[book.obj.pk, group.name]), {"op": "remove", "member": ada.name})
    client.post(
        reverse("contacts:contact_groups", args=[book.obj.pk, alan.name]), {"op": "remove", "group": group.name}
    )
    assert "1 member" not in text(client.get(reverse("contacts:contact", args=[book.obj.pk, group.name])))
    after = contact_fields(contact=Contact.objects.get(pk=group.pk))
    assert after is not None
    assert after.members == []
    client.post(reverse("contacts:group_rename", args=[book.obj.pk, group.name]), {"name": "Trailblazers"})
    assert Contact.objects.get(pk=group.pk).display_name == "Trailblazers"


# ---------------------------------------------------------------------------------------------------------
# The selection bar


def test_selection_delete_export_and_merge(client: Client, book: Access[AddressBook]) -> None:
    ada = person(book, "Ada", "Lovelace", "ada@example.org")
    alan = person(book, "Alan", "Turing", "alan@example.org")
    grace = person(book, "Grace", "Hopper", "grace@example.org")
    url = reverse("contacts:selection")
    keys = [f"{book.obj.pk}/{ada.name}", f"{book.obj.pk}/{alan.name}"]

    vcf = client.post(url, {"selected": keys, "action": "export_vcf"})
    assert vcf.status_code == 200
    assert vcf["Content-Type"].startswith("text/vcard")
    body = vcf.content.decode()
    assert body.count("BEGIN:VCARD") == 2
    assert "ada@example.org" in body
    assert "grace@" not in body
    csv = client.post(url, {"selected": keys, "action": "export_csv"})
    assert csv["Content-Disposition"].endswith('.csv"')
    assert "alan@example.org" in csv.content.decode()
    assert "grace@" not in csv.content.decode()

    merge = client.post(url, {"selected": keys, "action": "merge"})
    assert merge.status_code == 302
    assert merge["Location"].startswith(reverse("contacts:contact_merge", args=[book.obj.pk, ada.name]))

    confirm = client.post(url, {"selected": keys, "action": "delete"})
    assert confirm.status_code == 200
    assert "Delete 2 contacts?" in text(confirm)
    assert Contact.objects.count() == 3
    done = client.post(url, {"selected": keys, "action": "delete", "confirm": "yes"})
    assert done.status_code == 302
    assert [c.name for c in contacts_in_book(book=book.obj)] == [grace.name]


def test_selection_mistakes_are_400s(client: Client, book: Access[AddressBook]) -> None:
    ada = person(book, "Ada", "Lovelace")
    other = Access(addressbook_create(owner=book.obj.owner, name="Work"), book.role)
    bob = person(other, "Bob", "Other")
    url = reverse("contacts:selection")
    one = f"{book.obj.pk}/{ada.name}"
    for data, message in (
        ({"action": "delete"}, "Select at least one contact first."),
        ({"selected": [one], "action": "dance"}, "Choose what to do with the selected contacts."),
        ({"selected": [one], "action": "merge"}, "Select exactly two contacts to merge."),
        ({"selected": ["nonsense"], "action": "delete"}, "The selection could not be read"),
        (
            {"selected": [one, f"{other.obj.pk}/{bob.name}"], "action": "export_vcf"},
            "Export of a selection works on contacts of one address book at a time.",
        ),
    ):
        response = client.post(url, data)
        assert response.status_code == 400, data
        assert message in text(response)
    assert Contact.objects.count() == 2


# ---------------------------------------------------------------------------------------------------------
# Import and export


def test_a_small_import_shows_its_report(client: Client, book: Access[AddressBook]) -> None:
    person(book, "Ann", "Existing", "ann@example.org")
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = card("1", "Ann Again", email="ANN@example.org") + card("2", "Bo New", email="bo@example.org")
    data += "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:broken\r\nthis line has no colon\r\nEND:VCARD\r\n"
    upload = SimpleUploadedFile("people.vcf", data.encode(), content_type="text/vcard")
    response = client.post(
        reverse("contacts:import"), {"file": upload, "on_duplicate": "skip", "book": str(book.obj.pk)}
    )
    assert response.status_code == 200
    html = text(response)
    counts = re.findall(r"<strong>(\d+)</strong><span>(\w+)</span>", html)
    assert counts == [("1", "imported"), ("0", "merged"), ("2", "skipped")]
    assert "ann@example.org is already in the address book (Ann Existing)" in html
    assert "Entry 3:" in html
    assert Contact.objects.filter(display_name="Bo New").exists()


def test_a_big_import_runs_as_a_job_whose_progress_the_page_polls(
    client: Client, book: Access[AddressBook], monkeypatch: pytest.MonkeyPatch
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from contacts.views import transfer

    monkeypatch.setattr(transfer, "INLINE_IMPORT_MAX_BYTES", 100)
    data = "".join(card(str(n), f"Person {n}", email=f"p{n}@example.org") for n in range(30))
    upload = SimpleUploadedFile("many.vcf", data.encode())
    response = client.post(
        reverse("contacts:import"), {"file": upload, "on_duplicate": "merge", "book": str(book.obj.pk)}
    )
    assert response.status_code == 302
    job = ImportJob.objects.get()
    assert response["Location"] == reverse("contacts:import_job", args=[job.pk])
    page = client.get(response["Location"])
    assert "data-ct-progress" in text(page)
    state = client.get(response["Location"], headers={"Accept": "application/json"}).json()
    assert (state["state"], state["done"], state["processed"], state["total"]) == ("queued", False, 0, 30)

    contacts_import_run(job_id=job.pk)  # what the worker does
    state = client.get(response["Location"], headers={"Accept": "application/json"}).json()
    assert state["done"] is True
    assert (state["state"], state["processed"], state["imported"], state["skipped"]) == ("done", 30, 30, 0)
    report = text(client.get(response["Location"]))
    assert re.findall(r"<strong>(\d+)</strong><span>(\w+)</span>", report)[0] == ("30", "imported")


def test_import_mistakes_come_back_on_the_import_page(client: Client, book: Access[AddressBook]) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    url = reverse("contacts:import")
    assert client.get(url).status_code == 200
    no_file = client.post(url, {"on_duplicate": "merge", "book": str(book.obj.pk)})
    assert no_file.status_code == 400
    assert "Choose a .vcf or .csv file to import." in text(no_file)
    bad_choice = client.post(
        url, {"file": SimpleUploadedFile("a.vcf", b"x"), "on_duplicate": "keep", "book": str(book.obj.pk)}
    )
    assert bad_choice.status_code == 400
    assert "merge, skip or add" in text(bad_choice)
    empty = client.post(url, {"file": SimpleUploadedFile("a.vcf", b" "), "book": str(book.obj.pk)})
    assert empty.status_code == 400
    assert "The file is empty." in text(empty)
    csv = client.post(url, {"file": SimpleUploadedFile("a.csv", b"a,b\r\n1,2\r\n"), "book": str(book.obj.pk)})
    assert csv.status_code == 400
    assert "columns" in text(csv)
    no_book = client.post(url, {"file": SimpleUploadedFile("a.vcf", b"x"), "book": "abc"})
    assert no_book.status_code == 400
    assert "Choose an address book." in text(no_book)
    assert client.post(url, {"file": SimpleUploadedFile("a.vcf", b"x"), "book": "99999"}).status_code == 404


def test_export_a_book_as_vcf_and_csv(client: Client, book: Access[AddressBook]) -> None:
    person(book, "Ada", "Lovelace", "ada@example.org", organisation="Engines")
    person(book, "Alan", "Turing", "alan@example.org")
    page = text(client.get(reverse("contacts:export")))
    assert reverse("contacts:book_export", args=[book.obj.pk]) + "?fmt=csv" in page
    vcf = client.get(reverse("contacts:book_export", args=[book.obj.pk]), {"fmt": "vcf"})
    assert vcf["Content-Disposition"] == 'attachment; filename="contacts.vcf"'
    cards = list(filter(None, vcf.content.decode().split("BEGIN:VCARD")))
    assert len(cards) == 2
    assert "FN:Ada Lovelace" in cards[0]
    csv = client.get(reverse("contacts:book_export", args=[book.obj.pk]), {"fmt": "csv"}).content.decode()
    header, first, second = csv.strip().splitlines()
    assert "E-mail 1 - Value" in header
    assert "Ada" in first
    assert "Engines" in first
    assert "alan@example.org" in second
    bad = client.get(reverse("contacts:book_export", args=[book.obj.pk]), {"fmt": "xls"})
    assert bad.status_code == 400
    assert "Export as vcf (vCard) or csv." in text(bad)


# ---------------------------------------------------------------------------------------------------------
# The global address book


def test_the_gal_lists_colleagues_searches_and_copies_into_my_contacts(
    client: Client, book: Access[AddressBook]
) -> None:
    personas.mailbox("bob")
    personas.mailbox("carol")
    entry = GalEntry.objects.create(
        domain=personas.domain(), display_name="Front desk", email="desk@example.test", phone="+1 555 0100",
        organisation="Example", title="Reception", search_text="front desk desk@example.test",
    )  # fmt: skip
    personas.mailbox("mallory", "elsewhere.test")
    html = text(client.get(reverse("contacts:gal")))
    assert "Bob" in html
    assert "Carol" in html
    assert "Front desk" in html
    assert "mallory" not in html.lower()
    assert "bob@example.test" in text(client.get(reverse("contacts:gal"), {"q": "bob"}))
    assert "Carol" not in text(client.get(reverse("contacts:gal"), {"q": "bob"}))

    name = f"entry-{entry.pk}.vcf"
    detail = text(client.get(reverse("contacts:gal_entry", args=[name])))
    assert "Front desk" in detail
    assert 'href="tel:+15550100"' in detail
    assert "Add to my contacts" in detail
    assert "data-ct-list-form" not in detail  # read-only: nothing to select, edit or delete
    assert "Edit" not in re.sub(r"<svg.*?</svg>", "", detail.split('class="ct-actions"')[1].split("</div>")[0])

    added = client.post(reverse("contacts:gal_add", args=[name]))
    assert added.status_code == 302
    copy = Contact.objects.get(book=book.obj)
    assert copy.emails == ["desk@example.test"]
    assert copy.uid != f"roost-gal-entry-{entry.pk}"
    assert added["Location"] == reverse("contacts:contact", args=[book.obj.pk, copy.name])
    again = client.post(reverse("contacts:gal_add", args=[name]), follow=True)
    assert "is already in your contacts" in text(again)
    assert Contact.objects.count() == 1
    assert client.get(reverse("contacts:gal_entry", args=["entry-999999.vcf"])).status_code == 404


# ---------------------------------------------------------------------------------------------------------
# Address books


def test_address_books_new_rename_delete(client: Client, book: Access[AddressBook], alice: User) -> None:
    response = client.post(reverse("contacts:book_new"), {"name": "Work"})
    assert response.status_code == 302
    work = AddressBook.objects.get(owner=alice, name="Work")
    settings = text(client.get(reverse("contacts:book_settings", args=[work.pk])))
    assert f"http://testserver/dav/addressbooks/alice@example.test/{work.slug}/" in settings
    assert client.post(reverse("contacts:book_settings", args=[work.pk]), {"name": "Office"}).status_code == 302
    work.refresh_from_db()
    assert work.name == "Office"
    unconfirmed = client.post(reverse("contacts:book_delete", args=[work.pk]))
    assert unconfirmed.status_code == 400
    assert "Tick the box" in text(unconfirmed)
    assert client.post(reverse("contacts:book_delete", args=[work.pk]), {"confirm": "yes"}).status_code == 302
    assert not AddressBook.objects.filter(pk=work.pk).exists()
    last = client.post(reverse("contacts:book_delete", args=[book.obj.pk]), {"confirm": "yes"})
    assert last.status_code == 400
    assert "This is your only address book" in text(last)
    assert "This is your only address book, so it stays." in text(
        client.get(reverse("contacts:book_settings", args=[book.obj.pk]))
    )
    empty = client.post(reverse("contacts:book_new"), {"name": "  "})
    assert empty.status_code == 400
    assert "An address book needs a name." in text(empty)


def test_bad_requests_are_4xx_with_a_message_never_500(client: Client, book: Access[AddressBook]) -> None:
    ada = person(book, "Ada", "Lovelace")
    b = book.obj.pk
    cases = [
        ("get", reverse("contacts:book", args=[999999]), {}, 404),
        ("get", reverse("contacts:contact", args=[b, "missing.vcf"]), {}, 404),
        ("get", reverse("contacts:contact_new"), {"book": "x"}, 400),
        ("get", reverse("contacts:book", args=[b]), {"q": "x" * 101}, 400),
        ("post", reverse("contacts:contact_new"), {"given": "A"}, 400),
        ("get", reverse("contacts:contact_merge", args=[b, ada.name]), {"other": ada.name}, 400),
        ("post", reverse("contacts:contact_merge", args=[b, ada.name]), {"other": "missing.vcf"}, 404),
        ("post", reverse("contacts:contact_groups", args=[b, ada.name]), {"op": "add"}, 400),
        ("post", reverse("contacts:contact_groups", args=[b, ada.name]), {"op": "x", "group": "g"}, 400),
        ("post", reverse("contacts:contact_groups", args=[b, ada.name]), {"op": "add", "group": ada.name}, 404),
        ("post", reverse("contacts:group_members", args=[b, ada.name]), {"op": "add", "member": ada.name}, 404),
        ("post", reverse("contacts:group_rename", args=[b, ada.name]), {"name": "X"}, 404),
        ("post", reverse("contacts:group_new"), {"name": "", "book": str(b)}, 400),
        ("post", reverse("contacts:group_new"), {"name": "G"}, 400),
        ("get", reverse("contacts:import_job", args=[999999]), {}, 404),
        ("post", reverse("contacts:gal_add", args=["mailbox-999999.vcf"]), {}, 404),
        ("delete", reverse("contacts:contact", args=[b, ada.name]), {}, 405),
    ]
    for method, url, data, status in cases:
        response = getattr(client, method)(url, data)
        assert response.status_code == status, (method, url, data, response.status_code)
        if status != 405:
            assert 'role="alert"' in text(response) or "ct-alert" in text(response), (url, text(response)[:300])
    assert Contact.objects.count() == 1
