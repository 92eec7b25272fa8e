"""What Roost does itself when the server lacks SORT or THREAD: sort fetched values the way RFC 5256
(and Dovecot) sorts them, and group messages into conversations by their references.

The pure functions (base_subject, sort_entries, thread_groups) work on plain values so they can be
tested without a server; fetch_sort_entries and fetch_thread_entries get those values in batches of
small FETCH items (never a body).
"""

import itertools
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from webmail.mime.headers import decode_words

from .pool import PooledConnection

BATCH = 1000
_BLOB = re.compile(r"\[[^\[\]]*\][ ]*")
_LEADER = re.compile(r"(?:\[[^\[\]]*\][ ]*)*(?:re|fwd?)[ ]*(?:\[[^\[\]]*\][ ]*)?:", re.IGNORECASE)
_MSG_ID = re.compile(rb"<[^<>\s]+>")


def base_subject(subject: str) -> str:
    """RFC 5256 section 2.1: the subject without reply/forward markers, list tags and "(fwd)"."""
    text = " ".join(subject.split())
    while True:
        while True:  # (2) trailing "(fwd)" and spaces
            trimmed = text.rstrip(" ")
            if trimmed.lower().endswith("(fwd)"):
                trimmed = trimmed[:-5]
            if trimmed == text:
                break
            text = trimmed
        while True:  # (3)-(5) leading "Re:", "Fwd:", "[list]" and spaces
            before = text
            text = text.lstrip(" ")
            leader = _LEADER.match(text)
            if leader:
                text = text[leader.end() :]
            blob = _BLOB.match(text)
            if blob and text[blob.end() :]:
                text = text[blob.end() :]
            if text == before:
                break
        if text.lower().startswith("[fwd:") and text.endswith("]"):  # (6)
            text = text[5:-1]
            continue
        return text


def _collation(text: str) -> str:
    """Dovecot compares decomposed titlecase UTF-8 bytewise; code point order is the same order."""
    return unicodedata.normalize("NFD", text).upper()


def _timestamp(value: object) -> float | None:
    if not isinstance(value, datetime):
        return None
    return (value if value.tzinfo else value.replace(tzinfo=UTC)).timestamp()


@dataclass(frozen=True)
class SortEntry:
    uid: int
    arrival: float = 0.0  # INTERNALDATE
    sent: float | None = None  # the Date header; None when missing or unreadable
    sender: str = ""  # the mailbox (local part) of the first From address, as RFC 5256 says
    subject: str = ""
    size: int = 0


def _sort_value(entry: SortEntry, sort: str) -> object:
    if sort == "arrival":
        return entry.arrival
    if sort == "date":
        return entry.sent if entry.sent else entry.arrival
    if sort == "from":
        return _collation(entry.sender)
    if sort == "subject":
        return _collation(base_subject(entry.subject))
    if sort == "size":
        return entry.size
    raise ValueError(f"unknown sort key {sort!r}")


def sort_entries(entries: Iterable[SortEntry], *, sort: str, reverse: bool) -> list[int]:
    """UIDs in SORT order. Ties go by UID (the sequence order), ascending even when reversed: only
    the key itself is reversed, as in Dovecot."""
    by_uid = sorted(entries, key=lambda e: e.uid)
    # list.sort is stable with reverse=True too, so equal keys keep their UID order.
    by_uid.sort(key=lambda e: _sort_value(e, sort), reverse=reverse)  # type: ignore[arg-type, return-value]
    return [e.uid for e in by_uid]


def _batches(uids: Sequence[int]) -> Iterable[list[int]]:
    for start in range(0, len(uids), BATCH):
        yield list(uids[start : start + BATCH])


def _text(value: object) -> str:
    return decode_words(value) if isinstance(value, bytes | str) else ""


def fetch_sort_entries(conn: PooledConnection, uids: Sequence[int], sort: str) -> list[SortEntry]:
    """The one or two FETCH items the sort key needs, for the selected folder's uids."""
    items = {
        "arrival": ["INTERNALDATE"],
        "size": ["RFC822.SIZE"],
        "date": ["ENVELOPE", "INTERNALDATE"],
        "from": ["ENVELOPE"],
        "subject": ["ENVELOPE"],
    }[sort]
    entries = []
    for batch in _batches(uids):
        with conn.command():
            data = conn.client.fetch(batch, items)
        for uid, item in data.items():
            envelope = item.get(b"ENVELOPE")
            senders = getattr(envelope, "from_", None) or ()
            entries.append(
                SortEntry(
                    uid=uid,
                    arrival=_timestamp(item.get(b"INTERNALDATE")) or 0.0,
                    sent=_timestamp(getattr(envelope, "date", None)),
                    sender=_text(getattr(senders[0], "mailbox", None)) if senders else "",
                    subject=_text(getattr(envelope, "subject", None)),
                    size=int(item.get(b"RFC822.SIZE", 0)),
                )
            )
    return entries


@dataclass(frozen=True)
class ThreadEntry:
    uid: int
    message_id: str | None
    references: tuple[str, ...]  # References, or else the first id of In-Reply-To (RFC 5256)
    subject: str = ""
    sent: float = 0.0


@dataclass(eq=False)
class _Node:
    entry: ThreadEntry | None = None  # None: a message we only know from references
    parent: "_Node | None" = None
    children: list["_Node"] = field(default_factory=list)

    def reaches(self, other: "_Node") -> bool:
        stack = [self]
        while stack:
            node = stack.pop()
            if node is other:
                return True
            stack.extend(node.children)
        return False

    def attach(self, parent: "_Node | None") -> None:
        if self.parent is not None:
            self.parent.children.remove(self)
        self.parent = parent
        if parent is not None:
            parent.children.append(self)

    def uids(self) -> list[int]:
        found, stack = [], [self]
        while stack:
            node = stack.pop()
            if node.entry is not None:
                found.append(node.entry.uid)
            stack.extend(node.children)
        return found

    def first_sent(self) -> "ThreadEntry | None":
        if self.entry is not None:
            return self.entry
        dated = [c.entry for c in self.children if c.entry is not None]
        return min(dated, key=lambda e: (e.sent, e.uid)) if dated else None


def thread_groups(entries: Iterable[ThreadEntry]) -> list[list[int]]:
    """The messages grouped as THREAD=REFERENCES groups them (RFC 5256 steps 1, 2 and 5): parent links
    from References, then root threads whose base subjects are equal joined. The tree shape inside a
    group is not kept: Roost shows a conversation as its UIDs in order."""
    nodes: dict[str, _Node] = {}
    roots_in_order: list[_Node] = []
    for entry in sorted(entries, key=lambda e: e.uid):
        own = nodes.get(entry.message_id) if entry.message_id else None
        if own is None or own.entry is not None:  # a duplicate Message-ID counts as none (RFC 5256)
            own = _Node()
            if entry.message_id and entry.message_id not in nodes:
                nodes[entry.message_id] = own
        own.entry = entry
        roots_in_order.append(own)
        chain = [nodes.setdefault(ref, _Node()) for ref in entry.references]
        for parent, child in itertools.pairwise(chain):
            if child.parent is None and parent is not child and not child.reaches(parent):
                child.attach(parent)
        last = chain[-1] if chain else None
        if last is not None and (last is own or own.reaches(last)):
            last = None
        own.attach(last)
    listed = {id(n) for n in roots_in_order}
    roots_in_order += [n for n in nodes.values() if id(n) not in listed]
    roots = [n for n in roots_in_order if n.parent is None and n.uids()]

    groups: list[list[int]] = []
    by_subject: dict[str, list[int]] = {}
    for root in roots:
        first = root.first_sent()
        subject = _collation(base_subject(first.subject)) if first is not None else ""
        uids = root.uids()
        if subject and subject in by_subject:
            by_subject[subject].extend(uids)
            continue
        groups.append(uids)
        if subject:
            by_subject[subject] = uids
    return [sorted(g) for g in groups]


def _ids(raw: object) -> list[str]:
    if isinstance(raw, str):
        raw = raw.encode()
    if not isinstance(raw, bytes):
        return []
    return [m.decode(errors="replace") for m in _MSG_ID.findall(raw)]


def fetch_thread_entries(conn: PooledConnection, uids: Sequence[int]) -> list[ThreadEntry]:
    header = "BODY.PEEK[HEADER.FIELDS (REFERENCES)]"
    entries = []
    for batch in _batches(uids):
        with conn.command():
            data = conn.client.fetch(batch, ["ENVELOPE", "INTERNALDATE", header])
        for uid, item in data.items():
            envelope = item.get(b"ENVELOPE")
            own = _ids(getattr(envelope, "message_id", None))
            references = (
                _ids(item.get(b"BODY[HEADER.FIELDS (REFERENCES)]")) or _ids(getattr(envelope, "in_reply_to", None))[:1]
            )
            sent = _timestamp(getattr(envelope, "date", None)) or _timestamp(item.get(b"INTERNALDATE")) or 0.0
            entries.append(
                ThreadEntry(
                    uid=uid,
                    message_id=own[0] if own else None,
                    references=tuple(references),
                    subject=_text(getattr(envelope, "subject", None)),
                    sent=sent,
                )
            )
    return entries
