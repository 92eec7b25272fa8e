"""MOVE and expunge on servers without MOVE or UIDPLUS, with a stand-in client that records commands
and keeps a folder's flags (the real-server side is in test_basic_server.py)."""

from collections.abc import Sequence

from webmail.imap.changes import expunge_messages, move_messages
from webmail.imap.connection import ImapEndpoint
from webmail.imap.pool import PooledConnection


class Folder:
    def __init__(self, flags: dict[int, set[str]]) -> None:
        self.flags = flags
        self.sent: list[str] = []

    def select_folder(self, folder: str) -> dict[bytes, object]:
        return {}

    def move(self, uids: Sequence[int], target: str) -> None:
        self.sent.append("MOVE")

    def copy(self, uids: Sequence[int], target: str) -> None:
        self.sent.append(f"COPY {list(uids)}")

    def add_flags(self, uids: Sequence[int], flags: Sequence[str], silent: bool) -> None:
        for uid in uids:
            self.flags[uid] |= set(flags)

    def uid_expunge(self, uids: Sequence[int]) -> None:
        self.sent.append(f"UID EXPUNGE {list(uids)}")
        for uid in uids:
            del self.flags[uid]

    def search(self, criteria: Sequence[str]) -> list[int]:
        assert list(criteria) == ["DELETED"]
        return [uid for uid, flags in self.flags.items() if "\\Deleted" in flags]

    def expunge(self) -> None:
        self.sent.append("EXPUNGE")
        for uid in [u for u, f in self.flags.items() if "\\Deleted" in f]:
            del self.flags[uid]


def _conn(folder: Folder, *capabilities: str) -> PooledConnection:
    return PooledConnection(
        client=folder,  # type: ignore[arg-type]
        endpoint=ImapEndpoint("127.0.0.1", 10143),
        capabilities=frozenset(capabilities),
    )


def test_move_is_one_command_when_the_server_has_it() -> None:
    folder = Folder({1: set(), 2: set()})
    move_messages(_conn(folder, "MOVE", "UIDPLUS"), "INBOX", [1], "Archive")
    assert folder.sent == ["MOVE"]


def test_without_move_copy_then_expunge_only_those_uids() -> None:
    folder = Folder({1: set(), 2: set(), 3: {"\\Deleted"}})
    move_messages(_conn(folder, "UIDPLUS"), "INBOX", [1, 2], "Archive")
    assert folder.sent == ["COPY [1, 2]", "UID EXPUNGE [1, 2]"]
    assert folder.flags == {3: {"\\Deleted"}}  # someone else's \Deleted message is still there


def test_without_uidplus_expunge_runs_only_when_no_one_else_marked_a_message() -> None:
    folder = Folder({1: set(), 2: set()})
    move_messages(_conn(folder), "INBOX", [1], "Archive")
    assert folder.sent == ["COPY [1]", "EXPUNGE"]
    assert folder.flags == {2: set()}


def test_without_uidplus_others_deleted_messages_are_never_expunged() -> None:
    folder = Folder({1: set(), 2: {"\\Deleted"}})
    expunge_messages(_conn(folder), "INBOX", [1])
    assert "EXPUNGE" not in folder.sent
    assert folder.flags == {1: {"\\Deleted"}, 2: {"\\Deleted"}}
