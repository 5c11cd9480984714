"""Integration sources: source systems (ПОС, a mail gateway, a city portal) that create appeals
through the REST API and Open311 with a key of their own, each only of its channel.

Only the SHA-256 of a key is stored (`IntegrationSource.key_hash`): the key is shown once, when
the source is created, and a stolen database does not give working keys. A key is 256 random
bits, so a plain hash (no salt, no slow KDF) is enough, and lookup by the hash is one indexed
query (the unique index on key_hash).
"""

import hashlib
import secrets

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from cur import audit

from ..errors import AppealsError
from ..models import Appeal, IntegrationSource

KEYWORD = "Integration"
KEY_MAX_LENGTH = 200  # a generated key is 43 characters; anything much longer is not ours


def hash_key(raw_key: str) -> str:
    return hashlib.sha256(raw_key.encode("utf-8", errors="surrogatepass")).hexdigest()


@transaction.atomic
def create_integration_source(name: str, channel: str, *, by) -> tuple[IntegrationSource, str]:
    """Register a source system of one channel; returns it and its key (shown once, stored hashed)."""
    name = (name or "").strip()
    if not name:
        raise AppealsError("Укажите название источника.", code="name_required")
    if channel not in Appeal.Channel.values:
        raise AppealsError(f"Неизвестный канал «{channel}».", code="bad_channel")
    if IntegrationSource.objects.filter(name=name).exists():
        raise AppealsError(f"Источник «{name}» уже есть.", code="duplicate_source")
    raw_key = secrets.token_urlsafe(32)
    source = IntegrationSource(name=name, channel=channel, key_hash=hash_key(raw_key))
    try:
        source.full_clean()
        with transaction.atomic():
            source.save()
    except ValidationError as exc:
        raise AppealsError("; ".join(exc.messages), code="invalid_source") from exc
    except IntegrityError as exc:  # tolerated race: the same name created at the same moment
        raise AppealsError(f"Источник «{name}» уже есть.", code="duplicate_source") from exc
    audit.record(by, "integration_source.create", source, {"channel": channel})
    return source, raw_key


def source_for_key(raw_key: str) -> IntegrationSource | None:
    """The active source that owns this key, or None."""
    if not raw_key or len(raw_key) > KEY_MAX_LENGTH:
        return None
    return IntegrationSource.objects.filter(key_hash=hash_key(raw_key), is_active=True).first()


class IntegrationPrincipal:
    """`request.user` of a request made by a source system. It has no role, so `cur.roles.can()`
    grants it nothing and `appeals_visible_to()` shows it no appeals: it may only create appeals
    of its channel, which the intake endpoints check explicitly."""

    is_authenticated = True
    is_active = True
    is_anonymous = False
    is_staff = False
    is_superuser = False
    role = None
    pk = None  # services store no actor for it (registered_by stays empty)
    id = None
    organisation_id = None
    territory_id = None

    def __init__(self, source: IntegrationSource):
        self.source = source

    @property
    def username(self) -> str:
        return f"integration:{self.source.name}"

    def __str__(self) -> str:
        return f"Источник интеграции «{self.source.name}»"

    def can(self, capability: str) -> bool:
        return False


def integration_source(user) -> IntegrationSource | None:
    """The source behind `request.user`, or None for a person."""
    return user.source if isinstance(user, IntegrationPrincipal) else None


class IntegrationKeyAuthentication(authentication.BaseAuthentication):
    """`Authorization: Integration <key>` → an IntegrationPrincipal carrying the source."""

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != KEYWORD.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed("Неверный заголовок Authorization: ожидается «Integration <ключ>».")
        try:
            raw_key = header[1].decode("ascii")
        except UnicodeError as exc:
            raise exceptions.AuthenticationFailed("Ключ интеграции содержит недопустимые символы.") from exc
        return self._authenticate_key(raw_key)

    def _authenticate_key(self, raw_key: str):
        source = source_for_key(raw_key)
        if source is None:
            raise exceptions.AuthenticationFailed("Неверный или отключённый ключ интеграции.")
        return IntegrationPrincipal(source), source

    def authenticate_header(self, request):
        return KEYWORD


class Open311KeyAuthentication(IntegrationKeyAuthentication):
    """Open311 clients send the key as the `api_key` parameter (form body or query string);
    the Authorization header works too."""

    def authenticate(self, request):
        result = super().authenticate(request)
        if result is not None:
            return result
        raw_key = request.query_params.get("api_key") or _body_value(request, "api_key")
        if not raw_key:
            return None
        if not isinstance(raw_key, str):
            raise exceptions.AuthenticationFailed("Неверный или отключённый ключ интеграции.")
        return self._authenticate_key(raw_key)


def _body_value(request, name: str):
    # Only for POST: a GET has no body, and a body that does not parse is reported by the view.
    if request.method != "POST":
        return None
    try:
        data = request.data
    except exceptions.ParseError:
        return None
    return data.get(name) if hasattr(data, "get") else None


class IntegrationKeyScheme(OpenApiAuthenticationExtension):
    target_class = IntegrationKeyAuthentication
    name = "integrationKey"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "Ключ источника интеграции: «Integration <ключ>».",
        }


class Open311KeyScheme(OpenApiAuthenticationExtension):
    target_class = Open311KeyAuthentication
    name = "open311ApiKey"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "query",
            "name": "api_key",
            "description": "Ключ источника интеграции канала «Сайт» (также поле формы api_key).",
        }
