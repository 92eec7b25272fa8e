from typing import Any

from channels.generic.websocket import AsyncJsonWebsocketConsumer

from .events import user_group

# Closed with this code, the page knows it is signed out and stops reconnecting (static/core/shell.js).
SIGNED_OUT = 4401


class EventsConsumer(AsyncJsonWebsocketConsumer):
    """Only authenticates, subscribes the socket to its user's group and forwards what is published there
    (core.events.event_publish); it never reads or changes anything itself."""

    async def connect(self) -> None:
        user = self.scope.get("user")
        await self.accept()
        if user is None or not user.is_authenticated:
            await self.close(code=SIGNED_OUT)
            return
        self.subscribed = [user_group(user.pk)]
        for group in self.subscribed:
            await self.channel_layer.group_add(group, self.channel_name)

    async def disconnect(self, code: int) -> None:
        for group in getattr(self, "subscribed", []):
            await self.channel_layer.group_discard(group, self.channel_name)

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        """The page sends nothing that matters; anything it sends is ignored."""

    async def roost_event(self, message: dict[str, Any]) -> None:
        await self.send_json(message["event"])
