"""Address syntax: what Roost accepts as a domain name, a local part and a full address."""

import re

from core.errors import RoostError


class InvalidAddress(RoostError):
    pass


_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
_LOCAL = re.compile(r"^[a-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*$")


def normalise_domain(name: str) -> str:
    name = name.strip().lower().rstrip(".")
    try:
        ascii_name = name.encode("idna").decode("ascii") if name else ""
    except UnicodeError:
        raise InvalidAddress(f"{name!r} is not a valid domain name.") from None
    labels = ascii_name.split(".")
    if len(ascii_name) > 253 or len(labels) < 2 or not all(_LABEL.match(label) for label in labels):
        raise InvalidAddress(f"{name!r} is not a valid domain name (for example: example.org).")
    return ascii_name


def normalise_local_part(local_part: str) -> str:
    local_part = local_part.strip().lower()
    if len(local_part) > 64 or not _LOCAL.match(local_part):
        raise InvalidAddress(
            f"{local_part!r} is not a valid mailbox name: use letters, digits and . _ - +"
            " (no spaces, no dot at either end)."
        )
    return local_part


def normalise_address(address: str) -> str:
    local_part, at, domain = address.strip().rpartition("@")
    if not at or not local_part:
        raise InvalidAddress(f"{address!r} is not a valid email address (for example: alice@example.org).")
    return f"{normalise_local_part(local_part)}@{normalise_domain(domain)}"


def domain_of(address: str) -> str:
    return address.rpartition("@")[2]
