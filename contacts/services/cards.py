"""Contacts in a book: store a client's vCard (DAV PUT), save the web form, delete, merge. Each change locks
the book row, bumps its sync_seq and writes one change-log row per contact it touched."""

import hashlib
import uuid
from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone

from contacts.locks import book_lock
from contacts.models import AddressBook, AddressBookChange, Contact
from contacts.types import PutResult, UidConflict
from contacts.vcard import (
    Card,
    ContactFields,
    InvalidCard,
    card_index,
    merge_fields,
    parse_card,
    read_fields,
    serialize,
)
from contacts.vcard import write_card as vcard_write
from core.access import Access
from core.errors import Forbidden, NotFound, PreconditionFailed, RoostError

NAME_MAX = 255


def etag_of(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def check_name(name: str) -> str:
    if (
        not name
        or len(name) > NAME_MAX
        or name in (".", "..")
        or any(c in name for c in "/\\")
        or not name.isprintable()
    ):
        raise RoostError("A contact's name must be 1 to 255 printable characters without / or \\.")
    return name


def writable(access: Access[AddressBook]) -> AddressBook:
    if not access.can_write:
        raise Forbidden("This address book is read-only for you.")
    return access.obj


def log_changes(book: AddressBook, names: Sequence[str], *, deleted: bool = False) -> None:
    """Call with the book locked: one change row per name, each with its own seq."""
    if not names:
        return
    first = book.sync_seq + 1
    AddressBookChange.objects.bulk_create(
        AddressBookChange(book=book, seq=first + i, name=name, deleted=deleted) for i, name in enumerate(names)
    )
    book.sync_seq = first + len(names) - 1
    book.save(update_fields=["sync_seq", "modified"])


def check_etag(existing: Contact | None, if_match: str | None, if_none_match_any: bool = False) -> None:
    if if_none_match_any and existing is not None:
        raise PreconditionFailed("A contact with this name exists already.")
    if if_match is None:
        return
    wanted = if_match.strip()
    if existing is None:
        raise PreconditionFailed("The contact is not there any more.")
    if wanted != "*" and wanted.removeprefix("W/").strip('"') != existing.etag:
        raise PreconditionFailed("The contact was changed elsewhere; reload it and try again.")


def fill(contact: Contact, card: Card, text: str) -> Contact:
    index = card_index(card)
    contact.uid = index.uid
    contact.data = text
    contact.version = index.version
    contact.etag = etag_of(text)
    contact.kind = index.kind
    contact.display_name = index.display_name
    contact.sort_key = index.sort_key
    contact.organisation = index.organisation
    contact.emails = index.emails
    contact.phones = index.phones
    contact.search_text = index.search_text
    return contact


def store(book: AddressBook, name: str, card: Card, text: str, existing: Contact | None) -> Contact:
    """Save a validated card under name (book locked); refuses a UID another name holds."""
    other = Contact.objects.filter(book=book, uid=card.uid).exclude(name=name).values_list("name", flat=True).first()
    if other is not None:
        raise UidConflict(f"Another contact in this address book ({other}) has the same UID.", existing_name=other)
    contact = fill(existing or Contact(book=book, name=name), card, text)
    contact.save()
    return contact


def _text_of(data: bytes | str) -> str:
    if isinstance(data, str):
        return data
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidCard("The vCard is not UTF-8 text.") from None


@transaction.atomic
def contact_put(
    *,
    access: Access[AddressBook],
    name: str,
    data: bytes | str,
    if_match: str | None = None,
    if_none_match_any: bool = False,
) -> PutResult:
    """Store a client's vCard as sent (a DAV PUT): a card without UID is refused, as RFC 6352 requires."""
    writable(access)
    check_name(name)
    card = parse_card(data)
    text = _text_of(data)
    book = book_lock(access.obj.pk)
    existing = Contact.objects.filter(book=book, name=name).first()
    check_etag(existing, if_match, if_none_match_any)
    contact = store(book, name, card, text, existing)
    log_changes(book, [name])
    access.obj.sync_seq = book.sync_seq
    return PutResult(contact=contact, created=existing is None)


@transaction.atomic
def contact_delete(*, access: Access[AddressBook], name: str, if_match: str | None = None) -> None:
    writable(access)
    book = book_lock(access.obj.pk)
    existing = Contact.objects.filter(book=book, name=name).first()
    if existing is None:
        raise NotFound("There is no such contact.")
    check_etag(existing, if_match)
    existing.delete()
    log_changes(book, [name], deleted=True)
    access.obj.sync_seq = book.sync_seq


def rev_now() -> str:
    return timezone.now().strftime("%Y%m%dT%H%M%SZ")


def stored_card(contact: Contact) -> Card | None:
    try:
        return parse_card(contact.data, fix=True)
    except RoostError:
        return None


def new_name() -> str:
    return f"{uuid.uuid4()}.vcf"


@transaction.atomic
def contact_save(
    *, access: Access[AddressBook], name: str | None, fields: ContactFields, if_match: str | None = None
) -> Contact:
    """The web form: name None makes a new contact (vCard 4.0); otherwise the form's fields replace theirs in
    the stored card, and every property the form does not show is kept."""
    writable(access)
    book = book_lock(access.obj.pk)
    existing: Contact | None = None
    if name is not None:
        existing = Contact.objects.filter(book=book, name=check_name(name)).first()
        if existing is None:
            raise NotFound("There is no such contact.")
        check_etag(existing, if_match)
    base = stored_card(existing) if existing else None
    version = existing.version if existing and existing.version in ("3.0", "4.0") else "4.0"
    card = vcard_write(fields, base=base, version=version, rev=rev_now())
    if existing is not None and base is None:
        # The stored card could not be read: keep its UID so clients still see the same contact.
        card.set("UID", existing.uid)
    target = name or new_name()
    contact = store(book, target, card, serialize(card), existing)
    log_changes(book, [target])
    access.obj.sync_seq = book.sync_seq
    return contact


@transaction.atomic
def contact_merge(*, access: Access[AddressBook], keep_name: str, merge_name: str) -> Contact:
    """Fold merge_name into keep_name (addresses, phones, ... united; empty fields filled) and delete it."""
    writable(access)
    if keep_name == merge_name:
        raise RoostError("Choose two different contacts to merge.")
    book = book_lock(access.obj.pk)
    found = {c.name: c for c in Contact.objects.filter(book=book, name__in=[keep_name, merge_name])}
    if len(found) != 2:
        raise NotFound("There is no such contact.")
    keep, other = found[keep_name], found[merge_name]
    keep_card, other_card = stored_card(keep), stored_card(other)
    if keep_card is None or other_card is None:
        raise InvalidCard("One of these contacts cannot be read, so they cannot be merged.")
    merged = merge_fields(read_fields(keep_card), read_fields(other_card))
    card = vcard_write(merged, base=keep_card, rev=rev_now())
    other.delete()
    contact = store(book, keep_name, card, serialize(card), keep)
    log_changes(book, [keep_name])
    log_changes(book, [merge_name], deleted=True)
    access.obj.sync_seq = book.sync_seq
    return contact


@transaction.atomic
def contacts_delete(*, access: Access[AddressBook], names: Sequence[str]) -> int:
    """Delete several contacts of one book at once (a selection in the list); names not there are passed
    over. Returns how many went."""
    writable(access)
    book = book_lock(access.obj.pk)
    existing = list(Contact.objects.filter(book=book, name__in=list(names)).values_list("name", flat=True))
    Contact.objects.filter(book=book, name__in=existing).delete()
    log_changes(book, sorted(existing), deleted=True)
    access.obj.sync_seq = book.sync_seq
    return len(existing)
