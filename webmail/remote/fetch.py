"""Fetching a remote image for a message, on the user's request, without becoming a way into the
internal network: every address a name resolves to must be public (or explicitly allowed), the
connection goes to the address that was checked, and size, time and type are limited."""

import http.client
import ipaddress
import socket
import ssl
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


def _check_address(ip: str, allowed: Sequence[Network]) -> None:
    address = ipaddress.ip_address(ip.split("%", 1)[0])
    if any(address in network for network in allowed):
        return
    if not address.is_global or address.is_multicast:
        raise RemoteRefused(f"Remote content from a non-public address ({address}) is not fetched.")


def _resolve(host: str, port: int, allowed: Sequence[Network]) -> str:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror:
        raise RemoteRefused(f"The host {host} does not resolve.") from None
    addresses = [info[4][0] for info in infos]
    for ip in addresses:  # every answer must pass, or a second lookup could pick an internal one
        _check_address(str(ip), allowed)
    return str(addresses[0])


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, host: str, ip: str, port: int, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self._ip = ip

    def connect(self) -> None:
        sock = socket.create_connection((self._ip, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)  # type: ignore[attr-defined]


def fetch_image(
    url: str, *, allowed_networks: Sequence[Network] = (), max_bytes: int = 5 << 20, timeout: float = 5.0
) -> RemoteImage:
    deadline = time.monotonic() + timeout
    for _ in range(4):  # the URL and at most three redirects, each checked again
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise RemoteRefused("Only http and https remote content is fetched.")
        port = parts.port or (443 if parts.scheme == "https" else 80)
        ip = _resolve(parts.hostname, port, allowed_networks)
        remaining = max(0.5, deadline - time.monotonic())
        conn: http.client.HTTPConnection
        if parts.scheme == "https":
            conn = _PinnedHTTPSConnection(parts.hostname, ip, port, remaining)
        else:
            conn = http.client.HTTPConnection(ip, port, timeout=remaining)
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        try:
            conn.request(
                "GET", path, headers={"Host": parts.netloc, "User-Agent": "Roost image proxy", "Accept": "image/*"}
            )
            response = conn.getresponse()
            if response.status in (301, 302, 303, 307, 308) and response.getheader("Location"):
                url = urljoin(url, response.getheader("Location", ""))
                continue
            if response.status != 200:
                raise RemoteRefused(f"The remote server answered {response.status}.")
            content_type = (response.getheader("Content-Type") or "").split(";")[0].strip().lower()
            if content_type not in IMAGE_TYPES:
                raise RemoteRefused("Only images are shown from remote content.")
            data = response.read(max_bytes + 1)
            if len(data) > max_bytes:
                raise RemoteRefused("The remote image is too large.")
            if time.monotonic() > deadline:
                raise RemoteRefused("The remote server was too slow.")
            return RemoteImage(content_type, data)
        except (OSError, http.client.HTTPException) as error:
            raise RemoteRefused(f"The remote content could not be fetched ({error.__class__.__name__}).") from None
        finally:
            conn.close()
    raise RemoteRefused("Too many redirects.")
