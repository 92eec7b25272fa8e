from dataclasses import dataclass

from django.contrib.sessions.backends.base import SessionBase

from accounts.models import User
from webmail.imap.messages import MessageSummary, newest_messages
from webmail.mailstore import mailbox_connection


@dataclass(frozen=True)
class FolderOverview:
    folder: str
    total: int
    messages: list[MessageSummary]


def folder_overview(
    *, user: User, session: SessionBase | None, folder: str = "INBOX", limit: int = 20
) -> FolderOverview:
    with mailbox_connection(user, session) as conn:
        total, messages = newest_messages(conn, folder, limit)
    return FolderOverview(folder=folder, total=total, messages=messages)
