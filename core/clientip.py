"""The address a request came from, as far as Roost can trust it.

Behind a reverse proxy REMOTE_ADDR is the proxy, and the client is somewhere in X-Forwarded-For. Each
proxy appends the address it saw to whatever the client sent, so only the hops written by proxies we
trust are facts: the rightmost address that is not one of ROOST_TRUSTED_PROXIES is the client, and
everything to its left is the client's own claim. Login throttling and logs key on this address, so
a forged header must buy neither fresh addresses nor someone else's.
"""

import ipaddress

from django.conf import settings
from django.http import HttpRequest

_Address = ipaddress.IPv4Address | ipaddress.IPv6Address
_Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def _address(text: str) -> _Address | None:
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        return None


def _trusted(address: _Address | None, networks: list[_Network]) -> bool:
    return address is not None and any(address in network for network in networks)


def client_ip(request: HttpRequest) -> str:
    remote = str(request.META.get("REMOTE_ADDR", ""))
    networks = [ipaddress.ip_network(n, strict=False) for n in settings.ROOST_TRUSTED_PROXIES]
    if not _trusted(_address(remote), networks):
        return remote
    hops = str(request.META.get("HTTP_X_FORWARDED_FOR", "")).split(",")
    for hop in reversed(hops):
        address = _address(hop)
        if address is None:
            break  # not written by a proxy we trust; the last trusted hop is all we know
        if not _trusted(address, networks):
            return str(address)
        remote = str(address)
    return remote


# Set by core.middleware.TrustedProxyMiddleware and read by Django through SECURE_PROXY_SSL_HEADER; whatever
# a client sends under this name is removed first, so only a trusted proxy's X-Forwarded-Proto counts.
PROXY_HTTPS_META = "HTTP_X_ROOST_FORWARDED_HTTPS"


def forwarded_https(request: HttpRequest) -> bool:
    """Whether a trusted proxy says the client reached it over https."""
    networks = [ipaddress.ip_network(n, strict=False) for n in settings.ROOST_TRUSTED_PROXIES]
    if not _trusted(_address(str(request.META.get("REMOTE_ADDR", ""))), networks):
        return False
    proto = str(request.META.get("HTTP_X_FORWARDED_PROTO", "")).split(",")[-1].strip().lower()
    return proto == "https"
