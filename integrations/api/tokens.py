"""Managing one's own API tokens: list, create (the secret shown once), revoke.

From the console's session, or with a token of the admin scope.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from chat.payloads import iso
from integrations import tokens
from integrations.api.base import IDEMPOTENCY_PARAMETER, IntegrationAPIView
from integrations.api.conversations import ERRORS
from integrations.choices import Scope
from integrations.models import ApiToken


def token_payload(token: ApiToken) -> dict:
    return {
        "id": str(token.public_id),
        "name": token.name,
        "scope": token.scope,
        "prefix": token.prefix,
        "created_at": iso(token.created_at),
        "expires_at": iso(token.expires_at),
        "last_used_at": iso(token.last_used_at),
        "revoked_at": iso(token.revoked_at),
    }


class TokenSchema(serializers.Serializer):
    id = serializers.UUIDField()
    name = serializers.CharField()
    scope = serializers.ChoiceField(choices=Scope.choices)
    prefix = serializers.CharField(help_text="The start of the secret, to tell tokens apart.")
    created_at = serializers.DateTimeField()
    expires_at = serializers.DateTimeField(allow_null=True)
    last_used_at = serializers.DateTimeField(allow_null=True)
    revoked_at = serializers.DateTimeField(allow_null=True)


class TokenListSchema(serializers.Serializer):
    results = TokenSchema(many=True)


class NewTokenSchema(TokenSchema):
    secret = serializers.CharField(help_text="The token itself: shown this once, never again.")


class TokenInput(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    scope = serializers.ChoiceField(choices=Scope.choices)
    expires_at = serializers.DateTimeField(required=False, allow_null=True, help_text="Empty: never expires.")


class TokenListView(IntegrationAPIView):
    required_scope = Scope.ADMIN
    idempotent = False  # the answer holds the secret, which is never stored

    @extend_schema(summary="My API tokens", responses={200: TokenListSchema, **ERRORS}, tags=["tokens"])
    def get(self, request: Request) -> Response:
        return Response({"results": [token_payload(t) for t in tokens.tokens_for_user(user=request.user)[:100]]})

    @extend_schema(
        summary="Create an API token (its secret is in this answer only)",
        request=TokenInput,
        responses={201: NewTokenSchema, **ERRORS},
        tags=["tokens"],
    )
    def post(self, request: Request) -> Response:
        data = TokenInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        token, secret = tokens.token_create(
            user=request.user, name=values["name"], scope=values["scope"], expires_at=values.get("expires_at")
        )
        return Response({**token_payload(token), "secret": secret}, status=status.HTTP_201_CREATED)


class TokenRevokeView(IntegrationAPIView):
    required_scope = Scope.ADMIN

    @extend_schema(
        summary="Revoke an API token (refused from the next request on)",
        request=None,
        responses={200: TokenSchema, **ERRORS},
        parameters=[IDEMPOTENCY_PARAMETER],
        tags=["tokens"],
    )
    def post(self, request: Request, public_id: str) -> Response:
        token = tokens.token_revoke(token=tokens.token_for_user(user=request.user, public_id=public_id))
        return Response(token_payload(token))
