import django_filters

from .models import Item


class ItemFilter(django_filters.FilterSet):
    """`?name=part` (case-insensitive), `?created_after=` / `?created_before=` (ISO 8601)."""

    name = django_filters.CharFilter(lookup_expr="icontains")
    created_after = django_filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_before = django_filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="lt")

    class Meta:
        model = Item
        fields = ("name", "created_after", "created_before")
