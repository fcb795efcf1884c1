"""CORS for the widget's endpoints: an inbox's allowed origins may call them from the browser.

One rule for every endpoint the widget calls (chat's and the knowledge base's), so that what an
embedding site may do is decided in one place: the inbox's ``allowed_origins``.
"""

from __future__ import annotations

from django.http import HttpResponseBase
from rest_framework.request import Request

from chat.models import Inbox


def allow_inbox_origin(request: Request, response: HttpResponseBase, inbox: Inbox | None, *, methods: str) -> None:
    """Answer a cross-origin call from one of ``inbox``'s allowed origins; others get no CORS headers."""
    origin = request.headers.get("Origin")
    if origin and inbox is not None and inbox.allows_origin(origin):
        response["Access-Control-Allow-Origin"] = origin
        response["Access-Control-Allow-Headers"] = "Authorization, Content-Type"
        response["Access-Control-Allow-Methods"] = methods
        response["Access-Control-Expose-Headers"] = "Content-Disposition"
        response["Access-Control-Max-Age"] = "600"
    response["Vary"] = "Origin"
