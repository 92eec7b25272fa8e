"""One limit on the size of every request body, applied before Django reads a byte of it.

Django reads a whole body (to memory, then to a temporary file) before any view or middleware runs, and it
does so for every URL, signed in or not. This ASGI middleware sits in front: a body whose Content-Length is
over the limit is answered 413 without being read, and a body sent without one (chunked) is counted as it
streams in and cut off once it passes the limit. Views that take files say so with `@accepts_uploads`; they
may receive ROOST_ATTACHMENT_MAX_BYTES more than every other URL (docs/settings.md, "Request sizes").
"""

import json
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, TypeVar

from django.conf import settings
from django.urls import Resolver404, get_resolver

Scope = dict[str, Any]
Message = Mapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

View = TypeVar("View", bound=Callable[..., Any])

UPLOADS_ATTRIBUTE = "roost_accepts_uploads"


def accepts_uploads(view: View) -> View:
    """Mark a view that takes attached files: its requests may carry ROOST_ATTACHMENT_MAX_BYTES more."""
    setattr(view, UPLOADS_ATTRIBUTE, True)
    return view


def body_limit_for_path(path: str) -> int:
    """The most bytes a request body to this path may have."""
    limit: int = settings.ROOST_REQUEST_MAX_BYTES
    try:
        match = get_resolver().resolve(path)
    except Resolver404:
        return limit
    if getattr(match.func, UPLOADS_ATTRIBUTE, False):
        limit += settings.ROOST_ATTACHMENT_MAX_BYTES
    return limit


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB".replace(".0 MB", " MB")


class BodyLimitMiddleware:
    """Refuse request bodies over body_limit_for_path() with 413, before the application reads them."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = body_limit_for_path(scope["path"])
        length = _content_length(scope)
        if length is not None and length > limit:
            await _refuse(scope, send, limit)
            return

        received = 0
        refused = False
        response_started = False

        async def limited_receive() -> Message:
            nonlocal received, refused
            if refused:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    refused = True
                    if not response_started:
                        await _refuse(scope, send, limit)
                    # The application stops as it would for a client that went away (Django: RequestAborted).
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal response_started
            if refused:
                return  # the 413 has been sent; whatever the application still says goes nowhere
            if message["type"] == "http.response.start":
                response_started = True
            await send(message)

        await self.app(scope, limited_receive, guarded_send)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", []):
        if name.lower() == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None  # the server refuses a malformed length before the application sees it
    return None


async def _refuse(scope: Scope, send: Send, limit: int) -> None:
    text = (
        f"This request is too large: at most {_megabytes(limit)} may be sent here. "
        "Attach fewer or smaller files, or share large ones by a link."
    )
    accept = b"".join(value for name, value in scope.get("headers", []) if name.lower() == b"accept")
    if b"application/json" in accept:
        body, content_type = json.dumps({"ok": False, "error": text}).encode(), b"application/json"
    else:
        body, content_type = text.encode(), b"text/plain; charset=utf-8"
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", content_type),
                (b"content-length", str(len(body)).encode()),
                # The rest of the body is never read, so this connection cannot carry another request.
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
