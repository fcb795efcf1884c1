"""The API's two credentials, each named in the OpenAPI schema: the agents' Django session (the
console's sign-in) and the widget's contact token (``Authorization: Bearer``); both answer HTTP 401.

DRF answers a request without credentials with 403 when the first authenticator names no
``WWW-Authenticate`` challenge, as its session authentication does; the protocol promises 401
(``not_authenticated``) for a missing sign-in and 403 (``forbidden``) for a signed-in user who may
not. This names the challenge: the session cookie that signing in at ``/accounts/login/`` sets.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework.authentication import BaseAuthentication, SessionAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed

from chat import selectors


class ConsoleSessionAuthentication(SessionAuthentication):
    def authenticate_header(self, request) -> str:
        return 'Session realm="helpdesk", login="/accounts/login/"'


class ConsoleSessionScheme(OpenApiAuthenticationExtension):
    """The session cookie in the OpenAPI schema (drf-spectacular registers it on import)."""

    target_class = "chat.api.authentication.ConsoleSessionAuthentication"
    name = "cookieAuth"

    def get_security_definition(self, auto_schema) -> dict:
        return {"type": "apiKey", "in": "cookie", "name": settings.SESSION_COOKIE_NAME}


class ContactTokenAuthentication(BaseAuthentication):
    """The widget API's credential: the contact's secret token as ``Authorization: Bearer <token>``,
    valid only in the inbox the URL names (the view looks the inbox up first, as ``view.inbox``).

    A contact is no Django user: ``request.user`` stays anonymous and ``request.auth`` is the
    contact. No header means no credential (the view answers 401 ``not_authenticated``); a token
    that matches no contact of the inbox is 401 ``invalid_token``.
    """

    def authenticate(self, request):
        if request.method == "OPTIONS":  # a CORS preflight carries no credential
            return None
        scheme, _, token = get_authorization_header(request).decode("latin-1").partition(" ")
        inbox = getattr(request.parser_context.get("view"), "inbox", None)
        if scheme.lower() != "bearer" or not token.strip() or inbox is None:
            return None
        contact = selectors.contact_by_token(inbox=inbox, token=token.strip())
        if contact is None:
            raise AuthenticationFailed("Unknown token.")
        return AnonymousUser(), contact

    def authenticate_header(self, request) -> str:
        return 'Bearer realm="widget"'


class ContactTokenScheme(OpenApiAuthenticationExtension):
    """The contact token in the OpenAPI schema: an HTTP bearer credential."""

    target_class = "chat.api.authentication.ContactTokenAuthentication"
    name = "contactToken"

    def get_security_definition(self, auto_schema) -> dict:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "The contact's secret token, minted by the visitor socket's `auth` (docs/protocol.md).",
        }
