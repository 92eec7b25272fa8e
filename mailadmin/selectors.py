from collections.abc import Collection
from dataclasses import dataclass

from django.db.models import Q

from accounts.models import User

from .models import Alias, Domain, Mailbox


def addresses_owned_by(user: User) -> list[str]:
    """The addresses a user may send as: their mailbox, then the aliases that deliver to it (as Postfix's
    sender-login map says). Catch-alls are not addresses one sends from."""
    mailbox = Mailbox.objects.filter(user=user, active=True).first()
    if mailbox is None:
        return []
    aliases = Alias.objects.filter(active=True, destinations__contains=[mailbox.address]).exclude(local_part="")
    return [mailbox.address, *sorted(aliases.values_list("address", flat=True))]


def display_name_of(user: User) -> str:
    mailbox = Mailbox.objects.filter(user=user).first()
    return mailbox.display_name if mailbox and mailbox.display_name else user.get_full_name()


def directory_search(query: str, *, limit: int = 20) -> list[tuple[str, str]]:
    """Active mailboxes whose address or name contains query: (display name, address), the global
    address book until the contacts app has its own."""
    found = (
        Mailbox.objects.filter(active=True, domain__active=True)
        .filter(Q(address__icontains=query) | Q(display_name__icontains=query))
        .order_by("address")
        .values_list("display_name", "address")[:limit]
    )
    return list(found)


def managed_domain_names() -> frozenset[str]:
    """The active domains whose mail Roost's own servers accept; empty in external mode."""
    return frozenset(Domain.objects.filter(active=True).values_list("name", flat=True))


@dataclass(frozen=True)
class DirectoryPerson:
    """An active mailbox as the global address book shows it, with the aliases that deliver only to it."""

    mailbox_id: int
    domain_id: int
    address: str
    display_name: str
    aliases: tuple[str, ...]


@dataclass(frozen=True)
class DirectoryList:
    """An active alias that is not just another name of one mailbox: a distribution list or a forward."""

    alias_id: int
    domain_id: int
    address: str
    destinations: tuple[str, ...]


def mailbox_domain_id(user: User) -> int | None:
    """The active domain of the user's active mailbox (None for accounts without one)."""
    return (
        Mailbox.objects.filter(user=user, active=True, domain__active=True).values_list("domain_id", flat=True).first()
    )


def domain_ids_existing(ids: Collection[int]) -> set[int]:
    return set(Domain.objects.filter(pk__in=list(ids)).values_list("pk", flat=True))


def gal_directory(
    domain_ids: Collection[int], *, mailbox_ids: Collection[int] | None = None
) -> tuple[list[DirectoryPerson], list[DirectoryList]]:
    """Active mailboxes (all, or those of mailbox_ids) and aliases (catch-alls left out) of the given active
    domains."""
    rows = Mailbox.objects.filter(active=True, domain__active=True, domain_id__in=list(domain_ids))
    if mailbox_ids is not None:
        rows = rows.filter(pk__in=list(mailbox_ids))
    mailboxes = list(rows.order_by("address").values_list("pk", "domain_id", "address", "display_name"))
    alias_rows = list(
        Alias.objects.filter(active=True, domain__active=True, domain_id__in=list(domain_ids))
        .exclude(local_part="")
        .order_by("address")
        .values_list("pk", "domain_id", "address", "destinations")
    )
    singles = {destinations[0] for _, _, _, destinations in alias_rows if len(destinations) == 1}
    by_address = dict(
        Mailbox.objects.filter(
            active=True, domain__active=True, domain_id__in=list(domain_ids), address__in=singles
        ).values_list("address", "pk")
    )
    aliases_of: dict[int, list[str]] = {}
    lists: list[DirectoryList] = []
    for pk, domain_id, address, destinations in alias_rows:
        if len(destinations) == 1 and destinations[0] in by_address:
            aliases_of.setdefault(by_address[destinations[0]], []).append(address)
        else:
            lists.append(DirectoryList(pk, domain_id, address, tuple(destinations)))
    people = [
        DirectoryPerson(pk, domain_id, address, name, tuple(aliases_of.get(pk, ())))
        for pk, domain_id, address, name in mailboxes
    ]
    return people, lists


def gal_mailbox_ids_matching(domain_ids: Collection[int], query: str, *, limit: int) -> list[int]:
    """Active mailboxes of these domains whose address, name or alias contains query."""
    alias_targets = Alias.objects.filter(
        active=True, domain_id__in=list(domain_ids), address__icontains=query
    ).values_list("destinations", flat=True)[:limit]
    via_alias = {d for destinations in alias_targets for d in destinations}
    found = (
        Mailbox.objects.filter(active=True, domain__active=True, domain_id__in=list(domain_ids))
        .filter(Q(address__icontains=query) | Q(display_name__icontains=query) | Q(address__in=via_alias))
        .order_by("address")
        .values_list("pk", flat=True)[:limit]
    )
    return list(found)
