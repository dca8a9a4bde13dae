from collections.abc import Callable

from flask import Flask
from flask.testing import FlaskClient


def test_health(anonymous: FlaskClient) -> None:
    response = anonymous.get("/health")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


def test_ready_checks_the_database(anonymous: FlaskClient) -> None:
    response = anonymous.get("/ready")
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "ok"
    assert body["database"] == "ok"


def test_ready_is_503_when_the_database_is_unreachable(make_app: Callable[..., Flask]) -> None:
    app = make_app(database_url="sqlite:////nonexistent-directory/unreachable.db")
    response = app.test_client().get("/ready")
    assert response.status_code == 503
    assert response.get_json()["database"] == "unreachable"


def test_openapi_document_and_swagger_ui(anonymous: FlaskClient) -> None:
    spec = anonymous.get("/openapi.json").get_json()
    assert "/api/v1/items" in spec["paths"]
    assert "/api/v1/items/{item_id}" in spec["paths"]
    page = anonymous.get("/docs")
    assert page.status_code == 200
    assert b"swagger-ui" in page.data


def test_unknown_route_is_a_json_404(anonymous: FlaskClient) -> None:
    response = anonymous.get("/no-such-page")
    assert response.status_code == 404
    assert response.get_json()["code"] == 404
