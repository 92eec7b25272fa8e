"""Changing messages: flags, copy, move, expunge."""

import re
from collections.abc import Sequence

from .connection import imap_errors
from .pool import PooledConnection


def add_flags(conn: PooledConnection, folder: str, uids: Sequence[int], flags: Sequence[str]) -> None:
    conn.select(folder)
    with imap_errors(conn.endpoint):
        conn.client.add_flags(list(uids), list(flags), silent=True)


def remove_flags(conn: PooledConnection, folder: str, uids: Sequence[int], flags: Sequence[str]) -> None:
    conn.select(folder)
    with imap_errors(conn.endpoint):
        conn.client.remove_flags(list(uids), list(flags), silent=True)


def copy_messages(conn: PooledConnection, folder: str, uids: Sequence[int], target: str) -> None:
    conn.select(folder)
    with imap_errors(conn.endpoint):
        conn.client.copy(list(uids), target)


def move_messages(conn: PooledConnection, folder: str, uids: Sequence[int], target: str) -> None:
    conn.select(folder)
    with imap_errors(conn.endpoint):
        conn.client.move(list(uids), target)


def expunge_messages(conn: PooledConnection, folder: str, uids: Sequence[int]) -> None:
    """Delete for good: only these UIDs (UID EXPUNGE), never other messages marked \\Deleted."""
    conn.select(folder)
    with imap_errors(conn.endpoint):
        conn.client.add_flags(list(uids), ["\\Deleted"], silent=True)
        conn.client.uid_expunge(list(uids))


def expunge_all(conn: PooledConnection, folder: str) -> int:
    conn.select(folder)
    with imap_errors(conn.endpoint):
        uids = conn.client.search(["ALL"])
        if uids:
            conn.client.add_flags(uids, ["\\Deleted"], silent=True)
            conn.client.uid_expunge(uids)
    return len(uids)


def append_message(conn: PooledConnection, folder: str, raw: bytes, flags: Sequence[str]) -> int | None:
    """APPEND, returning the new message's UID (UIDPLUS APPENDUID) when the server says it."""
    with imap_errors(conn.endpoint):
        reply = conn.client.append(folder, raw, flags=list(flags))
    text = reply.decode(errors="replace") if isinstance(reply, bytes) else str(reply)
    match = re.search(r"APPENDUID \d+ (\d+)", text)
    return int(match.group(1)) if match else None
