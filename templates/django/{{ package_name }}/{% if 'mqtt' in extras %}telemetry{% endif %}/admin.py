from django.contrib import admin

from .models import Device, Reading


@admin.register(Device)
class DeviceAdmin(admin.ModelAdmin):
    list_display = ("name", "first_seen", "last_seen")
    search_fields = ("name",)


@admin.register(Reading)
class ReadingAdmin(admin.ModelAdmin):
    list_display = ("device", "metric", "value", "recorded_at_ms")
    list_filter = ("metric",)
    # A foreign key shown as an id field: a select listing every device would not scale.
    raw_id_fields = ("device",)
