"""What a user does to selected messages: flag, move, copy, delete, archive, junk."""

from dataclasses import dataclass

from core.errors import RoostError
from webmail.imap.changes import add_flags, copy_messages, expunge_messages, move_messages, remove_flags
from webmail.imap.folders import Folder, list_folders
from webmail.imap.listing import existing_uids
from webmail.imap.pool import PooledConnection
from webmail.mailstore import MailAccount, mailbox_connection
from webmail.services.folders import FolderMissing, folder_tree_forget
from webmail.services.reading import MessageMissing

ACTIONS = (
    "read",
    "unread",
    "flag",
    "unflag",
    "move",
    "copy",
    "delete",
    "archive",
    "junk",
    "notjunk",
)


class ActionRefused(RoostError):
    pass


@dataclass(frozen=True)
class ActionResult:
    message: str
    count: int


def _role_folder(folders: list[Folder], role: str) -> str:
    for folder in folders:
        if folder.role == role:
            return folder.name
    raise ActionRefused(f"This mailbox has no {role.capitalize()} folder.")


def _folder_exists(folders: list[Folder], name: str, missing: type[RoostError] = ActionRefused) -> None:
    """A target that is not there is bad input (400); the folder acted on is "not found" (FolderMissing)."""
    if not any(f.name == name and f.selectable for f in folders):
        raise missing(f"There is no folder called {name}.")


def messages_apply(
    *, account: MailAccount, folder: str, uids: list[int], action: str, target: str | None = None
) -> ActionResult:
    if action not in ACTIONS:
        raise ActionRefused("Unknown action.")
    folder_tree_forget(user_id=account.user.pk)
    with mailbox_connection(account) as conn:
        folders = list_folders(conn, with_counts=False)
        _folder_exists(folders, folder, FolderMissing)
        present = existing_uids(conn, folder, uids)
        uids = [uid for uid in uids if uid in present]
        if not uids:
            raise MessageMissing("These messages are no longer there: they may have been moved or deleted.")
        return _apply(conn, folders, folder, uids, action, target)


def _apply(
    conn: PooledConnection, folders: list[Folder], folder: str, uids: list[int], action: str, target: str | None
) -> ActionResult:
    n = len(uids)
    plural = f"{n} message{'s' if n != 1 else ''}"
    if action in ("read", "unread"):
        (add_flags if action == "read" else remove_flags)(conn, folder, uids, ["\\Seen"])
        return ActionResult(f"Marked {plural} as {action}.", n)
    if action in ("flag", "unflag"):
        (add_flags if action == "flag" else remove_flags)(conn, folder, uids, ["\\Flagged"])
        return ActionResult(f"{'Flagged' if action == 'flag' else 'Unflagged'} {plural}.", n)
    if action in ("move", "copy"):
        if not target:
            raise ActionRefused("Choose a folder.")
        _folder_exists(folders, target)
        if target == folder:
            raise ActionRefused("The messages are in that folder already.")
        (move_messages if action == "move" else copy_messages)(conn, folder, uids, target)
        return ActionResult(f"{'Moved' if action == 'move' else 'Copied'} {plural} to {target}.", n)
    if action == "delete":
        trash = _role_folder(folders, "trash")
        if folder == trash:
            expunge_messages(conn, folder, uids)
            return ActionResult(f"Deleted {plural} for good.", n)
        move_messages(conn, folder, uids, trash)
        return ActionResult(f"Moved {plural} to Trash.", n)
    if action == "archive":
        archive = _role_folder(folders, "archive")
        if folder == archive:
            raise ActionRefused("The messages are archived already.")
        move_messages(conn, folder, uids, archive)
        return ActionResult(f"Archived {plural}.", n)
    junk = _role_folder(folders, "junk")
    if action == "junk":
        add_flags(conn, folder, uids, ["$Junk"])
        remove_flags(conn, folder, uids, ["$NotJunk"])
        if folder != junk:
            move_messages(conn, folder, uids, junk)
        return ActionResult(f"Reported {plural} as junk.", n)
    add_flags(conn, folder, uids, ["$NotJunk"])
    remove_flags(conn, folder, uids, ["$Junk"])
    if folder == junk:
        move_messages(conn, folder, uids, "INBOX")
    return ActionResult(f"Marked {plural} as not junk and moved to Inbox.", n)
