"""Bare Flask hello-world: the ceiling the generated Flask app's ``/health`` is compared with.

Served exactly like the generated app (gunicorn sync workers, the generated project's
gunicorn.conf.py and virtualenv), so the only difference measured is the app itself.
"""

from flask import Flask

app = Flask(__name__)


@app.get("/health")
def health() -> dict[str, str]:
    """The same body as the generated app's liveness endpoint."""
    return {"status": "ok"}
