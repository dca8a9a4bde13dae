"""A JSON parser that refuses deeply nested documents with 400.

Python's json module recurses once per level: a body of a few thousand `[` ends in
RecursionError, which DRF's own parser does not catch (a 500, in dev and under gunicorn alike).
Here that error, and any document nested deeper than MAX_JSON_DEPTH, is a ParseError (400).
"""

from typing import IO, Any

from django.conf import settings
from rest_framework import parsers
from rest_framework.exceptions import ParseError


def depth(document: Any) -> int:
    """How deeply arrays and objects nest in `document` (a scalar is 0), without recursion."""
    deepest = 0
    stack = [(document, 1)]
    while stack:
        node, level = stack.pop()
        if isinstance(node, dict):
            node = node.values()
        elif not isinstance(node, list):
            continue
        deepest = max(deepest, level)
        stack.extend((child, level + 1) for child in node)
    return deepest


class JSONParser(parsers.JSONParser):
    def parse(
        self, stream: IO[bytes], media_type: str | None = None, parser_context: Any = None
    ) -> Any:
        try:
            document = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError("JSON parse error - the document is nested too deeply.") from None
        if depth(document) > settings.MAX_JSON_DEPTH:
            raise ParseError(
                f"JSON parse error - nested deeper than {settings.MAX_JSON_DEPTH} levels."
            )
        return document
