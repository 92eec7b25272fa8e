"""Message lists: a page of a folder, sorted or as conversations, filtered by a search."""

from dataclasses import dataclass, field
from datetime import date

from webmail.imap.folders import Folder, list_folders
from webmail.imap.listing import (
    FolderStamp,
    MessageSummary,
    fetch_flags,
    fetch_summaries,
    folder_stamp,
    sorted_uids,
    thread_uids,
)
from webmail.imap.pool import PooledConnection
from webmail.listcache import cached_threads, cached_uids
from webmail.mailstore import MailAccount, mailbox_connection
from webmail.services.folders import FolderMissing, folder_tree_remember

PAGE_SIZE = 50


@dataclass(frozen=True)
class ListQuery:
    folder: str = "INBOX"
    sort: str = "date"
    reverse: bool = True
    page: int = 1
    text: str = ""
    sender: str = ""
    subject: str = ""
    unseen: bool = False
    flagged: bool = False
    attachments: bool = False
    since: date | None = None
    before: date | None = None
    threads: bool = False

    @property
    def filtered(self) -> bool:
        return bool(
            self.text
            or self.sender
            or self.subject
            or self.unseen
            or self.flagged
            or self.attachments
            or self.since
            or self.before
        )

    def criteria(self) -> list[object]:
        """IMAP SEARCH criteria; imapclient quotes every value, nothing is pasted into protocol text."""
        found: list[object] = []
        if self.text:
            t = self.text
            found += ["OR", "OR", "FROM", t, "TO", t, "OR", "OR", "CC", t, "SUBJECT", t, "BODY", t]
        if self.sender:
            found += ["FROM", self.sender]
        if self.subject:
            found += ["SUBJECT", self.subject]
        if self.unseen:
            found.append("UNSEEN")
        if self.flagged:
            found.append("FLAGGED")
        if self.attachments:
            found += ["HEADER", "Content-Type", "multipart/mixed"]
        if self.since:
            found += ["SINCE", self.since]
        if self.before:
            found += ["BEFORE", self.before]
        return found or ["ALL"]

    def variant(self) -> str:
        return repr((self.sort, self.reverse, self.criteria()))


@dataclass(frozen=True)
class Conversation:
    uids: list[int]
    newest: MessageSummary
    unseen: int

    @property
    def count(self) -> int:
        return len(self.uids)


@dataclass
class MessagePage:
    query: ListQuery
    total: int
    page: int
    pages: int
    messages: list[MessageSummary] = field(default_factory=list)
    conversations: list[Conversation] = field(default_factory=list)
    folders: list[Folder] = field(default_factory=list)


def _flag_dependent(query: ListQuery) -> bool:
    return query.unseen or query.flagged


def folder_uids(conn: PooledConnection, address: str, query: ListQuery, stamp: FolderStamp | None = None) -> list[int]:
    """The folder's UIDs for this query, in display order, from the cache when the folder is unchanged
    (stamp: the folder's, when the caller has just asked for it)."""
    stamp = stamp or folder_stamp(conn, query.folder)
    return cached_uids(
        user=address,
        folder=query.folder,
        stamp=stamp,
        variant=query.variant(),
        flag_dependent=_flag_dependent(query),
        compute=lambda: sorted_uids(
            conn, query.folder, sort=query.sort, reverse=query.reverse, criteria=query.criteria()
        ),
    )


def _page_bounds(total: int, page: int) -> tuple[int, int, int]:
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(1, page), pages)
    return page, pages, (page - 1) * PAGE_SIZE


def message_page(*, account: MailAccount, query: ListQuery) -> MessagePage:
    with mailbox_connection(account) as conn:
        folders = list_folders(conn)
        folder_tree_remember(user_id=account.user.pk, folders=folders)
        if not any(f.name == query.folder and f.selectable for f in folders):
            raise FolderMissing(f"There is no folder called {query.folder}.")
        if query.threads:
            return _conversation_page(conn, account.address, query, folders)
        uids = folder_uids(conn, account.address, query)
        page, pages, start = _page_bounds(len(uids), query.page)
        messages = fetch_summaries(conn, query.folder, uids[start : start + PAGE_SIZE])
    return MessagePage(query=query, total=len(uids), page=page, pages=pages, messages=messages, folders=folders)


def _conversation_page(conn: PooledConnection, address: str, query: ListQuery, folders: list[Folder]) -> MessagePage:
    stamp = folder_stamp(conn, query.folder)
    threads = cached_threads(
        user=address,
        folder=query.folder,
        stamp=stamp,
        variant=query.variant(),
        flag_dependent=_flag_dependent(query),
        compute=lambda: thread_uids(conn, query.folder, criteria=query.criteria()),
    )
    page, pages, start = _page_bounds(len(threads), query.page)
    shown = threads[start : start + PAGE_SIZE]
    newest = {s.uid: s for s in fetch_summaries(conn, query.folder, [t[-1] for t in shown])}
    flags = fetch_flags(conn, query.folder, [uid for thread in shown for uid in thread])
    conversations = [
        Conversation(uids=t, newest=newest[t[-1]], unseen=sum(1 for u in t if "\\Seen" not in flags.get(u, {"\\Seen"})))
        for t in shown
        if t[-1] in newest
    ]
    return MessagePage(
        query=query, total=len(threads), page=page, pages=pages, conversations=conversations, folders=folders
    )
