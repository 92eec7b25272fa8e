"""vCard 3.0 (RFC 2426) and 4.0 (RFC 6350): the only module in contacts that touches vobject.

vobject's own vCard behaviour is lossy (it drops text after a comma in unknown properties and cuts data: URIs
at their ';'), so only its content-line layer is used here: unfolding (getLogicalLines) and splitting a line
into group, name, parameters and raw value (parseLine). A card is kept as that list of properties with raw
values, so what a client sent comes back as sent, unknown properties and Apple's item groups included; the
structured reading and writing (ContactFields) and the 3.0 <-> 4.0 conversion work on top of it."""

import base64
import binascii
import io
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import Literal

from vobject import base as vobject_base

from contacts.query import AddressbookQuery, ParamFilter, PropFilter, TextMatch
from core.errors import PayloadTooLarge, RoostError
from core.textmatch import COLLATIONS, text_matches

PHOTO_MAX_BYTES = 256 * 1024
CARD_MAX_BYTES = 1024 * 1024
VERSIONS = ("3.0", "4.0")


class InvalidCard(RoostError):
    """The vCard cannot be read or breaks a rule this server keeps (RFC 6350/2426/6352)."""


class InvalidQuery(RoostError):
    """An address book query this server cannot evaluate (an unknown collation)."""


# ---------------------------------------------------------------------------------------------------------
# Content lines


@dataclass
class Prop:
    name: str  # upper case
    value: str  # raw, escaped as on the wire
    params: list[tuple[str, list[str]]] = field(default_factory=list)  # names upper case, in order
    group: str | None = None

    def param(self, name: str) -> list[str]:
        values: list[str] = []
        for key, vals in self.params:
            if key == name:
                for v in vals:
                    values.extend(part for part in v.split(",") if part)
        return values

    def has_param(self, name: str) -> bool:
        return any(key == name for key, _ in self.params)

    def without_params(self, *names: str) -> list[tuple[str, list[str]]]:
        return [(k, v) for k, v in self.params if k not in names]

    @property
    def text(self) -> str:
        return unescape(self.value)

    def types(self) -> list[str]:
        return [t.lower() for t in self.param("TYPE")]


@dataclass
class Card:
    props: list[Prop]  # VERSION included, BEGIN/END not

    @property
    def version(self) -> str:
        prop = self.first("VERSION")
        return prop.value.strip() if prop else ""

    @property
    def uid(self) -> str:
        prop = self.first("UID")
        return prop.text.strip() if prop else ""

    def first(self, name: str) -> Prop | None:
        return next((p for p in self.props if p.name == name), None)

    def all(self, *names: str) -> list[Prop]:
        return [p for p in self.props if p.name in names]

    def set(self, name: str, value: str, params: list[tuple[str, list[str]]] | None = None) -> None:
        """Replace every `name` property by one (in the place of the first), or add it after VERSION."""
        new = Prop(name, value, params or [])
        for i, prop in enumerate(self.props):
            if prop.name == name:
                self.props[i] = new
                self.props = [p for j, p in enumerate(self.props) if j == i or p.name != name]
                return
        self.props.insert(1 if self.props and self.props[0].name == "VERSION" else 0, new)


def unescape(value: str) -> str:
    out: list[str] = []
    i = 0
    while i < len(value):
        ch = value[i]
        if ch == "\\" and i + 1 < len(value):
            nxt = value[i + 1]
            out.append("\n" if nxt in "nN" else nxt)
            i += 2
            continue
        out.append(ch)
        i += 1
    return "".join(out)


def escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("\r\n", "\n").replace("\n", "\\n").replace(",", "\\,").replace(";", "\\;")


def split_unescaped(value: str, sep: str) -> list[str]:
    """Split a raw value on `sep` where it is not escaped; the parts stay escaped."""
    parts: list[str] = []
    current: list[str] = []
    i = 0
    while i < len(value):
        ch = value[i]
        if ch == "\\" and i + 1 < len(value):
            current.append(value[i : i + 2])
            i += 2
            continue
        if ch == sep:
            parts.append("".join(current))
            current = []
        else:
            current.append(ch)
        i += 1
    parts.append("".join(current))
    return parts


def structured(prop: Prop | None, size: int) -> list[str]:
    parts = [unescape(p) for p in split_unescaped(prop.value, ";")] if prop else []
    return (parts + [""] * size)[:size]


_PARAM_SAFE = re.compile(r'^[^";:,]*$')


def _param_text(values: list[str]) -> str:
    return ",".join(v if _PARAM_SAFE.match(v) else '"' + v.replace('"', "'") + '"' for v in values)


def _line(prop: Prop) -> str:
    head = (prop.group + "." if prop.group else "") + prop.name
    for key, values in prop.params:
        head += f";{key}={_param_text(values)}" if values else f";{key}"
    return head + ":" + prop.value.replace("\r", "").replace("\n", "\\n")


def _fold(line: str) -> str:
    """Fold at 75 octets without splitting a UTF-8 sequence (RFC 6350 3.2)."""
    encoded = line.encode()
    if len(encoded) <= 75:
        return line + "\r\n"
    chunks: list[str] = []
    current = ""
    size = 0
    limit = 75
    for ch in line:
        width = len(ch.encode())
        if size + width > limit:
            chunks.append(current)
            current, size, limit = "", 0, 74
        current += ch
        size += width
    chunks.append(current)
    return "\r\n ".join(chunks) + "\r\n"


def serialize(card: Card) -> str:
    return "BEGIN:VCARD\r\n" + "".join(_fold(_line(p)) for p in card.props) + "END:VCARD\r\n"


# ---------------------------------------------------------------------------------------------------------
# Reading


def _decode(data: bytes | str) -> str:
    if isinstance(data, str):
        return data
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidCard("The vCard is not UTF-8 text.") from None


def _logical_lines(text: str) -> Iterator[str]:
    try:
        for line, _number in vobject_base.getLogicalLines(io.StringIO(text)):
            if line.strip():
                yield line
    except Exception as error:  # noqa: BLE001 - vobject raises assorted errors on garbage
        raise InvalidCard(f"The vCard's lines cannot be read: {error}") from None


def _parse_line(line: str) -> Prop:
    try:
        name, params, value, group = vobject_base.parseLine(line)
    except Exception:  # noqa: BLE001 - vobject.base.ParseError and friends
        shown = line if len(line) < 60 else line[:57] + "..."
        raise InvalidCard(f"This vCard line cannot be read: {shown!r}") from None
    return Prop(
        name.upper(),
        value if value is not None else "",
        [(p[0].upper(), list(p[1:])) for p in params],
        group or None,
    )


def _card_chunks(text: str) -> Iterator[list[Prop] | InvalidCard]:
    """The cards of a stream, each as its properties, or the reason it cannot be read."""
    current: list[Prop] | None = None
    broken: InvalidCard | None = None
    for line in _logical_lines(text):
        try:
            prop = _parse_line(line)
        except InvalidCard as error:
            if current is None:
                yield error
                continue
            broken = broken or error
            continue
        if prop.name == "BEGIN" and prop.value.upper() == "VCARD":
            if current is not None:
                yield InvalidCard("A vCard starts before the previous one ended (END:VCARD is missing).")
            current, broken = [], None
        elif prop.name == "END" and prop.value.upper() == "VCARD":
            if current is None:
                yield InvalidCard("END:VCARD without a BEGIN:VCARD.")
            elif broken is not None:
                yield broken
            else:
                yield current
            current, broken = None, None
        elif current is None:
            yield InvalidCard(f"Text outside a vCard: {line[:40]!r} (a vCard starts with BEGIN:VCARD).")
        else:
            current.append(prop)
    if current is not None:
        yield InvalidCard("The vCard ends without END:VCARD.")


def _b64_size(payload: str) -> int:
    try:
        return len(base64.b64decode("".join(payload.split()), validate=True))
    except (binascii.Error, ValueError):
        raise InvalidCard("The vCard's PHOTO is not valid base64.") from None


def _check_binary(card: Card) -> None:
    for prop in card.all("PHOTO", "LOGO"):
        encoding = [e.lower() for e in prop.param("ENCODING")]
        if "b" in encoding or "base64" in encoding:
            size = _b64_size(prop.value)
        elif prop.value[:5].lower() == "data:":
            meta, comma, payload = prop.value.partition(",")
            if not comma:
                raise InvalidCard("The vCard's PHOTO data: URI has no data.")
            size = _b64_size(payload) if meta.lower().endswith(";base64") else len(payload)
        else:
            continue
        if size > PHOTO_MAX_BYTES:
            raise PayloadTooLarge(f"The photo is {size // 1024} KB; at most {PHOTO_MAX_BYTES // 1024} KB is allowed.")


def _derived_fn(card: Card) -> str:
    n = structured(card.first("N"), 5)
    name = " ".join(x for x in (n[3], n[1], n[2], n[0], n[4]) if x.strip())
    if name.strip():
        return name.strip()
    org = structured(card.first("ORG"), 1)[0]
    if org.strip():
        return org.strip()
    email = card.first("EMAIL")
    return email.text.strip() if email else ""


def _validate(props: list[Prop], *, fix: bool) -> Card:
    card = Card(props)
    versions = card.all("VERSION")
    if not versions:
        raise InvalidCard("The vCard has no VERSION (3.0 or 4.0).")
    if len(versions) > 1:
        raise InvalidCard("The vCard has more than one VERSION.")
    version = card.version
    if version not in VERSIONS:
        raise InvalidCard(f"vCard version {version!r} is not supported: use 3.0 or 4.0.")
    if card.props[0].name != "VERSION":
        card.props.remove(versions[0])
        card.props.insert(0, versions[0])
    fn = card.first("FN")
    if fn is None or not fn.text.strip():
        derived = _derived_fn(card)
        if not fix or not derived:
            raise InvalidCard("The vCard has no FN (formatted name), which every vCard must have.")
        card.set("FN", escape(derived))
    if len(card.all("UID")) > 1:
        raise InvalidCard("The vCard has more than one UID.")
    if not card.uid:
        if not fix:
            raise InvalidCard("The vCard has no UID, which CardDAV requires (RFC 6352 5.1).")
        card.set("UID", new_uid(version))
    if len(card.uid) > 255:
        raise InvalidCard("The vCard's UID is longer than 255 characters.")
    _check_binary(card)
    return card


def new_uid(version: str = "4.0") -> str:
    return f"urn:uuid:{uuid.uuid4()}" if version == "4.0" else str(uuid.uuid4())


def parse_card(data: bytes | str, *, fix: bool = False) -> Card:
    """Exactly one vCard. fix=True (imports, the web form) gives a card without UID or FN one; a DAV PUT
    keeps fix=False, so such a card is refused as RFC 6352 requires."""
    if len(data) > CARD_MAX_BYTES:
        raise PayloadTooLarge(f"A vCard may be at most {CARD_MAX_BYTES // 1024} KB.")
    text = _decode(data)
    chunks = list(_card_chunks(text))
    if not chunks:
        raise InvalidCard("There is no vCard here (BEGIN:VCARD ... END:VCARD).")
    if len(chunks) > 1:
        raise InvalidCard("Only one vCard may be stored at a time; this holds several.")
    chunk = chunks[0]
    if isinstance(chunk, InvalidCard):
        raise chunk
    return _validate(chunk, fix=fix)


def parse_cards(data: bytes | str) -> Iterator[Card | RoostError]:
    """Every vCard of an import file in order, each fixed up (UID, FN) or the error that explains why it
    cannot be used; one broken card never hides the rest."""
    text = _decode(data)
    for chunk in _card_chunks(text):
        if isinstance(chunk, InvalidCard):
            yield chunk
            continue
        try:
            yield _validate(chunk, fix=True)
        except RoostError as error:
            yield error


# ---------------------------------------------------------------------------------------------------------
# Index columns


@dataclass(frozen=True)
class CardIndex:
    uid: str
    version: str
    kind: str  # "individual" or "group"
    display_name: str
    sort_key: str
    organisation: str
    emails: list[str]
    phones: list[str]
    search_text: str


def phone_digits(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit())


def card_kind(card: Card) -> str:
    kind = card.first("KIND") or card.first("X-ADDRESSBOOKSERVER-KIND")
    return "group" if kind is not None and kind.text.strip().lower() == "group" else "individual"


def card_index(card: Card) -> CardIndex:
    fn_prop = card.first("FN")
    display = (fn_prop.text.strip() if fn_prop else "") or _derived_fn(card)
    n = structured(card.first("N"), 5)
    family, given = n[0].strip(), n[1].strip()
    sort_key = (f"{family} {given}".strip() if family else "") or display
    org = structured(card.first("ORG"), 1)[0].strip()
    emails: list[str] = []
    for prop in card.all("EMAIL"):
        address = prop.text.strip().lower()
        if address and address not in emails:
            emails.append(address[:254])
    phones: list[str] = []
    for prop in card.all("TEL"):
        digits = phone_digits(prop.text.removeprefix("tel:"))
        if digits and digits not in phones:
            phones.append(digits[:40])
    nick = card.first("NICKNAME")
    words = [display, nick.text if nick else "", org, *emails, *phones]
    search = " ".join(w.lower() for w in words if w)
    return CardIndex(
        uid=card.uid,
        version=card.version,
        kind=card_kind(card),
        display_name=display[:255],
        sort_key=sort_key.casefold()[:255],
        organisation=org[:255],
        emails=emails,
        phones=phones,
        search_text=search,
    )


# ---------------------------------------------------------------------------------------------------------
# Structured reading and writing (the web form)


@dataclass
class TypedValue:
    value: str
    types: tuple[str, ...] = ()  # lower case: "work", "home", "cell", ...
    pref: bool = False
    label: str = ""  # a custom label (Apple's X-ABLabel)


@dataclass
class PostalAddress:
    street: str = ""
    locality: str = ""
    region: str = ""
    postal_code: str = ""
    country: str = ""
    po_box: str = ""
    extended: str = ""
    types: tuple[str, ...] = ()
    pref: bool = False
    label: str = ""

    def is_empty(self) -> bool:
        parts = (self.street, self.locality, self.region, self.postal_code, self.country, self.po_box, self.extended)
        return not any(p.strip() for p in parts)


@dataclass
class Photo:
    data: bytes = b""
    media_type: str = "image/jpeg"
    uri: str = ""  # a photo given by reference instead of inline data


@dataclass
class ContactFields:
    """A contact as the web form and CSV import see it. kind "group" cards list members as URIs:
    "urn:uuid:<uid>" of a contact in the same book, or "mailto:<address>"."""

    formatted_name: str = ""
    prefix: str = ""
    given: str = ""
    additional: str = ""
    family: str = ""
    suffix: str = ""
    nickname: str = ""
    organisation: str = ""
    department: str = ""
    title: str = ""
    emails: list[TypedValue] = field(default_factory=list)
    phones: list[TypedValue] = field(default_factory=list)
    addresses: list[PostalAddress] = field(default_factory=list)
    urls: list[TypedValue] = field(default_factory=list)
    birthday: str = ""  # as written: 1980-04-15, 19800415 or --04-15 / --0415 without a year
    anniversary: str = ""
    note: str = ""
    categories: list[str] = field(default_factory=list)
    photo: Photo | None = None
    kind: Literal["individual", "group"] = "individual"
    members: list[str] = field(default_factory=list)
    uid: str = ""  # read from a card; a new card gets one


_IGNORED_TYPES = {"pref", "internet", "x400"}
_AB_LABEL = re.compile(r"^_\$!<(.*)>!\$_$")


def _label_of(card: Card, prop: Prop) -> str:
    if not prop.group:
        return ""
    for other in card.props:
        if other.group and other.group.lower() == prop.group.lower() and other.name == "X-ABLABEL":
            text = other.text
            match = _AB_LABEL.match(text)
            return match.group(1) if match else text
    return ""


def _typed(card: Card, prop: Prop, value: str) -> TypedValue:
    types = prop.types()
    pref = "pref" in types or prop.param("PREF") == ["1"]
    kept = tuple(t for t in types if t not in _IGNORED_TYPES)
    return TypedValue(value=value, types=kept, pref=pref, label=_label_of(card, prop))


def _photo_of(card: Card) -> Photo | None:
    prop = card.first("PHOTO")
    if prop is None:
        return None
    encoding = [e.lower() for e in prop.param("ENCODING")]
    try:
        if "b" in encoding or "base64" in encoding:
            kind = (prop.param("TYPE") or ["jpeg"])[0].lower()
            media = kind if "/" in kind else f"image/{kind}"
            return Photo(data=base64.b64decode("".join(prop.value.split())), media_type=media)
        if prop.value[:5].lower() == "data:":
            meta, _, payload = prop.value[5:].partition(",")
            media = meta.split(";")[0] or "image/jpeg"
            return Photo(data=base64.b64decode("".join(payload.split())), media_type=media)
    except (binascii.Error, ValueError):
        return None
    return Photo(uri=prop.value)


def read_fields(card: Card) -> ContactFields:
    n = structured(card.first("N"), 5)
    org = structured(card.first("ORG"), 2)
    fn = card.first("FN")
    nick = card.first("NICKNAME")
    title = card.first("TITLE")
    note = card.first("NOTE")
    bday = card.first("BDAY")
    anniversary = card.first("ANNIVERSARY") or card.first("X-ANNIVERSARY")
    categories: list[str] = []
    for prop in card.all("CATEGORIES"):
        categories.extend(unescape(c).strip() for c in split_unescaped(prop.value, ",") if c.strip())
    addresses = []
    for prop in card.all("ADR"):
        parts = structured(prop, 7)
        typed = _typed(card, prop, "")
        addresses.append(
            PostalAddress(
                po_box=parts[0], extended=parts[1], street=parts[2], locality=parts[3], region=parts[4],
                postal_code=parts[5], country=parts[6], types=typed.types, pref=typed.pref, label=typed.label,
            )
        )  # fmt: skip
    members = [p.text.strip() for p in card.all("MEMBER", "X-ADDRESSBOOKSERVER-MEMBER")]
    return ContactFields(
        formatted_name=fn.text if fn else "",
        family=n[0], given=n[1], additional=n[2], prefix=n[3], suffix=n[4],
        nickname=nick.text if nick else "",
        organisation=org[0], department=org[1],
        title=title.text if title else "",
        emails=[_typed(card, p, p.text.strip()) for p in card.all("EMAIL")],
        phones=[_typed(card, p, p.text.strip().removeprefix("tel:")) for p in card.all("TEL")],
        addresses=addresses,
        urls=[_typed(card, p, p.text.strip()) for p in card.all("URL")],
        birthday=bday.text.strip() if bday else "",
        anniversary=anniversary.text.strip() if anniversary else "",
        note=note.text if note else "",
        categories=categories,
        photo=_photo_of(card),
        kind="group" if card_kind(card) == "group" else "individual",
        members=members,
        uid=card.uid,
    )  # fmt: skip


# Properties the form owns: writing a card replaces these and keeps everything else.
FORM_PROPS = frozenset(
    {
        "N", "FN", "NICKNAME", "ORG", "TITLE", "EMAIL", "TEL", "ADR", "URL", "BDAY", "ANNIVERSARY",
        "X-ANNIVERSARY", "NOTE", "PHOTO", "CATEGORIES", "KIND", "X-ADDRESSBOOKSERVER-KIND", "MEMBER",
        "X-ADDRESSBOOKSERVER-MEMBER", "REV",
    }
)  # fmt: skip


def _typed_params(value: TypedValue | PostalAddress, version: str) -> list[tuple[str, list[str]]]:
    types = [t for t in value.types if t]
    if version == "3.0":
        return [("TYPE", [*types, "pref"])] if value.pref else ([("TYPE", types)] if types else [])
    params: list[tuple[str, list[str]]] = [("TYPE", types)] if types else []
    return [*params, ("PREF", ["1"])] if value.pref else params


class _Groups:
    def __init__(self, card: Card) -> None:
        used = {p.group.lower() for p in card.props if p.group}
        self.next = 1
        self.used = used

    def take(self) -> str:
        while f"item{self.next}" in self.used:
            self.next += 1
        self.used.add(f"item{self.next}")
        return f"item{self.next}"


def _photo_prop(photo: Photo, version: str) -> Prop:
    if photo.uri:
        return Prop("PHOTO", photo.uri, [("VALUE", ["uri"])] if version == "3.0" else [])
    if len(photo.data) > PHOTO_MAX_BYTES:
        raise PayloadTooLarge(
            f"The photo is {len(photo.data) // 1024} KB; at most {PHOTO_MAX_BYTES // 1024} KB is allowed."
        )
    payload = base64.b64encode(photo.data).decode()
    if version == "3.0":
        subtype = photo.media_type.partition("/")[2] or "jpeg"
        return Prop("PHOTO", payload, [("ENCODING", ["b"]), ("TYPE", [subtype.upper()])])
    return Prop("PHOTO", f"data:{photo.media_type};base64,{payload}")


def write_card(fields: ContactFields, *, base: Card | None = None, version: str = "4.0", rev: str = "") -> Card:
    """A card from the form's fields. Editing keeps the base card's version, UID and every property the form
    does not own (with the Apple labels of those it replaced removed)."""
    if base is not None:
        version = base.version
    if version not in VERSIONS:
        raise InvalidCard(f"vCard version {version!r} is not supported: use 3.0 or 4.0.")
    name = fields.formatted_name.strip() or " ".join(
        x for x in (fields.prefix, fields.given, fields.additional, fields.family, fields.suffix) if x.strip()
    )
    name = name.strip() or fields.organisation.strip() or next((e.value for e in fields.emails if e.value), "")
    if not name.strip():
        raise InvalidCard("A contact needs a name, an organisation or an email address.")
    dropped_groups: set[str] = set()
    kept: list[Prop] = []
    for prop in base.props if base else []:
        if prop.name in FORM_PROPS:
            if prop.group:
                dropped_groups.add(prop.group.lower())
            continue
        kept.append(prop)
    kept = [p for p in kept if not (p.name == "X-ABLABEL" and p.group and p.group.lower() in dropped_groups)]
    card = Card(kept or [Prop("VERSION", version)])
    if card.first("VERSION") is None:
        card.props.insert(0, Prop("VERSION", version))
    if not card.uid:
        card.set("UID", escape(fields.uid or new_uid(version)))
    groups = _Groups(card)
    out: list[Prop] = []

    def add(prop: Prop, label: str = "") -> None:
        if label:
            group = groups.take()
            prop.group = group
            out.append(prop)
            out.append(Prop("X-ABLABEL", escape(label), group=group))
        else:
            out.append(prop)

    out.append(Prop("FN", escape(name.strip())))
    n_parts = (fields.family, fields.given, fields.additional, fields.prefix, fields.suffix)
    out.append(Prop("N", ";".join(escape(p.strip()) for p in n_parts)))
    if fields.nickname.strip():
        out.append(Prop("NICKNAME", escape(fields.nickname.strip())))
    if fields.organisation.strip() or fields.department.strip():
        org = escape(fields.organisation.strip())
        out.append(Prop("ORG", org + (";" + escape(fields.department.strip()) if fields.department.strip() else "")))
    if fields.title.strip():
        out.append(Prop("TITLE", escape(fields.title.strip())))
    for email in fields.emails:
        if email.value.strip():
            params = _typed_params(email, version)
            if version == "3.0":
                params = [("TYPE", ["INTERNET", *(params[0][1] if params else [])])]
            add(Prop("EMAIL", escape(email.value.strip()), params), email.label)
    for phone in fields.phones:
        if phone.value.strip():
            add(Prop("TEL", escape(phone.value.strip()), _typed_params(phone, version)), phone.label)
    for adr in fields.addresses:
        if not adr.is_empty():
            parts = (adr.po_box, adr.extended, adr.street, adr.locality, adr.region, adr.postal_code, adr.country)
            add(Prop("ADR", ";".join(escape(p.strip()) for p in parts), _typed_params(adr, version)), adr.label)
    for url in fields.urls:
        if url.value.strip():
            add(Prop("URL", url.value.strip(), _typed_params(url, version)), url.label)
    if fields.birthday.strip():
        out.append(Prop("BDAY", fields.birthday.strip()))
    if fields.anniversary.strip():
        out.append(Prop("ANNIVERSARY" if version == "4.0" else "X-ANNIVERSARY", fields.anniversary.strip()))
    if fields.note.strip():
        out.append(Prop("NOTE", escape(fields.note.strip())))
    categories = [c.strip() for c in fields.categories if c.strip()]
    if categories:
        out.append(Prop("CATEGORIES", ",".join(escape(c) for c in categories)))
    if fields.photo is not None:
        out.append(_photo_prop(fields.photo, version))
    if fields.kind == "group":
        out.append(Prop("KIND" if version == "4.0" else "X-ADDRESSBOOKSERVER-KIND", "group"))
        for member in fields.members:
            if member.strip():
                out.append(Prop("MEMBER" if version == "4.0" else "X-ADDRESSBOOKSERVER-MEMBER", member.strip()))
    if rev:
        out.append(Prop("REV", rev))
    card.props = [card.props[0], *out, *card.props[1:]]
    _check_binary(card)
    return card


def merge_fields(keep: ContactFields, other: ContactFields) -> ContactFields:
    """keep, with what only other has: its addresses, phones, URLs, categories and members added, and its
    values for whatever keep leaves empty."""

    def union(a: list[TypedValue], b: list[TypedValue]) -> list[TypedValue]:
        out = list(a)
        seen = {_norm(x.value) for x in a}
        for x in b:
            if _norm(x.value) not in seen:
                seen.add(_norm(x.value))
                out.append(x)
        return out

    merged = replace(keep)
    for attr in (
        "formatted_name", "prefix", "given", "additional", "family", "suffix", "nickname", "organisation",
        "department", "title", "birthday", "anniversary",
    ):  # fmt: skip
        if not getattr(merged, attr).strip():
            setattr(merged, attr, getattr(other, attr))
    if other.note.strip() and other.note.strip() not in merged.note:
        merged.note = (merged.note.rstrip() + "\n\n" + other.note.strip()).strip()
    merged.emails = union(list(keep.emails), other.emails)
    merged.phones = list(keep.phones) + [
        p for p in other.phones if phone_digits(p.value) not in {phone_digits(k.value) for k in keep.phones}
    ]
    merged.urls = union(list(keep.urls), other.urls)
    known_adr = {_adr_key(a) for a in keep.addresses}
    merged.addresses = list(keep.addresses) + [a for a in other.addresses if _adr_key(a) not in known_adr]
    merged.categories = list(dict.fromkeys([*keep.categories, *other.categories]))
    merged.members = list(dict.fromkeys([*keep.members, *other.members]))
    if merged.photo is None:
        merged.photo = other.photo
    return merged


def _norm(value: str) -> str:
    return value.strip().casefold()


def _adr_key(a: PostalAddress) -> tuple[str, ...]:
    return tuple(_norm(x) for x in (a.po_box, a.extended, a.street, a.locality, a.region, a.postal_code, a.country))


# ---------------------------------------------------------------------------------------------------------
# 3.0 <-> 4.0


def _to_4(prop: Prop) -> Prop | None:
    params = prop.without_params("CHARSET")
    types = prop.param("TYPE")
    if types:
        lowered = [t.lower() for t in types]
        rest = [t for t in types if t.lower() not in ("pref", "internet")]
        params = [(k, v) for k, v in params if k != "TYPE"]
        if rest:
            params.append(("TYPE", rest))
        if "pref" in lowered:
            params.append(("PREF", ["1"]))
    name = prop.name
    value = prop.value
    if name in ("PHOTO", "LOGO"):
        encoding = [e.lower() for e in prop.param("ENCODING")]
        if "b" in encoding or "base64" in encoding:
            subtype = (prop.param("TYPE") or ["jpeg"])[0].lower()
            media = subtype if "/" in subtype else f"image/{subtype}"
            return Prop(name, f"data:{media};base64,{''.join(value.split())}", [], prop.group)
        params = [(k, v) for k, v in params if k != "VALUE"]
    if name == "X-ADDRESSBOOKSERVER-KIND":
        name = "KIND"
    elif name == "X-ADDRESSBOOKSERVER-MEMBER":
        name = "MEMBER"
    elif name == "X-ANNIVERSARY":
        name = "ANNIVERSARY"
    elif name == "VERSION":
        value = "4.0"
    return Prop(name, value, params, prop.group)


def _to_3(prop: Prop) -> Prop | None:
    params = prop.without_params("PREF")
    name = prop.name
    value = prop.value
    if prop.param("PREF") == ["1"]:
        types = prop.param("TYPE")
        params = [(k, v) for k, v in params if k != "TYPE"] + [("TYPE", [*types, "pref"])]
    if name in ("PHOTO", "LOGO"):
        if value[:5].lower() == "data:":
            meta, _, payload = value[5:].partition(",")
            media = meta.split(";")[0] or "image/jpeg"
            subtype = media.partition("/")[2] or "jpeg"
            return Prop(name, payload, [("ENCODING", ["b"]), ("TYPE", [subtype.upper()])], prop.group)
        if not prop.has_param("VALUE"):
            params.append(("VALUE", ["uri"]))
    if name == "KIND":
        if value.strip().lower() != "group":
            return None
        name = "X-ADDRESSBOOKSERVER-KIND"
    elif name == "MEMBER":
        name = "X-ADDRESSBOOKSERVER-MEMBER"
    elif name == "ANNIVERSARY":
        name = "X-ANNIVERSARY"
    elif name == "VERSION":
        value = "3.0"
    return Prop(name, value, params, prop.group)


def card_as_version(card: Card, version: str) -> Card:
    if version not in VERSIONS:
        raise InvalidCard(f"vCard version {version!r} is not supported: use 3.0 or 4.0.")
    if card.version == version:
        return card
    convert = _to_4 if version == "4.0" else _to_3
    props = [p for p in (convert(prop) for prop in card.props) if p is not None]
    out = Card(props)
    if version == "3.0" and out.first("N") is None:
        out.props.insert(1, Prop("N", ";;;;"))
    if version == "4.0":
        # ANNIVERSARY may now be there twice if the 3.0 card had both spellings.
        seen = False
        kept = []
        for prop in out.props:
            if prop.name == "ANNIVERSARY":
                if seen:
                    continue
                seen = True
            kept.append(prop)
        out.props = kept
    return out


def vcard_as_version(text: str, version: str) -> str:
    """A stored card in the version a client asked for (RFC 6352 address-data content-type version); the
    text is returned unchanged when it is that version already."""
    card = parse_card(text, fix=True)
    if card.version == version:
        return text
    return serialize(card_as_version(card, version))


# ---------------------------------------------------------------------------------------------------------
# addressbook-query (RFC 6352 10.5)


def _text_matches(value: str, match: TextMatch) -> bool:
    return text_matches(
        value, text=match.text, collation=match.collation, match_type=match.match_type, negate=match.negate
    )


def _param_matches(props: list[Prop], pf: ParamFilter) -> bool:
    for prop in props:
        values = prop.param(pf.name)
        present = prop.has_param(pf.name)
        if pf.is_not_defined:
            if not present:
                return True
            continue
        if not present:
            continue
        if pf.text_match is None:
            return True
        if any(_text_matches(v, pf.text_match) for v in values):
            return True
    return False


def _prop_matches(card: Card, pf: PropFilter) -> bool:
    props = [p for p in card.props if p.name == pf.name.upper()]
    if pf.is_not_defined:
        return not props
    if not props:
        return False
    if not pf.text_matches and not pf.param_filters:
        return True
    results = [any(_text_matches(p.text, tm) for p in props) for tm in pf.text_matches]
    results += [_param_matches(props, param) for param in pf.param_filters]
    return all(results) if pf.test == "allof" else any(results)


def query_check(query: AddressbookQuery) -> None:
    for pf in query.prop_filters:
        matches = [*pf.text_matches, *(p.text_match for p in pf.param_filters if p.text_match)]
        for tm in matches:
            if tm.collation not in COLLATIONS:
                raise InvalidQuery(
                    f"The collation {tm.collation!r} is not supported: use one of {', '.join(COLLATIONS)}."
                )


def card_matches(card: Card, query: AddressbookQuery) -> bool:
    if not query.prop_filters:
        return True
    results = (_prop_matches(card, pf) for pf in query.prop_filters)
    return all(results) if query.test == "allof" else any(results)
