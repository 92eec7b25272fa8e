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
