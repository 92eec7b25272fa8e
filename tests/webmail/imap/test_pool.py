"""The connection pool's rules, with a stand-in for the logged-in client (no server needed)."""

import contextlib
import time
from collections.abc import Iterator

import pytest
from imapclient.exceptions import IMAPClientError

from webmail.imap import pool as pool_module
from webmail.imap.connection import ImapEndpoint, ImapLogin
from webmail.imap.errors import ImapError
from webmail.imap.pool import ImapPool

ENDPOINT = ImapEndpoint("127.0.0.1", 10143)


class FakeClient:
    """Answers the few commands the pool itself sends; 'Missing' is a folder that does not exist."""

    def __init__(self, capabilities: tuple[bytes, ...]) -> None:
        self._capabilities = capabilities
        self.capability_calls = 0
        self.closed = False
        self.selected: str | None = None
        self.readonly_selects = 0
        self.unselects = 0

    def capabilities(self) -> tuple[bytes, ...]:
        self.capability_calls += 1
        return self._capabilities

    def select_folder(self, folder: str, readonly: bool = False) -> dict[bytes, object]:
        self.readonly_selects += readonly
        if folder == "Missing":
            self.selected = None  # what a server does: a failed SELECT leaves nothing selected
            raise IMAPClientError("select failed: Mailbox doesn't exist")
        self.selected = folder
        return {}

    def unselect_folder(self) -> None:
        self.unselects += 1
        self.selected = None

    def noop(self) -> None:
        if self.closed:
            raise OSError("closed")

    def logout(self) -> None:
        self.closed = True

    def shutdown(self) -> None:
        self.closed = True


@pytest.fixture
def made(monkeypatch: pytest.MonkeyPatch) -> list[FakeClient]:
    clients: list[FakeClient] = []

    def connect(endpoint: ImapEndpoint, login: ImapLogin) -> FakeClient:
        clients.append(FakeClient((b"IMAP4REV1", b"SORT", b"UIDPLUS")))
        return clients[-1]

    monkeypatch.setattr(pool_module, "imap_connect", connect)
    return clients


def _login(name: str = "alice@example.test*roost") -> ImapLogin:
    return ImapLogin(name, "secret")


def test_capabilities_are_learned_once_at_login(made: list[FakeClient]) -> None:
    pool = ImapPool()
    for _ in range(3):
        with pool.connection(ENDPOINT, _login()) as conn:
            assert conn.has("sort")
            assert conn.has("UIDPLUS")
            assert not conn.has("MOVE")
    assert len(made) == 1
    assert made[0].capability_calls == 1


def test_a_failed_select_forgets_the_selected_folder(made: list[FakeClient]) -> None:
    pool = ImapPool()
    with pool.connection(ENDPOINT, _login()) as conn:
        conn.select("INBOX")
        with pytest.raises(ImapError):
            conn.select("Missing")
        assert conn.selected is None
        conn.select("INBOX")  # selected again for real, not skipped as "already selected"
        assert made[0].selected == "INBOX"
        assert conn.selects == 2


def test_unselect_uses_unselect_or_else_a_read_only_select_never_close(made: list[FakeClient]) -> None:
    pool = ImapPool()
    with pool.connection(ENDPOINT, _login()) as conn:
        conn.select("Projects")
        conn.unselect()  # the stand-in server offers no UNSELECT
        assert made[0].unselects == 0
        assert made[0].readonly_selects == 1
        assert conn.selected is None
        conn.capabilities = conn.capabilities | {"UNSELECT"}
        conn.select("Projects")
        conn.unselect()
        assert made[0].unselects == 1


def test_a_connection_whose_command_failed_is_closed_even_when_the_caller_carried_on(made: list[FakeClient]) -> None:
    pool = ImapPool()
    with pool.connection(ENDPOINT, _login()) as conn, contextlib.suppress(ImapError):
        conn.select("Missing")
    assert made[0].closed
    assert pool.idle_count() == 0
    with pool.connection(ENDPOINT, _login()):
        pass
    assert len(made) == 2


def test_an_error_leaving_the_block_closes_the_connection(made: list[FakeClient]) -> None:
    pool = ImapPool()
    with pytest.raises(RuntimeError), pool.connection(ENDPOINT, _login()):
        raise RuntimeError("view failed")
    assert made[0].closed
    assert pool.idle_count() == 0


def test_a_stream_abandoned_half_way_does_not_return_its_connection(made: list[FakeClient]) -> None:
    """As services.reading.part_stream: the connection is held inside a generator the response drives."""
    pool = ImapPool()

    def stream() -> Iterator[bytes]:
        with pool.connection(ENDPOINT, _login()):
            yield b"one"
            yield b"two"

    chunks = stream()
    assert next(chunks) == b"one"
    chunks.close()  # the client went away
    assert made[0].closed
    assert pool.idle_count() == 0


def test_idle_connections_past_their_age_are_reaped(made: list[FakeClient]) -> None:
    pool = ImapPool(idle_seconds=60)
    with pool.connection(ENDPOINT, _login()) as conn:
        pass
    conn.last_used -= 61
    pool.reap()
    assert made[0].closed
    assert pool.idle_count() == 0


def test_a_quiet_process_still_closes_connections_past_their_age(made: list[FakeClient]) -> None:
    pool = ImapPool(idle_seconds=0.1, reap_every=0.05)
    with pool.connection(ENDPOINT, _login()):
        pass
    deadline = time.monotonic() + 5
    while not made[0].closed and time.monotonic() < deadline:
        time.sleep(0.02)  # nothing else touches the pool meanwhile
    assert made[0].closed
    assert pool.idle_count() == 0


def test_the_process_keeps_at_most_max_idle_the_least_recently_used_go(made: list[FakeClient]) -> None:
    pool = ImapPool(max_idle=2)
    for name in ("a", "b", "c"):
        with pool.connection(ENDPOINT, _login(name)):
            pass
    assert pool.idle_count() == 2
    assert [c.closed for c in made] == [True, False, False]


def test_a_new_login_generation_drops_the_kept_connection(made: list[FakeClient]) -> None:
    pool = ImapPool()
    with pool.connection(ENDPOINT, _login(), generation=1):
        pass
    with pool.connection(ENDPOINT, _login(), generation=1):
        pass
    assert len(made) == 1
    with pool.connection(ENDPOINT, _login(), generation=2):
        pass
    assert len(made) == 2
    assert made[0].closed
    assert not made[1].closed
