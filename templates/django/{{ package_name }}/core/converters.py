"""The `id` path converter: database ids as the URL accepts them.

Ids are positive and fit the SQL integer column (1..2**31-1) on every database. Anything else,
`0`, `-1` or `99999999999999999999999`, matches no URL and answers 404 before a query is made
(PostgreSQL would otherwise refuse the value with an error, and SQLite overflow).
"""

from django.urls import register_converter

MAX_ID = 2**31 - 1


class IdConverter:
    regex = "[0-9]{1,10}"

    def to_python(self, value: str) -> int:
        number = int(value)
        if not 1 <= number <= MAX_ID:
            raise ValueError(f"id out of range: {value}")  # Django: no match, 404
        return number

    def to_url(self, value: int) -> str:
        return str(value)


register_converter(IdConverter, "id")
