"""A remote CalDAV calendar's events, read with the caldav library: the one module that uses caldav and
niquests (its HTTP client).

The library connects on its own, so core.netguard's check sits where every connection starts: the
session's resolver refuses a name with any non-public address and an IP literal that is not public. That
covers the URL, redirects, hrefs on other hosts and a name that resolves differently the second time,
because the socket goes to the address the resolver returned. Each request has a timeout; the whole
listing has a deadline (its sockets are shut when it passes, which wakes a read from a server that
trickles); every answer is cut off past the size cap, counted after decompression. No proxies or .netrc
from the environment."""

import contextlib
import socket
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import niquests
from caldav.davclient import DAVClient
from caldav.lib import error as caldav_error
from niquests.packages.urllib3.contrib.resolver.system import SystemResolver

from core.netguard import FetchRefused, Network, address_check, size_text, url_target


@dataclass(frozen=True)
class RemoteObject:
    href: str
    text: str


@dataclass
class _Limits:
    allowed: Sequence[Network]
    max_bytes: int
    timeout: float
    refused: FetchRefused | None = None  # the first refusal, whatever the library made of it
    late: bool = False
    sockets: list[socket.socket] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def refuse(self, error: FetchRefused) -> FetchRefused:
        if self.refused is None:
            self.refused = error
        return error

    def too_large(self) -> FetchRefused:
        return self.refuse(
            FetchRefused(f"The CalDAV server's answer is too large (more than {size_text(self.max_bytes)}).")
        )


class _GuardedResolver(SystemResolver):
    """The system resolver, with every address it returns checked by core.netguard."""

    def __init__(self, limits: _Limits) -> None:
        super().__init__()
        self._limits = limits

    def getaddrinfo(
        self, host: Any, port: Any, family: Any, type: Any, proto: int = 0, flags: int = 0, **kwargs: Any
    ) -> Any:
        records = super().getaddrinfo(host, port, family, type, proto, flags, **kwargs)
        for record in records:
            try:
                address_check(str(record[4][0]), self._limits.allowed)
            except FetchRefused as refused:
                raise socket.gaierror(str(self._limits.refuse(refused))) from None
        return records

    def create_connection(self, *args: Any, **kwargs: Any) -> socket.socket:
        sock = super().create_connection(*args, **kwargs)
        with self._limits.lock:
            self._limits.sockets.append(sock)
            late = self._limits.late
        if late:
            sock.close()
            raise OSError("past the deadline")
        return sock


class _CappedBody:
    """Stands in for a response's raw body (the public `Response.raw`) so that reading it all, as
    `Response.content` does, stops past the cap instead of filling memory."""

    def __init__(self, raw: Any, limits: _Limits) -> None:
        self._raw = raw
        self._limits = limits
        self._count = 0

    def _counted(self, chunk: bytes) -> bytes:
        self._count += len(chunk)
        if self._count > self._limits.max_bytes:
            raise self._limits.too_large()
        return chunk

    def read(self, amt: int | None = None, decode_content: bool = True, **kwargs: Any) -> bytes:
        if amt is not None:
            return self._counted(self._raw.read(amt, decode_content=decode_content, **kwargs))
        data = bytearray()
        while chunk := self._raw.read(64 * 1024, decode_content=decode_content, **kwargs):
            data += self._counted(chunk)
        return bytes(data)

    def stream(self, amt: int = 64 * 1024, decode_content: bool = True) -> Iterator[bytes]:
        while chunk := self.read(amt, decode_content=decode_content):
            yield chunk

    def __getattr__(self, name: str) -> Any:
        return getattr(self._raw, name)


def _session(limits: _Limits) -> niquests.Session:
    def cap(response: niquests.PreparedRequest | niquests.Response, **kwargs: Any) -> niquests.Response | None:
        if not isinstance(response, niquests.Response):
            return None
        length = response.headers.get("Content-Length", "") if response.headers else ""
        if isinstance(length, str) and length.isdigit() and int(length) > limits.max_bytes:
            raise limits.too_large()
        if response.raw is not None:
            response.raw = _CappedBody(response.raw, limits)
        return response

    session = niquests.Session(
        resolver=_GuardedResolver(limits), disable_http3=True, retries=0, hooks={"response": [cap]}
    )
    session.trust_env = False
    session.max_redirects = 3
    return session


def _cut_off(limits: _Limits) -> None:
    with limits.lock:
        limits.late = True
        sockets = list(limits.sockets)
    for sock in sockets:
        with contextlib.suppress(OSError):  # already closed
            sock.shutdown(socket.SHUT_RDWR)


def _explained(error: BaseException, limits: _Limits) -> FetchRefused:
    if limits.refused is not None:
        return limits.refused
    if limits.late:
        return FetchRefused(f"The CalDAV server was too slow (no complete answer within {limits.timeout:g} s).")
    if isinstance(error, caldav_error.AuthorizationError):
        return FetchRefused("The CalDAV server refused the user name or password.")
    if isinstance(error, caldav_error.NotFoundError):
        return FetchRefused("There is no calendar at that CalDAV address.")
    if isinstance(error, caldav_error.DAVError):
        status = f" ({error.status})" if getattr(error, "status", None) else ""
        return FetchRefused(
            f"The CalDAV server did not list the calendar's events{status}; is it a calendar's address?"
        )
    if isinstance(error, niquests.exceptions.TooManyRedirects):
        return FetchRefused("The CalDAV server redirected too often.")
    if isinstance(error, niquests.exceptions.Timeout):
        return FetchRefused(f"The CalDAV server was too slow (no answer within {limits.timeout:g} s).")
    if isinstance(error, niquests.exceptions.RequestException | OSError):
        return FetchRefused(f"The CalDAV server could not be reached ({error.__class__.__name__}).")
    return FetchRefused(f"The CalDAV server's answer could not be read ({error.__class__.__name__}).")


def caldav_events(
    url: str,
    *,
    username: str,
    password: str,
    allowed_networks: Sequence[Network] = (),
    max_bytes: int,
    timeout: float,
) -> list[RemoteObject]:
    """Every VEVENT object of the calendar at `url` (its own address, not a server's or a principal's)."""
    url_target(url)  # the scheme and the form of the URL; the addresses are checked at each connection
    limits = _Limits(allowed=allowed_networks, max_bytes=max_bytes, timeout=timeout)
    watchdog = threading.Timer(timeout, _cut_off, args=(limits,))
    watchdog.daemon = True
    client = DAVClient(
        url=url,
        username=username or None,
        password=password or None,
        timeout=timeout,  # type: ignore[arg-type]  # typed int, passed on to niquests, which takes a float
        enable_rfc6764=False,
        rate_limit_handle=False,
        headers={"Accept-Encoding": "identity"},
    )
    client.session.close()
    client.session = _session(limits)
    watchdog.start()
    try:
        found = client.calendar(url=url).get_events()
        objects = [RemoteObject(href=str(obj.url), text=obj.get_data()) for obj in found]
    except Exception as error:  # noqa: BLE001 - the library's errors, ours from the hooks, the socket's
        raise _explained(error, limits) from None
    finally:
        watchdog.cancel()
        client.close()
    if limits.refused is not None:  # refused somewhere the library chose to carry on
        raise limits.refused
    if limits.late:
        raise _explained(TimeoutError(), limits)
    return objects
