"""Security headers on every response, and the Swagger UI page's own assets and policy.

A small `after_request` hook rather than a library (Flask-Talisman): it is a handful of
constant headers, two Content-Security-Policies and HSTS, and the docs policy needs the hash
of flask-smorest's inline script, which no library computes.

- The API answers JSON only: its policy allows nothing to load (`default-src 'none'`).
- The Swagger UI page (/docs) loads its script and styles from this app (the
  swagger-ui-bundle package ships them; no CDN) and runs one inline script, allowed by hash.
- HSTS in production only (a development server on http://localhost must stay reachable),
  without `preload`, which is hard to undo: opt in at hstspreload.org when you are sure.
"""

import base64
import hashlib
import re

from flask import Flask, Response, request, send_from_directory
from swagger_ui_bundle import swagger_ui_path

HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
}
API_POLICY = "default-src 'none'; frame-ancestors 'none'"
DOCS_POLICY = (
    "default-src 'none'; script-src 'self' {scripts}; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; "
    "form-action 'none'"
)
HSTS = "max-age=31536000; includeSubDomains"
DOCS_PATH = "/docs"
DOCS_ASSETS = "/docs/assets/"
INLINE_SCRIPT = re.compile(rb"<script>(.*?)</script>", re.DOTALL)


def docs_policy(page: bytes) -> str:
    """The docs page's policy, allowing exactly the inline scripts it contains."""
    digests = [hashlib.sha256(script).digest() for script in INLINE_SCRIPT.findall(page)]
    hashes = [f"'sha256-{base64.b64encode(digest).decode()}'" for digest in digests]
    return DOCS_POLICY.format(scripts=" ".join(hashes))


def init_app(app: Flask, *, production: bool, docs: bool) -> None:
    if docs:
        app.config["OPENAPI_SWAGGER_UI_URL"] = DOCS_ASSETS

        @app.get(f"{DOCS_ASSETS}<path:filename>")
        def docs_asset(filename: str) -> Response:
            return send_from_directory(swagger_ui_path, filename, max_age=86400)

    @app.after_request
    def security_headers(response: Response) -> Response:
        response.headers.update(HEADERS)
        if docs and request.path == DOCS_PATH:
            policy = docs_policy(response.get_data())
        elif docs and request.path.startswith(DOCS_ASSETS):
            policy = DOCS_POLICY.format(scripts="")
        else:
            policy = API_POLICY
        response.headers["Content-Security-Policy"] = policy
        if production:
            response.headers["Strict-Transport-Security"] = HSTS
        return response
