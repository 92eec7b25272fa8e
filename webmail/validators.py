"""Everything the browser sends that reaches IMAP is checked here first: folder names, UIDs,
part numbers, flags, sort keys and search text. Nothing with CR, LF or NUL gets through."""

import re
from collections.abc import Iterable
from datetime import date

from core.errors import RoostError

MAX_UIDS = 5000
FLAGS = {"seen": "\\Seen", "flagged": "\\Flagged", "answered": "\\Answered", "forwarded": "$Forwarded"}
SORTS = ("date", "arrival", "from", "subject", "size")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_PART = re.compile(r"^[1-9][0-9]{0,3}(\.[1-9][0-9]{0,3}){0,19}$")


class InvalidRequest(RoostError):
    pass


def clean_folder(value: object) -> str:
    if not isinstance(value, str) or not value or len(value) > 255 or _CONTROL.search(value):
        raise InvalidRequest("That folder name is not valid.")
    return value


def clean_new_folder_name(value: object, delimiter: str) -> str:
    name = clean_folder(value.strip() if isinstance(value, str) else value)
    if "*" in name or "%" in name or name.startswith(delimiter) or name.endswith(delimiter):
        raise InvalidRequest(f"A folder name cannot contain * or %, or start or end with {delimiter}.")
    if name.upper() == "INBOX":
        raise InvalidRequest("INBOX is a reserved name.")
    return name


def clean_uid(value: object) -> int:
    try:
        uid = int(str(value))
    except ValueError:
        raise InvalidRequest("That message reference is not valid.") from None
    if not 0 < uid < 2**32:
        raise InvalidRequest("That message reference is not valid.")
    return uid


def clean_uids(values: Iterable[object]) -> list[int]:
    uids = sorted({clean_uid(v) for v in values})
    if not uids:
        raise InvalidRequest("Select at least one message.")
    if len(uids) > MAX_UIDS:
        raise InvalidRequest(f"Select at most {MAX_UIDS} messages at once.")
    return uids


def clean_part_id(value: object) -> str:
    if not isinstance(value, str) or not _PART.match(value):
        raise InvalidRequest("That attachment reference is not valid.")
    return value


def clean_sort(value: object) -> str:
    return value if isinstance(value, str) and value in SORTS else "date"


def clean_search_text(value: object) -> str:
    text = value if isinstance(value, str) else ""
    text = _CONTROL.sub(" ", text).strip()
    if len(text) > 200:
        raise InvalidRequest("Search for at most 200 characters.")
    return text


def clean_date(value: object) -> date | None:
    if not value or not isinstance(value, str):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidRequest("Give dates as YYYY-MM-DD.") from None
