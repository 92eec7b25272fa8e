"""The global address book: mailboxes of the own domain (with aliases), lists, admin entries, visibility,
sync tokens that follow directory changes, search and completion."""

import pytest

from contacts.gal import gal_cards, gal_changes_since, gal_for_user, gal_search
from contacts.selectors import address_suggestions
from contacts.services import (
    InvalidSyncToken,
    contact_put,
    gal_entry_create,
    gal_entry_delete,
    gal_entry_update,
    gal_visibility_set,
)
from contacts.vcard import parse_card, read_fields
from core.errors import NotFound
from mailadmin.services import alias_create, mailbox_set_active, mailbox_update
from tests import personas

from .helpers import card, default_book

pytestmark = [pytest.mark.django_db]


@pytest.fixture
def people():  # type: ignore[no-untyped-def]
    alice = personas.mailbox("alice")
    bob = personas.mailbox("bob")
    carol = personas.mailbox("carol")
    mallory = personas.mailbox("mallory", "evil.test")
    alias_create(address="robert@example.test", destinations=["bob@example.test"])
    alias_create(address="team@example.test", destinations=["alice@example.test", "bob@example.test"])
    admin = personas.mailbox("root")
    admin.user.is_staff = True
    admin.user.save(update_fields=["is_staff"])
    return alice, bob, carol, mallory, admin


def by_email(user):  # type: ignore[no-untyped-def]
    return {card.emails[0]: card for card in gal_cards(user=user)}


def test_own_domain_only_with_aliases_lists_and_no_deactivated(people) -> None:  # type: ignore[no-untyped-def]
    alice, _bob, carol, mallory, _admin = people
    mailbox_set_active(mailbox=carol, active=False)
    cards = by_email(alice.user)
    assert set(cards) == {"alice@example.test", "bob@example.test", "team@example.test", "root@example.test"}
    assert cards["bob@example.test"].emails == ("bob@example.test", "robert@example.test")
    fields = read_fields(parse_card(cards["bob@example.test"].data))
    assert fields.formatted_name == "Bob"
    assert [e.value for e in fields.emails] == ["bob@example.test", "robert@example.test"]
    team = parse_card(cards["team@example.test"].data)
    assert read_fields(team).members == ["mailto:alice@example.test", "mailto:bob@example.test"]
    assert "X-ADDRESSBOOKSERVER-KIND:group" in cards["team@example.test"].data
    assert set(by_email(mallory.user)) == {"mallory@evil.test"}


def test_admin_entries_and_visibility(people) -> None:  # type: ignore[no-untyped-def]
    alice, bob, _carol, mallory, admin = people
    domain = alice.domain
    entry = gal_entry_create(
        admin=admin.user, domain_id=domain.pk, display_name="Front Desk", email="Desk@Example.test", phone="+1 555 0100"
    )
    with pytest.raises(NotFound):
        gal_entry_create(admin=bob.user, domain_id=domain.pk, display_name="Nope")
    with pytest.raises(NotFound):
        gal_entry_delete(admin=mallory.user, entry_id=entry.pk)
    desk = by_email(alice.user)["desk@example.test"]
    assert desk.source == "entry"
    assert "TEL;TYPE=work:+1 555 0100" in desk.data
    assert "desk@example.test" not in by_email(mallory.user)
    gal_visibility_set(admin=admin.user, domain_id=mallory.domain.pk, visible_domain_ids=[domain.pk])
    assert "desk@example.test" in by_email(mallory.user)
    assert "mallory@evil.test" not in by_email(alice.user)  # seeing is one way


def test_sync_follows_directory_changes(people) -> None:  # type: ignore[no-untyped-def]
    alice, bob, carol, _mallory, admin = people
    first = gal_changes_since(user=alice.user, seq=None)
    bob_etag_before = by_email(alice.user)["bob@example.test"].etag
    assert len(first.changed) == 5
    assert gal_for_user(user=alice.user).seq == first.seq
    assert gal_changes_since(user=alice.user, seq=first.seq).changed == []
    entry = gal_entry_create(admin=admin.user, domain_id=alice.domain.pk, display_name="Desk", email="d@example.test")
    mailbox_update(mailbox=bob, display_name="Robert Jones", quota_mb=100)
    mailbox_set_active(mailbox=carol, active=False)
    second = gal_changes_since(user=alice.user, seq=first.seq)
    bob_card = by_email(alice.user)["bob@example.test"]
    assert second.changed == sorted([f"entry-{entry.pk}.vcf", bob_card.name])
    assert second.deleted == [f"mailbox-{carol.pk}.vcf"]
    assert bob_card.etag != bob_etag_before
    gal_entry_update(admin=admin.user, entry_id=entry.pk, display_name="Desk", email="d@example.test", phone="1")
    gal_entry_delete(admin=admin.user, entry_id=entry.pk)
    third = gal_changes_since(user=alice.user, seq=second.seq)
    assert (third.changed, third.deleted) == ([], [f"entry-{entry.pk}.vcf"])
    with pytest.raises(InvalidSyncToken):
        gal_changes_since(user=alice.user, seq=third.seq + 5)
    assert gal_cards(user=alice.user, names=[bob_card.name])[0].uid == bob_card.uid


def test_search_and_suggestions_rank_own_contacts_first(people) -> None:  # type: ignore[no-untyped-def]
    alice, _bob, _carol, mallory, admin = people
    gal_entry_create(
        admin=admin.user, domain_id=alice.domain.pk, display_name="Bobcat Rentals", email="rent@bobcat.example"
    )
    assert {c.display_name for c in gal_search(user=alice.user, q="bob")} == {"Bob", "Bobcat Rentals"}
    assert [c.display_name for c in gal_search(user=alice.user, q="team")] == ["team@example.test"]
    assert [c.display_name for c in gal_search(user=alice.user, q="robert")] == ["Bob"]
    assert gal_search(user=mallory.user, q="bob") == []
    access = default_book(alice.user)
    contact_put(access=access, name="b.vcf", data=card("b", "Bobby Tables", email="bobby@school.example"))
    contact_put(access=access, name="c.vcf", data=card("c", "Bob (personal)", email="bob@example.test"))
    group = card(
        "g",
        "Bobsleigh team",
        extra="X-ADDRESSBOOKSERVER-KIND:group\r\nX-ADDRESSBOOKSERVER-MEMBER:urn:uuid:b\r\nX-ADDRESSBOOKSERVER-MEMBER:mailto:x@y.example",
    )
    contact_put(access=access, name="g.vcf", data=group)
    found = address_suggestions(user=alice.user, q="bob")
    sources = [s.source for s in found]
    assert sources.index("gal") > max(i for i, s in enumerate(sources) if s in ("contact", "group"))
    bob_suggestions = [s for s in found if s.email == "bob@example.test"]
    assert [(s.name, s.source) for s in bob_suggestions] == [("Bob (personal)", "contact")]
    team = next(s for s in found if s.source == "group")
    assert team.members == ("bobby@school.example", "x@y.example")
    assert address_suggestions(user=mallory.user, q="bob") == []
