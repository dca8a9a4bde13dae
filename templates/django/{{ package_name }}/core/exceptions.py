"""Every error is JSON, and none echoes more than a short prefix of what the client sent.

`exception_handler` is DRF's, with long messages cut (a 1 MB value must never come back in the
answer). The views below replace Django's HTML pages for what happens outside DRF's views: an
unknown URL (404), a CSRF failure (403), a body over MAX_BODY_BYTES (413), a server error (500).
"""

from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, JsonResponse
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

MAX_MESSAGE = 200  # characters of any error message, input quoted in it included


def shortened(detail: Any) -> Any:
    """`detail` with every message longer than MAX_MESSAGE cut to it."""
    if isinstance(detail, dict):
        return {key: shortened(value) for key, value in detail.items()}
    if isinstance(detail, list):
        return [shortened(value) for value in detail]
    if isinstance(detail, str) and len(detail) > MAX_MESSAGE:
        return detail[: MAX_MESSAGE - 1] + "…"
    return detail


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    response = drf_exception_handler(exc, context)
    if response is not None:
        response.data = shortened(response.data)
    return response


def too_big() -> JsonResponse:
    return JsonResponse({"detail": "Request body too large."}, status=413)


def bad_request(request: HttpRequest, exception: Exception) -> JsonResponse:
    if isinstance(exception, RequestDataTooBig):
        return too_big()
    return JsonResponse({"detail": "Bad request."}, status=400)


def permission_denied(request: HttpRequest, exception: Exception) -> JsonResponse:
    return JsonResponse(
        {"detail": "You do not have permission to perform this action."}, status=403
    )


def not_found(request: HttpRequest, exception: Exception | None = None) -> JsonResponse:
    return JsonResponse({"detail": "Not found."}, status=404)


def server_error(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"detail": "Server error."}, status=500)


def csrf_failure(request: HttpRequest, reason: str = "") -> JsonResponse:
    return JsonResponse({"detail": f"CSRF Failed: {reason}"}, status=403)
