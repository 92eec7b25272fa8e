"""A per-process pool of logged-in IMAP connections, checked out for one unit of work.

A connection remembers the folder it has selected, so a request that needs the same folder
as the previous one on that connection pays a NOOP instead of LOGIN + SELECT.
"""

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from imapclient import IMAPClient

from .connection import ImapEndpoint, ImapLogin, _close_quietly, imap_connect, imap_errors
from .errors import ImapAuthError, ImapError, ImapFolderMissing


@dataclass
class PooledConnection:
    client: IMAPClient
    endpoint: ImapEndpoint
    last_used: float = field(default_factory=time.monotonic)
    selected: str | None = None
    logins: int = 1
    selects: int = 0

    def select(self, folder: str) -> None:
        """Select folder unless this connection has it selected already. Dovecot brings a selected
        folder up to date before each command, so UID SORT/FETCH see new mail without a re-SELECT."""
        if self.selected == folder:
            return
        try:
            with imap_errors(self.endpoint):
                self.client.select_folder(folder)
        except ImapError as error:
            self.selected = None  # a failed SELECT leaves no folder selected (RFC 3501 6.3.1)
            # imapclient drops the response code, so Dovecot's text is matched too.
            if "NONEXISTENT" in str(error).upper() or "doesn't exist" in str(error):
                raise ImapFolderMissing(f"There is no folder called {folder}.") from None
            raise
        self.selects += 1
        self.selected = folder

    def unselect(self) -> None:
        if self.selected is None:
            return
        with imap_errors(self.endpoint):
            self.client.unselect_folder()
        self.selected = None


class ImapPool:
    def __init__(self, *, max_idle_per_login: int = 4, idle_seconds: float = 300.0, check_after: float = 30.0):
        self._idle: dict[tuple[ImapEndpoint, str], list[PooledConnection]] = {}
        self._lock = threading.Lock()
        self.max_idle_per_login = max_idle_per_login
        self.idle_seconds = idle_seconds
        self.check_after = check_after
        self.checkouts = 0  # units of work served, for tests and benchmarks counting round trips

    @contextmanager
    def connection(self, endpoint: ImapEndpoint, login: ImapLogin) -> Iterator[PooledConnection]:
        key = (endpoint, login.username)
        self.checkouts += 1
        conn = self._take(key, login)
        try:
            yield conn
        except BaseException:
            _close_quietly(conn.client)  # state unknown after a failure: never reuse it
            raise
        conn.last_used = time.monotonic()
        self._give_back(key, conn)

    def _take(self, key: tuple[ImapEndpoint, str], login: ImapLogin) -> PooledConnection:
        while True:
            with self._lock:
                idle = self._idle.get(key)
                conn = idle.pop() if idle else None
            if conn is None:
                return PooledConnection(client=imap_connect(key[0], login), endpoint=key[0])
            age = time.monotonic() - conn.last_used
            if age > self.idle_seconds:
                _close_quietly(conn.client)
                continue
            if age > self.check_after and not self._alive(conn):
                continue
            return conn

    def _alive(self, conn: PooledConnection) -> bool:
        try:
            conn.client.noop()
        except Exception:  # noqa: BLE001 - any failure means the connection is gone
            _close_quietly(conn.client)
            return False
        return True

    def _give_back(self, key: tuple[ImapEndpoint, str], conn: PooledConnection) -> None:
        with self._lock:
            idle = self._idle.setdefault(key, [])
            if len(idle) < self.max_idle_per_login:
                idle.append(conn)
                return
        _close_quietly(conn.client)

    def discard_login(self, endpoint: ImapEndpoint, username: str) -> None:
        """Close every idle connection of one login (after sign-out or a password change)."""
        with self._lock:
            conns = self._idle.pop((endpoint, username), [])
        for conn in conns:
            _close_quietly(conn.client)

    def clear(self) -> None:
        with self._lock:
            conns = [c for idle in self._idle.values() for c in idle]
            self._idle.clear()
        for conn in conns:
            _close_quietly(conn.client)


__all__ = ["ImapAuthError", "ImapPool", "PooledConnection"]
