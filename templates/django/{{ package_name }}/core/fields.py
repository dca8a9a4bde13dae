"""Serializer and filter fields that take exactly what the OpenAPI document says they take."""

from datetime import UTC, datetime
from typing import Any

import django_filters
from django import forms
from django_filters.fields import IsoDateTimeField
from rest_framework import serializers


class TextField(serializers.CharField):
    """Text, and only text: DRF's CharField also takes numbers and turns them into text."""

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class DateTimeFilter(django_filters.IsoDateTimeFilter):
    """An ISO 8601 date-time; an empty value is an error, not "no filter".

    The value is turned to UTC before it reaches the database: PostgreSQL refuses offsets past
    15:59 (ISO 8601 allows 23:59), with an error rather than an answer.
    """

    class field_class(IsoDateTimeField):
        def clean(self, value: str | None) -> datetime | None:
            if value == "":
                raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
            cleaned = super().clean(value)
            if cleaned is None:
                return None
            try:
                return cleaned.astimezone(UTC)
            except OverflowError:  # before year 1 or after 9999 once in UTC
                raise forms.ValidationError(
                    self.error_messages["invalid"], code="invalid"
                ) from None
