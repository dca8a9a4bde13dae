"""Devices, their readings in a time range, and per-interval aggregates (from the ingester).

Any signed-in user reads every device (when the API needs sign-in): telemetry belongs to the
installation, not to a user.
"""

from datetime import UTC, datetime, timedelta
from typing import Any

from django.db.models import Avg, BigIntegerField, Count, ExpressionWrapper, F, Max, Min, QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import generics
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from ..core.pagination import PageNumberPagination
from .models import Device, Reading
from .serializers import (
    EPOCH,
    AggregateSeriesSerializer,
    AggregatesQuerySerializer,
    DeviceSerializer,
    ReadingSerializer,
    ReadingsQuerySerializer,
    refuse_unknown,
)

# Without ``from``, a range starts this long before its end (``to``, or now).
DEFAULT_RANGE = timedelta(hours=1)
# Ranges are cut to the times readings can have: from EPOCH to the end of year 9999.
MIN_MS = int(EPOCH.timestamp() * 1000)
MAX_MS = int(datetime(9999, 12, 31, tzinfo=UTC).timestamp() * 1000)
# One aggregate answer holds at most this many intervals: a wider range ends early.
MAX_BUCKETS = 1000


def to_ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def from_ms(ms: int) -> datetime:
    return datetime.fromtimestamp(ms / 1000, UTC)


def range_ms(query: dict[str, Any]) -> tuple[int, int]:
    """The range as epoch milliseconds, cut to the times readings can have.

    A range that ends before it starts is empty, as one before 1970 is: no reading is in it.
    """
    end_ms = to_ms(query.get("to") or datetime.now(UTC))
    start = query.get("from")
    start_ms = to_ms(start) if start else end_ms - int(DEFAULT_RANGE.total_seconds() * 1000)
    start_ms = min(max(start_ms, MIN_MS), MAX_MS)
    return start_ms, min(max(end_ms, start_ms), MAX_MS)


class ReadingsPagination(PageNumberPagination):
    page_size = 100
    max_page_size = 1000


class DeviceList(generics.ListAPIView):
    """The devices that have sent a valid reading, by name."""

    serializer_class = DeviceSerializer
    filter_backends = ()

    def get_queryset(self) -> QuerySet[Device]:
        refuse_unknown(self.request.query_params, ())
        return Device.objects.all()


@extend_schema(parameters=[ReadingsQuerySerializer])
class ReadingList(generics.ListAPIView):
    """A device's readings from `from` to `to` (default: the last hour), oldest first."""

    serializer_class = ReadingSerializer
    pagination_class = ReadingsPagination
    filter_backends = ()

    def get_queryset(self) -> QuerySet[Reading]:
        if getattr(self, "swagger_fake_view", False):  # schema generation: no query
            return Reading.objects.none()
        query = ReadingsQuerySerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        device = get_object_or_404(Device, name=self.kwargs["device"])
        start_ms, end_ms = range_ms(query.validated_data)
        readings = Reading.objects.filter(
            device=device, recorded_at_ms__gte=start_ms, recorded_at_ms__lt=end_ms
        )
        if metric := query.validated_data.get("metric"):
            readings = readings.filter(metric=metric)
        return readings.order_by("recorded_at_ms", "id")


class Aggregates(APIView):
    """Count, min, max and average of one metric per `interval` seconds, from `from` on.

    Intervals without readings are left out. One answer holds at most 1000 intervals: a longer
    range ends early, at `end`, and the next request starts there.
    """

    @extend_schema(
        parameters=[AggregatesQuerySerializer],
        responses={200: AggregateSeriesSerializer, 400: OpenApiTypes.OBJECT},
    )
    def get(self, request: Request, device: str) -> Response:
        query = AggregatesQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        found = get_object_or_404(Device, name=device)
        start_ms, end_ms = range_ms(query.validated_data)
        metric, interval = query.validated_data["metric"], query.validated_data["interval"]
        step = interval * 1000
        end_ms = min(end_ms, start_ms + MAX_BUCKETS * step)
        bucket = ExpressionWrapper(
            F("recorded_at_ms") - (F("recorded_at_ms") - start_ms) % step,
            output_field=BigIntegerField(),
        )
        rows = (
            Reading.objects.filter(
                device=found,
                metric=metric,
                recorded_at_ms__gte=start_ms,
                recorded_at_ms__lt=end_ms,
            )
            .annotate(bucket=bucket)
            .values("bucket")
            .annotate(count=Count("id"), low=Min("value"), high=Max("value"), mean=Avg("value"))
            .order_by("bucket")
        )
        series = {
            "device": found.name,
            "metric": metric,
            "interval": interval,
            "start": from_ms(start_ms),
            "end": from_ms(end_ms),
            "buckets": [
                {
                    "start": from_ms(int(row["bucket"])),
                    "count": row["count"],
                    "min": row["low"],
                    "max": row["high"],
                    "avg": float(row["mean"]),
                }
                for row in rows
            ],
        }
        return Response(AggregateSeriesSerializer(series).data)
