"""REST endpoints for what sockets do not suit: lists, paged history, transcripts.

Agent endpoints use the Django session; widget endpoints use the contact's secret token in
``Authorization: Bearer <token>`` (never in the URL) and answer CORS only for the inbox's
allowed origins. All reads go through ``chat.selectors``.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpResponse
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotAuthenticated, NotFound
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from chat import selectors
from chat.api import schemas
from chat.api.authentication import ContactTokenAuthentication
from chat.api.cors import allow_inbox_origin
from chat.choices import ConversationStatus
from chat.models import Conversation, Message
from chat.payloads import (
    contact_profile_payload,
    conversation_payload,
    highlight_segments,
    message_payload,
    rating_payload,
    search_hit_payload,
    user_name,
)
from chat.transcripts import transcript_text

MAX_LIMIT = 200


class MessageQuery(serializers.Serializer):
    after_seq = serializers.IntegerField(min_value=0, default=0)
    before_seq = serializers.IntegerField(min_value=1, required=False)
    limit = serializers.IntegerField(min_value=1, max_value=MAX_LIMIT, default=100)


class ConversationQuery(serializers.Serializer):
    status = serializers.ChoiceField(choices=ConversationStatus.values, required=False)
    inbox = serializers.IntegerField(min_value=1, required=False)
    mine = serializers.BooleanField(required=False, default=False)


MESSAGE_PARAMS = [
    OpenApiParameter("after_seq", int, description="Only messages with a higher seq (default 0)."),
    OpenApiParameter("before_seq", int, description="The latest `limit` messages below this seq."),
    OpenApiParameter("limit", int, description=f"At most this many (1-{MAX_LIMIT}, default 100)."),
]


def message_page(
    messages: list[Message],
    conversation: Conversation,
    limit: int,
    *,
    for_contact: bool = False,
    backwards: bool = False,
) -> dict:
    """A page of at most ``limit`` of ``messages``, which were fetched with ``limit + 1``.

    The extra row only tells whether more exist in the paging direction (older ones when paging
    back with ``before_seq``), so ``has_more`` is false when the page holds exactly the rest.
    """
    has_more = len(messages) > limit
    if has_more:
        messages = messages[-limit:] if backwards else messages[:limit]
    conversation_id = str(conversation.public_id)
    return {
        "results": [message_payload(m, conversation_id=conversation_id, for_contact=for_contact) for m in messages],
        "has_more": has_more,
    }


def messages_response(
    request: Request, conversation: Conversation, fetch: Callable[..., list[Message]], *, for_contact: bool = False
) -> Response:
    """The messages endpoints of agents and of the widget: ``fetch`` is the reader's selector."""
    query = parse_query(MessageQuery, request)
    messages = fetch(
        conversation=conversation,
        after_seq=query["after_seq"],
        before_seq=query.get("before_seq"),
        limit=query["limit"] + 1,
    )
    backwards = query.get("before_seq") is not None
    return Response(message_page(messages, conversation, query["limit"], for_contact=for_contact, backwards=backwards))


def parse_query(serializer_class, request: Request) -> dict:
    query = serializer_class(data=request.query_params)
    query.is_valid(raise_exception=True)
    return query.validated_data


class ConversationPagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


# --- agents ----------------------------------------------------------------------------------


class AgentAPIView(APIView):
    """Session-authenticated; the selectors scope every read to the agent's inboxes."""


class ConversationListView(AgentAPIView):
    @extend_schema(
        parameters=[
            OpenApiParameter("status", str, enum=ConversationStatus.values),
            OpenApiParameter("inbox", int),
            OpenApiParameter("mine", bool, description="Only conversations assigned to me."),
            OpenApiParameter("page", int),
            OpenApiParameter("page_size", int),
        ],
        responses={200: schemas.ConversationPageSchema, 400: schemas.ErrorSchema},
        summary="Conversations the agent may see, newest activity first",
        operation_id="conversations_list",
    )
    def get(self, request: Request) -> Response:
        query = parse_query(ConversationQuery, request)
        qs = selectors.conversations_by_activity(
            user=request.user, status=query.get("status"), inbox_id=query.get("inbox"), mine=query["mine"]
        )
        paginator = ConversationPagination()
        page = paginator.paginate_queryset(qs, request, view=self)
        return paginator.get_paginated_response([conversation_payload(c) for c in page])


class ConversationDetailView(AgentAPIView):
    @extend_schema(responses={200: schemas.ConversationSchema, 404: schemas.ErrorSchema})
    def get(self, request: Request, public_id: str) -> Response:
        conversation = selectors.conversation_for_agent(user=request.user, public_id=public_id)
        return Response(conversation_payload(conversation))


class ConversationMessagesView(AgentAPIView):
    @extend_schema(parameters=MESSAGE_PARAMS, responses={200: schemas.MessagePageSchema, 404: schemas.ErrorSchema})
    def get(self, request: Request, public_id: str) -> Response:
        conversation = selectors.conversation_for_agent(user=request.user, public_id=public_id)
        return messages_response(request, conversation, selectors.messages_for_agent)


def event_payload(event) -> dict:
    return {
        "type": event.type,
        "label": event.get_type_display(),
        "actor_kind": event.actor_kind,
        "actor": user_name(event.actor_user) if event.actor_user_id else None,
        "payload": event.payload,
        "created_at": event.created_at.isoformat(),
    }


class TranscriptView(AgentAPIView):
    @extend_schema(responses={200: schemas.TranscriptSchema, 404: schemas.ErrorSchema})
    def get(self, request: Request, public_id: str) -> Response:
        """The whole transcript with private notes and the audit trail, for the console."""
        conversation = selectors.conversation_for_agent(user=request.user, public_id=public_id)
        conversation_id = str(conversation.public_id)
        messages = selectors.full_transcript(conversation=conversation)
        events = selectors.audit_trail(conversation=conversation)
        return Response(
            {
                "conversation": conversation_payload(conversation),
                "messages": [message_payload(m, conversation_id=conversation_id) for m in messages],
                "events": [event_payload(e) for e in events],
            }
        )


class ActivityView(AgentAPIView):
    @extend_schema(responses={200: schemas.ActivitySchema, 404: schemas.ErrorSchema})
    def get(self, request: Request, public_id: str) -> Response:
        """The conversation's audit trail and its rating, for the console's panel (no transcript)."""
        conversation = selectors.conversation_for_agent(user=request.user, public_id=public_id, related=())
        rating = selectors.rating_for_conversation(conversation=conversation)
        return Response(
            {
                "events": [event_payload(e) for e in selectors.audit_trail(conversation=conversation)],
                "rating": rating_payload(rating, conversation_id=str(conversation.public_id)) if rating else None,
            }
        )


class TranscriptTextView(AgentAPIView):
    @extend_schema(responses={(200, "text/plain"): str, 404: schemas.ErrorSchema})
    def get(self, request: Request, public_id: str) -> HttpResponse:
        """The transcript as a plain-text download (private notes marked as such)."""
        conversation = selectors.conversation_for_agent(user=request.user, public_id=public_id)
        messages = selectors.full_transcript(conversation=conversation, with_files=False)
        text = transcript_text(conversation, messages, for_agent=True)
        response = HttpResponse(text, content_type="text/plain; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="conversation-{conversation.number}.txt"'
        response["X-Content-Type-Options"] = "nosniff"
        return response


class SearchQuery(serializers.Serializer):
    q = serializers.CharField(trim_whitespace=True)


class SearchView(AgentAPIView):
    @extend_schema(
        parameters=[OpenApiParameter("q", str, required=True, description="2-200 characters.")],
        responses={200: schemas.SearchResultsSchema, 400: schemas.ErrorSchema},
        summary="Full-text search over the transcripts the agent may see, with highlighted excerpts",
        operation_id="search",
    )
    def get(self, request: Request) -> Response:
        query = parse_query(SearchQuery, request)["q"]
        hits = selectors.search_for_agent(user=request.user, query=query)
        start, stop = selectors.HIGHLIGHT_START, selectors.HIGHLIGHT_STOP
        return Response(
            {
                "query": query,
                "results": [
                    search_hit_payload(m, segments=highlight_segments(excerpt, start, stop)) for m, excerpt in hits
                ],
            }
        )


class ContactProfileView(AgentAPIView):
    @extend_schema(responses={200: schemas.ContactProfileSchema, 404: schemas.ErrorSchema})
    def get(self, request: Request, public_id: str) -> Response:
        """The console's contact panel for a conversation: the contact and its conversations."""
        conversation = selectors.conversation_for_agent(user=request.user, public_id=public_id, related=("contact",))
        history = selectors.contact_history_for_agent(user=request.user, conversation=conversation)
        return Response(contact_profile_payload(conversation.contact, history=history))


# --- widget (contacts) -----------------------------------------------------------------------


class WidgetAPIView(APIView):
    """Contact-authenticated by bearer token (ContactTokenAuthentication), scoped to one inbox;
    CORS for its origins only."""

    authentication_classes = [ContactTokenAuthentication]
    permission_classes: list = []

    def initial(self, request: Request, *args, **kwargs) -> None:
        self.inbox = selectors.inbox_by_key(public_key=kwargs["inbox_key"])  # the token's scope
        super().initial(request, *args, **kwargs)
        if self.inbox is None:
            raise NotFound("No such inbox.")
        if request.method == "OPTIONS":
            return
        if request.auth is None:
            raise NotAuthenticated("Send the contact token as 'Authorization: Bearer <token>'.")
        self.contact = request.auth

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        allow_inbox_origin(request, response, getattr(self, "inbox", None), methods="GET, POST, OPTIONS")
        return response


class WidgetConversationListView(WidgetAPIView):
    @extend_schema(responses={200: schemas.PublicConversationListSchema, 401: schemas.ErrorSchema})
    def get(self, request: Request, inbox_key: str) -> Response:
        conversations = selectors.conversations_for_contact(contact=self.contact)[:MAX_LIMIT]
        return Response({"results": [conversation_payload(c, for_contact=True) for c in conversations]})


class WidgetMessagesView(WidgetAPIView):
    @extend_schema(
        parameters=MESSAGE_PARAMS,
        responses={200: schemas.MessagePageSchema, 401: schemas.ErrorSchema, 404: schemas.ErrorSchema},
    )
    def get(self, request: Request, inbox_key: str, public_id: str) -> Response:
        conversation = selectors.conversation_for_contact(contact=self.contact, public_id=public_id)
        return messages_response(request, conversation, selectors.messages_for_contact, for_contact=True)
