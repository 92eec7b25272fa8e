"""One attachment of a stored message, decoded and whole, for an app that reads what it holds (the calendar
reads an .ics invitation this way). The part comes through the user's own mailbox, so another user's folder
or UID is simply not there."""

from collections.abc import Callable
from dataclasses import dataclass

from core.errors import PayloadTooLarge, RoostError
from webmail.imap.reading import fetch_head, fetch_sections
from webmail.mailstore import MailAccount, mailbox_connection
from webmail.mime.stream import decode_transfer
from webmail.mime.structure import MimePart, decode_body
from webmail.services.attachments import attachment_parts
from webmail.services.reading import MessageMissing
from webmail.validators import clean_folder, clean_part_id

CALENDAR_TYPES = frozenset({"text/calendar", "application/ics", "text/x-vcalendar", "application/x-ical"})
CALENDAR_EXTENSIONS = (".ics", ".ical", ".icalendar", ".vcs")
PART_MAX_BYTES = 5 * 1024 * 1024


def is_calendar(content_type: str, filename: str | None) -> bool:
    """An iCalendar attachment or inline part (an invitation, an exported event), by type or name."""
    return content_type.lower() in CALENDAR_TYPES or (filename or "").lower().endswith(CALENDAR_EXTENSIONS)


def is_calendar_part(part: MimePart) -> bool:
    return is_calendar(part.content_type, part.filename)


@dataclass(frozen=True)
class PartContent:
    part_id: str
    filename: str
    content_type: str
    data: bytes  # the transfer encoding undone; text parts re-encoded as UTF-8 (see message_part_content)


def message_part_content(
    *,
    account: MailAccount,
    folder: str,
    uid: int,
    part_id: str,
    as_text: bool,
    max_bytes: int = PART_MAX_BYTES,
    accept: Callable[[MimePart], bool] | None = None,
    refusal: str = "This attachment cannot be read here.",
) -> PartContent:
    """The part's bytes. With as_text the part is read as text in its declared charset (with the same
    fallbacks as message bodies) and handed on as UTF-8. A part larger than max_bytes is refused, and so,
    before anything is fetched, is one that accept(part) turns down (with the refusal as the message)."""
    folder, part_id = clean_folder(folder), clean_part_id(part_id)
    with mailbox_connection(account) as conn:
        head = fetch_head(conn, folder, uid)
        if head is None:
            raise MessageMissing("This message is no longer there: it may have been moved or deleted.")
        part = next((p for p in attachment_parts(head.structure) if p.part_id == part_id), None)
        if part is None:
            raise MessageMissing("This message has no such attachment.")
        if accept is not None and not accept(part):
            raise RoostError(refusal)
        # Base64 serves 4 characters (plus line breaks) for every 3 bytes: refuse before fetching what cannot fit.
        ceiling = max_bytes * 4 // 3 + max_bytes // 30 + 1024
        if part.size >= ceiling:
            raise PayloadTooLarge(f"The attachment is larger than {max_bytes // (1024 * 1024)} MB.")
        raw = fetch_sections(conn, folder, uid, [part_id], ceiling)[part_id]
    if as_text:
        data = decode_body(raw, encoding=part.encoding, charset=part.charset).encode("utf-8")
    else:
        data = decode_transfer(raw, part.encoding)
    if len(data) > max_bytes:
        raise PayloadTooLarge(f"The attachment is larger than {max_bytes // (1024 * 1024)} MB.")
    return PartContent(part_id=part_id, filename=part.filename or "", content_type=part.content_type, data=data)
