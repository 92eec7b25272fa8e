"""Address completion for To, Cc and Bcc: addresses the user sent to recently and the directory's
mailboxes, ranked by how well they match and how often and how lately they were used."""

import math
from dataclasses import dataclass
from datetime import timedelta

from django.utils import timezone

from accounts.models import User
from mailadmin.selectors import directory_search
from webmail.models import Outbox

RECENT_WINDOW = timedelta(days=180)


@dataclass(frozen=True)
class Suggestion:
    name: str
    email: str
    source: str  # "recent" or "directory"

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>" if self.name else self.email


def _match(query: str, name: str, email: str) -> float:
    q = query.casefold()
    local = email.split("@")[0].casefold()
    words = name.casefold().split()
    if local.startswith(q) or any(w.startswith(q) for w in words) or email.casefold().startswith(q):
        return 2.0
    if q in email.casefold() or q in name.casefold():
        return 1.0
    return 0.0


def address_suggestions(*, user: User, query: str, limit: int = 8) -> list[Suggestion]:
    query = query.strip()
    if len(query) < 1 or len(query) > 100:
        return []
    since = timezone.now() - RECENT_WINDOW
    usage: dict[str, tuple[int, float]] = {}
    sent = (
        Outbox.objects.filter(user=user, created__gte=since).order_by("-created").values_list("recipients", "created")
    )
    now = timezone.now()
    for recipients, created in sent[:500]:
        for address in recipients or []:
            count, freshest = usage.get(address, (0, 0.0))
            age_days = (now - created).total_seconds() / 86400
            usage[address] = (count + 1, max(freshest, 1 / (1 + age_days)))
    candidates: dict[str, Suggestion] = {}
    for address in usage:
        candidates[address] = Suggestion("", address, "recent")
    for name, address in directory_search(query, limit=50):
        candidates[address] = Suggestion(name, address, "directory")
    scored = []
    for suggestion in candidates.values():
        match = _match(query, suggestion.name, suggestion.email)
        if match == 0:
            continue
        count, freshness = usage.get(suggestion.email, (0, 0.0))
        scored.append((match + math.log1p(count) + freshness, suggestion))
    scored.sort(key=lambda item: (-item[0], item[1].email))
    return [s for _, s in scored[:limit]]
