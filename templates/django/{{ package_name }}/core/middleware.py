"""Answer the probes before the rest of the middleware stack.

Container HEALTHCHECKs and load balancers call the app by IP over plain HTTP, so in production
their requests would fail ALLOWED_HOSTS validation or be redirected to HTTPS. The probe views read
nothing from the request, so answering them first is safe.
"""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from .views import health, ready

PROBES = {"/health": health, "/ready": ready}


class ProbeMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        probe = PROBES.get(request.path_info)
        if probe is not None:
            return probe(request)
        return self.get_response(request)
