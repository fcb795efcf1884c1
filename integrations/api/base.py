"""The base of every write endpoint: token or session, scope, budgets, and idempotency keys."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter
from rest_framework.request import Request
from rest_framework.views import APIView

from chat import selectors
from chat.errors import ServiceError
from chat.models import Conversation
from chat.payloads import conversation_payload
from integrations import idempotency

IDEMPOTENCY_PARAMETER = OpenApiParameter(
    idempotency.HEADER,
    str,
    location=OpenApiParameter.HEADER,
    required=False,
    description=(
        "1-255 printable ASCII characters. A retry with the same key, method, path and body gets the "
        "first answer again (header Idempotent-Replayed: true) for 24 hours; the same key with another "
        "request is refused with 422."
    ),
)


class IntegrationAPIView(APIView):
    """Token (``Authorization: Bearer hd_...``) or the console's session; see settings."""

    required_scope: str | None = None
    # False on a POST whose answer must never be stored (a new token's secret): no key is taken.
    idempotent = True
    _idempotency = None

    def initial(self, request: Request, *args, **kwargs) -> None:
        super().initial(request, *args, **kwargs)
        if request.method == "POST" and self.idempotent:
            self._idempotency = idempotency.claim(request)

    def handle_exception(self, exc):
        if isinstance(exc, idempotency.Replay):
            return exc.response
        try:
            return super().handle_exception(exc)
        except Exception:
            # A server error: free the key, so that the client's retry runs again.
            if self._idempotency is not None:
                idempotency.forget(self._idempotency)
                self._idempotency = None
            raise

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if self._idempotency is not None:
            idempotency.settle(self._idempotency, response)
            self._idempotency = None
        return response


def conversation_of(request: Request, public_id: str, **kwargs) -> Conversation:
    return selectors.conversation_for_agent(user=request.user, public_id=public_id, **kwargs)


def fresh_payload(request: Request, conversation: Conversation) -> dict:
    """The conversation as the database now holds it, in the one agents' shape."""
    return conversation_payload(conversation_of(request, str(conversation.public_id)))


def agent_profile(request: Request):
    from agents.selectors import profile_for_user

    profile = profile_for_user(user=request.user)
    if profile is None:
        raise ServiceError("forbidden", "Only agents can do this.", status=403)
    return profile


__all__ = ["IDEMPOTENCY_PARAMETER", "IntegrationAPIView", "agent_profile", "conversation_of", "fresh_payload"]
