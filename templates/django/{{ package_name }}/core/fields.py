"""Serializer and filter fields that take exactly what the OpenAPI document says they take."""

from datetime import datetime
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
    """An ISO 8601 date-time; an empty value is an error, not "no filter"."""

    class field_class(IsoDateTimeField):
        def clean(self, value: str | None) -> datetime | None:
            if value == "":
                raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
            return super().clean(value)
