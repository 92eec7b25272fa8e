"""The mail reader's doors into the address book: "Add to contacts" on an address of a message, and what the
reader shows for addresses that are already contacts (the sender's name and photo)."""

import base64
import re
import unicodedata
from dataclasses import dataclass

from accounts.models import User
from contacts.selectors import contacts_by_address
from contacts.services import ContactFields, TypedValue, addressbook_ensure_default, contact_save
from core.access import Access, Role
from core.errors import RoostError
from webmail.imap.reading import MessageHead

_ADDRESS = re.compile(r"^[^@\s,;:<>()\[\]\"\\]+@[^@\s,;:<>()\[\]\"\\]+\.[^@\s,;:<>()\[\]\"\\]+$")
NAME_MAX = 200
# A contact photo up to this size goes into the page as a data: URL; a larger one is fetched by the browser
# from webmail:contact_photo (and cached there).
INLINE_PHOTO_MAX = 24 * 1024


@dataclass(frozen=True)
class ContactAdded:
    created: bool  # False: a contact already had this address, and nothing changed
    display_name: str
    email: str

    @property
    def message(self) -> str:
        if self.created:
            return f"{self.display_name} was added to your contacts."
        if self.display_name.lower() == self.email:
            return f"{self.email} is already in your contacts."
        return f"{self.email} is already in your contacts as {self.display_name}."


def clean_address(value: str) -> str:
    address = value.strip().lower()
    if not address or len(address) > 254 or not _ADDRESS.match(address):
        raise RoostError("That is not an email address that can be added to contacts.")
    return address


def clean_display_name(value: str, address: str) -> str:
    name = " ".join("".join(ch for ch in value if unicodedata.category(ch)[0] != "C").split())
    name = name.strip("\"' ")
    if name.lower() == address:
        return ""
    return name[:NAME_MAX]


def _name_fields(name: str, address: str) -> ContactFields:
    """A mail header's display name as a vCard name: "Family, Given" or "Given … Family"."""
    given = family = ""
    if "," in name:
        family, _, given = (part.strip() for part in name.partition(","))
    elif " " in name:
        given, _, family = name.rpartition(" ")
    else:
        given = name
    return ContactFields(
        formatted_name=name, given=given.strip(), family=family.strip(), emails=[TypedValue(value=address)]
    )


def mail_contact_add(*, user: User, name: str, email: str) -> ContactAdded:
    """Add the address (with the name the message gave it) to the user's default address book, unless one of
    their contacts has it already."""
    address = clean_address(email)
    existing = contacts_by_address(user=user, emails=[address]).get(address)
    if existing is not None:
        return ContactAdded(created=False, display_name=existing.display_name, email=address)
    book = addressbook_ensure_default(user=user)
    contact = contact_save(
        access=Access(book, Role.OWNER), name=None, fields=_name_fields(clean_display_name(name, address), address)
    )
    return ContactAdded(created=True, display_name=contact.display_name or address, email=address)


@dataclass(frozen=True)
class Correspondent:
    """An address of a message as the reader shows it."""

    email: str
    display_name: str  # the contact's name, else the message's, else the address
    known: bool  # one of the user's contacts
    photo_url: str  # a data: URL or webmail:contact_photo; empty: show initials

    @property
    def initials(self) -> str:
        words = [w for w in re.split(r"[\s.,_@-]+", self.display_name) if w and w[0].isalnum()]
        if not words:
            return "?"
        letters = words[0][0] + (words[-1][0] if len(words) > 1 else "")
        return letters.upper()


@dataclass(frozen=True)
class Correspondents:
    sender: Correspondent | None
    known: frozenset[str]  # the lower-case addresses of the message that are the user's contacts


def message_correspondents(*, user: User, head: MessageHead, photo_url: str) -> Correspondents:
    """Which of a message's addresses are the user's contacts (one query), and the sender as the reader
    shows them: the contact's name and photo (a data: URL when small, else photo_url), else the message's."""
    addresses = [a.email for a in (*head.sender, *head.to, *head.cc, *head.reply_to) if a.email]
    sender_email = head.sender_email.lower()
    known = contacts_by_address(user=user, emails=addresses, photos_for=[sender_email] if sender_email else [])
    if not head.sender:
        return Correspondents(sender=None, known=frozenset(known))
    entry = known.get(sender_email)
    photo = ""
    if entry is not None and entry.photo is not None:
        if len(entry.photo.data) <= INLINE_PHOTO_MAX:
            photo = f"data:{entry.photo.media_type};base64,{base64.b64encode(entry.photo.data).decode('ascii')}"
        else:
            photo = photo_url
    sender = Correspondent(
        email=sender_email,
        display_name=entry.display_name if entry else head.sender_label,
        known=entry is not None,
        photo_url=photo,
    )
    return Correspondents(sender=sender, known=frozenset(known))
