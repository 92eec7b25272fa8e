"""The global address book (GAL): every active mailbox of the domains a user's domain sees (with its aliases),
the distribution lists and forwards among the aliases, and the administrator's GalEntry rows, each shown as a
read-only vCard 3.0 with a stable name, UID and etag.

Sync tokens: the directory lives in mailadmin, which cannot call contacts, so no service there can write our
change log. Instead each viewing domain has a GalScope with a seq and one GalItem per card it has shown (name,
etag, seq of its last change, deleted). Every read of the GAL's token first diffs what the directory shows now
against those rows and, if anything changed, bumps the seq once and records the changed and vanished names.
"What changed since N" is then the GalItem rows above N, exactly as for a book's change log. An etag is a hash
of the values a card is written from, so the diff never needs to build 50,000 vCards."""

import hashlib
from dataclasses import dataclass, field
from functools import cached_property
from typing import Literal

from django.db import transaction
from django.db.models import Q

from accounts.models import User
from mailadmin.selectors import (
    DirectoryList,
    DirectoryPerson,
    gal_directory,
    gal_mailbox_ids_matching,
    mailbox_domain_id,
)

from .models import GalEntry, GalItem, GalScope, GalVisibility
from .types import ChangeSet, InvalidSyncToken
from .vcard import ContactFields, TypedValue, serialize, write_card

GAL_NAME = "Global address book"
# Bump when the way GAL cards are written changes, so every etag changes with it.
CARD_FORMAT = 1


@dataclass(frozen=True)
class GalBook:
    name: str
    description: str
    seq: int  # the sync token; also usable as a CTag
    domain_id: int | None  # the viewing domain; None: the user has no mailbox, and the GAL is empty


@dataclass(frozen=True)
class GalCard:
    name: str
    uid: str
    etag: str
    source: Literal["mailbox", "list", "entry"]
    display_name: str
    emails: tuple[str, ...]
    organisation: str = ""
    phone: str = ""
    members: tuple[str, ...] = ()  # a list's destinations
    fields: ContactFields = field(default_factory=ContactFields, compare=False, repr=False)

    @property
    def version(self) -> str:
        return "3.0"

    @cached_property
    def data(self) -> str:
        return serialize(write_card(self.fields, version="3.0"))


def _etag(*values: object) -> str:
    return hashlib.sha256(repr((CARD_FORMAT, *values)).encode()).hexdigest()


def _person_card(person: DirectoryPerson) -> GalCard:
    name = person.display_name or person.address
    emails = (person.address, *person.aliases)
    fields = ContactFields(
        formatted_name=name,
        emails=[TypedValue(e, ("work",), pref=(i == 0)) for i, e in enumerate(emails)],
        uid=f"roost-gal-mailbox-{person.mailbox_id}",
    )
    given, _, family = person.display_name.partition(" ")
    fields.given, fields.family = given, family
    return GalCard(
        name=f"mailbox-{person.mailbox_id}.vcf",
        uid=fields.uid,
        etag=_etag("mailbox", person.address, person.display_name, person.aliases),
        source="mailbox",
        display_name=name,
        emails=emails,
        fields=fields,
    )


def _list_card(item: DirectoryList) -> GalCard:
    fields = ContactFields(
        formatted_name=item.address,
        emails=[TypedValue(item.address, ("work",))],
        kind="group" if len(item.destinations) > 1 else "individual",
        members=[f"mailto:{d}" for d in item.destinations] if len(item.destinations) > 1 else [],
        uid=f"roost-gal-list-{item.alias_id}",
    )
    return GalCard(
        name=f"list-{item.alias_id}.vcf",
        uid=fields.uid,
        etag=_etag("list", item.address, item.destinations),
        source="list",
        display_name=item.address,
        emails=(item.address,),
        members=item.destinations,
        fields=fields,
    )


def _entry_card(entry: GalEntry) -> GalCard:
    fields = ContactFields(
        formatted_name=entry.display_name,
        organisation=entry.organisation,
        title=entry.title,
        note=entry.note,
        emails=[TypedValue(entry.email, ("work",))] if entry.email else [],
        phones=[TypedValue(entry.phone, ("work",))] if entry.phone else [],
        uid=f"roost-gal-entry-{entry.pk}",
    )
    values = (entry.display_name, entry.email, entry.phone, entry.organisation, entry.title, entry.note)
    return GalCard(
        name=f"entry-{entry.pk}.vcf",
        uid=fields.uid,
        etag=_etag("entry", *values),
        source="entry",
        display_name=entry.display_name,
        emails=(entry.email,) if entry.email else (),
        organisation=entry.organisation,
        phone=entry.phone,
        fields=fields,
    )


def visible_domain_ids(domain_id: int) -> set[int]:
    """A domain sees itself and the domains GalVisibility lists for it."""
    return {domain_id, *GalVisibility.objects.filter(domain_id=domain_id).values_list("visible_id", flat=True)}


def _cards_for_domain(domain_id: int) -> list[GalCard]:
    domains = visible_domain_ids(domain_id)
    people, lists = gal_directory(domains)
    entries = GalEntry.objects.filter(domain_id__in=domains).order_by("display_name", "pk")
    return [*map(_person_card, people), *map(_list_card, lists), *map(_entry_card, entries)]


def _refresh(domain_id: int, cards: list[GalCard]) -> GalScope:
    current = {card.name: card.etag for card in cards}
    with transaction.atomic():
        GalScope.objects.get_or_create(domain_id=domain_id)
        scope = GalScope.objects.select_for_update().get(domain_id=domain_id)
        known = {name: (etag, deleted) for name, etag, deleted in scope.items.values_list("name", "etag", "deleted")}
        changed = [n for n, etag in current.items() if known.get(n) != (etag, False)]
        gone = [n for n, (_, deleted) in known.items() if not deleted and n not in current]
        if not changed and not gone:
            return scope
        scope.seq += 1
        scope.save(update_fields=["seq"])
        rows = [GalItem(scope=scope, name=n, etag=current[n], seq=scope.seq) for n in changed]
        rows += [GalItem(scope=scope, name=n, etag="", seq=scope.seq, deleted=True) for n in gone]
        GalItem.objects.bulk_create(
            rows, update_conflicts=True, unique_fields=["scope", "name"], update_fields=["etag", "seq", "deleted"]
        )
        return scope


def gal_for_user(*, user: User) -> GalBook:
    domain_id = mailbox_domain_id(user)
    if domain_id is None:
        return GalBook(GAL_NAME, "", 0, None)
    scope = _refresh(domain_id, _cards_for_domain(domain_id))
    return GalBook(GAL_NAME, "Everyone in your organisation, read-only.", scope.seq, domain_id)


def gal_cards(*, user: User, names: list[str] | tuple[str, ...] | None = None) -> list[GalCard]:
    domain_id = mailbox_domain_id(user)
    if domain_id is None:
        return []
    cards = _cards_for_domain(domain_id)
    if names is None:
        return cards
    wanted = set(names)
    return [c for c in cards if c.name in wanted]


def gal_changes_since(*, user: User, seq: int | None) -> ChangeSet:
    domain_id = mailbox_domain_id(user)
    if domain_id is None:
        if seq not in (None, 0):
            raise InvalidSyncToken("This sync token does not belong to this address book.")
        return ChangeSet(0, [], [])
    cards = _cards_for_domain(domain_id)
    scope = _refresh(domain_id, cards)
    if seq is None:
        return ChangeSet(scope.seq, [c.name for c in cards], [])
    if seq < 0 or seq > scope.seq:
        raise InvalidSyncToken("This sync token does not belong to this address book.")
    rows = scope.items.filter(seq__gt=seq).values_list("name", "deleted")
    changed = sorted(n for n, deleted in rows if not deleted)
    deleted = sorted(n for n, is_deleted in rows if is_deleted)
    return ChangeSet(scope.seq, changed, deleted)


def gal_search(*, user: User, q: str, limit: int = 50) -> list[GalCard]:
    """GAL cards whose name, address (aliases included), organisation or phone contains q."""
    q = q.strip()
    domain_id = mailbox_domain_id(user)
    if not q or domain_id is None:
        return []
    domains = visible_domain_ids(domain_id)
    ids = gal_mailbox_ids_matching(domains, q, limit=limit)
    people, lists = gal_directory(domains, mailbox_ids=ids)
    lowered = q.lower()
    digits = "".join(ch for ch in q if ch.isdigit())
    condition = Q(search_text__contains=lowered)
    if len(digits) >= 3:
        condition |= Q(search_text__contains=digits)
    entries = GalEntry.objects.filter(domain_id__in=domains).filter(condition).order_by("display_name", "pk")[:limit]
    found = [
        *map(_person_card, people),
        *(_list_card(item) for item in lists if lowered in item.address),
        *map(_entry_card, entries),
    ]
    found.sort(key=lambda c: c.display_name.casefold())
    return found[:limit]
