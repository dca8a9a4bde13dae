"""Telemetry: what devices publish over MQTT, and what the API reads and answers."""

import re
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from django.utils.dateparse import parse_datetime
from rest_framework import serializers

from .models import Device, Reading

# A device's level of the topic, and a metric's name: short, and safe in URLs and logs.
DEVICE_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,64}")
METRIC_PATTERN = r"^[a-z][a-z0-9_]{0,63}$"
# Larger messages are refused before they are parsed.
MAX_PAYLOAD_BYTES = 4096
# Times before this are refused (a device whose clock was never set sends 1970 or earlier).
EPOCH = datetime(1970, 1, 2, tzinfo=UTC)
# A device clock this far ahead of ours is wrong; its reading is refused, not stored as future.
MAX_CLOCK_AHEAD = timedelta(minutes=5)
MAX_INTERVAL_SECONDS = 86_400


class AwareDateTimeField(serializers.DateTimeField):
    """An ISO 8601 date and time with its timezone; one without is refused, not guessed."""

    def to_internal_value(self, value: Any) -> datetime:
        parsed = None
        if isinstance(value, str):
            try:
                parsed = parse_datetime(value)
            except ValueError:
                parsed = None
        if parsed is None or parsed.tzinfo is None:
            self.fail("invalid", format="ISO 8601 with a timezone (2025-01-01T12:00:00Z)")
        return parsed


class NumberField(serializers.FloatField):
    """A finite JSON number: strings and booleans are refused, not converted."""

    def to_internal_value(self, data: Any) -> float:
        if isinstance(data, bool) or not isinstance(data, int | float):
            self.fail("invalid")
        return super().to_internal_value(data)


class TelemetryPayloadSerializer(serializers.Serializer):
    """One message on ``devices/<name>/telemetry``, as JSON.

    ``{"metric": "temperature", "value": 21.5, "timestamp": "2025-01-01T12:00:00Z"}``;
    without ``timestamp``, the reading is dated when the message arrives.
    """

    metric = serializers.RegexField(METRIC_PATTERN)
    value = NumberField(allow_null=False)
    timestamp = AwareDateTimeField(required=False)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        unknown = set(self.initial_data) - set(self.fields)
        if unknown:
            raise serializers.ValidationError({"unknown": sorted(unknown)[:5]})
        return attrs

    def validate_value(self, value: float) -> float:
        if value != value or value in (float("inf"), float("-inf")):
            raise serializers.ValidationError("must be a finite number")
        return value

    def validate_timestamp(self, value: datetime) -> datetime:
        if value < EPOCH:
            raise serializers.ValidationError("before 1970-01-02: the device clock is not set")
        if value > datetime.now(UTC) + MAX_CLOCK_AHEAD:
            raise serializers.ValidationError("in the future")
        return value


class DeviceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Device
        fields = ("name", "first_seen", "last_seen")


class EpochMillisecondsField(serializers.DateTimeField):
    """Milliseconds since the epoch (as stored), shown as an ISO 8601 date and time."""

    def to_representation(self, value: int) -> str:
        return super().to_representation(datetime.fromtimestamp(value / 1000, UTC))


class ReadingSerializer(serializers.ModelSerializer):
    recorded_at = EpochMillisecondsField(source="recorded_at_ms", read_only=True)

    class Meta:
        model = Reading
        fields = ("metric", "value", "recorded_at")


# Query parameters the pagination reads, besides each view's own.
PAGE_PARAMETERS = frozenset({"page", "page_size"})


def refuse_unknown(parameters: Iterable[str], known: Iterable[str]) -> None:
    """A 400 naming the query parameters the view does not know (a typo is not ignored)."""
    unknown = sorted(set(parameters) - set(known) - PAGE_PARAMETERS)
    if unknown:
        raise serializers.ValidationError({"unknown": [name[:32] for name in unknown[:5]]})


class RangeSerializer(serializers.Serializer):
    """``from`` (inclusive) and ``to`` (exclusive), with a timezone; default: the last hour."""

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        refuse_unknown(self.initial_data, self.fields)
        return attrs

    def get_fields(self) -> dict[str, serializers.Field]:
        # "from" is a Python keyword: the fields are named here, not as class attributes.
        fields = super().get_fields()
        fields["from"] = AwareDateTimeField(required=False, help_text="Start, inclusive")
        fields["to"] = AwareDateTimeField(required=False, help_text="End, exclusive")
        return fields


class ReadingsQuerySerializer(RangeSerializer):
    metric = serializers.RegexField(METRIC_PATTERN, required=False, help_text="Only this metric")


class AggregatesQuerySerializer(RangeSerializer):
    metric = serializers.RegexField(METRIC_PATTERN, help_text="The metric to aggregate")
    interval = serializers.IntegerField(
        min_value=1, max_value=MAX_INTERVAL_SECONDS, default=60, help_text="Seconds per bucket"
    )


class BucketSerializer(serializers.Serializer):
    start = serializers.DateTimeField()
    count = serializers.IntegerField()
    min = serializers.FloatField()
    max = serializers.FloatField()
    avg = serializers.FloatField()


class AggregateSeriesSerializer(serializers.Serializer):
    """The buckets of ``start`` to ``end``: the range asked for, or its first 1000 intervals.

    When ``end`` is earlier than the ``to`` asked for, ask again from ``end`` for the rest.
    """

    device = serializers.CharField()
    metric = serializers.CharField()
    interval = serializers.IntegerField()
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    buckets = BucketSerializer(many=True)
