from collections.abc import Collection
from datetime import datetime
from typing import Any

from django import template
from django.utils import timezone
from django.utils.formats import date_format

from webmail.imap.folders import Folder
from webmail.selectors import outbox_problems
from webmail.services.listing import ListQuery
from webmail.views.query import query_string

register = template.Library()

ROLE_LABELS = {
    "inbox": "Inbox",
    "drafts": "Drafts",
    "sent": "Sent",
    "trash": "Trash",
    "junk": "Junk",
    "archive": "Archive",
}


@register.filter
def folder_label(folder: Folder) -> str:
    if folder.role and folder.depth == 0:
        return ROLE_LABELS[folder.role]
    return folder.name.replace(folder.delimiter, " / ") if folder.delimiter else folder.name


@register.filter
def mail_date(value: datetime | None) -> str:
    """Today: the time; this year: day and month; older: the full date. In the user's time zone."""
    if value is None:
        return ""
    local = timezone.localtime(value) if timezone.is_aware(value) else value
    now = timezone.localtime()
    if local.date() == now.date():
        return date_format(local, "H:i")
    if local.year == now.year:
        return date_format(local, "j M")
    return date_format(local, "j M Y")


@register.simple_tag
def qs(query: ListQuery, **changes: Any) -> str:
    return query_string(query, **changes)


@register.simple_tag
def outbox_problem_count(user: Any) -> int:
    return outbox_problems(user) if getattr(user, "is_authenticated", False) else 0


@register.filter
def elapsed(since: datetime | None, now: datetime) -> str:
    """How long something has been going on, to the second while that matters: "40 s", "3 min"."""
    if since is None:
        return ""
    seconds = max(0, int((now - since).total_seconds()))
    if seconds < 120:
        return f"{seconds} s"
    if seconds < 7200:
        return f"{seconds // 60} min"
    return f"{seconds // 3600} h"


@register.filter
def known_in(email: str, known: Collection[str]) -> bool:
    """Whether an address of a message is among the user's contacts (the reader's known_addresses)."""
    return bool(email) and email.lower() in known
