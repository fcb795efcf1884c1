"""REST endpoints of the knowledge base.

Public: the widget's Help tab searches published articles as the visitor types. Articles are
public (the help centre shows them), so no contact token is needed, but the endpoint answers
CORS only for the inbox's allowed origins, like the widget's other endpoints. Agents: list,
create, edit and delete articles, and turn a conversation's answer into a draft.
"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from chat import selectors as chat_selectors
from chat.api.cors import allow_inbox_origin
from chat.api.schemas import ErrorSchema
from knowledge import selectors, services
from knowledge.api import schemas
from knowledge.choices import locale_for
from knowledge.payloads import article_payload, hit_payload


class WidgetArticleSearchView(APIView):
    authentication_classes: list = []
    permission_classes: list = []

    def initial(self, request: Request, *args, **kwargs) -> None:
        super().initial(request, *args, **kwargs)
        self.inbox = chat_selectors.inbox_by_key(public_key=kwargs["inbox_key"])
        if self.inbox is None or not self.inbox.is_active:
            raise NotFound("No such inbox.")

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        allow_inbox_origin(request, response, getattr(self, "inbox", None), methods="GET, OPTIONS")
        return response

    @extend_schema(
        parameters=[
            OpenApiParameter("q", str, required=True, description="What the visitor typed (up to 300 characters)."),
            OpenApiParameter("locale", str, description="The widget's language (en, zh-hans); default en."),
        ],
        responses={200: schemas.ArticleSearchResultsSchema, 404: ErrorSchema},
        summary="Published articles matching what a visitor types, in either language",
        operation_id="widget_article_search",
    )
    def get(self, request: Request, inbox_key: str) -> Response:
        query = " ".join(str(request.query_params.get("q", "")).split())[: selectors.SEARCH_MAX_CHARS]
        locale = locale_for(request.query_params.get("locale"))
        hits = selectors.search_public(query=query, locale=locale, limit=8)
        return Response({"query": query, "results": [hit_payload(h) for h in hits]})


class AgentArticleView(APIView):
    """Session-authenticated; any agent (staff user) may write the knowledge base."""

    def initial(self, request: Request, *args, **kwargs) -> None:
        super().initial(request, *args, **kwargs)
        if not selectors.is_agent(request.user):
            raise PermissionDenied("Only agents may edit the knowledge base.")


class ArticleListView(AgentArticleView):
    @extend_schema(responses={200: schemas.ArticleListSchema}, operation_id="articles_list")
    def get(self, request: Request) -> Response:
        articles = selectors.articles_for_agent(user=request.user).select_related("source_conversation")
        return Response({"results": [article_payload(a) for a in articles]})

    @extend_schema(
        request=schemas.ArticleInput, responses={201: schemas.ArticleSchema, 400: ErrorSchema, 409: ErrorSchema}
    )
    def post(self, request: Request) -> Response:
        data = schemas.ArticleInput(data=request.data)
        data.is_valid(raise_exception=True)
        article = services.article_create(**data.validated_data, author=request.user)
        return Response(article_payload(article), status=201)


class ArticleDetailView(AgentArticleView):
    @extend_schema(responses={200: schemas.ArticleSchema, 404: ErrorSchema})
    def get(self, request: Request, public_id: str) -> Response:
        return Response(article_payload(selectors.article_for_agent(user=request.user, public_id=public_id)))

    @extend_schema(request=schemas.ArticlePatch, responses={200: schemas.ArticleSchema, 400: ErrorSchema})
    def patch(self, request: Request, public_id: str) -> Response:
        article = selectors.article_for_agent(user=request.user, public_id=public_id)
        data = schemas.ArticlePatch(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        article = services.article_update(article=article, author=request.user, **data.validated_data)
        return Response(article_payload(article))

    @extend_schema(responses={204: None, 404: ErrorSchema})
    def delete(self, request: Request, public_id: str) -> Response:
        services.article_delete(article=selectors.article_for_agent(user=request.user, public_id=public_id))
        return Response(status=204)


class ArticleDraftFromConversationView(AgentArticleView):
    @extend_schema(
        request=schemas.DraftInput,
        responses={201: schemas.ArticleSchema, 400: ErrorSchema, 404: ErrorSchema},
        summary="Turn an agent's answer in a conversation into a draft article",
        operation_id="article_draft_from_conversation",
    )
    def post(self, request: Request, public_id: str) -> Response:
        conversation = chat_selectors.conversation_for_agent(user=request.user, public_id=public_id)
        data = schemas.DraftInput(data=request.data)
        data.is_valid(raise_exception=True)
        message = None
        if data.validated_data.get("message_id"):
            message = conversation.messages.filter(public_id=data.validated_data["message_id"]).first()
            if message is None:
                raise NotFound("No such message in this conversation.")
        article = services.article_draft_from_conversation(
            conversation=conversation,
            agent=request.user,
            message=message,
            title=data.validated_data["title"],
            locale=data.validated_data.get("locale", ""),
            category=data.validated_data["category"],
        )
        return Response(article_payload(article), status=201)
