"""WebSocket routes (config/asgi.py serves them next to Django's HTTP views)."""

from django.urls import path

from .consumers import RoomConsumer

# Any room name reaches the consumer, which refuses invalid ones with a clean 403.
websocket_urlpatterns = [
    path("ws/rooms/<str:room>", RoomConsumer.as_asgi()),
]
