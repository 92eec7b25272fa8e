"""Shared steps for the webmail tests: sign in, append messages straight into a folder over IMAP."""

from datetime import UTC, datetime, timedelta
from email.message import EmailMessage

import pytest
from django.test import Client
from django.urls import reverse

from tests import personas
from tests.mailstack import master_login

BASE = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def signed_in(client: Client, address: str = "alice@example.test") -> Client:
    response = client.post(reverse("accounts:login"), {"address": address, "password": personas.PASSWORD})
    assert response.status_code == 302, response.content[:500]
    return client


def message(subject: str, sender: str = "Bob <bob@partners.test>", body: str = "Hello.", **headers: str) -> bytes:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = headers.pop("to", "Alice <alice@example.test>")
    msg["Subject"] = subject
    for name, value in headers.items():
        msg[name.replace("_", "-")] = value
    msg.set_content(body)
    return msg.as_bytes()


def append(
    address: str, folder: str, raws: list[bytes], *, flags: tuple[str, ...] = (), start: datetime = BASE
) -> None:
    client = master_login(address)
    try:
        for n, raw in enumerate(raws):
            client.append(folder, raw, flags=flags, msg_time=start + timedelta(minutes=n))
    finally:
        client.logout()


def folder_uids(address: str, folder: str) -> list[int]:
    client = master_login(address)
    try:
        client.select_folder(folder, readonly=True)
        return sorted(client.search("ALL"))
    finally:
        client.logout()


def folder_flags(address: str, folder: str) -> dict[int, set[str]]:
    client = master_login(address)
    try:
        client.select_folder(folder, readonly=True)
        uids = client.search("ALL")
        data = client.fetch(uids, ["FLAGS"]) if uids else {}
        return {uid: {f.decode() for f in item[b"FLAGS"]} for uid, item in data.items()}
    finally:
        client.logout()


def list_url(folder: str = "INBOX", **params: str) -> str:
    from urllib.parse import urlencode

    return reverse("webmail:folder", args=[folder]) + ("?" + urlencode(params) if params else "")


def streamed(response: object) -> list[bytes]:
    """The chunks of a streaming response, whether its iterator is synchronous or asynchronous."""
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    content = response.streaming_content  # type: ignore[attr-defined]
    if hasattr(content, "__aiter__"):

        async def gather() -> list[bytes]:
            return [chunk async for chunk in content]

        # A thread of its own: the browser tests' Playwright keeps an event loop in the main thread.
        with ThreadPoolExecutor(1) as pool:
            return pool.submit(asyncio.run, gather()).result()
    return list(content)


class ImapTraffic:
    """What the test sent over IMAP since it started counting: pool checkouts and the items of each FETCH."""

    def __init__(self) -> None:
        from webmail.mailstore import POOL

        self._pool = POOL
        self._start = POOL.checkouts
        self.fetches: list[list[str]] = []

    @property
    def checkouts(self) -> int:
        return self._pool.checkouts - self._start

    @property
    def body_fetches(self) -> list[list[str]]:
        """FETCHes of message text (BODY[...] or RFC822), not of envelopes, flags, structure or header fields."""
        return [items for items in self.fetches if any(_is_text(i) for i in items)]


def _is_text(item: str) -> bool:
    if item.startswith(("BODY[HEADER.FIELDS", "BODY.PEEK[HEADER.FIELDS")):
        return False
    return item.startswith(("BODY[", "BODY.PEEK[", "RFC822")) and item != "RFC822.SIZE"


def imap_traffic(monkeypatch: pytest.MonkeyPatch) -> ImapTraffic:
    """Count from now on: wraps imapclient's public fetch and reads the pool's checkout counter."""
    from imapclient import IMAPClient

    traffic = ImapTraffic()
    real = IMAPClient.fetch

    def fetch(self: IMAPClient, messages: object, data: object, *args: object, **kwargs: object) -> object:
        items = [data] if isinstance(data, (str, bytes)) else list(data)  # type: ignore[call-overload]
        traffic.fetches.append([i.decode() if isinstance(i, bytes) else str(i) for i in items])
        return real(self, messages, data, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(IMAPClient, "fetch", fetch)
    return traffic
