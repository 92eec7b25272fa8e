"""State changes of the mail directory. The Django admin (and later the admin panel) call only these."""

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from accounts.models import User
from core.errors import RoostError
from core.logins import login_generation_bump

from .addresses import InvalidAddress, domain_of, normalise_address, normalise_domain
from .models import Alias, ArchivedMailbox, Domain, Mailbox


class DirectoryError(RoostError):
    pass


class UnknownDomain(DirectoryError):
    pass


class AddressTaken(DirectoryError):
    pass


class AliasLoop(DirectoryError):
    pass


class WeakPassword(DirectoryError):
    pass


def _check_password(password: str, user: User | None = None) -> None:
    try:
        validate_password(password, user)
    except ValidationError as error:
        raise WeakPassword(" ".join(error.messages)) from None


def _managed_domain(name: str) -> Domain:
    try:
        return Domain.objects.get(name=name)
    except Domain.DoesNotExist:
        raise UnknownDomain(f"Roost does not manage the domain {name}. Add the domain first.") from None


def _check_address_free(address: str, *, except_alias: Alias | None = None) -> None:
    if Mailbox.objects.filter(address=address).exists():
        raise AddressTaken(f"{address} is already a mailbox.")
    aliases = Alias.objects.filter(address=address)
    if except_alias is not None:
        aliases = aliases.exclude(pk=except_alias.pk)
    if aliases.exists():
        raise AddressTaken(f"{address} is already an alias.")


def domain_create(*, name: str) -> Domain:
    name = normalise_domain(name)
    if Domain.objects.filter(name=name).exists():
        raise AddressTaken(f"The domain {name} exists already.")
    return Domain.objects.create(name=name)


def mailbox_check_new(*, address: str, password: str) -> str:
    """Validate a mailbox that is about to be created; returns the normalised address."""
    address = normalise_address(address)
    _managed_domain(domain_of(address))
    _check_address_free(address)
    _check_password(password, User(username=address))
    return address


@transaction.atomic
def mailbox_create(
    *, address: str, password: str, display_name: str = "", quota_mb: int = 1024, is_staff: bool = False
) -> Mailbox:
    address = mailbox_check_new(address=address, password=password)
    domain = _managed_domain(domain_of(address))
    user = User(username=address, email=address, is_staff=is_staff, is_superuser=is_staff)
    if display_name:
        user.first_name, _, user.last_name = display_name.partition(" ")
    user.set_password(password)
    try:
        with transaction.atomic():
            user.save()
            return Mailbox.objects.create(
                user=user,
                domain=domain,
                local_part=address.partition("@")[0],
                address=address,
                display_name=display_name,
                quota_mb=quota_mb,
            )
    except IntegrityError:
        raise AddressTaken(f"{address} is already taken.") from None


def mailbox_check_password(*, mailbox: Mailbox, password: str) -> None:
    """Raise WeakPassword unless password may become mailbox's (forms check before saving anything)."""
    _check_password(password, mailbox.user)


def mailbox_set_password(*, mailbox: Mailbox, password: str) -> None:
    mailbox_check_password(mailbox=mailbox, password=password)
    mailbox.user.set_password(password)
    mailbox.user.save(update_fields=["password"])
    _drop_kept_connections(mailbox.user.username)


def _drop_kept_connections(username: str) -> None:
    """After commit: a connection opened between the bump and the commit would still be the old login's."""
    transaction.on_commit(lambda: login_generation_bump(username=username))


@transaction.atomic
def mailbox_set_active(*, mailbox: Mailbox, active: bool) -> None:
    """A deactivated mailbox can no longer sign in anywhere: web, IMAP, SMTP (all read these flags)."""
    mailbox.active = active
    mailbox.save(update_fields=["active"])
    mailbox.user.is_active = active
    mailbox.user.save(update_fields=["is_active"])
    if not active:
        _drop_kept_connections(mailbox.user.username)


def mailbox_home(mailbox: Mailbox) -> str:
    """The mail store relative to the vmail directory, as the view roost_mail_users gives it to Dovecot."""
    return mailbox.home or f"by-id/{mailbox.pk}"


@transaction.atomic
def mailbox_delete(*, mailbox: Mailbox) -> ArchivedMailbox:
    """Delete a mailbox and its account: no more sign-in anywhere (web, IMAP, SMTP, DAV), and everything the
    account owned in Roost goes with it. The mail store stays on disk, recorded as archived: the web process
    may not touch the vmail directory, and nobody inherits it, since a new mailbox with this address gets a
    home named by its own id. docs/deploy.md says how to keep or remove archived stores."""
    archived = ArchivedMailbox.objects.create(address=mailbox.address, home=mailbox_home(mailbox))
    mailbox.user.delete()  # cascades to the mailbox row; the account's sessions then find no user
    return archived


def mailbox_update(*, mailbox: Mailbox, display_name: str, quota_mb: int) -> None:
    mailbox.display_name = display_name
    mailbox.quota_mb = quota_mb
    mailbox.save(update_fields=["display_name", "quota_mb"])


def _normalise_alias_address(address: str) -> tuple[str, str]:
    """Returns (local part, domain); a catch-all is written "@domain" and has an empty local part."""
    address = address.strip().lower()
    if address.startswith("@"):
        return "", normalise_domain(address[1:])
    normal = normalise_address(address)
    local_part, _, domain = normal.partition("@")
    return local_part, domain


def _resolve_step(destination: str, aliases: dict[str, list[str]], mailboxes: set[str]) -> list[str]:
    """Where Postfix would send mail for destination next (an exact alias, else the domain's catch-all)."""
    if destination in mailboxes:
        return []
    if destination in aliases:
        return aliases[destination]
    return aliases.get("@" + domain_of(destination), [])


def _check_no_loop(address: str, destinations: list[str]) -> None:
    aliases = {a.address: list(a.destinations) for a in Alias.objects.filter(active=True).exclude(address=address)}
    aliases[address] = destinations
    mailboxes = set(Mailbox.objects.values_list("address", flat=True))
    stack = [(d, [address, d]) for d in destinations]
    seen: set[str] = set()
    while stack:
        current, path = stack.pop()
        if current == address or ("@" + domain_of(current) == address and current not in mailboxes):
            raise AliasLoop("This alias would make a loop: " + " → ".join(path) + ".")
        if current in seen:
            continue
        seen.add(current)
        stack.extend((nxt, [*path, nxt]) for nxt in _resolve_step(current, aliases, mailboxes))


def _clean_destinations(address: str, destinations: list[str]) -> list[str]:
    cleaned: list[str] = []
    for destination in destinations:
        if not destination.strip():
            continue
        try:
            normal = normalise_address(destination)
        except InvalidAddress as error:
            raise InvalidAddress(f"Destination {error}") from None
        if normal == address:
            raise AliasLoop(f"{address} cannot deliver to itself.")
        if normal not in cleaned:
            cleaned.append(normal)
    if not cleaned:
        raise DirectoryError("An alias needs at least one destination.")
    return cleaned


def alias_check(*, address: str, destinations: list[str], existing: Alias | None = None) -> tuple[str, str, list[str]]:
    """Validate an alias; returns (address, local part, cleaned destinations)."""
    local_part, domain = _normalise_alias_address(address)
    _managed_domain(domain)
    address = f"{local_part}@{domain}"
    _check_address_free(address, except_alias=existing)
    cleaned = _clean_destinations(address, destinations)
    _check_no_loop(address, cleaned)
    return address, local_part, cleaned


@transaction.atomic
def alias_create(*, address: str, destinations: list[str]) -> Alias:
    address, local_part, cleaned = alias_check(address=address, destinations=destinations)
    domain = _managed_domain(domain_of(address))
    return Alias.objects.create(domain=domain, local_part=local_part, address=address, destinations=cleaned)


@transaction.atomic
def alias_update(*, alias: Alias, destinations: list[str], active: bool) -> None:
    _, _, cleaned = alias_check(address=alias.address, destinations=destinations, existing=alias)
    alias.destinations = cleaned
    alias.active = active
    alias.save(update_fields=["destinations", "active"])
