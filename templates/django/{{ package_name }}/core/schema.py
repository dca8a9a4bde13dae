"""OpenAPI: every status code an operation can answer is in its document, not only success.

drf-spectacular documents the success response of each operation. This schema class adds the
error answers that the API's own machinery gives, each with its JSON body, so that clients (and
schemathesis, tests/test_api_contract.py) can rely on the document:

- 400 for a malformed body or query parameter (the body names the fields),
- 401 and 403 where a signed-in user is needed (403 also for a missing CSRF token),
- 404 for an unknown id, or a page past the last one,
- 413 for a body over MAX_BODY_BYTES, 415 for a body that is not JSON.
"""

from typing import Any

from drf_spectacular import openapi
from drf_spectacular.types import OpenApiTypes
from rest_framework import serializers
from rest_framework.authentication import SessionAuthentication
from rest_framework.permissions import AllowAny

UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


class ErrorSerializer(serializers.Serializer):
    """What every error answers, apart from validation errors (those name the fields)."""

    detail = serializers.CharField()


class AutoSchema(openapi.AutoSchema):
    def _get_response_bodies(self, direction: Any = "response") -> dict[str, Any]:
        responses = super()._get_response_bodies(direction)
        for code in self.error_codes():
            if code not in responses:
                body = OpenApiTypes.OBJECT if code == "400" else ErrorSerializer
                responses[code] = self._get_response_for_code(body, code, direction=direction)
        return responses

    def error_codes(self) -> list[str]:
        has_body = self.method in {"POST", "PUT", "PATCH"}
        codes = []
        if has_body or (self.method == "GET" and self._is_list_view()):
            codes.append("400")
        protected = not all(
            issubclass(permission, AllowAny) for permission in self.view.permission_classes
        )
        authentications = self.view.authentication_classes
        session = any(issubclass(cls, SessionAuthentication) for cls in authentications)
        if protected and not all(issubclass(cls, SessionAuthentication) for cls in authentications):
            codes.append("401")  # DRF answers 403 instead when sessions are the only way in
        if protected or (session and self.method in UNSAFE_METHODS):
            codes.append("403")
        if "{" in self.path or (self.method == "GET" and self._is_list_view()):
            codes.append("404")
        if has_body:
            codes += ["413", "415"]
        return codes
