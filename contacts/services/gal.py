"""The administrator's part of the global address book: entries for people outside the mail system, and
which domains see each other; and a user's copy of a GAL card into their own book. Administrators are staff
accounts (Roost has no per-domain administrators yet); anyone else gets NotFound, as for any object that is not
theirs."""

from collections.abc import Collection
from dataclasses import replace

from django.db import transaction

from accounts.models import User
from contacts.gal import gal_cards
from contacts.models import Contact, GalEntry, GalVisibility
from contacts.services.books import addressbook_ensure_default
from contacts.services.cards import contact_save
from contacts.vcard import phone_digits
from core.access import Access, Role
from core.errors import NotFound, RoostError
from mailadmin.selectors import domain_ids_existing


def _check_admin(admin: User) -> None:
    if not (admin.is_active and (admin.is_staff or admin.is_superuser)):
        raise NotFound("There is no such page.")


def _check_domain(domain_id: int) -> None:
    if domain_id not in domain_ids_existing([domain_id]):
        raise NotFound("There is no such domain.")


def _clean(entry: GalEntry) -> None:
    entry.display_name = entry.display_name.strip()
    entry.email = entry.email.strip().lower()
    entry.phone = entry.phone.strip()
    if not entry.display_name:
        raise RoostError("An entry of the global address book needs a name.")
    if entry.email and ("@" not in entry.email or any(c.isspace() for c in entry.email)):
        raise RoostError(f"{entry.email!r} is not an email address.")
    for field_name, limit in (
        ("display_name", 200),
        ("email", 254),
        ("phone", 60),
        ("organisation", 200),
        ("title", 200),
    ):
        if len(getattr(entry, field_name)) > limit:
            raise RoostError(f"The {field_name.replace('_', ' ')} may be at most {limit} characters.")
    words = [entry.display_name, entry.email, entry.organisation, entry.title, phone_digits(entry.phone)]
    entry.search_text = " ".join(w.lower() for w in words if w)


def gal_entry_create(
    *,
    admin: User,
    domain_id: int,
    display_name: str,
    email: str = "",
    phone: str = "",
    organisation: str = "",
    title: str = "",
    note: str = "",
) -> GalEntry:
    _check_admin(admin)
    _check_domain(domain_id)
    entry = GalEntry(
        domain_id=domain_id, display_name=display_name, email=email, phone=phone,
        organisation=organisation.strip(), title=title.strip(), note=note.strip(),
    )  # fmt: skip
    _clean(entry)
    entry.save()
    return entry


def gal_entry_update(
    *,
    admin: User,
    entry_id: int,
    display_name: str,
    email: str = "",
    phone: str = "",
    organisation: str = "",
    title: str = "",
    note: str = "",
) -> GalEntry:
    _check_admin(admin)
    entry = GalEntry.objects.filter(pk=entry_id).first()
    if entry is None:
        raise NotFound("There is no such entry.")
    entry.display_name, entry.email, entry.phone = display_name, email, phone
    entry.organisation, entry.title, entry.note = organisation.strip(), title.strip(), note.strip()
    _clean(entry)
    entry.save()
    return entry


def gal_entry_delete(*, admin: User, entry_id: int) -> None:
    _check_admin(admin)
    deleted, _ = GalEntry.objects.filter(pk=entry_id).delete()
    if not deleted:
        raise NotFound("There is no such entry.")


@transaction.atomic
def gal_visibility_set(*, admin: User, domain_id: int, visible_domain_ids: Collection[int]) -> None:
    """Which other domains domain_id's users see in their global address book (it always sees itself)."""
    _check_admin(admin)
    _check_domain(domain_id)
    wanted = set(visible_domain_ids) - {domain_id}
    if wanted - domain_ids_existing(wanted):
        raise NotFound("There is no such domain.")
    GalVisibility.objects.filter(domain_id=domain_id).exclude(visible_id__in=wanted).delete()
    have = set(GalVisibility.objects.filter(domain_id=domain_id).values_list("visible_id", flat=True))
    GalVisibility.objects.bulk_create(GalVisibility(domain_id=domain_id, visible_id=v) for v in wanted - have)


def gal_card_copy(*, user: User, name: str) -> tuple[Contact, bool]:
    """ "Add to my contacts": the GAL card `name` copied into the user's default book with a UID of its own.
    When one of its addresses is already in one of the user's books, that contact is returned instead
    (created False)."""
    card = next(iter(gal_cards(user=user, names=[name])), None)
    if card is None:
        raise NotFound("There is no such entry in the global address book.")
    mine = Contact.objects.filter(book__owner=user, emails__overlap=list(card.emails))
    existing = mine.order_by("pk").first() if card.emails else None
    if existing is not None:
        return existing, False
    book = addressbook_ensure_default(user=user)
    contact = contact_save(access=Access(book, Role.OWNER), name=None, fields=replace(card.fields, uid=""))
    return contact, True
