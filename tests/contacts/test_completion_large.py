"""Completion over a large directory (40,000 GAL entries + 10,000 mailboxes + 5,000 personal contacts) finds
what it should and ranks personal contacts first. Its speed is measured by bench/completion_bench.py."""

import pytest
from django.db import connection

from accounts.models import User
from contacts.models import Contact, GalEntry
from contacts.selectors import address_suggestions
from contacts.services.cards import etag_of
from mailadmin.models import Mailbox
from tests import personas

from .helpers import default_book

pytestmark = [pytest.mark.django_db]


def test_completion_over_55000_entries_finds_and_ranks() -> None:
    alice = personas.mailbox("alice")
    domain = alice.domain
    users = User.objects.bulk_create(User(username=f"user{i}@example.test") for i in range(10_000))
    Mailbox.objects.bulk_create(
        Mailbox(user=u, domain=domain, local_part=f"user{i}", address=u.username, display_name=f"User {i}")
        for i, u in enumerate(users)
    )
    GalEntry.objects.bulk_create(
        GalEntry(domain=domain, display_name=f"Partner {i:05d}", email=f"partner{i}@firm{i % 97}.example",
                 search_text=f"partner {i:05d} partner{i}@firm{i % 97}.example")
        for i in range(40_000)
    )  # fmt: skip
    book = default_book(alice.user).obj
    Contact.objects.bulk_create(
        Contact(book=book, name=f"{i}.vcf", uid=f"u{i}", data="", version="4.0", etag=etag_of(str(i)),
                display_name=f"Friend {i}", sort_key=f"friend {i}", emails=[f"friend{i}@home.example"],
                search_text=f"friend {i} friend{i}@home.example")
        for i in range(5_000)
    )  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    assert address_suggestions(user=alice.user, q="friend 42")[0].source == "contact"
    partners = address_suggestions(user=alice.user, q="partner 0123")
    assert partners
    assert all(s.name.startswith("Partner 0123") for s in partners)
    assert address_suggestions(user=alice.user, q="user9999")[0].source == "gal"
    assert address_suggestions(user=alice.user, q="zzz") == []
