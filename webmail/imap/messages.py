"""Reading message summaries from a selected folder."""

from dataclasses import dataclass
from datetime import datetime

from webmail.mime.headers import decode_words

from .connection import imap_errors
from .pool import PooledConnection


@dataclass(frozen=True)
class MessageSummary:
    uid: int
    sender_name: str
    sender_address: str
    subject: str
    date: datetime | None
    seen: bool


def _sender(envelope: object) -> tuple[str, str]:
    addresses = getattr(envelope, "from_", None) or getattr(envelope, "sender", None) or ()
    if not addresses:
        return "", ""
    first = addresses[0]
    mailbox = decode_words(first.mailbox)
    host = decode_words(first.host)
    return decode_words(first.name), f"{mailbox}@{host}" if host else mailbox


def newest_messages(conn: PooledConnection, folder: str, limit: int) -> tuple[int, list[MessageSummary]]:
    """The folder's message count and its newest `limit` messages, newest first.

    Uses sequence numbers (arrival order), so it costs one FETCH of at most `limit` envelopes.
    """
    state = conn.select(folder)
    if state.exists == 0:
        return 0, []
    first = max(1, state.exists - limit + 1)
    with imap_errors(conn.endpoint):
        conn.client.use_uid = False  # a FETCH by sequence numbers; UIDs come back in the items
        try:
            data = conn.client.fetch(list(range(first, state.exists + 1)), ["UID", "ENVELOPE", "INTERNALDATE", "FLAGS"])
        finally:
            conn.client.use_uid = True
    summaries = []
    for item in data.values():
        envelope = item.get(b"ENVELOPE")
        name, address = _sender(envelope)
        date = getattr(envelope, "date", None) or item.get(b"INTERNALDATE")
        summaries.append(
            MessageSummary(
                uid=int(item[b"UID"]),
                sender_name=name,
                sender_address=address,
                subject=decode_words(getattr(envelope, "subject", None)),
                date=date if isinstance(date, datetime) else None,
                seen=b"\\Seen" in item.get(b"FLAGS", ()),
            )
        )
    summaries.sort(key=lambda s: s.uid, reverse=True)
    return state.exists, summaries
