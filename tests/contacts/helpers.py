from pathlib import Path

from contacts.models import AddressBook
from contacts.selectors import addressbooks_for_user
from core.access import Access

SAMPLES = Path(__file__).parent.parent / "samples"


def card(uid: str, fn: str, *, email: str = "", extra: str = "", version: str = "3.0") -> str:
    lines = ["BEGIN:VCARD", f"VERSION:{version}", f"UID:{uid}", f"FN:{fn}"]
    if email:
        lines.append(f"EMAIL:{email}")
    if extra:
        lines.append(extra)
    return "\r\n".join([*lines, "END:VCARD", ""])


def default_book(user) -> Access[AddressBook]:  # type: ignore[no-untyped-def]
    return addressbooks_for_user(user=user)[0]
