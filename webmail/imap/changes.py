"""Changing messages: flags, copy, move, expunge."""

import re
from collections.abc import Sequence

from .pool import PooledConnection


def add_flags(conn: PooledConnection, folder: str, uids: Sequence[int], flags: Sequence[str]) -> None:
    conn.select(folder)
    with conn.command():
        conn.client.add_flags(list(uids), list(flags), silent=True)


def remove_flags(conn: PooledConnection, folder: str, uids: Sequence[int], flags: Sequence[str]) -> None:
    conn.select(folder)
    with conn.command():
        conn.client.remove_flags(list(uids), list(flags), silent=True)


def copy_messages(conn: PooledConnection, folder: str, uids: Sequence[int], target: str) -> None:
    conn.select(folder)
    with conn.command():
        conn.client.copy(list(uids), target)


def move_messages(conn: PooledConnection, folder: str, uids: Sequence[int], target: str) -> None:
    """UID MOVE, or without MOVE (RFC 6851) what it stands for: COPY, mark \\Deleted, expunge those."""
    conn.select(folder)
    if conn.has("MOVE"):
        with conn.command():
            conn.client.move(list(uids), target)
        return
    with conn.command():
        conn.client.copy(list(uids), target)
    _expunge_only(conn, uids)


def expunge_messages(conn: PooledConnection, folder: str, uids: Sequence[int]) -> None:
    """Delete for good: only these UIDs, never other messages marked \\Deleted."""
    conn.select(folder)
    _expunge_only(conn, uids)


def expunge_all(conn: PooledConnection, folder: str) -> int:
    conn.select(folder)
    with conn.command():
        uids = conn.client.search(["ALL"])
    if uids:
        _expunge_only(conn, uids)
    return len(uids)


def _expunge_only(conn: PooledConnection, uids: Sequence[int]) -> bool:
    """Mark uids \\Deleted in the selected folder and remove exactly those; False when they had to stay.

    UID EXPUNGE (UIDPLUS) removes only the given messages. Plain EXPUNGE removes every \\Deleted
    message, including ones another client marked and still means to undelete, so without UIDPLUS it
    runs only when no other message in the folder carries \\Deleted; otherwise ours stay marked
    \\Deleted (hidden by clients that hide them, removed by the next expunge) rather than destroying
    someone else's mail. Clearing the others' flag around an EXPUNGE would race with that client for
    longer than the one round trip between our SEARCH and EXPUNGE does.
    """
    with conn.command():
        conn.client.add_flags(list(uids), ["\\Deleted"], silent=True)
        if conn.has("UIDPLUS"):
            conn.client.uid_expunge(list(uids))
            return True
        others = set(conn.client.search(["DELETED"])) - set(uids)
        if others:
            return False
        conn.client.expunge()
    return True


def append_message(conn: PooledConnection, folder: str, raw: bytes, flags: Sequence[str]) -> int | None:
    """APPEND, returning the new message's UID (UIDPLUS APPENDUID) when the server says it."""
    with conn.command():
        reply = conn.client.append(folder, raw, flags=list(flags))
    text = reply.decode(errors="replace") if isinstance(reply, bytes) else str(reply)
    match = re.search(r"APPENDUID \d+ (\d+)", text)
    return int(match.group(1)) if match else None
