"""Live updates: one way for every app to announce a change to a user's open pages (or to a group of
users, e.g. everyone who sees a shared calendar). Events go out after the current transaction commits,
so a page never hears of a change that was rolled back; the websocket consumer (core/consumers.py)
forwards them to the browser, where the shell re-dispatches them as "roost:event" DOM events."""

import logging
from collections.abc import Iterable

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

logger = logging.getLogger(__name__)


def user_group(user_id: int) -> str:
    return f"user.{user_id}"


def event_publish(
    *, kind: str, data: dict[str, object] | None = None, user_ids: Iterable[int] = (), groups: Iterable[str] = ()
) -> None:
    """Announce `kind` (e.g. "outbox", "mail.folder", "calendar.event") with JSON-safe data. A message
    for the person (shown as a toast) goes in data["message"]. Losing an event is never an error: the
    change itself is committed, and pages catch up on their next load."""
    targets = [*(user_group(uid) for uid in user_ids), *groups]
    if not targets:
        return
    payload = {"type": "roost.event", "event": {"kind": kind, **(data or {})}}

    def send() -> None:
        layer = get_channel_layer()
        if layer is None:
            return
        for group in targets:
            try:
                async_to_sync(layer.group_send)(group, payload)
            except Exception:
                logger.warning("could not publish %s to %s", kind, group, exc_info=True)

    transaction.on_commit(send)
