"""Live updates: event_publish after commit reaches the signed-in user's open pages through the websocket
consumer and the real Redis channel layer; nobody else's; a socket without a session is closed."""

import asyncio
import json
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from asgiref.testing import ApplicationCommunicator
from django.conf import settings
from django.db import transaction
from django.test import Client

from config.asgi import application
from core.consumers import SIGNED_OUT
from core.events import event_publish
from tests import personas
from tests.webmail.helpers import signed_in

pytestmark = [pytest.mark.integration]
ORIGIN = (b"origin", settings.BASE_URL.encode())


def _run_loop(coro: Coroutine[Any, Any, Any]) -> Any:
    """A loop in a thread of its own: Playwright's sync API may keep one running in the main thread."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result()


class Socket(ApplicationCommunicator):  # type: ignore[misc]
    """A websocket client speaking ASGI to the project's application (channels.testing needs daphne)."""

    def __init__(self, headers: list[tuple[bytes, bytes]]) -> None:
        scope = {
            "type": "websocket", "path": "/ws/events/", "raw_path": b"/ws/events/", "query_string": b"",
            "headers": headers, "subprotocols": [], "client": ("127.0.0.1", 40000), "server": ("127.0.0.1", 8000),
        }  # fmt: skip
        super().__init__(application, scope)

    async def connect(self) -> tuple[bool, object]:
        await self.send_input({"type": "websocket.connect"})
        answer = await self.receive_output(5)
        return answer["type"] == "websocket.accept", answer

    async def receive_json_from(self, timeout: float = 5) -> dict:
        answer = await self.receive_output(timeout)
        return json.loads(answer["text"])

    async def disconnect(self) -> None:
        await self.send_input({"type": "websocket.disconnect", "code": 1000})
        await self.wait(1)


def _socket(client: Client | None) -> Socket:
    headers = [ORIGIN]
    if client is not None:
        cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
        headers.append((b"cookie", cookie.encode()))
    return Socket(headers)


def _publish_committed(**kwargs: object) -> None:
    with transaction.atomic():
        event_publish(**kwargs)  # type: ignore[arg-type]


async def _run(alice_client: Client, bob_client: Client, alice_id: int) -> tuple[dict, bool]:
    alice_socket, bob_socket = _socket(alice_client), _socket(bob_client)
    assert (await alice_socket.connect())[0]
    assert (await bob_socket.connect())[0]
    await sync_to_async(_publish_committed)(kind="outbox", user_ids=[alice_id], data={"id": 7, "message": "Sent"})
    received = await alice_socket.receive_json_from(timeout=5)
    bob_heard = not await bob_socket.receive_nothing(timeout=0.5)
    await alice_socket.disconnect()
    await bob_socket.disconnect()
    return received, bob_heard


def test_an_event_reaches_its_user_and_no_one_else(transactional_db: None) -> None:
    alice = personas.mailbox("alice")
    personas.mailbox("bob")
    alice_client, bob_client = signed_in(Client()), signed_in(Client(), "bob@example.test")
    received, bob_heard = _run_loop(_run(alice_client, bob_client, alice.user.pk))
    assert received == {"kind": "outbox", "id": 7, "message": "Sent"}
    assert not bob_heard


def test_an_event_of_a_rolled_back_change_is_never_sent(transactional_db: None) -> None:
    alice = personas.mailbox("alice")
    alice_client = signed_in(Client())

    async def run() -> bool:
        socket = _socket(alice_client)
        assert (await socket.connect())[0]

        def rolled_back() -> None:
            try:
                with transaction.atomic():
                    event_publish(kind="outbox", user_ids=[alice.user.pk], data={"id": 1})
                    raise RuntimeError("the change failed")
            except RuntimeError:
                pass

        await sync_to_async(rolled_back)()
        nothing = await socket.receive_nothing(timeout=0.5)
        await socket.disconnect()
        return nothing

    assert _run_loop(run())


def test_a_socket_without_a_session_is_closed_as_signed_out(transactional_db: None) -> None:
    async def run() -> dict:
        socket = _socket(None)
        await socket.connect()
        closed = await socket.receive_output(timeout=5)
        await socket.disconnect()
        return closed

    assert _run_loop(run()) == {"type": "websocket.close", "code": SIGNED_OUT}
