"""Reads of address books and contacts, the access functions that guard them, search, completion and the
global address book (re-exported from gal.py)."""

import logging
from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import BooleanField, Count, ExpressionWrapper, Q

from accounts.models import User
from core.access import Access, Role
from core.errors import NotFound, RoostError

from .gal import GalBook, GalCard, gal_cards, gal_changes_since, gal_for_user, gal_search
from .known import KnownAddress, contact_photo_for_address, contacts_by_address
from .models import AddressBook, AddressBookChange, Contact, ImportJob
from .query import AddressbookQuery
from .services.books import addressbook_ensure_default
from .types import ChangeSet, InvalidSyncToken, Suggestion
from .vcard import (
    CARD_MAX_BYTES,
    ContactFields,
    InvalidQuery,
    Photo,
    card_as_version,
    card_matches,
    parse_card,
    query_check,
    read_fields,
    serialize,
)

__all__ = [
    "CARD_MAX_BYTES",
    "GalBook",
    "GalCard",
    "GroupMember",
    "InvalidQuery",
    "KnownAddress",
    "address_suggestions",
    "addressbook_get_for_user",
    "addressbook_get_owned",
    "addressbooks_for_user",
    "contact_changes_since",
    "contact_counts",
    "contact_fields",
    "contact_get",
    "contact_groups",
    "contact_photo",
    "contact_photo_for_address",
    "contacts_by_address",
    "contacts_in_book",
    "contacts_listing",
    "contacts_query",
    "contacts_search",
    "gal_cards",
    "gal_changes_since",
    "gal_for_user",
    "gal_query",
    "gal_search",
    "group_members",
    "groups_for_user",
    "import_job_get_for_user",
    "vcard_for_client",
]

logger = logging.getLogger(__name__)


def addressbooks_for_user(*, user: User) -> list[Access[AddressBook]]:
    books = list(AddressBook.objects.filter(owner=user).order_by("name", "pk"))
    if not books:
        books = [addressbook_ensure_default(user=user)]
    return [Access(book, Role.OWNER) for book in books]


def addressbook_get_for_user(*, user: User, book_id: int) -> Access[AddressBook]:
    book = AddressBook.objects.filter(pk=book_id, owner=user).first()
    if book is None:
        raise NotFound("There is no such address book.")
    return Access(book, Role.OWNER)


def addressbook_get_owned(*, user: User, slug: str) -> Access[AddressBook]:
    book = AddressBook.objects.filter(owner=user, slug=slug).first()
    if book is None:
        raise NotFound("There is no such address book.")
    return Access(book, Role.OWNER)


def contacts_in_book(*, book: AddressBook, names: Sequence[str] | None = None) -> list[Contact]:
    rows = Contact.objects.filter(book=book)
    if names is not None:
        rows = rows.filter(name__in=list(names))
    return list(rows.order_by("sort_key", "name"))


def contact_get(*, book: AddressBook, name: str) -> Contact:
    contact = Contact.objects.filter(book=book, name=name).first()
    if contact is None:
        raise NotFound("There is no such contact.")
    return contact


def contacts_query(*, book: AddressBook, query: AddressbookQuery) -> list[Contact]:
    """RFC 6352 addressbook-query, evaluated on each stored card; a card that cannot be read is left out."""
    query_check(query)
    found: list[Contact] = []
    for contact in Contact.objects.filter(book=book).order_by("sort_key", "name").iterator(chunk_size=500):
        try:
            card = parse_card(contact.data, fix=True)
        except RoostError as error:
            logger.warning("contact %s/%s cannot be read: %s", book.pk, contact.name, error)
            continue
        if card_matches(card, query):
            found.append(contact)
            if query.limit is not None and len(found) >= query.limit:
                break
    return found


def gal_query(*, user: User, query: AddressbookQuery) -> list[GalCard]:
    """addressbook-query on the user's global address book."""
    query_check(query)
    found: list[GalCard] = []
    for card in gal_cards(user=user):
        if card_matches(parse_card(card.data, fix=True), query):
            found.append(card)
            if query.limit is not None and len(found) >= query.limit:
                break
    return found


def contact_changes_since(*, book: AddressBook, seq: int | None) -> ChangeSet:
    """What changed since the sync token seq (None: an initial sync, every contact). Change rows are never
    pruned, so every token this book has handed out stays valid."""
    current = AddressBook.objects.filter(pk=book.pk).values_list("sync_seq", flat=True).first()
    if current is None:
        raise NotFound("There is no such address book.")
    if seq is None:
        names = list(Contact.objects.filter(book=book).order_by("name").values_list("name", flat=True))
        return ChangeSet(current, names, [])
    if seq < 0 or seq > current:
        raise InvalidSyncToken("This sync token does not belong to this address book.")
    touched = set(
        AddressBookChange.objects.filter(book=book, seq__gt=seq, seq__lte=current).values_list("name", flat=True)
    )
    existing = set(Contact.objects.filter(book=book, name__in=touched).values_list("name", flat=True))
    return ChangeSet(current, sorted(existing), sorted(touched - existing))


def _search_filter(q: str) -> Q:
    lowered = q.strip().lower()
    condition = Q(search_text__contains=lowered)
    digits = "".join(ch for ch in q if ch.isdigit())
    if len(digits) >= 3 and digits != lowered:
        condition |= Q(search_text__contains=digits)
    return condition


def contacts_search(*, user: User, q: str, limit: int = 50) -> list[Contact]:
    """The user's contacts whose name, nickname, address, organisation or phone contains q."""
    if not q.strip():
        return []
    rows = Contact.objects.filter(book__owner=user).filter(_search_filter(q)).select_related("book")
    return list(rows.order_by("sort_key", "name")[: max(0, min(limit, 500))])


def _score(q: str, name: str, email: str) -> int:
    q = q.casefold()
    words = name.casefold().split()
    if email.casefold().startswith(q) or any(w.startswith(q) for w in words) or name.casefold().startswith(q):
        return 2
    return 1


def _group_members(contact: Contact, by_uid: dict[str, list[str]]) -> tuple[str, ...]:
    try:
        card = parse_card(contact.data, fix=True)
    except RoostError:
        return ()
    members: list[str] = []
    for prop in card.all("MEMBER", "X-ADDRESSBOOKSERVER-MEMBER"):
        ref = prop.text.strip()
        if ref.lower().startswith("mailto:"):
            members.append(ref[7:].strip().lower())
        else:
            uid = ref.removeprefix("urn:uuid:")
            emails = by_uid.get(ref) or by_uid.get(uid) or by_uid.get(f"urn:uuid:{uid}") or []
            if emails:
                members.append(emails[0])
    return tuple(dict.fromkeys(members))


def address_suggestions(*, user: User, q: str, limit: int = 10) -> list[Suggestion]:
    """Completion for To/Cc/Bcc: the user's own contacts and groups first, then the global address book;
    each address once (a personal contact's name wins)."""
    q = q.strip()
    if not q or len(q) > 100:
        return []
    own: list[tuple[int, str, Suggestion]] = []
    rows = list(Contact.objects.filter(book__owner=user).filter(_search_filter(q)).order_by("sort_key")[:200])
    groups = [c for c in rows if c.kind == Contact.Kind.GROUP]
    if groups:
        member_rows = Contact.objects.filter(book__in={g.book_id for g in groups}).exclude(emails=[])
        by_uid = dict(member_rows.values_list("uid", "emails"))
        for group in groups:
            members = _group_members(group, by_uid)
            if members:
                own.append(
                    (
                        _score(q, group.display_name, ""),
                        group.sort_key,
                        Suggestion(group.display_name, "", "group", members),
                    )
                )
    for contact in rows:
        if contact.kind == Contact.Kind.GROUP:
            continue
        for email in contact.emails:
            own.append(
                (
                    _score(q, contact.display_name, email),
                    contact.sort_key,
                    Suggestion(contact.display_name, email, "contact"),
                )
            )
    own.sort(key=lambda item: (-item[0], item[1], item[2].email))
    suggestions: list[Suggestion] = []
    seen: set[str] = set()
    for _, _, suggestion in own:
        if suggestion.email and suggestion.email in seen:
            continue
        seen.add(suggestion.email)
        suggestions.append(suggestion)
    gal: list[tuple[int, str, Suggestion]] = []
    for card in gal_search(user=user, q=q, limit=limit * 3):
        emails = [e for e in card.emails if q.casefold() in e.casefold()] or list(card.emails[:1])
        for email in emails:
            gal.append(
                (
                    _score(q, card.display_name, email),
                    card.display_name.casefold(),
                    Suggestion(card.display_name, email, "gal"),
                )
            )
    gal.sort(key=lambda item: (-item[0], item[1], item[2].email))
    for _, _, suggestion in gal:
        if suggestion.email not in seen:
            seen.add(suggestion.email)
            suggestions.append(suggestion)
    return suggestions[:limit]


def import_job_get_for_user(*, user: User, job_id: int) -> ImportJob:
    job = ImportJob.objects.filter(pk=job_id, owner=user).first()
    if job is None:
        raise NotFound("There is no such import.")
    return job


def vcard_for_client(*, data: str, version: str | None = None, props: Sequence[str] | None = None) -> str:
    """A stored card as a client asked for it (RFC 6352 address-data): in `version` ("3.0"/"4.0", None: as
    stored) and with only the named properties (None: all; VERSION, UID and FN are always kept). The text is
    returned unchanged when nothing is asked of it."""
    if version is None and props is None:
        return data
    card = parse_card(data, fix=True)
    if version is not None and version != card.version:
        card = card_as_version(card, version)
    if props is not None:
        wanted = {p.upper() for p in props} | {"VERSION", "UID", "FN"}
        card.props = [p for p in card.props if p.name in wanted]
    return serialize(card)


# ---------------------------------------------------------------------------------------------------------
# Reads of the web UI: the list, a card's fields and photo, groups and their members.


@dataclass(frozen=True)
class GroupMember:
    ref: str  # as the group card holds it: "urn:uuid:<uid>" or "mailto:<address>"
    contact: Contact | None  # the contact of the same book it names, if there is one
    address: str  # a mailto: member's address (empty for a contact reached by UID)


def _uid_key(value: str) -> str:
    value = value.strip()
    return value[9:] if value[:9].lower() == "urn:uuid:" else value


def contact_counts(*, user: User) -> dict[int, int]:
    """How many people (groups not counted) each of the user's books holds."""
    rows = (
        Contact.objects.filter(book__owner=user, kind=Contact.Kind.INDIVIDUAL)
        .values("book_id")
        .annotate(n=Count("pk"))
        .values_list("book_id", "n")
    )
    return dict(rows)


def contacts_listing(*, book: AddressBook) -> list[Contact]:
    """The people of a book for its list, without their card text; `has_photo` says whether a card seems to
    carry a PHOTO (the photo view has the last word)."""
    rows = (
        Contact.objects.filter(book=book, kind=Contact.Kind.INDIVIDUAL)
        .defer("data", "search_text")
        .annotate(has_photo=ExpressionWrapper(Q(data__contains="\nPHOTO"), output_field=BooleanField()))
    )
    return list(rows.order_by("sort_key", "display_name", "name"))


def groups_for_user(*, user: User) -> list[Contact]:
    rows = Contact.objects.filter(book__owner=user, kind=Contact.Kind.GROUP).defer("data", "search_text")
    return list(rows.select_related("book").order_by("sort_key", "display_name", "pk"))


def contact_fields(*, contact: Contact) -> ContactFields | None:
    """The card as the form and the detail page see it; None when the stored text cannot be read."""
    try:
        return read_fields(parse_card(contact.data, fix=True))
    except RoostError as error:
        logger.warning("contact %s/%s cannot be read: %s", contact.book_id, contact.name, error)
        return None


def contact_photo(*, contact: Contact) -> Photo | None:
    fields = contact_fields(contact=contact)
    return fields.photo if fields is not None else None


def group_members(*, group: Contact) -> list[GroupMember]:
    """A group's members in the order the card lists them; a UID whose contact is gone is left out."""
    fields = contact_fields(contact=group)
    if fields is None or group.kind != Contact.Kind.GROUP:
        return []
    keys = {_uid_key(ref) for ref in fields.members if not ref.lower().startswith("mailto:")}
    candidates = [*keys, *(f"urn:uuid:{k}" for k in keys)]
    by_key = {_uid_key(c.uid): c for c in Contact.objects.filter(book_id=group.book_id, uid__in=candidates)}
    addresses = [ref[7:].strip().lower() for ref in fields.members if ref.lower().startswith("mailto:")]
    by_address: dict[str, Contact] = {}
    for contact in Contact.objects.filter(book_id=group.book_id, emails__overlap=addresses) if addresses else []:
        for email in contact.emails:
            by_address.setdefault(email, contact)
    members: list[GroupMember] = []
    for ref in dict.fromkeys(fields.members):
        if ref.lower().startswith("mailto:"):
            address = ref[7:].strip().lower()
            members.append(GroupMember(ref, by_address.get(address), address))
        elif _uid_key(ref) in by_key:
            members.append(GroupMember(ref, by_key[_uid_key(ref)], ""))
    members.sort(key=lambda m: m.contact.sort_key if m.contact else m.address)
    return members


def contact_groups(*, contact: Contact) -> list[Contact]:
    """The groups of the contact's book that list it, by UID or by one of its addresses."""
    mine = {f"mailto:{e}" for e in contact.emails}
    key = _uid_key(contact.uid)
    found: list[Contact] = []
    for group in Contact.objects.filter(book_id=contact.book_id, kind=Contact.Kind.GROUP).order_by("sort_key"):
        fields = contact_fields(contact=group)
        if fields is None:
            continue
        refs = [m.strip() for m in fields.members]
        if any(_uid_key(r) == key for r in refs if not r.lower().startswith("mailto:")) or any(
            r.lower() in mine for r in refs
        ):
            found.append(group)
    return found
