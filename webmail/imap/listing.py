"""Listing a folder: its state stamp, SORT/THREAD/SEARCH (on the server when it offers them, else
client-side in .clientside), and page summaries."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from webmail.mime.compose import format_address
from webmail.mime.headers import decode_words

from .clientside import fetch_sort_entries, fetch_thread_entries, sort_entries, thread_groups
from .pool import PooledConnection

SORT_KEYS = {"date": b"DATE", "arrival": b"ARRIVAL", "from": b"FROM", "subject": b"SUBJECT", "size": b"SIZE"}
SUMMARY_ITEMS = ["UID", "FLAGS", "ENVELOPE", "INTERNALDATE", "RFC822.SIZE", "BODYSTRUCTURE"]
SNIPPET_ITEM = "SNIPPET (FUZZY)"


@dataclass(frozen=True)
class FolderStamp:
    """What identifies a folder's contents: the UID set changes only with UIDNEXT or MESSAGES;
    flags change HIGHESTMODSEQ, which only a server with CONDSTORE reports (None otherwise)."""

    uidvalidity: int
    uidnext: int
    messages: int
    unseen: int
    highestmodseq: int | None


@dataclass(frozen=True)
class Address:
    name: str
    email: str

    def __str__(self) -> str:
        # Quoted where needed: this text goes into compose fields and is parsed again on send.
        return format_address(self.name, self.email)


UNKNOWN_SENDER = "(unknown sender)"
UNKNOWN_RECIPIENT = "(no recipient)"


def address_label(found: Sequence[Address], fallback: str) -> str:
    """The first address as a list row or a reader shows it: its name, else its address."""
    return (found[0].name or found[0].email or fallback) if found else fallback


def message_date(envelope_date: object, internal_date: object) -> datetime | None:
    """The Date header when it is a moment that exists, else when the server received the message.
    imapclient keeps a zone like -3000 as given, and such a datetime fails only once it is shown."""
    for candidate in (envelope_date, internal_date):
        if isinstance(candidate, datetime):
            try:
                candidate.utcoffset()
                if candidate.tzinfo is not None:
                    candidate.astimezone(UTC)
            except (ValueError, OverflowError):
                continue
            return candidate
    return None


@dataclass(frozen=True)
class MessageSummary:
    uid: int
    sender: Address | None
    to: tuple[Address, ...]
    subject: str
    date: datetime | None
    size: int
    flags: frozenset[str]
    has_attachment: bool
    snippet: str

    @property
    def sender_label(self) -> str:
        return address_label((self.sender,) if self.sender else (), UNKNOWN_SENDER)

    @property
    def recipient_label(self) -> str:
        return address_label(self.to, UNKNOWN_RECIPIENT)

    @property
    def seen(self) -> bool:
        return "\\Seen" in self.flags

    @property
    def flagged(self) -> bool:
        return "\\Flagged" in self.flags

    @property
    def answered(self) -> bool:
        return "\\Answered" in self.flags

    @property
    def forwarded(self) -> bool:
        return "$Forwarded" in self.flags


def folder_stamp(conn: PooledConnection, folder: str) -> FolderStamp:
    # STATUS HIGHESTMODSEQ is a CONDSTORE item: a server without it may answer BAD to the whole STATUS.
    condstore = conn.has("CONDSTORE")
    items = [b"UIDVALIDITY", b"UIDNEXT", b"MESSAGES", b"UNSEEN"] + ([b"HIGHESTMODSEQ"] if condstore else [])
    with conn.command():
        if conn.selected == folder:
            conn.client.noop()  # STATUS of the selected folder reports this session's view: bring it up to date
        status = conn.client.folder_status(folder, items)
    modseq = status.get(b"HIGHESTMODSEQ")
    return FolderStamp(
        uidvalidity=int(status[b"UIDVALIDITY"]),
        uidnext=int(status[b"UIDNEXT"]),
        messages=int(status[b"MESSAGES"]),
        unseen=int(status[b"UNSEEN"]),
        highestmodseq=int(modseq) if condstore and modseq is not None else None,
    )


def sorted_uids(
    conn: PooledConnection, folder: str, *, sort: str, reverse: bool, criteria: Sequence[object]
) -> list[int]:
    """UIDs of the messages matching criteria, in the requested order: UID SORT when the server
    offers it, else SEARCH plus the sort key's FETCH items, sorted here the same way."""
    conn.select(folder)
    if not conn.has("SORT"):
        uids = search_uids(conn, folder, list(criteria) or ["ALL"])
        return sort_entries(fetch_sort_entries(conn, uids, sort), sort=sort, reverse=reverse)
    keys = [b"REVERSE", SORT_KEYS[sort]] if reverse else [SORT_KEYS[sort]]
    with conn.command():
        return [int(uid) for uid in conn.client.sort(keys, list(criteria) or ["ALL"], charset="UTF-8")]


def thread_uids(conn: PooledConnection, folder: str, *, criteria: Sequence[object]) -> list[list[int]]:
    """Conversations (THREAD=REFERENCES, or the same grouping done here when the server lacks it),
    each as its UIDs in ascending order, newest conversation first."""
    conn.select(folder)
    if conn.has("THREAD=REFERENCES"):
        with conn.command():
            threads = conn.client.thread("REFERENCES", list(criteria) or ["ALL"], charset="UTF-8")
        flat = [sorted(_flatten(thread)) for thread in threads]
    else:
        flat = thread_groups(fetch_thread_entries(conn, search_uids(conn, folder, list(criteria) or ["ALL"])))
    flat = [uids for uids in flat if uids]
    flat.sort(key=lambda uids: uids[-1], reverse=True)
    return flat


def _flatten(node: object) -> Iterable[int]:
    if isinstance(node, int):
        yield node
    elif isinstance(node, tuple | list):
        for child in node:
            yield from _flatten(child)


def existing_uids(conn: PooledConnection, folder: str, uids: Sequence[int]) -> set[int]:
    """Which of these UIDs the folder holds (one UID SEARCH): actions on others are refused, not ignored."""
    if not uids:
        return set()
    return set(search_uids(conn, folder, ["UID", ",".join(str(int(uid)) for uid in uids)]))


def search_uids(conn: PooledConnection, folder: str, criteria: Sequence[object]) -> list[int]:
    conn.select(folder)
    with conn.command():
        return sorted(int(uid) for uid in conn.client.search(list(criteria), charset="UTF-8"))


def _address(raw: object) -> Address | None:
    mailbox = decode_words(getattr(raw, "mailbox", None))
    host = decode_words(getattr(raw, "host", None))
    if not mailbox and not host:
        return None
    return Address(name=decode_words(getattr(raw, "name", None)), email=f"{mailbox}@{host}" if host else mailbox)


def addresses(raw: object) -> tuple[Address, ...]:
    found = (_address(item) for item in (raw or ()))  # type: ignore[attr-defined]
    return tuple(a for a in found if a is not None)


def _has_attachment(structure: object) -> bool:
    """Cheap answer from BODYSTRUCTURE: a multipart/mixed message, or any part marked attachment."""
    if structure is None:
        return False
    if getattr(structure, "is_multipart", False):
        subtype = structure[1] if len(structure) > 1 else b""  # type: ignore[index, arg-type]
        if isinstance(subtype, bytes) and subtype.upper() == b"MIXED":
            return True
        children = structure[0] if structure else []  # type: ignore[index]
        return any(_has_attachment(child) for child in children if isinstance(child, tuple))
    for item in structure:  # type: ignore[attr-defined]
        if isinstance(item, tuple) and item and isinstance(item[0], bytes) and item[0].upper() == b"ATTACHMENT":
            return True
    return False


def fetch_summaries(
    conn: PooledConnection, folder: str, uids: Sequence[int], *, snippets: bool = True
) -> list[MessageSummary]:
    """Summaries of the given UIDs, in the given order (UIDs no longer there are skipped)."""
    if not uids:
        return []
    conn.select(folder)
    items = [*SUMMARY_ITEMS, SNIPPET_ITEM] if snippets and conn.has("SNIPPET=FUZZY") else SUMMARY_ITEMS
    with conn.command():
        data = conn.client.fetch(list(uids), items)
    summaries = []
    for uid in uids:
        item = data.get(uid)
        if item is None:
            continue
        envelope = item.get(b"ENVELOPE")
        senders = addresses(getattr(envelope, "from_", None)) or addresses(getattr(envelope, "sender", None))
        snippet = item.get(b"SNIPPET")
        summaries.append(
            MessageSummary(
                uid=uid,
                sender=senders[0] if senders else None,
                to=addresses(getattr(envelope, "to", None)),
                subject=decode_words(getattr(envelope, "subject", None)),
                date=message_date(getattr(envelope, "date", None), item.get(b"INTERNALDATE")),
                size=int(item.get(b"RFC822.SIZE", 0)),
                flags=frozenset(f.decode() if isinstance(f, bytes) else str(f) for f in item.get(b"FLAGS", ())),
                has_attachment=_has_attachment(item.get(b"BODYSTRUCTURE")),
                snippet=decode_words(snippet[1]) if isinstance(snippet, tuple) and len(snippet) > 1 else "",
            )
        )
    return summaries


def fetch_flags(conn: PooledConnection, folder: str, uids: Sequence[int]) -> dict[int, frozenset[str]]:
    if not uids:
        return {}
    conn.select(folder)
    with conn.command():
        data = conn.client.fetch(list(uids), ["FLAGS"])
    return {
        uid: frozenset(f.decode() if isinstance(f, bytes) else str(f) for f in item.get(b"FLAGS", ()))
        for uid, item in data.items()
    }


def fetch_dates(conn: PooledConnection, folder: str, uids: Sequence[int]) -> dict[int, datetime]:
    if not uids:
        return {}
    conn.select(folder)
    with conn.command():
        data = conn.client.fetch(list(uids), ["INTERNALDATE"])
    return {uid: item[b"INTERNALDATE"] for uid, item in data.items() if isinstance(item.get(b"INTERNALDATE"), datetime)}
