"""Reading one message: its envelope and structure, chosen body parts, the raw source, and
attachments streamed in slices."""

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime

from webmail.mime.headers import decode_words
from webmail.mime.trace import TRACE_FIELDS

from .connection import imap_errors
from .errors import ImapError
from .listing import UNKNOWN_SENDER, Address, address_label, addresses, message_date
from .pool import PooledConnection


@dataclass(frozen=True)
class MessageHead:
    uid: int
    flags: frozenset[str]
    subject: str
    sender: tuple[Address, ...]
    to: tuple[Address, ...]
    cc: tuple[Address, ...]
    reply_to: tuple[Address, ...]
    date: datetime | None
    size: int
    message_id: str
    structure: object  # imapclient BodyData, for webmail.mime.structure
    trace: bytes = b""  # the Received and Return-Path fields, for webmail.mime.trace

    @property
    def sender_label(self) -> str:
        return address_label(self.sender, UNKNOWN_SENDER)

    @property
    def sender_email(self) -> str:
        return self.sender[0].email if self.sender else ""


_TRACE = f"HEADER.FIELDS ({' '.join(TRACE_FIELDS)})"


def fetch_head(conn: PooledConnection, folder: str, uid: int) -> MessageHead | None:
    conn.select(folder)
    with conn.command():
        data = conn.client.fetch(
            [uid], ["FLAGS", "ENVELOPE", "RFC822.SIZE", "BODYSTRUCTURE", "INTERNALDATE", f"BODY.PEEK[{_TRACE}]"]
        )
    item = data.get(uid)
    if item is None:
        return None
    envelope = item.get(b"ENVELOPE")
    return MessageHead(
        uid=uid,
        flags=frozenset(f.decode() if isinstance(f, bytes) else str(f) for f in item.get(b"FLAGS", ())),
        subject=decode_words(getattr(envelope, "subject", None)),
        sender=addresses(getattr(envelope, "from_", None)) or addresses(getattr(envelope, "sender", None)),
        to=addresses(getattr(envelope, "to", None)),
        cc=addresses(getattr(envelope, "cc", None)),
        reply_to=addresses(getattr(envelope, "reply_to", None)),
        date=message_date(getattr(envelope, "date", None), item.get(b"INTERNALDATE")),
        size=int(item.get(b"RFC822.SIZE", 0)),
        message_id=decode_words(getattr(envelope, "message_id", None)),
        structure=item.get(b"BODYSTRUCTURE"),
        trace=item.get(f"BODY[{_TRACE}]".encode(), b"") or b"",
    )


def folder_uidvalidity(conn: PooledConnection, folder: str) -> int | None:
    """The folder's UIDVALIDITY as it is now, without a SELECT when the connection has none to make;
    None when it cannot be had. Asked afresh each time: a folder deleted and made again under the same
    name starts its UIDs over."""
    try:
        with imap_errors(conn.endpoint):
            if conn.selected == folder:
                # STATUS of the selected folder reports this session's view: bring it up to date. Dovecot
                # answers NO when the folder went away under the session; selecting it again recovers.
                _, untagged = conn.client.noop()
                if any(isinstance(item, tuple) and item[:1] in ((b"NO",), (b"BYE",)) for item in untagged):
                    conn.selected = None
                    conn.select(folder)
            status = conn.client.folder_status(folder, [b"UIDVALIDITY"])
    except ImapError:
        return None
    value = status.get(b"UIDVALIDITY")
    return int(value) if value is not None else None


def fetch_sections(
    conn: PooledConnection, folder: str, uid: int, sections: Sequence[str], limit: int
) -> dict[str, bytes]:
    """The still-encoded bytes of some sections ("1.2", "HEADER", ""), each cut at limit bytes."""
    if not sections:
        return {}
    conn.select(folder)
    wanted = [f"BODY.PEEK[{s}]<0.{limit}>" for s in sections]
    with conn.command():
        data = conn.client.fetch([uid], wanted).get(uid, {})
    return {s: data.get(f"BODY[{s}]<0>".encode(), b"") or b"" for s in sections}


def iter_section(conn: PooledConnection, folder: str, uid: int, section: str, chunk: int = 1 << 20) -> Iterator[bytes]:
    """A section's encoded bytes in slices of `chunk`, one partial FETCH each."""
    conn.select(folder)
    offset = 0
    while True:
        with conn.command():
            data = conn.client.fetch([uid], [f"BODY.PEEK[{section}]<{offset}.{chunk}>"]).get(uid, {})
        piece = data.get(f"BODY[{section}]<{offset}>".encode()) or b""
        if piece:
            yield piece
        if len(piece) < chunk:
            return
        offset += len(piece)


def fetch_header_fields(conn: PooledConnection, folder: str, uid: int, names: Sequence[str]) -> bytes:
    section = f"HEADER.FIELDS ({' '.join(names)})"
    conn.select(folder)
    with conn.command():
        data = conn.client.fetch([uid], [f"BODY.PEEK[{section}]"]).get(uid, {})
    return data.get(f"BODY[{section}]".encode(), b"") or b""
