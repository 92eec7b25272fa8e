"""Shared steps for the webmail tests: sign in, append messages straight into a folder over IMAP."""

from datetime import UTC, datetime, timedelta
from email.message import EmailMessage

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
