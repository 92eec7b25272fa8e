"""Folder operations: create, rename (also moves it under another parent), delete, subscribe, empty."""

import contextlib
from dataclasses import asdict

from django.core.cache import cache
from redis import RedisError

from core.errors import NotFound, RoostError
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
from webmail.mailstore import MailAccount, mailbox_connection
from webmail.validators import clean_new_folder_name


class FolderRefused(RoostError):
    pass


class FolderMissing(NotFound):
    pass


def _existing(folders: list[Folder], name: str) -> Folder:
    for folder in folders:
        if folder.name == name:
            return folder
    raise FolderMissing(f"There is no folder called {name}.")


def _full_name(name: str, parent: str | None, delimiter: str) -> str:
    leaf = clean_new_folder_name(name, delimiter)
    return f"{parent}{delimiter}{leaf}" if parent else leaf


def folder_create(*, account: MailAccount, name: str, parent: str | None = None) -> str:
    folder_tree_forget(user_id=account.user.pk)
    with mailbox_connection(account) as conn:
        folders = list_folders(conn, with_counts=False)
        delimiter = folder_delimiter(conn)
        if parent:
            _existing(folders, parent)
        full = _full_name(name, parent, delimiter)
        if any(f.name.casefold() == full.casefold() for f in folders):
            raise FolderRefused(f"A folder called {full} exists already.")
        create_folder(conn, full)
    return full


def folder_rename(*, account: MailAccount, folder: str, name: str, parent: str | None) -> str:
    folder_tree_forget(user_id=account.user.pk)
    with mailbox_connection(account) as conn:
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


def folder_delete(*, account: MailAccount, folder: str) -> None:
    folder_tree_forget(user_id=account.user.pk)
    with mailbox_connection(account) as conn:
        folders = list_folders(conn, with_counts=False)
        current = _existing(folders, folder)
        if current.role is not None:
            raise FolderRefused(f"{current.label} is a special folder and cannot be deleted.")
        delimiter = folder_delimiter(conn)
        children = sorted((f.name for f in folders if f.name.startswith(folder + delimiter)), key=len, reverse=True)
        for child in children:
            delete_folder(conn, child)
        delete_folder(conn, folder)


def folder_subscribe(*, account: MailAccount, folder: str, subscribed: bool) -> None:
    folder_tree_forget(user_id=account.user.pk)
    with mailbox_connection(account) as conn:
        current = _existing(list_folders(conn, with_counts=False), folder)
        if current.role == "inbox" and not subscribed:
            raise FolderRefused("The Inbox is always shown.")
        set_subscribed(conn, folder, subscribed)


def folder_empty(*, account: MailAccount, folder: str) -> int:
    """Delete every message of Trash or Junk for good."""
    folder_tree_forget(user_id=account.user.pk)
    with mailbox_connection(account) as conn:
        current = _existing(list_folders(conn, with_counts=False), folder)
        if current.role not in ("trash", "junk"):
            raise FolderRefused("Only Trash and Junk can be emptied.")
        return expunge_all(conn, folder)


# The sidebar's folder list with counts, kept briefly per user so that every page of every app does not
# pay LIST + LSUB + a STATUS per folder. What changes counts here forgets it; the rest waits these seconds.
FOLDER_CACHE_SECONDS = 15


def _cache_key(user_id: int) -> str:
    return f"mail-folders:{user_id}"


def folder_tree_cached(*, user_id: int) -> list[Folder] | None:
    """The remembered folder list, or None: for a service that holds a connection already and would
    rather list the folders on it than let the sidebar take another one."""
    try:
        cached = cache.get(_cache_key(user_id))
    except RedisError:  # a cache that is down makes the sidebar slower, not broken
        return None
    return [Folder(**item) for item in cached] if cached is not None else None


def folder_tree(*, account: MailAccount, fresh: bool = False) -> list[Folder]:
    if not fresh:
        cached = folder_tree_cached(user_id=account.user.pk)
        if cached is not None:
            return cached
    with mailbox_connection(account) as conn:
        folders = list_folders(conn)
    folder_tree_remember(user_id=account.user.pk, folders=folders)
    return folders


def folder_tree_remember(*, user_id: int, folders: list[Folder]) -> None:
    with contextlib.suppress(RedisError):
        cache.set(_cache_key(user_id), [asdict(f) for f in folders], FOLDER_CACHE_SECONDS)


def folder_tree_forget(*, user_id: int) -> None:
    with contextlib.suppress(RedisError):
        cache.delete(_cache_key(user_id))
