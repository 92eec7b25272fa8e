#!/usr/bin/env python3
"""Address completion speed: `contacts.selectors.address_suggestions` (what compose asks as you type) over
a global address book of 50,000 entries (10,000 mailboxes of the organisation and 40,000 entries an
administrator added) and 5,000 personal contacts. Prints the median and 90th percentile per query and over
all queries; the target is a median under 50 ms.

    .venv/bin/python bench/completion_bench.py [--runs 15] [--mailboxes 10000] [--entries 40000] [--contacts 5000]

Runs in its own database (roost_bench_completion, made and migrated on first use and kept, so a second run
measures at once). Mailbox rows are bulk-inserted with unusable passwords (the GAL reads only the rows; a
bcrypt hash each would take half an hour); GAL entries and contacts go through the real services, so
their index columns are what production writes.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATABASE = "roost_bench_completion"
QUERIES = ["ali", "partner 0123", "friend 42", "user 999", "firm12", "okafor", "zzz", "+49 30", "fri", "a"]


def load_env() -> None:
    for path in ("/etc/roost/roost.env",):
        if Path(path).exists():
            for line in Path(path).read_text().splitlines():
                key, _, value = line.partition("=")
                if key and not key.startswith("#"):
                    os.environ.setdefault(key.strip(), value.strip())
    os.environ["ROOST_DB_NAME"] = DATABASE
    os.environ.setdefault("ROOST_DB_USER", "roost")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    sys.path.insert(0, str(ROOT))


def ensure_database() -> None:
    import psycopg

    with psycopg.connect(
        host="127.0.0.1", dbname="postgres", user=os.environ["ROOST_DB_USER"], autocommit=True
    ) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (DATABASE,)).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{DATABASE}"')


def seed(mailboxes: int, entries: int, contacts: int) -> "object":
    from django.contrib.auth.hashers import make_password
    from django.db import connection

    from accounts.models import User
    from contacts.models import GalEntry
    from contacts.selectors import addressbooks_for_user, contacts_in_book
    from contacts.services import contact_put, gal_entry_create
    from mailadmin.models import Domain, Mailbox
    from mailadmin.services import domain_create

    domain = Domain.objects.filter(name="bench.test").first() or domain_create(name="bench.test")
    admin, _ = User.objects.get_or_create(
        username="admin@bench.test", defaults={"is_staff": True, "password": make_password(None)}
    )
    have = Mailbox.objects.filter(domain=domain).count()
    if have < mailboxes:
        started = time.perf_counter()
        users = User.objects.bulk_create(
            User(
                username=f"user{i}@bench.test",
                email=f"user{i}@bench.test",
                password=make_password(None),
                first_name=f"User{i}",
                last_name=f"Okafor{i % 50}",
            )
            for i in range(have, mailboxes)
        )
        Mailbox.objects.bulk_create(
            Mailbox(
                user=u,
                domain=domain,
                local_part=f"user{i}",
                address=u.username,
                display_name=f"User {i} Okafor{i % 50}",
            )
            for i, u in zip(range(have, mailboxes), users, strict=True)
        )
        print(f"seeded {mailboxes - have} mailboxes in {time.perf_counter() - started:.1f} s")
    have = GalEntry.objects.filter(domain=domain).count()
    if have < entries:
        started = time.perf_counter()
        for i in range(have, entries):
            gal_entry_create(
                admin=admin,
                domain_id=domain.pk,
                display_name=f"Partner {i:05d}",
                email=f"partner{i}@firm{i % 97}.example",
                phone=f"+49 30 {i:07d}",
                organisation=f"Firm {i % 97}",
            )
        print(f"seeded {entries - have} GAL entries in {time.perf_counter() - started:.1f} s")
    person = User.objects.get(username="user0@bench.test")
    book = addressbooks_for_user(user=person)[0]
    have = len(contacts_in_book(book=book.obj))
    if have < contacts:
        started = time.perf_counter()
        for i in range(have, contacts):
            card = (
                f"BEGIN:VCARD\r\nVERSION:4.0\r\nUID:urn:uuid:bench-{i}\r\nFN:Friend {i}\r\nN:{i};Friend;;;\r\n"
                f"EMAIL:friend{i}@home.example\r\nTEL:+44 20 {i:07d}\r\nORG:Club {i % 40}\r\nEND:VCARD\r\n"
            )
            contact_put(access=book, name=f"bench-{i}.vcf", data=card, if_none_match_any=True)
        print(f"seeded {contacts - have} contacts in {time.perf_counter() - started:.1f} s")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return person


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--mailboxes", type=int, default=10_000)
    parser.add_argument("--entries", type=int, default=40_000)
    parser.add_argument("--contacts", type=int, default=5_000)
    args = parser.parse_args()
    load_env()
    ensure_database()
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from contacts.selectors import address_suggestions

    person = seed(args.mailboxes, args.entries, args.contacts)
    for q in QUERIES:  # warm the caches and the connection
        address_suggestions(user=person, q=q)
    every: list[float] = []
    print(f"\naddress_suggestions over {args.mailboxes + args.entries:,} GAL entries and {args.contacts:,} contacts")
    print(f"{'query':<16}{'median ms':>10}{'p90 ms':>9}{'results':>9}")
    for q in QUERIES:
        timings = []
        found = []
        for _ in range(args.runs):
            started = time.perf_counter()
            found = address_suggestions(user=person, q=q)
            timings.append((time.perf_counter() - started) * 1000)
        every.extend(timings)
        p90 = statistics.quantiles(timings, n=10)[-1] if len(timings) > 1 else timings[0]
        print(f"{q!r:<16}{statistics.median(timings):>10.1f}{p90:>9.1f}{len(found):>9}")
    median = statistics.median(every)
    p90 = statistics.quantiles(every, n=10)[-1]
    print(f"\nall queries: median {median:.1f} ms, p90 {p90:.1f} ms (target: median < 50 ms)")


if __name__ == "__main__":
    main()
