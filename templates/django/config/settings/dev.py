"""Local development: DEBUG on, the browsable API, and a throwaway key when .env has none."""

from .base import *  # noqa: F403
from .base import REST_FRAMEWORK, SECRET_KEY

DEBUG = True
SECRET_KEY = SECRET_KEY or "django-insecure-for-local-development-only"
ALLOWED_HOSTS = ["localhost", "127.0.0.1", "[::1]"]

REST_FRAMEWORK["DEFAULT_RENDERER_CLASSES"] = [
    "rest_framework.renderers.JSONRenderer",
    "rest_framework.renderers.BrowsableAPIRenderer",
]
