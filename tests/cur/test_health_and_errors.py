import json

import pytest
from django.urls import path
from rest_framework.decorators import api_view, permission_classes
from rest_framework.permissions import AllowAny

from cur.errors import DomainError, InvalidInput
from cur.urls import urlpatterns as project_urls


@api_view(["POST"])
@permission_classes([AllowAny])
def _raise(request):
    kind = request.data.get("kind")
    if kind == "domain":
        raise DomainError("Обращение уже закрыто.", code="closed")
    if kind == "input":
        raise InvalidInput("Неверный код канала.")
    from django.core.exceptions import ValidationError

    raise ValidationError({"text": ["Текст обращения пуст."]})


urlpatterns = [*project_urls, path("raise/", _raise)]


def test_health_reports_database_and_live_workers(client, db):
    response = client.get("/health/")
    assert response.status_code == 200
    assert response.json() == {"database": "ok", "workers": []}


@pytest.mark.urls(__name__)
@pytest.mark.parametrize(
    ("kind", "status", "body"),
    [
        ("domain", 409, {"detail": "Обращение уже закрыто.", "code": "closed"}),
        ("input", 400, {"detail": "Неверный код канала.", "code": "domain_error"}),
        ("django", 400, {"text": ["Текст обращения пуст."]}),
    ],
)
def test_api_maps_domain_and_validation_errors_to_client_errors(client, db, kind, status, body):
    response = client.post("/raise/", json.dumps({"kind": kind}), content_type="application/json")
    assert response.status_code == status
    assert response.json() == body
