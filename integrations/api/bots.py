"""What an outside bot calls: answer in a conversation it holds, and hand it to humans.

The bot authenticates with an API token (write scope) of an agent of the inbox; the
conversation must be one its inbox's outside bot holds (``owner=bot``). Both calls go through
the services the built-in bot uses (``chat.services.bot``).
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from chat import services
from chat.api import schemas
from chat.choices import HandoffReason
from chat.errors import ServiceError
from chat.payloads import message_payload
from integrations.api.base import IDEMPOTENCY_PARAMETER, IntegrationAPIView, conversation_of, fresh_payload
from integrations.api.conversations import ERRORS

HANDOFF_REASONS = [r for r in HandoffReason.values if r != HandoffReason.AGENT_TOOK_OVER]


class BotReplyInput(serializers.Serializer):
    text = serializers.CharField(max_length=20000, trim_whitespace=False)


class BotReplyResult(serializers.Serializer):
    message = schemas.MessageSchema()


class BotHandoffInput(serializers.Serializer):
    reason = serializers.ChoiceField(choices=HANDOFF_REASONS, default=HandoffReason.ASKED_FOR_HUMAN)
    detail = serializers.CharField(required=False, allow_blank=True, max_length=200)


class BotReplyView(IntegrationAPIView):
    @extend_schema(
        summary="The outside bot answers in a conversation it holds",
        request=BotReplyInput,
        responses={201: BotReplyResult, **ERRORS},
        parameters=[IDEMPOTENCY_PARAMETER],
        tags=["outside bots"],
    )
    def post(self, request: Request, public_id: str) -> Response:
        data = BotReplyInput(data=request.data)
        data.is_valid(raise_exception=True)
        conversation = conversation_of(request, public_id)
        message = services.bot_reply(conversation=conversation, text=data.validated_data["text"], article=None)
        if message is None:
            raise ServiceError("not_bot_owned", "The bot no longer holds this conversation.", status=409)
        body = {"message": message_payload(message, conversation_id=str(conversation.public_id))}
        return Response(body, status=status.HTTP_201_CREATED)


class BotHandoffView(IntegrationAPIView):
    @extend_schema(
        summary="The outside bot hands the conversation to the human queue",
        request=BotHandoffInput,
        responses={200: schemas.ConversationSchema, **ERRORS},
        parameters=[IDEMPOTENCY_PARAMETER],
        tags=["outside bots"],
    )
    def post(self, request: Request, public_id: str) -> Response:
        data = BotHandoffInput(data=request.data)
        data.is_valid(raise_exception=True)
        conversation = conversation_of(request, public_id)
        services.conversation_hand_off(
            conversation=conversation,
            reason=data.validated_data["reason"],
            detail=data.validated_data.get("detail", ""),
        )
        return Response(fresh_payload(request, conversation))
