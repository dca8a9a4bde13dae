"""POST /api/v1/predict and GET /api/v1/model, with the project's authentication.

The model itself (ml.py) was loaded and checked as the process started; here it only predicts.
"""

from django.conf import settings
from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from .. import ml
from .serializers import ModelInfoSerializer, PredictionsSerializer, PredictSerializer


class PredictView(APIView):
    @extend_schema(
        tags=["model"],
        request=PredictSerializer,
        responses={200: PredictionsSerializer},
        summary="Predict the species of 1 to PREDICT_MAX_BATCH flowers",
    )
    def post(self, request: Request) -> Response:
        serializer = PredictSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        model = ml.current()
        predictions = model.predict(serializer.validated_data["instances"])
        return Response({"model_version": model.version, "predictions": predictions})


class ModelInfoView(APIView):
    @extend_schema(
        tags=["model"],
        responses={200: ModelInfoSerializer},
        summary="The model served: its metadata, batch limit and input schema",
    )
    def get(self, request: Request) -> Response:
        model = ml.current()
        return Response(
            {
                **model.metadata,
                "max_batch": settings.PREDICT_MAX_BATCH,
                "input_schema": ml.INPUT_SCHEMA,
            }
        )
