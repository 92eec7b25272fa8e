from django.urls import URLPattern, path

from core.consumers import EventsConsumer

websocket_urlpatterns: list[URLPattern] = [
    path("ws/events/", EventsConsumer.as_asgi()),
]
