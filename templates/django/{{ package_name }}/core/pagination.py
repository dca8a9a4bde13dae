import re

from rest_framework import pagination
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request

from .converters import MAX_ID

NUMBER = re.compile(r"[0-9]{1,10}")


class PageNumberPagination(pagination.PageNumberPagination):
    """`?page=2&page_size=50`; responses carry count, next, previous and results.

    `page` is a number from 1 to 2**31-1 and `page_size` from 1 to 100, 400 otherwise; a page
    past the last one is 404.
    """

    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100

    def get_page_number(self, request: Request, paginator: object) -> str:
        page = super().get_page_number(request, paginator)
        if page not in self.last_page_strings:
            self.bounded(self.page_query_param, page, MAX_ID)
        return page

    def get_page_size(self, request: Request) -> int:
        value = request.query_params.get(self.page_size_query_param)
        if value is None:
            return self.page_size
        return self.bounded(self.page_size_query_param, value, self.max_page_size)

    @staticmethod
    def bounded(name: str, value: str | int, maximum: int) -> int:
        """`value` as a number from 1 to `maximum`, or a 400 naming the parameter."""
        if not (NUMBER.fullmatch(str(value)) and 1 <= int(value) <= maximum):
            raise ValidationError({name: [f"A whole number from 1 to {maximum}."]})
        return int(value)

    def get_schema_operation_parameters(self, view: object) -> list[dict]:
        parameters = super().get_schema_operation_parameters(view)
        bounds = {
            self.page_query_param: {"minimum": 1, "maximum": MAX_ID},
            self.page_size_query_param: {"minimum": 1, "maximum": self.max_page_size},
        }
        for parameter in parameters:
            parameter["schema"].update(bounds.get(parameter["name"], {}))
        return parameters
