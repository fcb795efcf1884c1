"""Write endpoints for what the console does with a conversation, each one call of a service.

The conversation is found through ``chat.selectors`` as the requesting agent (token or session),
so a token reaches only its agent's inboxes; the answer is the conversation's agents' payload.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from agents import selectors as agent_selectors
from agents import services as agent_services
from chat import services
from chat.api import schemas
from chat.choices import Priority
from chat.errors import invalid
from chat.payloads import message_payload
from integrations.api.base import (
    IDEMPOTENCY_PARAMETER,
    IntegrationAPIView,
    agent_profile,
    conversation_of,
    fresh_payload,
)

ERRORS = {
    400: schemas.ErrorSchema,
    401: schemas.ErrorSchema,
    403: schemas.ErrorSchema,
    404: schemas.ErrorSchema,
    409: schemas.ErrorSchema,
    415: schemas.ErrorSchema,  # a body that is not JSON
    422: schemas.ErrorSchema,
    429: schemas.ErrorSchema,
}


def action_schema(summary: str, request=None, ok=schemas.ConversationSchema, code: int = 200) -> dict:
    return {
        "summary": summary,
        "request": request,
        "responses": {code: ok, **ERRORS},
        "parameters": [IDEMPOTENCY_PARAMETER],
        "tags": ["conversations (write)"],
    }


class MessageInput(serializers.Serializer):
    text = serializers.CharField(
        max_length=20000, trim_whitespace=False, help_text="The text, shown as text (never HTML)."
    )
    client_id = serializers.CharField(
        max_length=64,
        required=False,
        help_text="The message's own idempotency key (1-64 printable ASCII); defaults to the Idempotency-Key.",
    )
    attachments = serializers.ListField(
        child=serializers.UUIDField(), required=False, max_length=10, help_text="Ids of files uploaded to it."
    )


class MessageResult(serializers.Serializer):
    message = schemas.MessageSchema()
    created = serializers.BooleanField(help_text="False when a message with this client_id was already stored.")


def _send(request: Request, public_id: str, *, private: bool) -> Response:
    data = MessageInput(data=request.data)
    data.is_valid(raise_exception=True)
    conversation = conversation_of(request, public_id, related=("contact", "inbox"))
    client_id = data.validated_data.get("client_id") or request.headers.get("Idempotency-Key")
    if not client_id:
        raise invalid("Give a client_id or an Idempotency-Key, so that a retry cannot send the message twice.")
    attachments = [str(a) for a in data.validated_data.get("attachments", [])] or None
    send = services.note_add if private else services.message_send
    kwargs = {"agent": request.user} if private else {"sender": request.user}
    result = send(
        conversation=conversation,
        text=data.validated_data["text"],
        client_id=client_id[:64],
        attachments=attachments,
        **kwargs,
    )
    body = {
        "message": message_payload(result.message, conversation_id=str(conversation.public_id)),
        "created": result.created,
    }
    return Response(body, status=status.HTTP_201_CREATED if result.created else status.HTTP_200_OK)


class ReplyView(IntegrationAPIView):
    @extend_schema(**action_schema("Send a message to the contact as the agent", MessageInput, MessageResult, 201))
    def post(self, request: Request, public_id: str) -> Response:
        return _send(request, public_id, private=False)


class NoteView(IntegrationAPIView):
    @extend_schema(**action_schema("Add a private note (agents only ever see it)", MessageInput, MessageResult, 201))
    def post(self, request: Request, public_id: str) -> Response:
        return _send(request, public_id, private=True)


class ClaimView(IntegrationAPIView):
    @extend_schema(**action_schema("Claim a waiting conversation (or take it over from a bot)"))
    def post(self, request: Request, public_id: str) -> Response:
        conversation = agent_services.conversation_claim_within_capacity(
            profile=agent_profile(request), conversation=conversation_of(request, public_id)
        )
        return Response(fresh_payload(request, conversation))


class AcceptView(IntegrationAPIView):
    @extend_schema(**action_schema("Accept a conversation the router assigned to the agent"))
    def post(self, request: Request, public_id: str) -> Response:
        conversation = services.conversation_accept(
            conversation=conversation_of(request, public_id), agent=request.user
        )
        return Response(fresh_payload(request, conversation))


class AgentInput(serializers.Serializer):
    agent = serializers.IntegerField(min_value=1, max_value=2**31 - 1, help_text="The agent's user id.")


class AssignView(IntegrationAPIView):
    @extend_schema(**action_schema("Assign the conversation to an agent of its inbox", AgentInput))
    def post(self, request: Request, public_id: str) -> Response:
        data = AgentInput(data=request.data)
        data.is_valid(raise_exception=True)
        conversation = conversation_of(request, public_id)
        agent = agent_selectors.transfer_target_agent(
            user_id=data.validated_data["agent"], inbox_id=conversation.inbox_id
        )
        conversation = services.conversation_assign(conversation=conversation, agent=agent, actor=request.user)
        return Response(fresh_payload(request, conversation))


class TransferInput(serializers.Serializer):
    agent = serializers.IntegerField(min_value=1, max_value=2**31 - 1, required=False)
    team = serializers.IntegerField(min_value=1, max_value=2**31 - 1, required=False)
    note = serializers.CharField(required=False, allow_blank=True, max_length=5000, help_text="A private note.")

    def validate(self, attrs):
        if ("agent" in attrs) == ("team" in attrs):
            raise serializers.ValidationError("Give exactly one of agent or team.")
        return attrs


class TransferView(IntegrationAPIView):
    @extend_schema(**action_schema("Transfer to another agent or to a team's queue, with a note", TransferInput))
    def post(self, request: Request, public_id: str) -> Response:
        data = TransferInput(data=request.data)
        data.is_valid(raise_exception=True)
        conversation = conversation_of(request, public_id)
        values = data.validated_data
        to_agent = to_team = None
        if "agent" in values:
            to_agent = agent_selectors.transfer_target_agent(user_id=values["agent"], inbox_id=conversation.inbox_id)
        else:
            to_team = agent_selectors.transfer_target_team(team_id=values["team"])
        conversation = services.conversation_transfer(
            conversation=conversation,
            actor=request.user,
            to_agent=to_agent,
            to_team=to_team,
            note=(values.get("note") or "").strip(),
        )
        return Response(fresh_payload(request, conversation))


class PriorityInput(serializers.Serializer):
    priority = serializers.ChoiceField(choices=Priority.choices, help_text="0 low, 1 normal, 2 high, 3 urgent.")


class PriorityView(IntegrationAPIView):
    @extend_schema(**action_schema("Set the priority", PriorityInput))
    def post(self, request: Request, public_id: str) -> Response:
        data = PriorityInput(data=request.data)
        data.is_valid(raise_exception=True)
        conversation = services.conversation_set_priority(
            conversation=conversation_of(request, public_id),
            priority=data.validated_data["priority"],
            actor=request.user,
        )
        return Response(fresh_payload(request, conversation))


class TagsInput(serializers.Serializer):
    tags = serializers.ListField(
        child=serializers.CharField(max_length=50), max_length=services.MAX_TAGS, help_text="Replaces the tags."
    )


class TagsView(IntegrationAPIView):
    @extend_schema(**action_schema("Replace the tags (tags an admin created)", TagsInput))
    def post(self, request: Request, public_id: str) -> Response:
        data = TagsInput(data=request.data)
        data.is_valid(raise_exception=True)
        conversation = conversation_of(request, public_id)
        services.conversation_set_tags(conversation=conversation, actor=request.user, names=data.validated_data["tags"])
        return Response(fresh_payload(request, conversation))


class StatusInput(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=["open", "pending", "resolved"],
        help_text="open (reopens a resolved one, or ends pending), pending, or resolved.",
    )


class StatusView(IntegrationAPIView):
    @extend_schema(**action_schema("Set the status", StatusInput))
    def post(self, request: Request, public_id: str) -> Response:
        data = StatusInput(data=request.data)
        data.is_valid(raise_exception=True)
        conversation = conversation_of(request, public_id)
        wanted = data.validated_data["status"]
        if wanted == "resolved":
            conversation = services.conversation_resolve(conversation=conversation, actor=request.user)
        elif wanted == "pending":
            conversation = services.conversation_set_pending(
                conversation=conversation, actor=request.user, pending=True
            )
        elif conversation.status == "resolved":
            conversation = services.conversation_reopen(conversation=conversation, actor=request.user)
        elif conversation.status == "pending":
            conversation = services.conversation_set_pending(
                conversation=conversation, actor=request.user, pending=False
            )
        return Response(fresh_payload(request, conversation))


class ResolveView(IntegrationAPIView):
    @extend_schema(**action_schema("Resolve the conversation"))
    def post(self, request: Request, public_id: str) -> Response:
        conversation = services.conversation_resolve(
            conversation=conversation_of(request, public_id), actor=request.user
        )
        return Response(fresh_payload(request, conversation))


class ReopenView(IntegrationAPIView):
    @extend_schema(**action_schema("Reopen a resolved conversation"))
    def post(self, request: Request, public_id: str) -> Response:
        conversation = services.conversation_reopen(
            conversation=conversation_of(request, public_id), actor=request.user
        )
        return Response(fresh_payload(request, conversation))
