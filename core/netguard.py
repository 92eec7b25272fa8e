"""Fetching from an address a user gave (a remote image in a message, a calendar to subscribe to) without
becoming a way into the internal network: every address a name resolves to must be public (or in an
explicitly allowed network), the connection goes to the address that was checked, redirects are checked
again, and size and time are limited. No Django here: callers pass the allowed networks from their settings.

`address_check` and `resolve_checked` are the guard itself, for a client library that connects on its own
(calendar_app.sources.caldav hands them to its HTTP library's resolver); `fetch` is a small GET client
built on them."""

import contextlib
import http.client
import ipaddress
import socket
import ssl
import threading
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from core.errors import RoostError

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address
REDIRECTS = (301, 302, 303, 307, 308)


class FetchRefused(RoostError):
    """The address is not one Roost fetches from, or the fetch failed; the message says which, for the user."""


def networks(values: Iterable[str]) -> list[Network]:
    """Networks from settings (CIDR strings; a plain address is a network of one)."""
    return [ipaddress.ip_network(value, strict=False) for value in values]


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


def address_allowed(address: Address, allowed: Sequence[Network] = ()) -> bool:
    """Public (global unicast, nothing internal embedded in it), or inside one of the allowed networks."""
    if any(address in network for network in allowed):
        return True
    if not address.is_global or address.is_multicast:
        return False
    if isinstance(address, ipaddress.IPv6Address):
        if address in _NAT64_LOCAL:
            return False
        return all(address_allowed(ip, allowed) for ip in _embedded_ipv4(address))
    return True


def address_check(ip: str, allowed: Sequence[Network] = ()) -> None:
    try:
        address = ipaddress.ip_address(ip.split("%", 1)[0])
    except ValueError:
        raise FetchRefused(f"{ip!r} is not an IP address.") from None
    if not address_allowed(address, allowed):
        raise FetchRefused(f"Roost does not connect to a non-public address ({address}).")


def resolve_checked(host: str, port: int, allowed: Sequence[Network] = ()) -> list[str]:
    """Every address of the host, each checked: one internal answer refuses the lot, or a second lookup
    (or the connecting library's own) could pick it."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError, ValueError):
        raise FetchRefused(f"The host {host} does not resolve.") from None
    addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
    if not addresses:
        raise FetchRefused(f"The host {host} does not resolve.")
    for ip in addresses:
        address_check(ip, allowed)
    return addresses


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str  # ASCII (IDNA) form, without brackets
    port: int
    host_header: str  # host[:port] as the server should see it: never the userinfo of the URL
    path: str
    has_userinfo: bool


def url_target(url: str) -> Target:
    """The parts of an http(s) URL that a connection needs; anything else is refused."""
    try:
        parts = urlsplit(url)
        hostname, explicit_port = parts.hostname, parts.port
        if parts.scheme not in ("http", "https") or not hostname:
            raise FetchRefused("Only http and https addresses are fetched.")
        host = hostname if ":" in hostname else hostname.encode("idna").decode("ascii")
    except (UnicodeError, ValueError):
        raise FetchRefused("That address is not a valid URL.") from None
    port = explicit_port or (443 if parts.scheme == "https" else 80)
    shown = f"[{host}]" if ":" in host else host
    return Target(
        scheme=parts.scheme,
        host=host,
        port=port,
        host_header=f"{shown}:{explicit_port}" if explicit_port else shown,
        path=(parts.path or "/") + (f"?{parts.query}" if parts.query else ""),
        has_userinfo="@" in parts.netloc,
    )


def url_check(url: str, allowed: Sequence[Network] = ()) -> Target:
    """Refuse now what a fetch would refuse later: the scheme, and a host that is (or resolves to) internal."""
    target = url_target(url)
    resolve_checked(target.host, target.port, allowed)
    return target


@dataclass(frozen=True)
class Fetched:
    url: str  # after redirects
    status: int
    headers: dict[str, str]  # names in lower case
    body: bytes


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


def size_text(count: int) -> str:
    if count >= 1 << 20:
        return f"{count / (1 << 20):.3g} MB"
    if count >= 1 << 10:
        return f"{count / (1 << 10):.3g} KB"
    return f"{count} bytes"


def _too_slow(timeout: float) -> FetchRefused:
    return FetchRefused(f"The remote server was too slow (no complete answer within {timeout:g} s).")


@dataclass(frozen=True)
class _Limits:
    deadline: float
    timeout: float
    max_bytes: int
    what: str


def _read_body(response: http.client.HTTPResponse, limits: _Limits) -> bytes:
    data = bytearray()
    while chunk := response.read1(64 * 1024):  # one receive at a time, so the deadline is checked between them
        data += chunk
        if len(data) > limits.max_bytes:
            raise FetchRefused(f"The {limits.what} is too large (more than {size_text(limits.max_bytes)}).")
        if time.monotonic() > limits.deadline:
            raise _too_slow(limits.timeout)
    if time.monotonic() > limits.deadline:  # the watchdog's shutdown reads as an early end
        raise _too_slow(limits.timeout)
    if response.length:
        raise FetchRefused(f"The {limits.what} arrived incomplete.")
    return bytes(data)


def _fetch_once(
    url: str, target: Target, ip: str, headers: Mapping[str, str], limits: _Limits, ok: Sequence[int]
) -> Fetched | str:
    """The answer, or the URL a redirect points to."""
    remaining = max(0.1, limits.deadline - time.monotonic())
    conn: http.client.HTTPConnection
    if target.scheme == "https":
        conn = _PinnedHTTPSConnection(target.host, ip, target.port, remaining)
    else:
        conn = http.client.HTTPConnection(ip, target.port, timeout=remaining)
    watchdog = threading.Timer(remaining, _cut_off, args=(conn,))
    watchdog.daemon = True
    watchdog.start()
    try:
        conn.request("GET", target.path, headers={**headers, "Host": target.host_header})
        response = conn.getresponse()
        if response.status in REDIRECTS and response.getheader("Location"):
            return urljoin(url, response.getheader("Location", ""))
        if response.status not in ok:
            raise FetchRefused(f"The remote server answered {response.status}.")
        length = response.getheader("Content-Length", "")
        if length.isdigit() and int(length) > limits.max_bytes:
            raise FetchRefused(f"The {limits.what} is too large (more than {size_text(limits.max_bytes)}).")
        found = {name.lower(): value for name, value in response.getheaders()}
        return Fetched(url=url, status=response.status, headers=found, body=_read_body(response, limits))
    except (OSError, http.client.HTTPException, ValueError) as error:
        if time.monotonic() >= limits.deadline:
            raise _too_slow(limits.timeout) from None
        raise FetchRefused(f"The {limits.what} could not be fetched ({error.__class__.__name__}).") from None
    finally:
        watchdog.cancel()
        conn.close()


def fetch(
    url: str,
    *,
    allowed_networks: Sequence[Network] = (),
    max_bytes: int,
    timeout: float,
    headers: Mapping[str, str] | None = None,
    ok_statuses: Sequence[int] = (200,),
    what: str = "remote content",
) -> Fetched:
    """GET the URL through the guard: at most three redirects (each checked again), `timeout` seconds for
    everything, `max_bytes` of body. Another status than `ok_statuses` is refused with the status named."""
    deadline = time.monotonic() + timeout
    limits = _Limits(deadline=deadline, timeout=timeout, max_bytes=max_bytes, what=what)
    sent = {"User-Agent": "Roost", **(headers or {})}
    for _ in range(4):  # the URL and at most three redirects
        target = url_target(url)
        ip = resolve_checked(target.host, target.port, allowed_networks)[0]
        if time.monotonic() > deadline:
            raise _too_slow(timeout)
        fetched = _fetch_once(url, target, ip, sent, limits, ok_statuses)
        if isinstance(fetched, Fetched):
            return fetched
        url = fetched
    raise FetchRefused("Too many redirects.")
