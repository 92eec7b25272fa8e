""" "Add to contacts" on an address of a message: a contact in the user's default address book, once."""

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from contacts.models import Contact
from contacts.selectors import addressbooks_for_user
from contacts.services import ContactFields, TypedValue, contact_save
from contacts.vcard import parse_card, read_fields
from tests import personas

pytestmark = [pytest.mark.django_db]
JSON = {"Accept": "application/json"}
URL = "/mail/contacts/add/"


@pytest.fixture
def alice(client: Client) -> Client:
    client.force_login(personas.mailbox("alice").user)
    return client


def contacts_of(address: str) -> list[Contact]:
    return list(Contact.objects.filter(book__owner__username=address).order_by("pk"))


def test_the_url_is_the_named_one() -> None:
    assert reverse("webmail:contact_add") == URL


def test_adds_name_and_address_to_the_default_book(alice: Client) -> None:
    response = alice.post(URL, {"name": "Smith, Bob", "email": "Bob.Smith@Partners.test"}, headers=JSON)
    assert response.status_code == 200
    assert response.json() == {
        "ok": True, "created": True, "name": "Smith, Bob", "email": "bob.smith@partners.test",
        "message": "Smith, Bob was added to your contacts.",
    }  # fmt: skip
    [contact] = contacts_of("alice@example.test")
    assert contact.book == addressbooks_for_user(user=contact.book.owner)[0].obj
    fields = read_fields(parse_card(contact.data))
    assert (fields.given, fields.family) == ("Bob", "Smith")
    assert [e.value for e in fields.emails] == ["bob.smith@partners.test"]
    assert contact.emails == ["bob.smith@partners.test"]


def test_a_name_in_given_family_order_and_none_at_all(alice: Client) -> None:
    alice.post(URL, {"name": "José María García", "email": "jose@partners.test"}, headers=JSON)
    alice.post(URL, {"name": "", "email": "billing@printshop.test"}, headers=JSON)
    first, second = (read_fields(parse_card(c.data)) for c in contacts_of("alice@example.test"))
    assert (first.formatted_name, first.given, first.family) == ("José María García", "José María", "García")
    assert second.formatted_name == "billing@printshop.test"


def test_an_address_already_in_contacts_is_left_alone(alice: Client) -> None:
    user = User.objects.get(username="alice@example.test")
    book = addressbooks_for_user(user=user)[0]
    contact_save(
        access=book, name=None, fields=ContactFields(formatted_name="Bobby", emails=[TypedValue("bob@partners.test")])
    )
    before = [(c.name, c.etag) for c in contacts_of("alice@example.test")]
    response = alice.post(URL, {"name": "Robert", "email": "BOB@partners.test"}, headers=JSON)
    assert response.status_code == 200
    data = response.json()
    assert (data["created"], data["name"]) == (False, "Bobby")
    assert data["message"] == "bob@partners.test is already in your contacts as Bobby."
    assert [(c.name, c.etag) for c in contacts_of("alice@example.test")] == before


@pytest.mark.parametrize(
    "address",
    ["", "not-an-address", "a@b", "two@x.test, three@x.test", "x@y.test\r\nBcc: z@z.test", "a" * 250 + "@x.test"],
)
def test_bad_addresses_get_a_clear_400_and_nothing_is_stored(alice: Client, address: str) -> None:
    response = alice.post(URL, {"name": "X", "email": address}, headers=JSON)
    assert response.status_code == 400
    assert response.json() == {"ok": False, "error": "That is not an email address that can be added to contacts."}
    assert contacts_of("alice@example.test") == []


def test_without_script_it_redirects_back_with_a_message(alice: Client) -> None:
    response = alice.post(URL, {"name": "Bob", "email": "bob@partners.test", "next": "/mail/m/3/?f=INBOX"})
    assert response.status_code == 302
    assert response["Location"] == "/mail/m/3/?f=INBOX"
    followed = alice.post(URL, {"email": "bob@partners.test", "next": "https://evil.test/"}, follow=True)
    assert followed.redirect_chain[0][0] == reverse("webmail:home")
    assert len(contacts_of("alice@example.test")) == 1


def test_needs_sign_in_and_post(client: Client) -> None:
    personas.mailbox("alice")
    assert client.post(URL, {"email": "bob@partners.test"}).status_code == 302
    client.force_login(personas.mailbox("bob").user)
    assert client.get(URL).status_code == 405
    assert Contact.objects.count() == 0


def test_each_user_adds_to_their_own_book_only(alice: Client, client: Client) -> None:
    alice.post(URL, {"name": "Olga", "email": "olga@partners.test"}, headers=JSON)
    bob = Client()
    bob.force_login(personas.mailbox("bob").user)
    data = bob.post(URL, {"name": "Olga K.", "email": "olga@partners.test"}, headers=JSON).json()
    assert data["created"] is True  # alice's contact is not bob's
    assert [c.display_name for c in contacts_of("alice@example.test")] == ["Olga"]
    assert [c.display_name for c in contacts_of("bob@example.test")] == ["Olga K."]
