"""Search across every folder at once: IMAP SEARCH in each (so Dovecot's full-text index serves
when it is configured), merged newest first and paged like a folder."""

from dataclasses import dataclass, field
from datetime import UTC, datetime

from webmail.imap.folders import Folder, list_folders
from webmail.imap.listing import MessageSummary, fetch_dates, fetch_summaries, search_uids
from webmail.mailstore import MailAccount, mailbox_connection
from webmail.services.listing import PAGE_SIZE, ListQuery

MAX_PER_FOLDER = 2000
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class FoundMessage:
    folder: Folder
    summary: MessageSummary


@dataclass
class SearchPage:
    query: ListQuery
    total: int
    page: int
    pages: int
    results: list[FoundMessage] = field(default_factory=list)
    folders: list[Folder] = field(default_factory=list)


def search_everywhere(*, account: MailAccount, query: ListQuery) -> SearchPage:
    with mailbox_connection(account) as conn:
        folders = list_folders(conn)
        hits: list[tuple[datetime, Folder, int]] = []
        for folder in folders:
            if not folder.selectable or folder.total == 0:
                continue
            uids = search_uids(conn, folder.name, query.criteria())[-MAX_PER_FOLDER:]
            dates = fetch_dates(conn, folder.name, uids)
            hits += [(dates.get(uid, _EPOCH), folder, uid) for uid in uids]
        hits.sort(key=lambda hit: hit[0], reverse=True)
        pages = max(1, -(-len(hits) // PAGE_SIZE))
        page = min(max(1, query.page), pages)
        shown = hits[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
        by_folder: dict[str, list[int]] = {}
        for _, folder, uid in shown:
            by_folder.setdefault(folder.name, []).append(uid)
        summaries = {(name, s.uid): s for name, uids in by_folder.items() for s in fetch_summaries(conn, name, uids)}
    results = [
        FoundMessage(folder, summaries[(folder.name, uid)])
        for _, folder, uid in shown
        if (folder.name, uid) in summaries
    ]
    return SearchPage(query=query, total=len(hits), page=page, pages=pages, results=results, folders=folders)
