"""The API token as a DRF authenticator, its scope as a permission, and its OpenAPI scheme.

``Authorization: Bearer hd_...``: the request acts as the token's user, so every read and
write goes through the selectors that scope the console (an agent's token sees that agent's
inboxes only). A read token may only read; the admin scope also manages tokens.
"""

from __future__ import annotations

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework.authentication import BaseAuthentication
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request

from integrations.choices import Scope
from integrations.models import ApiToken
from integrations.tokens import PREFIX, scope_allows, token_authenticate


class ApiTokenAuthentication(BaseAuthentication):
    """Bearer tokens that start with ``hd_``; other bearer values are left to other schemes."""

    def authenticate(self, request: Request):
        scheme, _, value = request.headers.get("Authorization", "").partition(" ")
        value = value.strip()
        if scheme.lower() != "bearer" or not value.startswith(PREFIX):
            return None
        token = token_authenticate(value)
        if token is None:
            raise AuthenticationFailed("The token is unknown, revoked or expired.")
        return token.user, token

    def authenticate_header(self, request: Request) -> str:
        return 'Bearer realm="api"'


class TokenScope(BasePermission):
    """A token request needs ``read`` to read and ``write`` to change anything; a view may ask
    more with ``required_scope``. Session requests (the console) are not limited here."""

    message = "The token's scope does not allow this."

    def has_permission(self, request: Request, view) -> bool:
        token = request.auth
        if not isinstance(token, ApiToken):
            return True
        needed = getattr(view, "required_scope", None) or (
            Scope.READ if request.method in SAFE_METHODS else Scope.WRITE
        )
        return scope_allows(token, needed)


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = "integrations.authentication.ApiTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema) -> dict:
        return {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "hd_<prefix>_<secret>",
            "description": "An API token (docs/api.md); scopes read, write, admin.",
        }
