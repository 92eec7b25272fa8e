"""Fetching a remote image for a message, on the user's request, without becoming a way into the
internal network: every address a name resolves to must be public (or explicitly allowed), the
connection goes to the address that was checked, and size, time and type are limited."""

import contextlib
import http.client
import ipaddress
import socket
import ssl
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from core.errors import RoostError

IMAGE_TYPES = {"image/png", "image/jpeg", "image/gif", "image/webp", "image/avif", "image/bmp", "image/x-icon"}
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class RemoteRefused(RoostError):
    pass


@dataclass(frozen=True)
class RemoteImage:
    content_type: str
    data: bytes


# Prefixes whose addresses carry an IPv4 address inside: reaching one may reach that IPv4 host (through
# a NAT64 gateway, a 6to4 relay, a Teredo server, or a stack that still takes IPv4-compatible forms).
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
_NAT64_LOCAL = ipaddress.IPv6Network("64:ff9b:1::/48")  # RFC 8215: never a public host
_IPV4_COMPATIBLE = ipaddress.IPv6Network("::/96")


def _embedded_ipv4(address: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    found = [address.ipv4_mapped, address.sixtofour, *(address.teredo or ())]
    if address in _NAT64 or address in _IPV4_COMPATIBLE:
        found.append(ipaddress.IPv4Address(int(address) & 0xFFFFFFFF))
    return [ip for ip in found if ip is not None]


def _public(address: ipaddress.IPv4Address | ipaddress.IPv6Address, allowed: Sequence[Network]) -> bool:
    if any(address in network for network in allowed):
        return True
    if not address.is_global or address.is_multicast:
        return False
    if isinstance(address, ipaddress.IPv6Address):
        if address in _NAT64_LOCAL:
            return False
        return all(_public(ip, allowed) for ip in _embedded_ipv4(address))
    return True


def _check_address(ip: str, allowed: Sequence[Network]) -> None:
    address = ipaddress.ip_address(ip.split("%", 1)[0])
    if not _public(address, allowed):
        raise RemoteRefused(f"Remote content from a non-public address ({address}) is not fetched.")


def _resolve(host: str, port: int, allowed: Sequence[Network]) -> str:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError, ValueError):
        raise RemoteRefused(f"The host {host} does not resolve.") from None
    addresses = [info[4][0] for info in infos]
    for ip in addresses:  # every answer must pass, or a second lookup could pick an internal one
        _check_address(str(ip), allowed)
    return str(addresses[0])


@dataclass(frozen=True)
class _Target:
    scheme: str
    host: str  # ASCII (IDNA) form, without brackets
    port: int
    host_header: str  # host[:port] as the server should see it: never the userinfo of the URL
    path: str


def _target(url: str) -> _Target:
    try:
        parts = urlsplit(url)
        hostname, explicit_port = parts.hostname, parts.port
        if parts.scheme not in ("http", "https") or not hostname:
            raise RemoteRefused("Only http and https remote content is fetched.")
        host = hostname if ":" in hostname else hostname.encode("idna").decode("ascii")
    except (UnicodeError, ValueError):
        raise RemoteRefused("That remote address is not a valid URL.") from None
    port = explicit_port or (443 if parts.scheme == "https" else 80)
    shown = f"[{host}]" if ":" in host else host
    return _Target(
        scheme=parts.scheme,
        host=host,
        port=port,
        host_header=f"{shown}:{explicit_port}" if explicit_port else shown,
        path=(parts.path or "/") + (f"?{parts.query}" if parts.query else ""),
    )


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, host: str, ip: str, port: int, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self._ip = ip

    def connect(self) -> None:
        sock = socket.create_connection((self._ip, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)  # type: ignore[attr-defined]


def _cut_off(conn: http.client.HTTPConnection) -> None:
    """At the deadline: a server that sends a byte now and then never trips the socket timeout, so the
    socket is shut under it, which wakes whatever read is waiting."""
    sock = conn.sock
    if sock is not None:
        with contextlib.suppress(OSError):  # already closed
            sock.shutdown(socket.SHUT_RDWR)


def _read_body(response: http.client.HTTPResponse, deadline: float, max_bytes: int) -> bytes:
    data = bytearray()
    while chunk := response.read1(64 * 1024):  # one receive at a time, so the deadline is checked between them
        data += chunk
        if len(data) > max_bytes:
            raise RemoteRefused("The remote image is too large.")
        if time.monotonic() > deadline:
            raise RemoteRefused("The remote server was too slow.")
    if time.monotonic() > deadline:  # the watchdog's shutdown reads as an early end
        raise RemoteRefused("The remote server was too slow.")
    if response.length:
        raise RemoteRefused("The remote image arrived incomplete.")
    return bytes(data)


def _fetch_once(url: str, target: _Target, ip: str, deadline: float, max_bytes: int) -> RemoteImage | str:
    """The image, or the URL a redirect points to."""
    remaining = max(0.1, deadline - time.monotonic())
    conn: http.client.HTTPConnection
    if target.scheme == "https":
        conn = _PinnedHTTPSConnection(target.host, ip, target.port, remaining)
    else:
        conn = http.client.HTTPConnection(ip, target.port, timeout=remaining)
    watchdog = threading.Timer(remaining, _cut_off, args=(conn,))
    watchdog.daemon = True
    watchdog.start()
    try:
        conn.request(
            "GET",
            target.path,
            headers={"Host": target.host_header, "User-Agent": "Roost image proxy", "Accept": "image/*"},
        )
        response = conn.getresponse()
        if response.status in (301, 302, 303, 307, 308) and response.getheader("Location"):
            return urljoin(url, response.getheader("Location", ""))
        if response.status != 200:
            raise RemoteRefused(f"The remote server answered {response.status}.")
        content_type = (response.getheader("Content-Type") or "").split(";")[0].strip().lower()
        if content_type not in IMAGE_TYPES:
            raise RemoteRefused("Only images are shown from remote content.")
        return RemoteImage(content_type, _read_body(response, deadline, max_bytes))
    except (OSError, http.client.HTTPException, ValueError) as error:
        if time.monotonic() >= deadline:
            raise RemoteRefused("The remote server was too slow.") from None
        raise RemoteRefused(f"The remote content could not be fetched ({error.__class__.__name__}).") from None
    finally:
        watchdog.cancel()
        conn.close()


def fetch_image(
    url: str, *, allowed_networks: Sequence[Network] = (), max_bytes: int = 5 << 20, timeout: float = 5.0
) -> RemoteImage:
    deadline = time.monotonic() + timeout
    for _ in range(4):  # the URL and at most three redirects, each checked again
        target = _target(url)
        ip = _resolve(target.host, target.port, allowed_networks)
        if time.monotonic() > deadline:
            raise RemoteRefused("The remote server was too slow.")
        fetched = _fetch_once(url, target, ip, deadline, max_bytes)
        if isinstance(fetched, RemoteImage):
            return fetched
        url = fetched
    raise RemoteRefused("Too many redirects.")
