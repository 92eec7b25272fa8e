"""Address completion for To, Cc and Bcc. Four sources, in this order: the user's own contacts and contact
groups, then addresses they sent to recently, then the global address book (GAL). Within each, a better
match (a word or the address starts with what was typed) and more and fresher use rank higher. Every address
is offered once, under the first source that has it; a group is offered with its members' addresses."""

import math
from dataclasses import dataclass
from datetime import timedelta
from typing import Literal

from django.utils import timezone

from accounts.models import User
from contacts.selectors import address_suggestions as contact_suggestions
from webmail.models import Outbox

RECENT_WINDOW = timedelta(days=180)
QUERY_MAX = 100
Source = Literal["contact", "group", "recent", "gal"]
_TIER: dict[str, int] = {"contact": 0, "group": 0, "recent": 1, "gal": 2}


@dataclass(frozen=True)
class Suggestion:
    name: str
    email: str  # empty for a group
    source: Source
    members: tuple[str, ...] = ()  # a group's addresses, which compose inserts in its place

    def __str__(self) -> str:
        if self.source == "group":
            return self.name
        return f"{self.name} <{self.email}>" if self.name else self.email


def _match(query: str, name: str, email: str) -> float:
    q = query.casefold()
    local = email.split("@")[0].casefold()
    words = name.casefold().split()
    if (
        (local and local.startswith(q))
        or any(w.startswith(q) for w in words)
        or (email and email.casefold().startswith(q))
    ):
        return 2.0
    if q in email.casefold() or q in name.casefold():
        return 1.0
    return 0.0


def _recent_use(user: User) -> dict[str, tuple[int, float]]:
    """Each address sent to in the window: how often, and how fresh the latest use is (1 today, towards 0)."""
    since = timezone.now() - RECENT_WINDOW
    now = timezone.now()
    usage: dict[str, tuple[int, float]] = {}
    sent = Outbox.objects.filter(user=user, created__gte=since).order_by("-created")
    for recipients, created in sent.values_list("recipients", "created")[:500]:
        for address in recipients or []:
            key = address.strip().lower()
            count, freshest = usage.get(key, (0, 0.0))
            age_days = (now - created).total_seconds() / 86400
            usage[key] = (count + 1, max(freshest, 1 / (1 + age_days)))
    return usage


def address_suggestions(*, user: User, query: str, limit: int = 8) -> list[Suggestion]:
    query = query.strip()
    if not query or len(query) > QUERY_MAX:
        return []
    usage = _recent_use(user)
    candidates: list[Suggestion] = []
    seen: set[str] = set()
    # Contacts, groups and the GAL come ranked and without repeats from the address book; a personal
    # contact's name wins over the GAL's for the same address.
    found = contact_suggestions(user=user, q=query, limit=max(limit * 3, 20))
    for s in found:
        if s.source == "gal":
            continue
        if s.email and s.email.lower() in seen:
            continue
        seen.add(s.email.lower())
        candidates.append(Suggestion(s.name, s.email.lower() if s.email else "", s.source, s.members))
    gal_names = {s.email.lower(): s.name for s in found if s.source == "gal" and s.email}
    for address in usage:
        if address not in seen:
            seen.add(address)
            candidates.append(Suggestion(gal_names.get(address, ""), address, "recent"))
    for address, name in gal_names.items():
        if address not in seen:
            seen.add(address)
            candidates.append(Suggestion(name, address, "gal"))
    scored = []
    for position, suggestion in enumerate(candidates):
        match = _match(query, suggestion.name, suggestion.email)
        if suggestion.source != "recent":
            match = max(match, 0.5)  # the address book matched it on something else: organisation, phone
        elif match == 0:
            continue
        count, freshness = usage.get(suggestion.email, (0, 0.0))
        score = match + math.log1p(count) + freshness
        scored.append((_TIER[suggestion.source], -score, position, suggestion))
    scored.sort(key=lambda item: item[:3])
    return [item[3] for item in scored[:limit]]
