from django.urls import path, register_converter

from .views import Aggregates, DeviceList, ReadingList


class DeviceNameConverter:
    """A device's name as the topic carries it: anything else matches no URL (404)."""

    regex = "[A-Za-z0-9_-]{1,64}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(DeviceNameConverter, "device")

urlpatterns = [
    path("devices", DeviceList.as_view(), name="device-list"),
    path("devices/<device:device>/readings", ReadingList.as_view(), name="device-readings"),
    path("devices/<device:device>/aggregates", Aggregates.as_view(), name="device-aggregates"),
]
