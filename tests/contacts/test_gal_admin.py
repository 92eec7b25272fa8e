"""Administrators keep the global address book in the admin: entries they add are found by everyone of the
domain, and a visibility row lets one domain find another's people. Both go through contacts.services."""

import pytest
from django.test import Client

from contacts.models import GalEntry, GalVisibility
from contacts.selectors import gal_search
from tests import personas

pytestmark = [pytest.mark.django_db]


@pytest.fixture
def admin_client() -> Client:
    box = personas.mailbox("postmaster")
    box.user.is_staff = box.user.is_superuser = True
    box.user.save(update_fields=["is_staff", "is_superuser"])
    client = Client()
    client.force_login(box.user)
    return client


def test_an_entry_added_in_the_admin_is_found_by_the_domain(admin_client: Client) -> None:
    alice = personas.mailbox("alice")
    response = admin_client.post(
        "/admin/contacts/galentry/add/",
        {
            "domain": alice.domain_id,
            "display_name": "Reception desk",
            "email": "Reception@Example.test",
            "phone": "+49 30 1234",
        },
    )
    assert response.status_code == 302, response.content[:400]
    entry = GalEntry.objects.get()
    assert entry.email == "reception@example.test"  # cleaned by the service
    assert [s.display_name for s in gal_search(user=alice.user, q="recep")] == ["Reception desk"]
    assert admin_client.post(f"/admin/contacts/galentry/{entry.pk}/delete/", {"post": "yes"}).status_code == 302
    assert not GalEntry.objects.exists()


def test_a_visibility_row_lets_one_domain_find_another(admin_client: Client) -> None:
    alice = personas.mailbox("alice")
    mallory = personas.mailbox("mallory", "elsewhere.test")
    assert gal_search(user=alice.user, q="mallory") == []
    response = admin_client.post(
        "/admin/contacts/galvisibility/add/", {"domain": alice.domain_id, "visible": mallory.domain_id}
    )
    assert response.status_code == 302, response.content[:400]
    assert GalVisibility.objects.count() == 1
    assert [s.emails[0] for s in gal_search(user=alice.user, q="mallory")] == ["mallory@elsewhere.test"]
    assert gal_search(user=mallory.user, q="alice") == []  # one way only
