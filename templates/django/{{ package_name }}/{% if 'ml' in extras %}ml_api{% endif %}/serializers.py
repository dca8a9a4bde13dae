"""What /api/v1/predict takes and what both endpoints answer, as the OpenAPI document says.

Input is strict: each feature a JSON number (not a string or a boolean, which DRF's FloatField
would convert), finite, from 0 to 100; no field that is not declared; 1 to PREDICT_MAX_BATCH
instances. Anything else answers 400 naming the field.
"""

import math
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from drf_spectacular.extensions import OpenApiSerializerExtension
from rest_framework import serializers
from rest_framework.settings import api_settings

from ..ml import FEATURE_MAX, FEATURE_MIN


class FeatureField(serializers.FloatField):
    """A length in centimetres: a finite JSON number from FEATURE_MIN to FEATURE_MAX."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(min_value=FEATURE_MIN, max_value=FEATURE_MAX, **kwargs)

    def to_internal_value(self, data: Any) -> float:
        if isinstance(data, bool) or not isinstance(data, int | float):
            self.fail("invalid")
        try:
            value = float(data)
        except OverflowError:  # an integer of hundreds of digits
            key = "max_value" if data > 0 else "min_value"
            self.fail(key, min_value=FEATURE_MIN, max_value=FEATURE_MAX)
        if not math.isfinite(value):  # 1e999 is valid JSON, and reads as infinity
            self.fail("invalid")
        return value


class ClosedSerializer(serializers.Serializer):
    """Refuses fields it does not declare (DRF drops them silently); documented as such."""

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, Mapping):
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                names = ", ".join(map(str, unknown))
                raise serializers.ValidationError(
                    {api_settings.NON_FIELD_ERRORS_KEY: [f"Unknown fields: {names}"]}
                )
        return super().to_internal_value(data)


class ClosedSerializerExtension(OpenApiSerializerExtension):
    """`additionalProperties: false` in the document, so that clients (and schemathesis) know."""

    target_class = ClosedSerializer
    match_subclasses = True

    def map_serializer(self, auto_schema: Any, direction: Any) -> dict[str, Any]:
        schema = auto_schema._map_basic_serializer(self.target, direction)
        return {**schema, "additionalProperties": False}


class InstanceSerializer(ClosedSerializer):
    """One flower's measurements, in centimetres (ml.FEATURES names them for the model)."""

    sepal_length = FeatureField()
    sepal_width = FeatureField()
    petal_length = FeatureField()
    petal_width = FeatureField()


class PredictSerializer(ClosedSerializer):
    """1 to PREDICT_MAX_BATCH flowers to classify."""

    # A ListField, not many=True: the document then says minItems and maxItems too.
    instances = serializers.ListField(
        child=InstanceSerializer(), min_length=1, max_length=settings.PREDICT_MAX_BATCH
    )


class PredictionSerializer(serializers.Serializer):
    label = serializers.CharField()
    probabilities = serializers.DictField(child=serializers.FloatField())


class PredictionsSerializer(serializers.Serializer):
    model_version = serializers.CharField()
    predictions = PredictionSerializer(many=True)


class ModelInfoSerializer(serializers.Serializer):
    name = serializers.CharField()
    version = serializers.CharField()
    sha256 = serializers.CharField()
    trained_at = serializers.DateTimeField()
    sklearn_version = serializers.CharField()
    metrics = serializers.DictField(child=serializers.FloatField())
    features = serializers.ListField(child=serializers.CharField())
    labels = serializers.ListField(child=serializers.CharField())
    max_batch = serializers.IntegerField()
    input_schema = serializers.DictField(help_text="The JSON Schema of one instance.")
