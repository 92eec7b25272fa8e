"""Folders: listing with special-use roles and counts, and the folder operations."""

from dataclasses import dataclass

from .pool import PooledConnection

SPECIAL_USE = {
    b"\\Drafts": "drafts",
    b"\\Sent": "sent",
    b"\\Trash": "trash",
    b"\\Junk": "junk",
    b"\\Archive": "archive",
}
ROLE_ORDER = ["inbox", "drafts", "sent", "archive", "junk", "trash"]


@dataclass(frozen=True)
class Folder:
    name: str
    delimiter: str
    role: str | None  # "inbox", "drafts", "sent", "trash", "junk", "archive" or None
    selectable: bool
    subscribed: bool
    total: int
    unseen: int

    @property
    def depth(self) -> int:
        return self.name.count(self.delimiter) if self.delimiter else 0

    @property
    def label(self) -> str:
        return self.name.rsplit(self.delimiter, 1)[-1] if self.delimiter else self.name

    @property
    def parent(self) -> str | None:
        if not self.delimiter or self.delimiter not in self.name:
            return None
        return self.name.rsplit(self.delimiter, 1)[0]


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


def list_folders(conn: PooledConnection, *, with_counts: bool = True) -> list[Folder]:
    """Every folder, special-use folders first in a fixed order, then the rest by name."""
    with conn.command():
        listed = conn.client.list_folders()
        subscribed = {_text(name) for _, _, name in conn.client.list_sub_folders()}
        folders = []
        for flags, delimiter, raw_name in listed:
            name = _text(raw_name)
            role = (
                "inbox" if name.upper() == "INBOX" else next((SPECIAL_USE[f] for f in flags if f in SPECIAL_USE), None)
            )
            selectable = b"\\Noselect" not in flags and b"\\NonExistent" not in flags
            total = unseen = 0
            if with_counts and selectable:
                status = conn.client.folder_status(name, [b"MESSAGES", b"UNSEEN"])
                total, unseen = int(status[b"MESSAGES"]), int(status[b"UNSEEN"])
            folders.append(
                Folder(
                    name=name,
                    delimiter=_text(delimiter or b""),
                    role=role,
                    selectable=selectable,
                    subscribed=role == "inbox" or name in subscribed,
                    total=total,
                    unseen=unseen,
                )
            )
    return sorted(folders, key=_folder_order)


def _folder_order(folder: Folder) -> tuple[int, str]:
    if folder.role in ROLE_ORDER and folder.depth == 0:
        return ROLE_ORDER.index(folder.role), ""
    return len(ROLE_ORDER), folder.name.casefold()


def folder_delimiter(conn: PooledConnection) -> str:
    with conn.command():
        listed = conn.client.list_folders(pattern="INBOX")
    return _text(listed[0][1] or b"/") if listed else "/"


def create_folder(conn: PooledConnection, name: str) -> None:
    with conn.command():
        conn.client.create_folder(name)
        conn.client.subscribe_folder(name)


def rename_folder(conn: PooledConnection, old: str, new: str) -> None:
    with conn.command():
        if conn.selected == old:
            conn.unselect()
        conn.client.rename_folder(old, new)
        conn.client.subscribe_folder(new)


def delete_folder(conn: PooledConnection, name: str) -> None:
    with conn.command():
        if conn.selected == name:
            conn.unselect()
        conn.client.unsubscribe_folder(name)
        conn.client.delete_folder(name)


def set_subscribed(conn: PooledConnection, name: str, subscribed: bool) -> None:
    with conn.command():
        if subscribed:
            conn.client.subscribe_folder(name)
        else:
            conn.client.unsubscribe_folder(name)
