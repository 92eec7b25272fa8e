"""Issue 8: a request body over the limit is refused before anything reads it, by the real web server
(uvicorn, started with deploy/run.sh's options) in front of the real ASGI application; files under the
attachment limit still go through."""

import asyncio
import json
import os
import re
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from asgiref.sync import async_to_sync
from django.conf import settings
from django.test import Client
from django.urls import reverse

from accounts.models import User
from config.asgi import application
from tests import personas
from tests.mailstack import wait_for_subject
from tests.webmail.test_compose_send import ALICE, BOB, deliver_now, fetch_by_subject
from webmail.models import Outbox

ROOT = Path(__file__).resolve().parents[2]
BODY = 30 * 1024 * 1024  # the request of the issue: 30 MB to /login/
BOUNDARY = "roost-limit-test"


def _run_sh_options() -> list[str]:
    found = re.search(r'^UVICORN_OPTIONS="([^"]*)"', (ROOT / "deploy" / "run.sh").read_text(), re.MULTILINE)
    assert found, "deploy/run.sh names its uvicorn options in UVICORN_OPTIONS"
    return found.group(1).split()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _memory_kb(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise AssertionError(f"{field} not in /proc/{pid}/status")


class Server:
    def __init__(self, process: subprocess.Popen[bytes], port: int) -> None:
        self.process, self.port = process, port

    @property
    def pid(self) -> int:
        return self.process.pid


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    port = _free_port()
    command = [str(ROOT / ".venv" / "bin" / "uvicorn"), "--host", "127.0.0.1", "--port", str(port)]
    command += [*_run_sh_options(), "config.asgi:application"]
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"}
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 15
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(f"uvicorn did not start: {process.stderr.read()[-2000:]!r}") from None
                time.sleep(0.1)
        started = Server(process, port)
        _post(started, "/login/", length=BODY)  # the first request loads the URL map; measure after it
        yield started
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _head(port: int, path: str, length: int | None, accept: str = "text/html") -> bytes:
    framing = f"Content-Length: {length}" if length is not None else "Transfer-Encoding: chunked"
    return (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAccept: {accept}\r\n"
        f"Content-Type: multipart/form-data; boundary={BOUNDARY}\r\n{framing}\r\n\r\n"
    ).encode()


def _read_response(sock: socket.socket) -> bytes:
    answer = b""
    sock.settimeout(15)
    try:
        while chunk := sock.recv(65536):
            answer += chunk
    except ConnectionResetError:
        pass  # the server closes with the unread rest of the body still arriving: what it has sent is kept
    return answer


def _post(server: Server, path: str, length: int | None, accept: str = "text/html") -> tuple[bytes, int]:
    """POST a multipart body of `length` bytes (or BODY bytes chunked, with no length) while reading the
    answer; returns the answer and how many bytes of the body the server let the client send."""
    size = BODY if length is None else length
    part = (f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="f"; filename="big.bin"\r\n\r\n').encode()
    tail = f"\r\n--{BOUNDARY}--\r\n".encode()
    filler = size - len(part) - len(tail)
    sent = 0
    sock = socket.create_connection(("127.0.0.1", server.port))

    def write() -> None:
        nonlocal sent
        try:
            sock.sendall(_head(server.port, path, length, accept))
            pieces = [part, *(b"x" * min(65536, filler - at) for at in range(0, filler, 65536)), tail]
            for piece in pieces:
                sock.sendall(piece if length is not None else b"%x\r\n%s\r\n" % (len(piece), piece))
                sent += len(piece)
            if length is None:
                sock.sendall(b"0\r\n\r\n")
        except OSError:
            pass  # refused mid-way: the point of the test

    writer = threading.Thread(target=write)
    writer.start()
    try:
        answer = _read_response(sock)
    finally:
        sock.close()
        writer.join(timeout=15)
    return answer, sent


def _status(answer: bytes) -> int:
    return int(answer.split(b" ", 2)[1])


def _body(answer: bytes) -> bytes:
    return answer.partition(b"\r\n\r\n")[2]


@pytest.mark.parametrize("framing", ["content-length", "chunked"])
def test_an_oversized_body_to_the_sign_in_page_is_refused_unread(server: Server, framing: str) -> None:
    before = _memory_kb(server.pid, "VmRSS")
    answer, sent = _post(server, "/login/", length=BODY if framing == "content-length" else None)
    assert _status(answer) == 413
    assert b"This request is too large: at most 2.5 MB may be sent here." in _body(answer)
    # The server stopped taking the body near the limit, and its memory never held it.
    assert sent < BODY // 2
    peak_growth_kb = _memory_kb(server.pid, "VmHWM") - before
    assert peak_growth_kb < 10 * 1024, f"the server grew by {peak_growth_kb} kB for a {BODY // 2**20} MB body"


def test_a_body_declared_too_large_is_refused_before_it_is_sent(server: Server) -> None:
    with socket.create_connection(("127.0.0.1", server.port)) as sock:
        sock.sendall(_head(server.port, "/login/", BODY))  # headers only: not one byte of the body
        answer = _read_response(sock)
    assert _status(answer) == 413


def test_views_that_take_files_accept_the_attachment_limit_and_no_more(server: Server) -> None:
    draft_save = "/mail/drafts/save/"
    limit = settings.ROOST_REQUEST_MAX_BYTES + settings.ROOST_ATTACHMENT_MAX_BYTES
    refused, _ = _post(server, draft_save, length=limit + 1, accept="application/json")
    assert _status(refused) == 413
    error = json.loads(_body(refused))
    assert error["ok"] is False
    assert error["error"].startswith("This request is too large: at most 27.5 MB may be sent here.")
    # Over the sign-in page's limit but within the upload allowance: Django gets it (and, without a
    # session or CSRF cookie, refuses it for that reason).
    answer, _ = _post(server, draft_save, length=settings.ROOST_REQUEST_MAX_BYTES + 512 * 1024)
    assert _status(answer) in (302, 403)


def _asgi_post(path: str, body: bytes, cookies: dict[str, str], content_type: str) -> tuple[int, bytes]:
    """One POST through the project's ASGI application (the size limit included), in two body messages."""
    cookie = "; ".join(f"{k}={v}" for k, v in cookies.items())
    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST", "scheme": "http",
        "path": path, "raw_path": path.encode(), "query_string": b"", "root_path": "",
        "headers": [(b"host", settings.ALLOWED_HOSTS[0].encode()), (b"content-type", content_type.encode()),
                    (b"content-length", str(len(body)).encode()), (b"cookie", cookie.encode()),
                    (b"x-csrftoken", cookies["csrftoken"].encode())],
        "client": ("127.0.0.1", 50000), "server": ("127.0.0.1", 8000),
    }  # fmt: skip
    halves = [body[: len(body) // 2], body[len(body) // 2 :]]
    status, answer = 0, b""

    async def receive() -> dict[str, object]:
        if halves:
            return {"type": "http.request", "body": halves.pop(0), "more_body": bool(halves)}
        await asyncio.sleep(60)  # the client stays until the answer is sent (Django listens for it leaving)
        return {"type": "http.disconnect"}

    async def send(message: dict[str, object]) -> None:
        nonlocal status, answer
        if message["type"] == "http.response.start":
            status = int(message["status"])  # type: ignore[call-overload]
        else:
            answer += message.get("body", b"")  # type: ignore[operator]

    async_to_sync(application)(scope, receive, send)
    return status, answer


@pytest.mark.integration
def test_a_message_with_an_attachment_under_the_limit_still_goes(mail_stack: None, settings) -> None:  # type: ignore[no-untyped-def]
    settings.ROOST_UNDO_SEND_SECONDS = 0
    for local in ("alice", "bob"):
        personas.mailbox(local)
    client = Client()
    client.force_login(User.objects.get(username=ALICE))
    attachment = os.urandom(3 * 1024 * 1024)  # over every other URL's limit, well under the attachment limit
    fields = {"idempotency_key": "under-limit", "from_address": ALICE, "to": BOB, "subject": "Big plan",
              "text": "attached"}  # fmt: skip
    body = b"".join(
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        for name, value in fields.items()
    )
    body += (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="attachments"; filename="plan.bin"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n"
    ).encode()
    body += attachment + f"\r\n--{BOUNDARY}--\r\n".encode()
    csrf = "a" * 32
    cookies = {settings.SESSION_COOKIE_NAME: client.cookies[settings.SESSION_COOKIE_NAME].value, "csrftoken": csrf}
    status, answer = _asgi_post(reverse("webmail:compose"), body, cookies, f"multipart/form-data; boundary={BOUNDARY}")
    assert status == 302, answer[:500]
    deliver_now(Outbox.objects.get(idempotency_key="under-limit"))
    wait_for_subject(BOB, "Big plan")
    got = fetch_by_subject(BOB, "INBOX", "Big plan")
    assert [(p.get_filename(), p.get_content()) for p in got.iter_attachments()] == [("plan.bin", attachment)]
