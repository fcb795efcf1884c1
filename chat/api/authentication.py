"""The agent API's authentication: Django's session (the console's sign-in), answered with HTTP 401.

DRF answers a request without credentials with 403 when the first authenticator names no
``WWW-Authenticate`` challenge, as its session authentication does; the protocol promises 401
(``not_authenticated``) for a missing sign-in and 403 (``forbidden``) for a signed-in user who may
not. This names the challenge: the session cookie that signing in at ``/accounts/login/`` sets.
"""

from __future__ import annotations

from django.conf import settings
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework.authentication import SessionAuthentication


class ConsoleSessionAuthentication(SessionAuthentication):
    def authenticate_header(self, request) -> str:
        return 'Session realm="helpdesk", login="/accounts/login/"'


class ConsoleSessionScheme(OpenApiAuthenticationExtension):
    """The session cookie in the OpenAPI schema (drf-spectacular registers it on import)."""

    target_class = "chat.api.authentication.ConsoleSessionAuthentication"
    name = "cookieAuth"

    def get_security_definition(self, auto_schema) -> dict:
        return {"type": "apiKey", "in": "cookie", "name": settings.SESSION_COOKIE_NAME}
