"""Bare single-file Django hello-world: the ceiling for the generated Django app's ``/health``.

No middleware, no apps, no database: what Django itself costs per request. Served exactly like
the generated app (gunicorn sync workers, the generated project's gunicorn.conf.py and
virtualenv), so the only difference measured is the app and its middleware stack.
"""

import secrets

from django.conf import settings
from django.core.wsgi import get_wsgi_application
from django.http import HttpRequest, JsonResponse
from django.urls import path

settings.configure(
    DEBUG=False,
    SECRET_KEY=secrets.token_urlsafe(50),
    ALLOWED_HOSTS=["127.0.0.1", "localhost"],
    ROOT_URLCONF=__name__,
    MIDDLEWARE=[],
    INSTALLED_APPS=[],
)


def health(request: HttpRequest) -> JsonResponse:
    """The same body as the generated app's liveness endpoint."""
    return JsonResponse({"status": "ok"})


urlpatterns = [path("health", health)]

application = get_wsgi_application()
