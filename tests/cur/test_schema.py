"""The OpenAPI schema is valid and lists the API; the Swagger UI works without the internet."""

import re

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from drf_spectacular.validation import validate_schema

ENDPOINTS = {
    "/api/v1/sector-blocks/": {"get", "post"},
    "/api/v1/sector-blocks/{code}/": {"get", "put", "patch"},
    "/api/v1/territories/": {"get", "post"},
    "/api/v1/territories/{id}/": {"get", "put", "patch"},
    "/api/v1/organisations/": {"get", "post"},
    "/api/v1/organisations/{id}/": {"get", "put", "patch"},
    "/api/v1/responsible-persons/": {"get", "post"},
    "/api/v1/responsible-persons/{id}/": {"get", "patch"},
    "/api/v1/responsible-persons/{id}/end/": {"post"},
}
HTTP_METHODS = {"get", "put", "post", "delete", "patch", "head", "options", "trace"}


@pytest.fixture
def schema(operator, client_for):
    response = client_for(operator).get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    return response.json()


def test_the_schema_is_valid_openapi(schema):
    validate_schema(schema)  # raises on an invalid document
    assert schema["openapi"].startswith("3.")
    assert schema["info"]["title"] == "ЦУР — API"


def test_the_schema_lists_every_directory_endpoint_with_its_methods(schema):
    for path, methods in ENDPOINTS.items():
        assert path in schema["paths"], path
        assert set(schema["paths"][path]) & HTTP_METHODS == methods, path


def test_nothing_in_the_schema_offers_delete(schema):
    assert not [path for path, ops in schema["paths"].items() if "delete" in ops]


def test_the_schema_documents_the_filters(schema):
    def params(path):
        return {p["name"] for p in schema["paths"][path]["get"].get("parameters", [])}

    assert {"kind", "parent", "oktmo", "include"} <= params("/api/v1/territories/")
    assert {"kind", "territory", "sector_block", "search", "is_active"} <= params("/api/v1/organisations/")
    assert {"role", "sector_block", "territory", "current"} <= params("/api/v1/responsible-persons/")


def test_the_end_action_takes_a_date(schema):
    body = schema["paths"]["/api/v1/responsible-persons/{id}/end/"]["post"]["requestBody"]
    ref = body["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    assert schema["components"]["schemas"][ref]["properties"]["until"]["format"] == "date"


def test_token_and_session_authentication_are_documented(schema):
    schemes = schema["components"]["securitySchemes"]
    assert {"cookieAuth", "tokenAuth"} <= set(schemes)


def test_the_swagger_ui_page_uses_only_local_static_files(client, db):
    response = client.get("/api/docs/")

    assert response.status_code == 200
    html = response.content.decode()
    foreign = [url for url in re.findall(r"https?://[^\s\"'<>]+", html) if not url.startswith("http://testserver/")]
    assert foreign == []
    assets = re.findall(r"(?:src|href)=\"([^\"]+)\"", html)
    assert assets, "the page loads Swagger UI's script and styles"
    assets.remove("/api/docs/?script=")  # the init script, served by the view itself (no inline script: CSP)
    for asset in assets:
        assert asset.startswith(settings.STATIC_URL) or asset.startswith("/" + settings.STATIC_URL), asset
        name = asset.split(settings.STATIC_URL, 1)[1]
        assert finders.find(name), f"{name} is not among the project's static files"


def test_the_swagger_ui_points_at_the_local_schema(client, db):
    script = client.get("/api/docs/?script=")

    assert script["Content-Type"].startswith("application/javascript")
    assert "/api/schema/" in script.content.decode()
