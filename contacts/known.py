"""Which mail addresses are among a user's own contacts, for the mail reader: the sender's name and photo,
and "Add to contacts" only where it would add something. Re-exported by contacts.selectors."""

import logging
from collections.abc import Collection
from dataclasses import dataclass

from django.db.models import Case, F, TextField, Value, When

from accounts.models import User
from core.errors import RoostError

from .models import Contact
from .vcard import Photo, parse_card, read_fields

log = logging.getLogger(__name__)

# A photo is shown inline only if it is one of these (an <img> of anything else shows nothing anyway).
PHOTO_TYPES = frozenset({"image/jpeg", "image/png", "image/gif", "image/webp"})
ADDRESSES_MAX = 500


@dataclass(frozen=True)
class KnownAddress:
    email: str  # lower case
    display_name: str
    book_id: int
    name: str  # the contact's name in its book
    photo: Photo | None  # read only for the addresses asked for with photos_for; inline image data only


def _photo(contact: Contact, text: str) -> Photo | None:
    try:
        photo = read_fields(parse_card(text, fix=True)).photo
    except RoostError as error:
        log.warning("contact %s/%s cannot be read: %s", contact.book_id, contact.name, error)
        return None
    if photo is None or not photo.data or photo.media_type.lower() not in PHOTO_TYPES:
        return None
    return photo


def contacts_by_address(
    *, user: User, emails: Collection[str], photos_for: Collection[str] = ()
) -> dict[str, KnownAddress]:
    """The user's own contacts (not groups) holding any of these addresses, by lower-case address, in one
    query. Where several contacts hold one address, the first by sort order wins."""
    wanted = sorted({e.strip().lower() for e in emails if e and e.strip()})[:ADDRESSES_MAX]
    if not wanted:
        return {}
    photo_wanted = sorted({e.strip().lower() for e in photos_for})
    # The card text (where a photo lives, up to 256 KB of it) only of the contacts whose photo is wanted.
    card = (
        Case(When(emails__overlap=photo_wanted, then=F("data")), default=Value(""), output_field=TextField())
        if photo_wanted
        else Value("", output_field=TextField())
    )
    rows = (
        Contact.objects.filter(book__owner=user, kind=Contact.Kind.INDIVIDUAL, emails__overlap=wanted)
        .only("book_id", "name", "display_name", "emails")
        .annotate(card=card)
        .order_by("sort_key", "book_id", "name")
    )
    found: dict[str, KnownAddress] = {}
    asked, with_photo = set(wanted), set(photo_wanted)
    for contact in rows:
        for email in contact.emails:
            if email in asked and email not in found:
                text = contact.card
                photo = _photo(contact, text) if email in with_photo and text else None
                found[email] = KnownAddress(email, contact.display_name or email, contact.book_id, contact.name, photo)
    return found


def contact_photo_for_address(*, user: User, email: str) -> Photo | None:
    """The photo of the user's own contact with this address (None: no such contact, or no inline photo)."""
    known = contacts_by_address(user=user, emails=[email], photos_for=[email])
    entry = known.get(email.strip().lower())
    return entry.photo if entry else None
