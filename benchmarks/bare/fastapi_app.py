"""Bare FastAPI hello-world: the ceiling the generated FastAPI app's ``/health`` is compared with.

Served exactly like the generated app (gunicorn + uvicorn workers, the generated project's
gunicorn.conf.py and virtualenv), so the only difference measured is the app itself.
"""

from fastapi import FastAPI

app = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)


@app.get("/health")
async def health() -> dict[str, str]:
    """The same body as the generated app's liveness endpoint."""
    return {"status": "ok"}
