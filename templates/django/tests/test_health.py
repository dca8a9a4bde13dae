import pytest
from django.db import OperationalError, connection
from django.test import override_settings
from rest_framework.test import APIClient


def test_health(anon: APIClient) -> None:
    response = anon.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_ready(anon: APIClient) -> None:
    response = anon.get("/ready")
    assert response.status_code == 200
    assert response.json()["database"] == "ok"


@pytest.mark.django_db
def test_ready_is_503_when_the_database_is_unreachable(
    anon: APIClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    def unreachable() -> None:
        raise OperationalError("connection refused")

    monkeypatch.setattr(connection, "cursor", unreachable)
    response = anon.get("/ready")
    assert response.status_code == 503
    assert response.json()["database"] == "unreachable"


@override_settings(ALLOWED_HOSTS=["api.example.com"], SECURE_SSL_REDIRECT=True)
def test_probes_answer_by_ip_over_http_in_production(anon: APIClient) -> None:
    # Container HEALTHCHECKs call http://127.0.0.1:8000/health: no host check, no redirect.
    assert anon.get("/health", HTTP_HOST="127.0.0.1:8000").status_code == 200
    assert anon.get("/api/docs/", HTTP_HOST="api.example.com").status_code == 301


def test_swagger_ui_and_schema(anon: APIClient) -> None:
    docs = anon.get("/api/docs/")
    assert docs.status_code == 200
    assert b"swagger-ui" in docs.content
    schema = anon.get("/api/schema/", HTTP_ACCEPT="application/json")
    assert schema.status_code == 200
    assert "/api/v1/items" in schema.json()["paths"]


@pytest.mark.django_db
def test_admin_login_page(anon: APIClient) -> None:
    response = anon.get("/admin/login/")
    assert response.status_code == 200
    assert b"csrfmiddlewaretoken" in response.content
