"""Contacts as CSV: Google Contacts' and Outlook's export layouts, recognised by their header row, read into
ContactFields; export writes Google's layout, which Google, Outlook and Thunderbird all import."""

import csv
import io
from collections.abc import Iterator

from core.errors import RoostError

from .vcard import ContactFields, PostalAddress, TypedValue

GOOGLE_MULTI = " ::: "  # Google joins several values of one column with this


class UnknownCsvLayout(RoostError):
    pass


def _decode(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")  # Outlook on Windows writes the ANSI code page


def _types(label: str) -> tuple[str, ...]:
    label = label.strip().lstrip("* ").lower()
    label = {"mobile": "cell", "homepage": "home", "workfax": "fax", "homefax": "fax"}.get(label, label)
    return (label,) if label and label != "other" else ()


def _google_row(row: dict[str, str]) -> ContactFields:
    get = lambda key: (row.get(key) or "").strip()  # noqa: E731
    fields = ContactFields(
        given=get("First Name") or get("Given Name"),
        additional=get("Middle Name") or get("Additional Name"),
        family=get("Last Name") or get("Family Name"),
        prefix=get("Name Prefix"),
        suffix=get("Name Suffix"),
        nickname=get("Nickname"),
        formatted_name=get("File As") or get("Name"),
        organisation=get("Organization Name") or get("Organization 1 - Name"),
        title=get("Organization Title") or get("Organization 1 - Title"),
        department=get("Organization Department") or get("Organization 1 - Department"),
        birthday=get("Birthday"),
        note=get("Notes"),
    )
    labels = get("Labels") or get("Group Membership")
    fields.categories = [
        c.strip().lstrip("* ") for c in labels.split(GOOGLE_MULTI) if c.strip() and c.strip() != "* myContacts"
    ]
    for n in range(1, 10):
        for kind, target in (("E-mail", fields.emails), ("Phone", fields.phones), ("Website", fields.urls)):
            label = get(f"{kind} {n} - Label") or get(f"{kind} {n} - Type")
            for value in get(f"{kind} {n} - Value").split(GOOGLE_MULTI):
                if value.strip():
                    target.append(TypedValue(value.strip(), _types(label), pref=label.startswith("*")))
        if any(get(f"Address {n} - {part}") for part in ("Street", "City", "Postal Code", "Country", "Formatted")):
            street = get(f"Address {n} - Street") or get(f"Address {n} - Formatted")
            fields.addresses.append(
                PostalAddress(
                    street=street, locality=get(f"Address {n} - City"), region=get(f"Address {n} - Region"),
                    postal_code=get(f"Address {n} - Postal Code"), country=get(f"Address {n} - Country"),
                    po_box=get(f"Address {n} - PO Box"), extended=get(f"Address {n} - Extended Address"),
                    types=_types(get(f"Address {n} - Label") or get(f"Address {n} - Type")),
                )
            )  # fmt: skip
    return fields


_OUTLOOK_PHONES = (
    ("Mobile Phone", "cell"), ("Business Phone", "work"), ("Business Phone 2", "work"), ("Home Phone", "home"),
    ("Home Phone 2", "home"), ("Other Phone", ""), ("Primary Phone", ""), ("Business Fax", "fax"), ("Home Fax", "fax"),
    ("Pager", "pager"), ("Car Phone", "car"), ("Company Main Phone", "work"),
)  # fmt: skip


def _outlook_row(row: dict[str, str]) -> ContactFields:
    get = lambda key: (row.get(key) or "").strip()  # noqa: E731
    fields = ContactFields(
        given=get("First Name"), additional=get("Middle Name"), family=get("Last Name"), prefix=get("Title"),
        suffix=get("Suffix"), nickname=get("Nickname"), organisation=get("Company"), department=get("Department"),
        title=get("Job Title"), note=get("Notes"), birthday=_outlook_date(get("Birthday")),
        anniversary=_outlook_date(get("Anniversary")),
    )  # fmt: skip
    for key in ("E-mail Address", "E-mail 2 Address", "E-mail 3 Address"):
        if get(key):
            fields.emails.append(TypedValue(get(key)))
    for key, kind in _OUTLOOK_PHONES:
        if get(key):
            fields.phones.append(TypedValue(get(key), (kind,) if kind else ()))
    for prefix, kind in (("Business", "work"), ("Home", "home"), ("Other", "")):
        parts = [get(f"{prefix} {p}") for p in ("Street", "City", "State", "Postal Code", "Country/Region")]
        if any(parts):
            street, city, state, code, country = parts
            fields.addresses.append(PostalAddress(street, city, state, code, country, types=(kind,) if kind else ()))
    for key in ("Web Page", "Personal Web Page"):
        if get(key):
            fields.urls.append(TypedValue(get(key)))
    fields.categories = [c.strip() for c in get("Categories").split(";") if c.strip()]
    return fields


def _outlook_date(value: str) -> str:
    """Outlook writes M/D/YYYY, and 0/0/00 for none."""
    parts = value.split("/")
    if len(parts) == 3 and all(p.isdigit() for p in parts) and int(parts[0]) and int(parts[1]) and len(parts[2]) == 4:
        return f"{parts[2]}-{int(parts[0]):02d}-{int(parts[1]):02d}"
    return ""


def read_csv(data: bytes) -> Iterator[ContactFields | RoostError]:
    """Each row as ContactFields (or why it cannot be used), in order."""
    reader = csv.DictReader(io.StringIO(_decode(data)))
    header = set(reader.fieldnames or [])
    if "E-mail 1 - Value" in header or "Given Name" in header or "Organization Name" in header:
        convert = _google_row
    elif "E-mail Address" in header or "Business Phone" in header:
        convert = _outlook_row
    else:
        raise UnknownCsvLayout(
            "This CSV file's columns are not Google Contacts' or Outlook's; export from either, or as vCard."
        )
    try:
        for row in reader:
            fields = convert(row)
            if not (fields.formatted_name or fields.given or fields.family or fields.organisation or fields.emails):
                yield RoostError("This row has no name, organisation or email address.")
            else:
                yield fields
    except csv.Error as error:
        raise RoostError(f"The CSV file cannot be read: {error}") from None


GOOGLE_COLUMNS = [
    "First Name", "Middle Name", "Last Name", "Name Prefix", "Name Suffix", "Nickname", "File As", "Organization Name",
    "Organization Title", "Organization Department", "Birthday", "Notes", "Labels",
    "E-mail 1 - Label", "E-mail 1 - Value", "E-mail 2 - Label", "E-mail 2 - Value", "E-mail 3 - Label",
    "E-mail 3 - Value",
    "Phone 1 - Label", "Phone 1 - Value", "Phone 2 - Label", "Phone 2 - Value", "Phone 3 - Label", "Phone 3 - Value",
    "Address 1 - Label", "Address 1 - Street", "Address 1 - City", "Address 1 - PO Box", "Address 1 - Region",
    "Address 1 - Postal Code", "Address 1 - Country", "Address 1 - Extended Address",
    "Website 1 - Label", "Website 1 - Value",
]  # fmt: skip


def _label(value: TypedValue | PostalAddress) -> str:
    label = value.label or (value.types[0].capitalize() if value.types else "")
    return f"* {label}" if value.pref and label else label


def write_csv(rows: list[ContactFields]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, GOOGLE_COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    for f in rows:
        row = {
            "First Name": f.given, "Middle Name": f.additional, "Last Name": f.family, "Name Prefix": f.prefix,
            "Name Suffix": f.suffix, "Nickname": f.nickname, "File As": f.formatted_name,
            "Organization Name": f.organisation,
            "Organization Title": f.title, "Organization Department": f.department, "Birthday": f.birthday,
            "Notes": f.note, "Labels": GOOGLE_MULTI.join(f.categories),
        }  # fmt: skip
        if not (f.given or f.family) and f.formatted_name:
            row["First Name"] = f.formatted_name
        for kind, values in (("E-mail", f.emails), ("Phone", f.phones)):
            for n, value in enumerate(values[:3], start=1):
                row[f"{kind} {n} - Label"] = _label(value)
                row[f"{kind} {n} - Value"] = value.value
        if f.addresses:
            a = f.addresses[0]
            row.update({
                "Address 1 - Label": _label(a), "Address 1 - Street": a.street, "Address 1 - City": a.locality,
                "Address 1 - PO Box": a.po_box, "Address 1 - Region": a.region,
                "Address 1 - Postal Code": a.postal_code,
                "Address 1 - Country": a.country, "Address 1 - Extended Address": a.extended,
            })  # fmt: skip
        if f.urls:
            row["Website 1 - Label"], row["Website 1 - Value"] = _label(f.urls[0]), f.urls[0].value
        writer.writerow(row)
    return out.getvalue().encode("utf-8")
