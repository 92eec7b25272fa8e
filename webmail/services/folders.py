"""Folder operations: create, rename (also moves it under another parent), delete, subscribe, empty."""

from django.contrib.sessions.backends.base import SessionBase

from accounts.models import User
from core.errors import RoostError
from webmail.imap.changes import expunge_all
from webmail.imap.folders import (
    Folder,
    create_folder,
    delete_folder,
    folder_delimiter,
    list_folders,
    rename_folder,
    set_subscribed,
)
from webmail.mailstore import mailbox_connection
from webmail.validators import clean_new_folder_name


class FolderRefused(RoostError):
    pass


def _existing(folders: list[Folder], name: str) -> Folder:
    for folder in folders:
        if folder.name == name:
            return folder
    raise FolderRefused(f"There is no folder called {name}.")


def _full_name(name: str, parent: str | None, delimiter: str) -> str:
    leaf = clean_new_folder_name(name, delimiter)
    return f"{parent}{delimiter}{leaf}" if parent else leaf


def folder_create(*, user: User, session: SessionBase | None, name: str, parent: str | None = None) -> str:
    with mailbox_connection(user, session) as conn:
        folders = list_folders(conn, with_counts=False)
        delimiter = folder_delimiter(conn)
        if parent:
            _existing(folders, parent)
        full = _full_name(name, parent, delimiter)
        if any(f.name.casefold() == full.casefold() for f in folders):
            raise FolderRefused(f"A folder called {full} exists already.")
        create_folder(conn, full)
    return full


def folder_rename(*, user: User, session: SessionBase | None, folder: str, name: str, parent: str | None) -> str:
    with mailbox_connection(user, session) as conn:
        folders = list_folders(conn, with_counts=False)
        current = _existing(folders, folder)
        if current.role is not None:
            raise FolderRefused(f"{current.label} is a special folder and keeps its name.")
        delimiter = folder_delimiter(conn)
        if parent:
            _existing(folders, parent)
            if parent == folder or parent.startswith(folder + delimiter):
                raise FolderRefused("A folder cannot move inside itself.")
        full = _full_name(name, parent, delimiter)
        if full != folder and any(f.name.casefold() == full.casefold() for f in folders):
            raise FolderRefused(f"A folder called {full} exists already.")
        if full != folder:
            rename_folder(conn, folder, full)
    return full


def folder_delete(*, user: User, session: SessionBase | None, folder: str) -> None:
    with mailbox_connection(user, session) as conn:
        folders = list_folders(conn, with_counts=False)
        current = _existing(folders, folder)
        if current.role is not None:
            raise FolderRefused(f"{current.label} is a special folder and cannot be deleted.")
        delimiter = folder_delimiter(conn)
        children = sorted((f.name for f in folders if f.name.startswith(folder + delimiter)), key=len, reverse=True)
        for child in children:
            delete_folder(conn, child)
        delete_folder(conn, folder)


def folder_subscribe(*, user: User, session: SessionBase | None, folder: str, subscribed: bool) -> None:
    with mailbox_connection(user, session) as conn:
        current = _existing(list_folders(conn, with_counts=False), folder)
        if current.role == "inbox" and not subscribed:
            raise FolderRefused("The Inbox is always shown.")
        set_subscribed(conn, folder, subscribed)


def folder_empty(*, user: User, session: SessionBase | None, folder: str) -> int:
    """Delete every message of Trash or Junk for good."""
    with mailbox_connection(user, session) as conn:
        current = _existing(list_folders(conn, with_counts=False), folder)
        if current.role not in ("trash", "junk"):
            raise FolderRefused("Only Trash and Junk can be emptied.")
        return expunge_all(conn, folder)


def folder_tree(*, user: User, session: SessionBase | None) -> list[Folder]:
    with mailbox_connection(user, session) as conn:
        return list_folders(conn)
