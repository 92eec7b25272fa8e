"""The From addresses a user may use, with their display names and signatures."""

from dataclasses import dataclass

from django.conf import settings

from accounts.models import User
from core.errors import NotFound, RoostError
from mailadmin.selectors import addresses_owned_by, display_name_of
from webmail.mime.sanitize import sanitize_html
from webmail.models import Identity


class IdentityMissing(NotFound):
    pass


class DisplayNameRefused(RoostError):
    pass


def _clean_display_name(name: str) -> str:
    """A display name is shown to recipients next to the address; one that holds address syntax could make
    them read another address as the sender, so it is refused when it is saved."""
    name = " ".join(name.split())
    if any(char in name for char in "<>@") or any(ord(char) < 32 or ord(char) == 127 for char in name):
        raise DisplayNameRefused("A display name cannot contain <, >, @ or control characters: it is only a name.")
    return name


@dataclass(frozen=True)
class SenderIdentity:
    address: str
    display_name: str
    signature: str
    signature_html: str


def identities_for(user: User) -> list[SenderIdentity]:
    """Managed mode: the mailbox and its aliases; external mode: the login address."""
    owned = addresses_owned_by(user) if settings.ROOST_MAIL_MODE == "managed" else [user.username]
    saved = {i.address: i for i in Identity.objects.filter(user=user)}
    default_name = display_name_of(user)
    found = []
    for address in owned:
        identity = saved.get(address)
        found.append(
            SenderIdentity(
                address=address,
                display_name=identity.display_name if identity and identity.display_name else default_name,
                signature=identity.signature if identity else "",
                signature_html=identity.signature_html if identity else "",
            )
        )
    default = next((i.address for i in saved.values() if i.is_default), None)
    found.sort(key=lambda i: (i.address != default, owned.index(i.address)))
    return found


def identity_update(
    *, user: User, address: str, display_name: str, signature: str, is_default: bool, signature_html: str = ""
) -> None:
    if address not in {i.address for i in identities_for(user)}:
        raise IdentityMissing(f"{address} is not one of your addresses.")
    display_name = _clean_display_name(display_name)
    if is_default:
        Identity.objects.filter(user=user).update(is_default=False)
    Identity.objects.update_or_create(
        user=user,
        address=address,
        defaults={
            "display_name": display_name,
            "signature": signature,
            # Kept as the sanitiser leaves it: it goes into every message this identity sends.
            "signature_html": sanitize_html(signature_html, cid_url=lambda _: None, proxy_url=None).html
            if signature_html.strip()
            else "",
            "is_default": is_default,
        },
    )
