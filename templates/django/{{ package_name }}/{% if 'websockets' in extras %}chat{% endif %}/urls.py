"""GET /api/v1/rooms/{room}/messages; a room name the chat would refuse matches no URL (404)."""

from django.urls import path, register_converter

from .views import MessageListView


class RoomConverter:
    regex = "[A-Za-z0-9_-]{1,64}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(RoomConverter, "room")

urlpatterns = [
    path("rooms/<room:room>/messages", MessageListView.as_view(), name="room-messages"),
]
