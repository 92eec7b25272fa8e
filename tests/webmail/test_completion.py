"""Compose's address completion: the user's contacts and groups first, then recent correspondents, then the
global address book; each address once; a group carries its members."""

import uuid
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from contacts.selectors import addressbooks_for_user
from contacts.services import contact_put
from tests import personas
from webmail.models import Outbox
from webmail.services.completion import address_suggestions

pytestmark = [pytest.mark.django_db]


def sent_to(user, *recipients: str, days_ago: int = 0) -> None:  # type: ignore[no-untyped-def]
    row = Outbox.objects.create(
        user=user, idempotency_key=uuid.uuid4().hex, message_id=f"<{uuid.uuid4().hex}@x>", sender=user.username,
        recipients=list(recipients), raw=b"", sent_copy=b"", send_after=timezone.now(), state=Outbox.State.FILED,
    )  # fmt: skip
    Outbox.objects.filter(pk=row.pk).update(created=timezone.now() - timedelta(days=days_ago))


def add_card(user, key: str, fn: str, *lines: str) -> None:  # type: ignore[no-untyped-def]
    text = "\r\n".join(["BEGIN:VCARD", "VERSION:4.0", f"UID:urn:uuid:{key}", f"FN:{fn}", *lines, "END:VCARD", ""])
    contact_put(access=addressbooks_for_user(user=user)[0], name=f"{key}.vcf", data=text)


def test_directory_and_recent_addresses_ranked_by_match_and_use() -> None:
    alice = personas.mailbox("alice").user
    personas.mailbox("bob")
    personas.mailbox("bobby")
    sent_to(alice, "bobby@example.test", "bob.smith@partners.test")
    sent_to(alice, "bobby@example.test")
    found = address_suggestions(user=alice, query="bob")
    emails = [s.email for s in found]
    assert emails[0] == "bobby@example.test"  # a prefix match used twice beats one never used
    assert set(emails) == {"bobby@example.test", "bob@example.test", "bob.smith@partners.test"}
    bob = next(s for s in found if s.email == "bob@example.test")
    assert (bob.name, bob.source) == ("Bob", "gal")  # was "directory" before the address book took it over
    # An address both recent and in the GAL counts as recent, under the GAL's name.
    bobby = next(s for s in found if s.email == "bobby@example.test")
    assert (bobby.name, bobby.source) == ("Bobby", "recent")


def test_old_use_and_non_matches_do_not_count() -> None:
    alice = personas.mailbox("alice").user
    sent_to(alice, "zed@partners.test", days_ago=400)
    assert address_suggestions(user=alice, query="zed") == []
    assert address_suggestions(user=alice, query="") == []
    assert address_suggestions(user=alice, query="x" * 101) == []


def test_contacts_and_groups_come_before_recent_and_the_gal() -> None:
    alice = personas.mailbox("alice").user
    personas.mailbox("opal")  # in the GAL only
    add_card(alice, "olga", "Olga Openshaw", "EMAIL:olga@partners.test")
    add_card(alice, "jose", "José García", "EMAIL:jose@partners.test")
    add_card(alice, "team", "Open day team", "KIND:group", "MEMBER:urn:uuid:olga", "MEMBER:urn:uuid:jose")
    sent_to(alice, "operations@partners.test")
    sent_to(alice, "operations@partners.test")
    found = address_suggestions(user=alice, query="Op")
    assert [(s.source, s.email or s.name) for s in found] == [
        ("contact", "olga@partners.test"),  # equal matches: by name
        ("group", "Open day team"),
        ("recent", "operations@partners.test"),
        ("gal", "opal@example.test"),
    ]
    group = found[1]
    assert group.members == ("olga@partners.test", "jose@partners.test")
    assert str(group) == "Open day team"
    assert str(found[0]) == "Olga Openshaw <olga@partners.test>"


def test_each_address_once_under_its_best_source() -> None:
    alice = personas.mailbox("alice").user
    personas.mailbox("carol")
    add_card(alice, "carol", "Carol from work", "EMAIL:Carol@Example.test")
    sent_to(alice, "carol@example.test")
    found = address_suggestions(user=alice, query="carol")
    assert [(s.name, s.email, s.source) for s in found] == [("Carol from work", "carol@example.test", "contact")]


def test_use_ranks_contacts_among_themselves_and_an_organisation_match_counts() -> None:
    alice = personas.mailbox("alice").user
    add_card(alice, "ann", "Ann Acme", "EMAIL:ann@acme.test", "ORG:Rocket Works")
    add_card(alice, "abe", "Abe Acme", "EMAIL:abe@acme.test", "ORG:Rocket Works")
    assert [s.email for s in address_suggestions(user=alice, query="acme")] == ["abe@acme.test", "ann@acme.test"]
    sent_to(alice, "ann@acme.test")
    assert [s.email for s in address_suggestions(user=alice, query="acme")] == ["ann@acme.test", "abe@acme.test"]
    # Neither name nor address holds "rocket": the address book matched the organisation, and that counts.
    assert {s.email for s in address_suggestions(user=alice, query="rocket")} == {"ann@acme.test", "abe@acme.test"}


def test_another_users_contacts_are_never_suggested() -> None:
    alice = personas.mailbox("alice").user
    bob = personas.mailbox("bob").user
    add_card(alice, "secret", "Secret Source", "EMAIL:source@news.test")
    sent_to(alice, "informant@news.test")
    assert address_suggestions(user=bob, query="source") == []
    assert address_suggestions(user=bob, query="informant") == []


def test_endpoint_answers_json_for_the_signed_in_user(client: Client) -> None:
    alice = personas.mailbox("alice")
    personas.mailbox("carol")
    assert client.get(reverse("webmail:address_complete") + "?q=car").status_code == 302
    client.force_login(alice.user)
    data = client.get(reverse("webmail:address_complete") + "?q=car").json()
    assert data["suggestions"] == [
        {"label": "Carol <carol@example.test>", "name": "Carol", "email": "carol@example.test", "source": "gal",
         "members": []}
    ]  # fmt: skip
    add_card(alice.user, "a", "Anna", "EMAIL:anna@partners.test")
    add_card(alice.user, "crew", "Carpool crew", "KIND:group", "MEMBER:urn:uuid:a", "MEMBER:mailto:x@y.test")
    data = client.get(reverse("webmail:address_complete") + "?q=car").json()
    assert data["suggestions"][0] == {
        "label": "Carpool crew", "name": "Carpool crew", "email": "", "source": "group",
        "members": ["anna@partners.test", "x@y.test"],
    }  # fmt: skip
