"""Address books: create, rename, delete, and the default book every user gets."""

import re
import unicodedata

from django.db import IntegrityError, transaction

from accounts.models import User
from contacts.models import AddressBook
from core.access import Access, Role
from core.errors import Conflict, Forbidden, RoostError

DEFAULT_SLUG = "contacts"
DEFAULT_NAME = "Contacts"
_SLUG = re.compile(r"^[a-z0-9-]{1,64}$")
_COLOR = re.compile(r"^#[0-9a-fA-F]{6}([0-9a-fA-F]{2})?$")


def _slugify(name: str) -> str:
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name).strip("-")[:48]
    return slug or "book"


def _clean_name(name: str) -> str:
    name = name.strip()
    if not name:
        raise RoostError("An address book needs a name.")
    if len(name) > 200:
        raise RoostError("An address book's name may be at most 200 characters.")
    return name


def _clean_color(color: str | None) -> str:
    if not color:
        return ""
    if not _COLOR.match(color.strip()):
        raise RoostError(f"{color!r} is not a colour: write it as #rrggbb.")
    return color.strip().lower()


def _check_owner(access: Access[AddressBook]) -> AddressBook:
    if not access.can_write:
        raise Forbidden("This address book is read-only for you.")
    return access.obj


@transaction.atomic
def addressbook_create(
    *, owner: User, name: str, slug: str | None = None, description: str = "", color: str | None = None
) -> AddressBook:
    name = _clean_name(name)
    if slug is not None:
        if not _SLUG.match(slug):
            raise RoostError("An address book's short name may hold only a-z, 0-9 and -, at most 64 characters.")
        if AddressBook.objects.filter(owner=owner, slug=slug).exists():
            raise Conflict(f"You already have an address book called {slug!r}.")
        chosen = slug
    else:
        base = _slugify(name)
        taken = set(AddressBook.objects.filter(owner=owner, slug__startswith=base).values_list("slug", flat=True))
        chosen = base
        n = 2
        while chosen in taken:
            chosen = f"{base}-{n}"
            n += 1
    try:
        with transaction.atomic():
            return AddressBook.objects.create(
                owner=owner, slug=chosen, name=name, description=description.strip(), color=_clean_color(color)
            )
    except IntegrityError:
        raise Conflict(f"You already have an address book called {chosen!r}.") from None


def addressbook_update(
    *, access: Access[AddressBook], name: str | None = None, description: str | None = None, color: str | None = None
) -> AddressBook:
    book = _check_owner(access)
    fields = []
    if name is not None:
        book.name = _clean_name(name)
        fields.append("name")
    if description is not None:
        book.description = description.strip()
        fields.append("description")
    if color is not None:
        book.color = _clean_color(color)
        fields.append("color")
    if fields:
        book.save(update_fields=[*fields, "modified"])
    return book


def addressbook_delete(*, access: Access[AddressBook]) -> None:
    if access.role != Role.OWNER:
        raise Forbidden("Only the owner may delete an address book.")
    access.obj.delete()


def addressbook_ensure_default(*, user: User) -> AddressBook:
    """The user's default book, made the first time they have none."""
    existing = AddressBook.objects.filter(owner=user).order_by("pk").first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return AddressBook.objects.create(owner=user, slug=DEFAULT_SLUG, name=DEFAULT_NAME)
    except IntegrityError:  # a concurrent first request made it
        return AddressBook.objects.get(owner=user, slug=DEFAULT_SLUG)
