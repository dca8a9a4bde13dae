"""flask-smorest's Api and Blueprint, hardened against hostile input.

- JSON bodies nested deeper than MAX_JSON_DEPTH answer 400 (Python's parser would otherwise
  raise RecursionError, a 500, past about 1000 levels).
- Error bodies echo at most a short prefix of what was sent, whatever its size (an unknown
  field's name is its own error key).
- 405 answers keep their `Allow` header in the JSON error response.
- Every error status an operation can answer is in the OpenAPI document (ErrorResponses),
  and nothing else is: no catch-all `default` response hides an undocumented one.
- Pagination stays within what the database can count: `page` and `page_size` are bounded,
  and the metadata header is documented as the JSON text it is.
"""

import json
import math
from http import HTTPStatus
from typing import Any

import flask_smorest
from apispec import BasePlugin
from flask import current_app
from flask_smorest import abort
from marshmallow import Schema, fields, missing, validate
from webargs.flaskparser import FlaskParser
from werkzeug.exceptions import HTTPException

# The largest value of a 32-bit signed SQL integer column: ids and page numbers stay within it.
MAX_INT = 2_147_483_647
# How much of a rejected value an error message may quote.
ECHO_LIMIT = 100
# How many entries of a mapping or list of errors are returned.
ERRORS_LIMIT = 10


def json_depth(value: Any) -> int:
    """How deeply `value` nests (0 for a scalar), without recursion."""
    deepest, stack = 0, [(value, 0)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict):
            node = list(node.values())
        elif not isinstance(node, list):
            deepest = max(deepest, depth)
            continue
        deepest = max(deepest, depth + 1)
        stack.extend((child, depth + 1) for child in node)
    return deepest


class Parser(FlaskParser):
    """webargs' Flask parser, refusing JSON nested deeper than MAX_JSON_DEPTH with a 400."""

    def _raw_load_json(self, req: Any) -> Any:
        try:
            data = super()._raw_load_json(req)
        except RecursionError:
            data = None
            too_deep = True
        else:
            too_deep = json_depth(data) > current_app.config["MAX_JSON_DEPTH"]
        if too_deep:
            abort(400, message="The JSON body is nested too deeply")
        return data

    def load_json(self, req: Any, schema: Any) -> Any:
        """The JSON body, which an operation that declares one must get.

        webargs reads a missing body, or one of another content type, as no fields at all: a
        PATCH without a body would then succeed as an empty update.
        """
        data = super().load_json(req, schema)
        if data is missing:
            abort(422, errors={"json": ["Send a JSON body (Content-Type: application/json)."]})
        return data


def shorten(errors: Any) -> Any:
    """Validation errors cut to a few short entries: they never echo a large input back."""
    if isinstance(errors, dict):
        entries = list(errors.items())[:ERRORS_LIMIT]
        return {shorten(str(key)): shorten(value) for key, value in entries}
    if isinstance(errors, list | tuple):
        return [shorten(value) for value in errors[:ERRORS_LIMIT]]
    if isinstance(errors, str) and len(errors) > ECHO_LIMIT:
        return errors[:ECHO_LIMIT] + "…"
    return errors


class ErrorResponses(BasePlugin):
    """An apispec plugin documenting the errors the app answers around each operation's own.

    A request body can be too large (413) or invalid JSON (400); a signed-in operation answers
    401 without credentials; with cookie authentication, unsafe methods answer 403 without
    their CSRF token.
    """

    def __init__(self, *, csrf: bool) -> None:
        self.csrf = csrf

    def operation_helper(
        self, path: str | None = None, operations: dict[str, Any] | None = None, **_: Any
    ) -> None:
        for method, operation in (operations or {}).items():
            codes = []
            if "requestBody" in operation:
                codes += [400, 413]
            if operation.get("security") != []:
                codes.append(401)
            if self.csrf and method not in ("get", "head", "options"):
                codes.append(403)
            responses = operation.setdefault("responses", {})
            for code in codes:
                responses.setdefault(code, HTTPStatus(code).name)


class Api(flask_smorest.Api):
    """flask-smorest's Api; error bodies stay short and 405 keeps its Allow header."""

    # Each operation lists its errors (ErrorResponses): no catch-all `default` response.
    DEFAULT_ERROR_RESPONSE_NAME = None

    def handle_http_exception(self, error: HTTPException) -> Any:
        payload, code, headers = super().handle_http_exception(error)
        if "errors" in payload:
            payload["errors"] = shorten(payload["errors"])
        allowed = getattr(error, "valid_methods", None)
        if allowed:
            headers = {**headers, "Allow": ", ".join(sorted(allowed))}
        return payload, code, headers


class Blueprint(flask_smorest.Blueprint):
    """flask-smorest's Blueprint, parsing request bodies with the depth-limited Parser."""

    ARGUMENTS_PARSER = Parser()


class PageSchema(Schema):
    """`page` and `page_size` query parameters, bounded so the offset fits the database.

    Load it with `unknown=RAISE`: unknown query parameters are then refused, as unknown body
    fields are (webargs ignores them in the query string by default).
    """

    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=MAX_INT))
    page_size = fields.Integer(load_default=20, validate=validate.Range(min=1, max=100))


PAGINATION_HEADER = {
    "X-Pagination": {
        "description": "Pagination metadata, as JSON: total, total_pages, first_page, "
        "last_page, page, and previous_page / next_page when they exist",
        "schema": {"type": "string"},
    }
}


def pagination_header(page: int, page_size: int, total: int) -> dict[str, str]:
    """The X-Pagination header for this page of `total` items."""
    metadata: dict[str, int] = {"total": total, "page": page}
    total_pages = math.ceil(total / page_size)
    if total_pages:
        metadata.update(total_pages=total_pages, first_page=1, last_page=total_pages)
        if 1 < page <= total_pages + 1:
            metadata["previous_page"] = page - 1
        if page < total_pages:
            metadata["next_page"] = page + 1
    else:
        metadata["total_pages"] = 0
    return {"X-Pagination": json.dumps(metadata)}
