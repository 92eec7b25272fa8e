"""Row locks for address books: every change to a book's contacts holds its row, so sync_seq and the change
log advance one writer at a time. Several books are always locked in pk order."""

from collections.abc import Iterable

from core.errors import NotFound

from .models import AddressBook


def books_lock(book_ids: Iterable[int]) -> list[AddressBook]:
    """Call inside transaction.atomic."""
    ids = sorted(set(book_ids))
    books = list(AddressBook.objects.select_for_update().filter(pk__in=ids).order_by("pk"))
    if len(books) != len(ids):
        raise NotFound("This address book is not there any more.")
    return books


def book_lock(book_id: int) -> AddressBook:
    return books_lock([book_id])[0]
