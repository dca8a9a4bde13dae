from django.db import models


class Device(models.Model):
    """A device that has sent telemetry, created by the ingester with its first valid reading."""

    # The device's level of the MQTT topic (devices/<name>/telemetry).
    name = models.CharField(max_length=64, unique=True)
    first_seen = models.DateTimeField()
    last_seen = models.DateTimeField()

    class Meta:
        ordering = ("name",)

    def __str__(self) -> str:
        return self.name


class Reading(models.Model):
    """One measurement of one metric of a device.

    The time is kept as integer milliseconds since the epoch: ranges and per-interval buckets
    are then plain integer arithmetic on SQLite, PostgreSQL and MySQL alike.
    """

    device = models.ForeignKey(Device, on_delete=models.CASCADE, related_name="readings")
    metric = models.CharField(max_length=64)
    value = models.FloatField()
    recorded_at_ms = models.BigIntegerField()

    class Meta:
        indexes = (
            models.Index(
                fields=("device", "metric", "recorded_at_ms"), name="readings_device_metric_time"
            ),
        )

    def __str__(self) -> str:
        return f"{self.device_id} {self.metric}={self.value}"
