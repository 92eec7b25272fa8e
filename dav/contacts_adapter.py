"""The CardDAV layer's door to the contacts store: address books and cards as plain values, the calls that
read and change them, and `store_errors`, the one place where the store's errors become DAV preconditions.
Imported through dav/resources.py; dav/carddav.py knows only the values and functions here."""

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from contacts.models import AddressBook
from contacts.query import AddressbookQuery
from contacts.selectors import (
    CARD_MAX_BYTES,
    InvalidQuery,
    addressbook_get_owned,
    addressbooks_for_user,
    contact_changes_since,
    contacts_in_book,
    contacts_query,
    gal_cards,
    gal_changes_since,
    gal_for_user,
    gal_query,
    vcard_for_client,
)
from contacts.services import (
    InvalidCard,
    InvalidSyncToken,
    UidConflict,
    addressbook_create,
    addressbook_delete,
    addressbook_update,
    contact_delete,
    contact_put,
)
from core.access import Access
from core.errors import Forbidden, NotFound, PayloadTooLarge, RoostError
from dav.webdav import (
    CARDDAV,
    DavError,
    Preconditions,
    dav,
    element,
    hrefs,
    invalid_sync_token,
    qname,
    sync_token_make,
    sync_token_seq,
)

GAL_SLUG = "gal"
MAX_RESOURCE_SIZE = CARD_MAX_BYTES


@dataclass(frozen=True)
class Book:
    slug: str
    name: str
    description: str
    seq: int  # the CTag and the number in the sync token
    key: str  # what a sync token names besides seq: "book-<pk>" or "gal-<domain>"
    writable: bool
    user: Any
    access: Access[AddressBook] | None = None  # None for the GAL

    @property
    def is_gal(self) -> bool:
        return self.access is None


@dataclass(frozen=True)
class Card:
    name: str
    etag: str
    data: str
    last_modified: datetime | None = None


@dataclass(frozen=True)
class Changes:
    seq: int
    changed: list[Card]
    deleted: list[str]


# ---------------------------------------------------------------------------------------------------------
# Errors: the one mapping from the store's errors to DAV's


def need_privileges(path: str, privilege: str = "write-content") -> DavError:
    resource = element(
        dav("resource"), children=[*hrefs(path), element(dav("privilege"), children=[element(dav(privilege))])]
    )
    return DavError(
        403,
        "This address book is read-only for you.",
        precondition=element(dav("need-privileges"), children=[resource]),
    )


@contextmanager
def store_errors(path: str, book_path: str = "") -> Iterator[None]:
    """Run a store call for the resource at path (a card, or a book); book_path names the card's book, for the
    href of a no-uid-conflict."""
    try:
        yield
    except UidConflict as error:
        href = hrefs(book_path + error.existing_name)
        raise DavError(
            403, str(error), precondition=element(qname(CARDDAV, "no-uid-conflict"), children=href)
        ) from None
    except InvalidCard as error:
        raise DavError(403, str(error), precondition=qname(CARDDAV, "valid-address-data")) from None
    except PayloadTooLarge as error:
        raise DavError(403, str(error), precondition=qname(CARDDAV, "max-resource-size")) from None
    except InvalidQuery as error:
        raise DavError(403, str(error), precondition=qname(CARDDAV, "supported-collation")) from None
    except InvalidSyncToken:
        raise invalid_sync_token() from None
    except Forbidden:
        raise need_privileges(path) from None
    # Every other Roost error (412, 404 ...) becomes its status in the core's one mapping (dav_error_from).


# ---------------------------------------------------------------------------------------------------------
# Reads


def _own(user: Any, access: Access[AddressBook]) -> Book:
    book = access.obj
    return Book(
        book.slug, book.name, book.description, book.sync_seq, f"book-{book.pk}", access.can_write, user, access
    )


def _gal(user: Any) -> Book:
    gal = gal_for_user(user=user)
    return Book(GAL_SLUG, gal.name, gal.description, gal.seq, f"gal-{gal.domain_id or 0}", False, user)


def books(user: Any) -> list[Book]:
    return [*(_own(user, a) for a in addressbooks_for_user(user=user) if a.obj.slug != GAL_SLUG), _gal(user)]


def book(user: Any, slug: str) -> Book | None:
    if slug == GAL_SLUG:
        return _gal(user)
    try:
        return _own(user, addressbook_get_owned(user=user, slug=slug))
    except NotFound:
        return None


def cards(book: Book, names: Sequence[str] | None = None) -> list[Card]:
    if book.access is None:
        return [
            Card(c.name, c.etag, c.data)
            for c in gal_cards(user=book.user, names=None if names is None else list(names))
        ]
    return [Card(c.name, c.etag, c.data, c.modified) for c in contacts_in_book(book=book.access.obj, names=names)]


def card(book: Book, name: str) -> Card | None:
    found = cards(book, [name])
    return found[0] if found else None


def query(book: Book, wanted: AddressbookQuery, path: str) -> list[Card]:
    with store_errors(path):
        if book.access is None:
            return [Card(c.name, c.etag, c.data) for c in gal_query(user=book.user, query=wanted)]
        return [Card(c.name, c.etag, c.data, c.modified) for c in contacts_query(book=book.access.obj, query=wanted)]


def with_seq(book: Book, seq: int) -> Book:
    return replace(book, seq=seq)


def sync_token(book: Book) -> str:
    return sync_token_make(book.key, book.seq)


def changes_since(book: Book, token: str | None, path: str) -> Changes:
    seq = sync_token_seq(token, book.key)
    with store_errors(path):
        if book.access is None:
            change_set = gal_changes_since(user=book.user, seq=seq)
        else:
            change_set = contact_changes_since(book=book.access.obj, seq=seq)
    changed = cards(book, change_set.changed) if change_set.changed else []
    return Changes(change_set.seq, changed, list(change_set.deleted))


def render(data: str, version: str | None, props: Sequence[str] | None) -> str:
    try:
        return vcard_for_client(data=data, version=version, props=props)
    except RoostError:  # a stored card that cannot be read any more is still served as stored
        return data


# ---------------------------------------------------------------------------------------------------------
# Writes


def _one_etag(tags: tuple[str, ...] | None, current: str | None) -> str | None:
    """The store takes one If-Match ETag: the current one when it is among several, else the first."""
    if tags is None:
        return None
    if "*" in tags:
        return "*"
    return current if current in tags else tags[0]


def put_card(
    book: Book, name: str, body: bytes, conditions: Preconditions, path: str, book_path: str
) -> tuple[str, bool]:
    if book.access is None:
        raise need_privileges(path)
    current = card(book, name) if conditions.if_match and len(conditions.if_match) > 1 else None
    if conditions.if_none_match is not None and not conditions.if_none_match_any:
        existing = current or card(book, name)
        conditions.check(existing.etag if existing else None)
    with store_errors(path, book_path):
        result = contact_put(
            access=book.access,
            name=name,
            data=body,
            if_match=_one_etag(conditions.if_match, current.etag if current else None),
            if_none_match_any=conditions.if_none_match_any,
        )
    return result.etag, result.created


def delete_card(book: Book, name: str, conditions: Preconditions, path: str) -> None:
    if book.access is None:
        raise need_privileges(path, "unbind")
    current = card(book, name) if conditions.if_match and len(conditions.if_match) > 1 else None
    if conditions.if_none_match is not None:
        existing = current or card(book, name)
        conditions.check(existing.etag if existing else None)
    with store_errors(path):
        contact_delete(
            access=book.access, name=name, if_match=_one_etag(conditions.if_match, current.etag if current else None)
        )


def create_book(user: Any, slug: str, name: str, description: str, path: str) -> Book:
    if slug == GAL_SLUG:
        raise DavError(
            403, f"{GAL_SLUG!r} is the global address book's name.", precondition=dav("resource-must-be-null")
        )
    with store_errors(path):
        created = addressbook_create(owner=user, name=name or slug, slug=slug, description=description)
    return _own(user, addressbook_get_owned(user=user, slug=created.slug))


def update_book(book: Book, name: str | None, description: str | None, path: str) -> None:
    if book.access is None:
        raise need_privileges(path, "write-properties")
    with store_errors(path):
        addressbook_update(access=book.access, name=name, description=description)


def delete_book(book: Book, path: str) -> None:
    if book.access is None:
        raise need_privileges(path, "unbind")
    with store_errors(path):
        addressbook_delete(access=book.access)
