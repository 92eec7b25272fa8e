"""The message header and the address book: the sender's contact name and photo (else initials), "Add to
contacts" only for addresses that are not contacts yet, one query for it all, and the photo endpoint."""

import base64
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import User
from contacts.selectors import addressbooks_for_user
from contacts.services import ContactFields, Photo, TypedValue, contact_save
from tests import personas
from tests.webmail.helpers import append, message, signed_in

pytestmark = [pytest.mark.integration]
ALICE = "alice@example.test"
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)


@pytest.fixture
def alice(mail_stack: None, client: Client) -> Client:
    personas.mailbox("alice")
    return signed_in(client)


def add_contact(address: str, name: str, email: str, photo: bytes | None = None) -> None:
    user = User.objects.get(username=address)
    fields = ContactFields(formatted_name=name, emails=[TypedValue(email)])
    if photo is not None:
        fields.photo = Photo(data=photo, media_type="image/png")
    contact_save(access=addressbooks_for_user(user=user)[0], name=None, fields=fields)


def page(client: Client, uid: int = 1) -> str:
    response = client.get(reverse("webmail:message", args=[uid]) + "?f=INBOX")
    assert response.status_code == 200
    return response.content.decode()


def add_forms(html: str) -> list[str]:
    """The addresses whose menu offers "Add to contacts"."""
    return re.findall(r'<form method="post" action="/mail/contacts/add/".*?name="email" value="([^"]+)"', html, re.S)


def test_a_stranger_shows_initials_and_every_address_can_be_added(alice: Client) -> None:
    append(ALICE, "INBOX", [message("Hi", sender="Olga Openshaw <olga@partners.test>", Cc="Jo <jo@partners.test>")])
    html = page(alice)
    assert "data-sender-photo" not in html
    assert re.search(r"data-sender-initials>OO<", html)
    assert '<strong class="from-name">Olga Openshaw</strong>' in html
    assert add_forms(html) == ["olga@partners.test", "alice@example.test", "jo@partners.test"]


def test_a_contact_shows_its_own_name_and_small_photo_inline(alice: Client) -> None:
    add_contact(ALICE, "Olga (Partners)", "olga@partners.test", photo=PNG)
    add_contact(ALICE, "Jo", "jo@partners.test")
    append(ALICE, "INBOX", [message("Hi", sender="O. O. <OLGA@partners.test>", Cc="Jo <jo@partners.test>")])
    html = page(alice)
    assert '<strong class="from-name">Olga (Partners)</strong>' in html
    photo = re.search(r'<img class="avatar avatar-photo" src="([^"]+)"', html)
    assert photo is not None
    assert photo.group(1) == "data:image/png;base64," + base64.b64encode(PNG).decode()
    assert add_forms(html) == ["alice@example.test"]  # the sender and Jo are contacts already
    assert html.count("data-addr-known") == 2


def test_a_large_photo_is_served_by_the_photo_endpoint(alice: Client) -> None:
    big = PNG + b"\0" * 40_000
    add_contact(ALICE, "Olga", "olga@partners.test", photo=big)
    append(ALICE, "INBOX", [message("Hi", sender="Olga <olga@partners.test>")])
    html = page(alice)
    src = re.search(r'<img class="avatar avatar-photo" src="([^"]+)"', html)
    assert src is not None
    url = src.group(1).replace("&amp;", "&")
    assert url == reverse("webmail:contact_photo") + "?address=olga%40partners.test"
    response = alice.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response.content == big


def test_the_page_asks_the_address_book_once(alice: Client) -> None:
    add_contact(ALICE, "Olga", "olga@partners.test", photo=PNG)
    many = ", ".join(f"p{n} <p{n}@partners.test>" for n in range(30))
    append(ALICE, "INBOX", [message("Hi", sender="Olga <olga@partners.test>", Cc=many)])
    with CaptureQueriesContext(connection) as queries:
        page(alice)
    contact_queries = [q["sql"] for q in queries.captured_queries if "contacts_contact" in q["sql"]]
    assert len(contact_queries) == 1, contact_queries


def test_photo_endpoint_reads_only_the_users_own_contacts(mail_stack: None, client: Client) -> None:
    personas.mailbox("alice")
    bob = personas.mailbox("bob").user
    add_contact(ALICE, "Olga", "olga@partners.test", photo=PNG)
    add_contact("bob@example.test", "Jo", "jo@partners.test")  # a contact without a photo
    client.force_login(bob)
    for address in ("olga@partners.test", "jo@partners.test", "nobody", ""):
        response = client.get(reverse("webmail:contact_photo"), {"address": address})
        assert response.status_code == 404, address
