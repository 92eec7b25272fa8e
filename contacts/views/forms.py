"""The contact form and the other forms of the contacts pages: read leniently (so a form that fails comes back
with everything the person typed), then checked with a clear message for each mistake."""

import base64
import binascii
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from itertools import zip_longest

from django.core.files.uploadedfile import UploadedFile
from django.http import QueryDict

from contacts.models import Contact
from contacts.types import OnDuplicate
from contacts.vcard import PHOTO_MAX_BYTES, ContactFields, Photo, PostalAddress, TypedValue
from core.errors import PayloadTooLarge, RoostError

from .present import type_label

ROWS_MAX = 50
TEXT_MAX = 200
NOTE_MAX = 10_000
IMPORT_MAX_BYTES = 20 * 1024 * 1024

# The type choices of the repeatable rows: the select's value is "<types>|<label>" so that a type or label
# another program wrote (TYPE=work,fax; an Apple X-ABLabel) survives an edit that does not touch it.
PHONE_TYPES = (("cell|", "Mobile"), ("work|", "Work"), ("home|", "Home"), ("|", "Other"))
OTHER_TYPES = (("home|", "Home"), ("work|", "Work"), ("|", "Other"))
_NOISE = {"voice", "internet", "pref", "x400"}
_TYPE_WORD = re.compile(r"^[a-z0-9-]{1,30}$")
_FULL_DATE = re.compile(r"^(\d{4})-?(\d{2})-?(\d{2})$")
_NO_YEAR = re.compile(r"^--(\d{2})-?(\d{2})$")
_EMAIL = re.compile(r"^[^@\s<>\"]+@[^@\s<>\"]+$")
_MAGIC = ((b"\xff\xd8\xff", "image/jpeg"), (b"\x89PNG\r\n\x1a\n", "image/png"), (b"GIF8", "image/gif"))


def type_value(types: Sequence[str], label: str = "") -> str:
    kept = [t for t in types if t and t not in _NOISE]
    return ",".join(kept) + "|" + label


def parse_type(value: str) -> tuple[tuple[str, ...], str]:
    raw_types, _, label = value.partition("|")
    types = tuple(t for t in (p.strip().lower() for p in raw_types.split(",")) if _TYPE_WORD.match(t))
    return types, label.strip()[:100]


@dataclass(frozen=True)
class Choice:
    value: str
    label: str


@dataclass(frozen=True)
class FormRow:
    """One repeatable row of the form, with the type choices its select offers."""

    kind: str  # "email", "phone", "url", "adr"
    type: str  # the selected "<types>|<label>"
    choices: tuple[Choice, ...]
    pref: bool = False
    value: str = ""
    address: PostalAddress | None = None


def choices_for(kind: str, current: str = "") -> tuple[Choice, ...]:
    base = PHONE_TYPES if kind == "phone" else OTHER_TYPES
    out = [Choice(v, label) for v, label in base]
    if current and current not in {v for v, _ in base}:
        types, label = parse_type(current)
        out.insert(0, Choice(current, type_label(types, label) or "Other"))
    return tuple(out)


def _row(kind: str, value: TypedValue | PostalAddress) -> FormRow:
    current = type_value(value.types, value.label)
    text = value.value if isinstance(value, TypedValue) else ""
    address = value if isinstance(value, PostalAddress) else None
    return FormRow(kind, current, choices_for(kind, current), value.pref, text, address)


@dataclass
class ContactForm:
    """The form's state: from a stored card (GET) or from what was posted (a failed save comes back as it was
    typed). `photo` is what will be saved; `photo_carried` a new photo carried over a failed save as a data:
    URL; `photo_error` a problem with the uploaded file."""

    fields: ContactFields
    etag: str = ""
    photo_state: str = "none"  # "none", "kept" (the stored one), "new"
    photo_carried: str = ""
    photo_error: RoostError | None = None
    book_id: int | None = None

    def rows(self, kind: str) -> list[FormRow]:
        values: Sequence[TypedValue | PostalAddress]
        if kind == "adr":
            values = self.fields.addresses
        else:
            values = {"email": self.fields.emails, "phone": self.fields.phones, "url": self.fields.urls}[kind]
        return [_row(kind, v) for v in values]

    @property
    def email_rows(self) -> list[FormRow]:
        return self.rows("email") or [FormRow("email", OTHER_TYPES[0][0], choices_for("email"))]

    @property
    def phone_rows(self) -> list[FormRow]:
        return self.rows("phone") or [FormRow("phone", PHONE_TYPES[0][0], choices_for("phone"))]

    @property
    def url_rows(self) -> list[FormRow]:
        return self.rows("url")

    @property
    def adr_rows(self) -> list[FormRow]:
        return self.rows("adr")

    @property
    def blank_rows(self) -> dict[str, FormRow]:
        return {
            "email": FormRow("email", OTHER_TYPES[0][0], choices_for("email")),
            "phone": FormRow("phone", PHONE_TYPES[0][0], choices_for("phone")),
            "url": FormRow("url", OTHER_TYPES[1][0], choices_for("url")),
            "adr": FormRow("adr", OTHER_TYPES[0][0], choices_for("adr"), address=PostalAddress()),
        }

    @property
    def birthday_input(self) -> tuple[str, str]:
        return date_input(self.fields.birthday)

    @property
    def anniversary_input(self) -> tuple[str, str]:
        return date_input(self.fields.anniversary)

    @property
    def categories_text(self) -> str:
        return ", ".join(self.fields.categories)

    @property
    def photo_data_url(self) -> str:
        return self.photo_carried

    def check(self) -> ContactFields:
        """The fields to save, or the first mistake as a RoostError."""
        if self.photo_error is not None:
            raise self.photo_error
        check_fields(self.fields)
        return self.fields


def date_input(value: str) -> tuple[str, str]:
    """("date", "YYYY-MM-DD") for a date input, or ("text", value) for a date without a year or anything
    else a date input cannot hold (shown as written, so saving does not lose it)."""
    value = value.strip()
    match = _FULL_DATE.match(value)
    if not value:
        return "date", ""
    if match:
        return "date", f"{match[1]}-{match[2]}-{match[3]}"
    return "text", value


def _derived_name(fields: ContactFields) -> str:
    parts = (fields.prefix, fields.given, fields.additional, fields.family, fields.suffix)
    return " ".join(p.strip() for p in parts if p.strip())


def form_for(fields: ContactFields | None, *, etag: str = "", book_id: int | None = None) -> ContactForm:
    fields = replace(fields) if fields is not None else ContactFields()
    if fields.formatted_name.strip() == _derived_name(fields) or (
        not _derived_name(fields) and fields.formatted_name.strip() in (fields.organisation.strip(), "")
    ):
        fields.formatted_name = ""  # shown empty: the name follows the name fields as they are edited
    photo_state = "kept" if fields.photo is not None and fields.photo.data else "none"
    return ContactForm(fields=fields, etag=etag, photo_state=photo_state, book_id=book_id)


def fields_from_index(contact: Contact) -> ContactFields:
    """What the index columns still know of a card that cannot be read: the form starts from these."""
    return ContactFields(
        formatted_name=contact.display_name,
        organisation=contact.organisation,
        emails=[TypedValue(e) for e in contact.emails],
    )


def _text(post: QueryDict, name: str, limit: int = TEXT_MAX) -> str:
    return (post.get(name) or "").strip()[: limit * 2]


def _typed_rows(post: QueryDict, kind: str) -> list[TypedValue]:
    rows = zip_longest(post.getlist(f"{kind}_value"), post.getlist(f"{kind}_type"), post.getlist(f"{kind}_pref"))
    out: list[TypedValue] = []
    for value, type_, pref in list(rows)[: ROWS_MAX * 2]:
        types, label = parse_type(type_ or "|")
        out.append(TypedValue((value or "").strip(), types, pref == "1", label))
    return [v for v in out if v.value]


def _addresses(post: QueryDict) -> list[PostalAddress]:
    names = ("street", "locality", "region", "postal_code", "country", "po_box", "extended", "type", "pref")
    columns = [post.getlist(f"adr_{n}") for n in names]
    out: list[PostalAddress] = []
    for row in list(zip_longest(*columns, fillvalue=""))[: ROWS_MAX * 2]:
        street, locality, region, postal_code, country, po_box, extended, type_, pref = (v.strip() for v in row)
        types, label = parse_type(type_ or "|")
        adr = PostalAddress(
            street=street, locality=locality, region=region, postal_code=postal_code, country=country,
            po_box=po_box, extended=extended, types=types, pref=pref == "1", label=label,
        )  # fmt: skip
        if not adr.is_empty():
            out.append(adr)
    return out


def photo_type(data: bytes) -> str:
    for magic, media in _MAGIC:
        if data.startswith(magic):
            return media
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return ""


def _uploaded_photo(upload: UploadedFile) -> Photo:
    if upload.size is not None and upload.size > PHOTO_MAX_BYTES:
        raise PayloadTooLarge(
            f"The photo is {upload.size // 1024} KB; at most {PHOTO_MAX_BYTES // 1024} KB is allowed. "
            "Choose a smaller picture."
        )
    data = upload.read(PHOTO_MAX_BYTES + 1)
    if len(data) > PHOTO_MAX_BYTES:
        raise PayloadTooLarge(f"The photo may be at most {PHOTO_MAX_BYTES // 1024} KB.")
    media = photo_type(data)
    if not media:
        raise RoostError("The photo must be a JPEG, PNG, GIF or WebP picture.")
    return Photo(data=data, media_type=media)


def _carried_photo(value: str) -> Photo | None:
    meta, _, payload = value.partition(",")
    if not meta.startswith("data:image/") or not meta.endswith(";base64"):
        return None
    try:
        data = base64.b64decode(payload, validate=True)
    except (binascii.Error, ValueError):
        return None
    media = photo_type(data)
    return Photo(data=data, media_type=media) if media and len(data) <= PHOTO_MAX_BYTES else None


def photo_data_url(photo: Photo) -> str:
    return f"data:{photo.media_type};base64,{base64.b64encode(photo.data).decode()}"


def form_from_post(
    post: QueryDict, upload: UploadedFile | None, *, stored: ContactFields | None, kind: str = "individual"
) -> ContactForm:
    """The posted form as typed. The photo: a new upload wins, then one carried over a failed save, then
    "remove", then the stored photo (stored: the card as it is now)."""
    fields = ContactFields(
        formatted_name=_text(post, "formatted_name"),
        prefix=_text(post, "prefix"),
        given=_text(post, "given"),
        additional=_text(post, "additional"),
        family=_text(post, "family"),
        suffix=_text(post, "suffix"),
        nickname=_text(post, "nickname"),
        organisation=_text(post, "organisation"),
        department=_text(post, "department"),
        title=_text(post, "title"),
        emails=_typed_rows(post, "email"),
        phones=_typed_rows(post, "phone"),
        addresses=_addresses(post),
        urls=_typed_rows(post, "url"),
        birthday=_text(post, "birthday", 40),
        anniversary=_text(post, "anniversary", 40),
        note=(post.get("note") or "").strip()[: NOTE_MAX * 2],
        categories=[c.strip() for c in (post.get("categories") or "").split(",") if c.strip()],
        kind="group" if kind == "group" else "individual",
        members=list(stored.members) if stored is not None else [],
    )
    form = ContactForm(fields=fields, etag=(post.get("etag") or "").strip()[:200])
    if upload is not None:
        try:
            fields.photo = _uploaded_photo(upload)
            form.photo_state, form.photo_carried = "new", photo_data_url(fields.photo)
        except RoostError as error:
            form.photo_error = error
    elif (carried_text := post.get("photo_carried", "")) and (carried := _carried_photo(carried_text)) is not None:
        fields.photo = carried
        form.photo_state, form.photo_carried = "new", carried_text
    if fields.photo is None and post.get("photo_remove") != "1" and stored is not None and stored.photo is not None:
        fields.photo = stored.photo
        form.photo_state = "kept" if stored.photo.data else "none"
    return form


def _check_date(value: str, what: str) -> None:
    if not value:
        return
    full, no_year = _FULL_DATE.match(value), _NO_YEAR.match(value)
    try:
        if full:
            date(int(full[1]), int(full[2]), int(full[3]))
            return
        if no_year:
            date(2000, int(no_year[1]), int(no_year[2]))
            return
    except ValueError:
        pass
    raise RoostError(f"The {what} {value!r} is not a date: write it as YYYY-MM-DD, or --MM-DD without a year.")


def check_fields(fields: ContactFields) -> None:
    for what, value in (
        ("display name", fields.formatted_name), ("first name", fields.given), ("last name", fields.family),
        ("middle name", fields.additional), ("name prefix", fields.prefix), ("name suffix", fields.suffix),
        ("nickname", fields.nickname), ("organisation", fields.organisation), ("department", fields.department),
        ("job title", fields.title),
    ):  # fmt: skip
        if len(value) > TEXT_MAX:
            raise RoostError(f"The {what} may be at most {TEXT_MAX} characters.")
    for kind, rows in (("e-mail addresses", fields.emails), ("phone numbers", fields.phones)):
        if len(rows) > ROWS_MAX:
            raise RoostError(f"A contact may have at most {ROWS_MAX} {kind}.")
    if len(fields.addresses) > ROWS_MAX or len(fields.urls) > ROWS_MAX:
        raise RoostError(f"A contact may have at most {ROWS_MAX} addresses and {ROWS_MAX} websites.")
    for email in fields.emails:
        if len(email.value) > 254 or not _EMAIL.match(email.value):
            raise RoostError(f"{email.value!r} is not an e-mail address.")
    for phone in fields.phones:
        if len(phone.value) > 40 or not any(ch.isdigit() for ch in phone.value):
            raise RoostError(f"{phone.value!r} is not a phone number.")
    for url in fields.urls:
        if len(url.value) > 500 or any(ch.isspace() for ch in url.value):
            raise RoostError(f"{url.value!r} is not a web address.")
        if re.match(r"^(javascript|data|vbscript|file):", url.value, re.IGNORECASE):
            raise RoostError(f"{url.value!r} is not a web address: use http:// or https://.")
    for adr in fields.addresses:
        if any(len(p) > TEXT_MAX * 2 for p in (adr.street, adr.locality, adr.region, adr.postal_code, adr.country)):
            raise RoostError(f"Each part of an address may be at most {TEXT_MAX * 2} characters.")
    _check_date(fields.birthday, "birthday")
    _check_date(fields.anniversary, "anniversary")
    if len(fields.note) > NOTE_MAX:
        raise RoostError(f"The note may be at most {NOTE_MAX} characters.")
    if len(fields.categories) > ROWS_MAX or any(len(c) > 100 for c in fields.categories):
        raise RoostError("Keep categories short: at most 50, each up to 100 characters.")


# ---------------------------------------------------------------------------------------------------------
# The other forms


def book_id_of(value: str | None, *, what: str = "address book") -> int:
    value = (value or "").strip()
    if not value.isdigit() or len(value) > 18:
        raise RoostError(f"Choose an {what}.")
    return int(value)


def names_of(post: QueryDict, key: str) -> list[str]:
    names = [n for n in post.getlist(key) if n.strip()]
    if len(names) > 5000 or any(len(n) > 255 for n in names):
        raise RoostError("That selection is too large.")
    return names


@dataclass(frozen=True)
class Selection:
    by_book: dict[int, list[str]] = field(default_factory=dict)

    @property
    def count(self) -> int:
        return sum(len(v) for v in self.by_book.values())

    def only_book(self, what: str) -> tuple[int, list[str]]:
        if len(self.by_book) != 1:
            raise RoostError(f"{what} works on contacts of one address book at a time.")
        return next(iter(self.by_book.items()))


def selection_of(post: QueryDict) -> Selection:
    """The list's ticked rows ("<book id>/<name>" each)."""
    by_book: dict[int, list[str]] = {}
    for key in names_of(post, "selected"):
        book, _, name = key.partition("/")
        if not book.isdigit() or not name or len(book) > 18:
            raise RoostError("The selection could not be read; reload the list and try again.")
        names = by_book.setdefault(int(book), [])
        if name not in names:
            names.append(name)
    if not by_book:
        raise RoostError("Select at least one contact first.")
    return Selection(by_book)


@dataclass(frozen=True)
class ImportUpload:
    data: bytes
    filename: str
    on_duplicate: OnDuplicate
    book_id: int


def import_upload(post: QueryDict, upload: UploadedFile | None) -> ImportUpload:
    if upload is None:
        raise RoostError("Choose a .vcf or .csv file to import.")
    if upload.size is not None and upload.size > IMPORT_MAX_BYTES:
        raise PayloadTooLarge(f"That file is larger than {IMPORT_MAX_BYTES // (1024 * 1024)} MB; split it first.")
    choice = post.get("on_duplicate", "merge")
    if choice not in ("merge", "skip", "add"):
        raise RoostError("Choose what to do with duplicates: merge, skip or add.")
    on_duplicate: OnDuplicate = "merge" if choice == "merge" else "skip" if choice == "skip" else "add"
    return ImportUpload(upload.read(), upload.name or "contacts.vcf", on_duplicate, book_id_of(post.get("book")))


def export_format(value: str | None) -> str:
    fmt = (value or "vcf").strip().lower()
    if fmt not in ("vcf", "csv"):
        raise RoostError("Export as vcf (vCard) or csv.")
    return fmt
