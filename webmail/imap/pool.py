"""A per-process pool of logged-in IMAP connections, checked out for one unit of work.

A connection remembers the folder it has selected, so a request that needs the same folder
as the previous one on that connection pays a NOOP instead of LOGIN + SELECT. It also learns the
server's capabilities once, at login, so the listing and change modules can pick a server-side
command or its fallback without asking again.
"""

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from imapclient import IMAPClient

from .connection import ImapEndpoint, ImapLogin, _close_quietly, imap_connect, imap_errors
from .errors import ImapAuthError, ImapError, ImapFolderMissing


def _capabilities(client: IMAPClient) -> frozenset[str]:
    return frozenset(
        (c.decode(errors="replace") if isinstance(c, bytes) else str(c)).upper() for c in client.capabilities()
    )


@dataclass
class PooledConnection:
    client: IMAPClient
    endpoint: ImapEndpoint
    capabilities: frozenset[str] = frozenset()
    generation: object = None
    last_used: float = field(default_factory=time.monotonic)
    selected: str | None = None
    broken: bool = False
    logins: int = 1
    selects: int = 0

    def has(self, capability: str) -> bool:
        return capability.upper() in self.capabilities

    @contextmanager
    def command(self) -> Iterator[None]:
        """imap_errors for this connection, remembering any failure: after an error the session's
        state (selected folder, half-done command) is not known, so the pool will not reuse it even
        when the caller catches the error and carries on."""
        try:
            with imap_errors(self.endpoint):
                yield
        except BaseException:
            self.broken = True
            raise

    def select(self, folder: str) -> None:
        """Select folder unless this connection has it selected already. Dovecot brings a selected
        folder up to date before each command, so UID SORT/FETCH see new mail without a re-SELECT."""
        if self.selected == folder:
            return
        # A SELECT that fails leaves the session with no folder selected (RFC 3501 6.3.1), so the old
        # one is forgotten before trying: a stale name here would send later commands to nowhere.
        self.selected = None
        try:
            with self.command():
                self.client.select_folder(folder)
        except ImapError as error:
            # A folder that is not there is "not found" (404), not a server fault. imapclient drops the
            # NONEXISTENT response code, so Dovecot's text is matched too.
            if "NONEXISTENT" in str(error).upper() or "doesn't exist" in str(error):
                raise ImapFolderMissing(f"There is no folder called {folder}.") from None
            raise
        self.selects += 1
        self.selected = folder

    def unselect(self) -> None:
        if self.selected is None:
            return
        self.selected = None
        with self.command():
            if self.has("UNSELECT"):
                self.client.unselect_folder()
            else:
                # CLOSE would also expunge the folder's \Deleted messages; a read-only SELECT of INBOX
                # leaves the folder unselected and changes nothing (self.selected stays None, so the
                # next select("INBOX") opens it read-write again).
                self.client.select_folder("INBOX", readonly=True)


class ImapPool:
    """Idle connections wait per (server, login). They are closed when older than idle_seconds
    (checked on every checkout and check-in, and every reap_every seconds by a daemon thread that
    runs only while connections are idle), when the process already keeps max_idle connections
    (the least recently used go first), and when their login generation is no longer current
    (sign-out or a password change, in any process: see connection(generation=...))."""

    def __init__(
        self,
        *,
        max_idle_per_login: int = 4,
        max_idle: int = 32,
        idle_seconds: float = 300.0,
        check_after: float = 30.0,
        reap_every: float = 30.0,
    ):
        self._idle: dict[tuple[ImapEndpoint, str], list[PooledConnection]] = {}
        self._lock = threading.Lock()
        self._reaper: threading.Thread | None = None
        self.reap_every = reap_every
        self.max_idle_per_login = max_idle_per_login
        self.max_idle = max_idle
        self.idle_seconds = idle_seconds
        self.check_after = check_after
        self.checkouts = 0  # units of work served, for tests and benchmarks counting round trips

    @contextmanager
    def connection(
        self, endpoint: ImapEndpoint, login: ImapLogin, *, generation: object = None
    ) -> Iterator[PooledConnection]:
        """generation: the login's current generation (None: do not check). An idle connection made
        under another generation is closed instead of reused."""
        key = (endpoint, login.username)
        self.checkouts += 1
        conn = self._take(key, login, generation)
        try:
            yield conn
        except BaseException:
            _close_quietly(conn.client)  # state unknown after a failure: never reuse it
            raise
        if conn.broken:
            _close_quietly(conn.client)
            return
        conn.last_used = time.monotonic()
        self._give_back(key, conn)

    def _take(self, key: tuple[ImapEndpoint, str], login: ImapLogin, generation: object) -> PooledConnection:
        self.reap()
        while True:
            with self._lock:
                idle = self._idle.get(key)
                conn = idle.pop() if idle else None
                if idle is not None and not idle:
                    del self._idle[key]
            if conn is None:
                client = imap_connect(key[0], login)
                try:
                    with imap_errors(key[0]):
                        capabilities = _capabilities(client)
                except BaseException:
                    _close_quietly(client)
                    raise
                return PooledConnection(
                    client=client, endpoint=key[0], capabilities=capabilities, generation=generation
                )
            if generation is not None and conn.generation != generation:
                _close_quietly(conn.client)
                continue
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
            kept = len(idle) < self.max_idle_per_login
            if kept:
                idle.append(conn)
        if not kept:
            _close_quietly(conn.client)
        self.reap()
        self._start_reaper()

    def _start_reaper(self) -> None:
        """A process that goes quiet still closes its idle connections once they are too old. The
        thread ends when nothing is idle; a forked child (a Celery worker) starts its own."""
        with self._lock:
            if self._reaper is not None and self._reaper.is_alive():
                return
            self._reaper = threading.Thread(target=self._reap_while_idle, name="imap-pool-reaper", daemon=True)
            self._reaper.start()

    def _reap_while_idle(self) -> None:
        while True:
            time.sleep(self.reap_every)
            self.reap()
            with self._lock:
                if not self._idle:
                    self._reaper = None
                    return

    def reap(self) -> None:
        """Close idle connections past their age, then the least recently used ones over max_idle."""
        now = time.monotonic()
        with self._lock:
            everyone = sorted(
                ((c.last_used, key, c) for key, conns in self._idle.items() for c in conns), key=lambda e: e[0]
            )
            excess = max(0, len(everyone) - self.max_idle)
            doomed = [c for n, (used, _, c) in enumerate(everyone) if n < excess or now - used > self.idle_seconds]
            if doomed:
                for key in list(self._idle):
                    self._idle[key] = [c for c in self._idle[key] if all(c is not d for d in doomed)]
                    if not self._idle[key]:
                        del self._idle[key]
        for conn in doomed:
            _close_quietly(conn.client)

    def idle_count(self) -> int:
        with self._lock:
            return sum(len(conns) for conns in self._idle.values())

    def discard_login(self, endpoint: ImapEndpoint, username: str) -> None:
        """Close every idle connection of one login in this process."""
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
