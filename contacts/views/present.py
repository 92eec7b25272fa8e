"""What the templates show, built from contacts and GAL cards: list rows under letter headers, a contact's
detail with its links made safe (compose, tel:, http(s) only), type labels, dates as words."""

import hashlib
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from urllib.parse import urlencode

from django.urls import reverse

from contacts.models import Contact
from contacts.selectors import GalCard, GroupMember
from contacts.vcard import ContactFields, PostalAddress, TypedValue

TONES = 8
_TYPE_WORDS = {
    "cell": "Mobile", "mobile": "Mobile", "work": "Work", "home": "Home", "fax": "Fax", "pager": "Pager",
    "main": "Main", "iphone": "iPhone", "other": "Other", "text": "Text", "video": "Video",
    "textphone": "Textphone", "internet": "", "voice": "", "pref": "", "x400": "",
}  # fmt: skip
_MONTHS = (
    "January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
    "November", "December",
)  # fmt: skip
_FULL_DATE = re.compile(r"^(\d{4})-?(\d{2})-?(\d{2})(?:T.*)?$")
_NO_YEAR = re.compile(r"^--(\d{2})-?(\d{2})$")


def tone_of(text: str) -> int:
    """A stable colour slot (0-7) for an avatar, so a person keeps their colour everywhere."""
    return hashlib.sha256(text.casefold().encode()).digest()[0] % TONES


def initials_of(name: str) -> str:
    words = [w for w in re.split(r"[\s,.@_-]+", name) if w and w[0].isalnum()]
    if not words:
        return "?"
    letters = words[0][0] + (words[-1][0] if len(words) > 1 else "")
    return letters.upper()


def letter_of(sort_key: str) -> str:
    """The list's letter header for a sort key: A-Z with accents dropped, # for anything else."""
    for ch in sort_key.strip():
        base = unicodedata.normalize("NFKD", ch)[0].upper()
        if "A" <= base <= "Z":
            return base
        if ch.isalpha():
            return ch.upper()
        return "#"
    return "#"


def type_label(types: Sequence[str], label: str = "") -> str:
    if label.strip():
        return label.strip()
    words = [_TYPE_WORDS.get(t, t.replace("x-", "").capitalize()) for t in types]
    words = [w for w in words if w]
    if not words:
        return ""
    return " ".join([words[0], *(w.lower() if w != "iPhone" else w for w in words[1:])])


def date_words(value: str) -> str:
    """1980-04-15 -> 15 April 1980; --04-15 -> 15 April; anything else as written."""
    value = value.strip()
    full, no_year = _FULL_DATE.match(value), _NO_YEAR.match(value)
    try:
        if full:
            day = date(int(full[1]), int(full[2]), int(full[3]))
            return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"
        if no_year:
            day = date(2000, int(no_year[1]), int(no_year[2]))  # a leap year: 29 February is a birthday too
            return f"{day.day} {_MONTHS[day.month - 1]}"
    except ValueError:
        pass
    return value


def web_href(url: str) -> str:
    """A link only for http(s) (or a bare host name, taken as https); never javascript: or data:."""
    url = url.strip()
    if re.match(r"^https?://[^\s]+$", url, re.IGNORECASE):
        return url
    if re.match(r"^[a-z0-9.-]+\.[a-z]{2,}(/[^\s]*)?$", url, re.IGNORECASE):
        return "https://" + url
    return ""


def tel_href(number: str) -> str:
    digits = "".join(ch for ch in number if ch.isdigit() or ch == "+")
    return f"tel:{digits}" if any(ch.isdigit() for ch in digits) else ""


def compose_url(address: str) -> str:
    return reverse("webmail:compose") + "?" + urlencode({"to": address})


def address_lines(adr: PostalAddress) -> list[str]:
    city = " ".join(p for p in (adr.postal_code.strip(), adr.locality.strip()) if p)
    city = ", ".join(p for p in (city, adr.region.strip()) if p)
    lines = [*adr.street.strip().splitlines(), adr.extended.strip(), adr.po_box.strip(), city, adr.country.strip()]
    return [line.strip() for line in lines if line.strip()]


def contact_url(book_id: int, name: str, q: str = "") -> str:
    url = reverse("contacts:contact", args=[book_id, name])
    return url + ("?" + urlencode({"q": q}) if q else "")


def photo_url(contact: Contact) -> str:
    return reverse("contacts:contact_photo", args=[contact.book_id, contact.name]) + f"?v={contact.etag[:12]}"


# ---------------------------------------------------------------------------------------------------------
# The list


@dataclass(frozen=True)
class Row:
    url: str
    key: str  # the selection checkbox's value, "<book id>/<name>"; empty where nothing can be selected
    name: str
    email: str
    organisation: str
    initials: str
    tone: int
    photo_url: str = ""
    is_group: bool = False
    book_name: str = ""
    selected: bool = False


@dataclass(frozen=True)
class Section:
    letter: str
    rows: list[Row]


def contact_row(contact: Contact, *, q: str = "", selected: str = "", book_name: str = "") -> Row:
    name = contact.display_name or contact.name
    is_group = contact.kind == Contact.Kind.GROUP
    return Row(
        url=contact_url(contact.book_id, contact.name, q),
        key=f"{contact.book_id}/{contact.name}",
        name=name,
        email=contact.emails[0] if contact.emails else "",
        organisation=contact.organisation,
        initials=initials_of(name),
        tone=tone_of(name),
        photo_url=photo_url(contact) if getattr(contact, "has_photo", False) else "",
        is_group=is_group,
        book_name=book_name,
        selected=contact.name == selected,
    )


def gal_row(card: GalCard, *, q: str = "", selected: str = "") -> Row:
    url = reverse("contacts:gal_entry", args=[card.name]) + ("?" + urlencode({"q": q}) if q else "")
    return Row(
        url=url,
        key="",
        name=card.display_name,
        email=card.emails[0] if card.emails else "",
        organisation=card.organisation or card.fields.title,
        initials=initials_of(card.display_name),
        tone=tone_of(card.display_name),
        is_group=card.source == "list",
        selected=card.name == selected,
    )


def sections(rows: Iterable[tuple[str, Row]]) -> list[Section]:
    """Rows (already in order) under their letters; the sort key decides the letter."""
    out: list[Section] = []
    for sort_key, row in rows:
        letter = letter_of(sort_key)
        if not out or out[-1].letter != letter:
            out.append(Section(letter, []))
        out[-1].rows.append(row)
    return out


# ---------------------------------------------------------------------------------------------------------
# The detail


@dataclass(frozen=True)
class Fact:
    value: str
    label: str = ""
    href: str = ""
    lines: tuple[str, ...] = ()  # an address


@dataclass(frozen=True)
class MemberView:
    name: str
    detail: str
    url: str
    initials: str
    tone: int
    contact_name: str = ""  # set for a contact of the book, empty for a plain address
    address: str = ""


@dataclass
class Detail:
    name: str
    initials: str
    tone: int
    subtitle: str
    photo_url: str = ""
    nickname: str = ""
    emails: list[Fact] = field(default_factory=list)
    phones: list[Fact] = field(default_factory=list)
    addresses: list[Fact] = field(default_factory=list)
    websites: list[Fact] = field(default_factory=list)
    dates: list[Fact] = field(default_factory=list)
    note: str = ""
    categories: list[str] = field(default_factory=list)
    readable: bool = True

    @property
    def first_email(self) -> Fact | None:
        return self.emails[0] if self.emails else None

    @property
    def first_phone(self) -> Fact | None:
        return next((p for p in self.phones if p.href), None)


def _pref_first(values: Sequence[TypedValue]) -> list[TypedValue]:
    return sorted(values, key=lambda v: not v.pref)


def detail_of(fields: ContactFields | None, *, name: str, photo: str = "") -> Detail:
    if fields is None:
        return Detail(name=name, initials=initials_of(name), tone=tone_of(name), subtitle="", readable=False)
    subtitle = " · ".join(
        p for p in (fields.title.strip(), fields.organisation.strip(), fields.department.strip()) if p
    )
    detail = Detail(
        name=name,
        initials=initials_of(name),
        tone=tone_of(name),
        subtitle=subtitle,
        photo_url=photo,
        nickname=fields.nickname.strip(),
        note=fields.note.strip(),
        categories=[c for c in fields.categories if c.strip()],
    )
    for email in _pref_first(fields.emails):
        if email.value.strip():
            value = email.value.strip()
            detail.emails.append(Fact(value, type_label(email.types, email.label), compose_url(value)))
    for phone in _pref_first(fields.phones):
        if phone.value.strip():
            value = phone.value.strip()
            detail.phones.append(Fact(value, type_label(phone.types, phone.label), tel_href(value)))
    for adr in fields.addresses:
        lines = address_lines(adr)
        if lines:
            detail.addresses.append(Fact(", ".join(lines), type_label(adr.types, adr.label), lines=tuple(lines)))
    for url in fields.urls:
        if url.value.strip():
            detail.websites.append(Fact(url.value.strip(), type_label(url.types, url.label), web_href(url.value)))
    if fields.birthday.strip():
        detail.dates.append(Fact(date_words(fields.birthday), "Birthday"))
    if fields.anniversary.strip():
        detail.dates.append(Fact(date_words(fields.anniversary), "Anniversary"))
    return detail


def gal_detail(card: GalCard) -> Detail:
    detail = detail_of(card.fields, name=card.display_name)
    if card.source == "list" and card.members:
        detail.note = ""
    return detail


def member_views(members: Sequence[GroupMember], *, book_id: int) -> list[MemberView]:
    out: list[MemberView] = []
    for member in members:
        if member.contact is not None:
            c = member.contact
            name = c.display_name or c.name
            out.append(
                MemberView(
                    name=name,
                    detail=c.emails[0] if c.emails else c.organisation,
                    url=contact_url(book_id, c.name),
                    initials=initials_of(name),
                    tone=tone_of(name),
                    contact_name=c.name if not member.address else "",
                    address=member.address,
                )
            )
        else:
            out.append(
                MemberView(
                    name=member.address,
                    detail="",
                    url=compose_url(member.address),
                    initials=initials_of(member.address),
                    tone=tone_of(member.address),
                    address=member.address,
                )
            )
    return out
