"""Contacts over the API: create one, read and update it, and start a conversation for it (for
example from an order page). Contacts are found in the inboxes the agent works, only."""

from __future__ import annotations

from django.db import transaction
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from chat import selectors, services
from chat.api import schemas
from chat.errors import ServiceError, invalid
from chat.models import Contact, Inbox
from chat.payloads import contact_payload, conversation_payload, message_payload
from integrations.api.base import IDEMPOTENCY_PARAMETER, IntegrationAPIView
from integrations.api.conversations import ERRORS


def contact_for_agent(request: Request, public_id: str) -> Contact:
    """A contact of one of the agent's inboxes (the same rule as its conversations)."""
    uid = selectors.parse_uuid(public_id)
    inbox_ids = selectors.inbox_ids_for_agent(user=request.user)
    contact = Contact.objects.filter(public_id=uid, inbox_id__in=inbox_ids).first() if uid else None
    if contact is None:
        raise ServiceError("not_found", "No such contact, or you may not see it.", status=404)
    return contact


def full_contact(contact: Contact) -> dict:
    return {**contact_payload(contact), "external_id": contact.external_id, "attributes": contact.attributes or {}}


class FullContactSchema(schemas.ContactSchema):
    external_id = serializers.CharField(allow_blank=True, help_text="The host site's id of a verified contact.")
    attributes = serializers.DictField(help_text="Custom attributes (strings, numbers, booleans).")


class CreatedContactSchema(FullContactSchema):
    token = serializers.CharField(help_text="The contact's widget secret: shown this once, stored hashed.")


class ContactInput(serializers.Serializer):
    name = serializers.CharField(required=False, allow_blank=True, max_length=120)
    email = serializers.CharField(required=False, allow_blank=True, max_length=254)
    external_id = serializers.CharField(required=False, allow_blank=True, max_length=128)
    attributes = serializers.DictField(required=False)


class ContactCreateInput(ContactInput):
    inbox = serializers.CharField(max_length=64, help_text="The inbox's public key.")


def _changes(values: dict) -> dict:
    return {k: values[k] for k in ("name", "email", "external_id", "attributes") if k in values}


class ContactCreateView(IntegrationAPIView):
    @extend_schema(
        summary="Create a contact in an inbox the agent works",
        request=ContactCreateInput,
        responses={201: CreatedContactSchema, **ERRORS},
        parameters=[IDEMPOTENCY_PARAMETER],
        tags=["contacts"],
    )
    def post(self, request: Request) -> Response:
        data = ContactCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        inbox = Inbox.objects.filter(
            public_key=values["inbox"], pk__in=selectors.inbox_ids_for_agent(user=request.user)
        ).first()
        if inbox is None:
            raise ServiceError("not_found", "No such inbox, or you do not work it.", status=404)
        changes = services.check_contact_edit(changes=_changes(values))
        with transaction.atomic():
            contact, token = services.contact_create(inbox=inbox)
            services.contact_edit(contact=contact, actor=request.user, changes=changes)
        contact.refresh_from_db()
        return Response({**full_contact(contact), "token": token}, status=status.HTTP_201_CREATED)


class ContactDetailView(IntegrationAPIView):
    @extend_schema(summary="A contact", responses={200: FullContactSchema, **ERRORS}, tags=["contacts"])
    def get(self, request: Request, public_id: str) -> Response:
        return Response(full_contact(contact_for_agent(request, public_id)))

    @extend_schema(
        summary="Update a contact (only the fields given)",
        request=ContactInput,
        responses={200: FullContactSchema, **ERRORS},
        tags=["contacts"],
    )
    def patch(self, request: Request, public_id: str) -> Response:
        data = ContactInput(data=request.data)
        data.is_valid(raise_exception=True)
        contact = contact_for_agent(request, public_id)
        services.contact_edit(contact=contact, actor=request.user, changes=_changes(data.validated_data))
        contact.refresh_from_db()
        return Response(full_contact(contact))


class StartInput(serializers.Serializer):
    text = serializers.CharField(
        required=False, max_length=20000, trim_whitespace=False, help_text="The contact's first message."
    )
    client_id = serializers.CharField(required=False, max_length=64, help_text="Defaults to the Idempotency-Key.")
    context = serializers.DictField(
        child=serializers.CharField(allow_blank=True, max_length=2000),
        required=False,
        help_text="Where it comes from: url, title, referrer (as the widget sends them).",
    )


class StartedSchema(serializers.Serializer):
    conversation = schemas.ConversationSchema()
    created = serializers.BooleanField(help_text="False: the contact's active conversation was returned.")
    message = schemas.MessageSchema(allow_null=True)


class ContactConversationView(IntegrationAPIView):
    @extend_schema(
        summary="Start a conversation for the contact (or get its active one)",
        request=StartInput,
        responses={201: StartedSchema, 200: StartedSchema, **ERRORS},
        parameters=[IDEMPOTENCY_PARAMETER],
        tags=["contacts"],
    )
    def post(self, request: Request, public_id: str) -> Response:
        data = StartInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        contact = contact_for_agent(request, public_id)
        text = values.get("text")
        client_id = values.get("client_id") or request.headers.get("Idempotency-Key") or None
        if text is not None and not client_id:
            raise invalid("Give a client_id or an Idempotency-Key with the text, so that a retry cannot send it twice.")
        started = services.conversation_start_for_widget(
            contact=contact, text=text, client_id=client_id, context=values.get("context")
        )
        conversation = selectors.conversation_for_agent(
            user=request.user, public_id=str(started.conversation.public_id)
        )
        cid = str(conversation.public_id)
        body = {
            "conversation": conversation_payload(conversation),
            "created": started.created,
            "message": message_payload(started.message, conversation_id=cid) if started.message else None,
        }
        return Response(body, status=status.HTTP_201_CREATED if started.created else status.HTTP_200_OK)
