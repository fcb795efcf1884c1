"""Webhook endpoints over the API, for staff: list, create (the answer holds the signing secret),
send a test event, rotate the secret, enable and disable. With the console's session or a token of
the admin scope; the same services as the admin."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response

from chat import selectors
from chat.errors import ServiceError
from chat.models import Inbox
from chat.payloads import iso
from integrations.api.base import IDEMPOTENCY_PARAMETER, IntegrationAPIView
from integrations.api.conversations import ERRORS
from integrations.choices import EndpointRole, Scope
from integrations.models import WebhookEndpoint
from integrations.webhooks import dispatch
from integrations.webhooks import services as webhook_services


class StaffOnly(BasePermission):
    message = "Only staff manage webhook endpoints."

    def has_permission(self, request: Request, view) -> bool:
        return bool(request.user and (request.user.is_staff or request.user.is_superuser))


def endpoint_payload(endpoint: WebhookEndpoint) -> dict:
    return {
        "id": str(endpoint.public_id),
        "name": endpoint.name,
        "url": endpoint.url,
        "inbox": endpoint.inbox.public_key if endpoint.inbox_id else None,
        "role": endpoint.role,
        "events": endpoint.events,
        "is_active": endpoint.is_active,
        "disabled_reason": endpoint.disabled_reason,
        "created_at": iso(endpoint.created_at),
    }


class EndpointSchema(serializers.Serializer):
    id = serializers.UUIDField()
    name = serializers.CharField()
    url = serializers.URLField()
    inbox = serializers.CharField(allow_null=True, help_text="The inbox's public key; null: every inbox.")
    role = serializers.ChoiceField(choices=EndpointRole.choices)
    events = serializers.ListField(child=serializers.CharField())
    is_active = serializers.BooleanField()
    disabled_reason = serializers.CharField(allow_blank=True)
    created_at = serializers.DateTimeField()


class EndpointListSchema(serializers.Serializer):
    results = EndpointSchema(many=True)


class EndpointWithSecretSchema(EndpointSchema):
    secret = serializers.CharField(help_text="The signing secret (whsec_...).")


class EndpointInput(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    url = serializers.URLField(max_length=500)
    inbox = serializers.CharField(required=False, allow_null=True, max_length=64)
    role = serializers.ChoiceField(choices=EndpointRole.choices, default=EndpointRole.WEBHOOK)
    events = serializers.ListField(
        child=serializers.ChoiceField(choices=webhook_services.SUBSCRIBABLE), required=False, max_length=20
    )


class EndpointActionInput(serializers.Serializer):
    action = serializers.ChoiceField(choices=["test", "rotate_secret", "enable", "disable"])


def endpoint_for(request: Request, public_id: str) -> WebhookEndpoint:
    uid = selectors.parse_uuid(public_id)
    endpoint = WebhookEndpoint.objects.select_related("inbox").filter(public_id=uid).first() if uid else None
    if endpoint is None:
        raise ServiceError("not_found", "No such webhook endpoint.", status=404)
    return endpoint


class WebhookEndpointListView(IntegrationAPIView):
    required_scope = Scope.ADMIN

    def get_permissions(self):
        return [*super().get_permissions(), StaffOnly()]

    @extend_schema(summary="Webhook endpoints", responses={200: EndpointListSchema, **ERRORS}, tags=["webhooks"])
    def get(self, request: Request) -> Response:
        endpoints = WebhookEndpoint.objects.select_related("inbox").order_by("name")[:200]
        return Response({"results": [endpoint_payload(e) for e in endpoints]})

    @extend_schema(
        summary="Create a webhook endpoint (or an inbox's outside bot)",
        request=EndpointInput,
        responses={201: EndpointWithSecretSchema, **ERRORS},
        parameters=[IDEMPOTENCY_PARAMETER],
        tags=["webhooks"],
    )
    def post(self, request: Request) -> Response:
        data = EndpointInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        inbox = None
        if values.get("inbox"):
            inbox = Inbox.objects.filter(public_key=values["inbox"]).first()
            if inbox is None:
                raise ServiceError("not_found", "No such inbox.", status=404)
        endpoint = webhook_services.endpoint_create(
            name=values["name"], url=values["url"], events=values.get("events", []), inbox=inbox, role=values["role"]
        )
        return Response({**endpoint_payload(endpoint), "secret": endpoint.secret}, status=status.HTTP_201_CREATED)


class WebhookEndpointActionView(IntegrationAPIView):
    required_scope = Scope.ADMIN

    def get_permissions(self):
        return [*super().get_permissions(), StaffOnly()]

    @extend_schema(
        summary="Act on a webhook endpoint: send a test event, rotate its secret, enable or disable it",
        request=EndpointActionInput,
        responses={200: EndpointWithSecretSchema, **ERRORS},
        parameters=[IDEMPOTENCY_PARAMETER],
        tags=["webhooks"],
    )
    def post(self, request: Request, public_id: str) -> Response:
        data = EndpointActionInput(data=request.data)
        data.is_valid(raise_exception=True)
        endpoint = endpoint_for(request, public_id)
        action = data.validated_data["action"]
        if action == "test":
            webhook_services.endpoint_send_test(endpoint=endpoint)
        elif action == "rotate_secret":
            webhook_services.endpoint_rotate_secret(endpoint=endpoint)
        elif action == "enable":
            webhook_services.endpoint_enable(endpoint=endpoint)
        else:
            dispatch.endpoint_disable(endpoint, reason="Disabled through the API.")
        endpoint = endpoint_for(request, public_id)
        return Response({**endpoint_payload(endpoint), "secret": endpoint.secret})
