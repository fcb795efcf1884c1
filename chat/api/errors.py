"""One error body for the whole API: ``{"error": {"code": ..., "message": ...}}``.

The codes are the same as the sockets' error codes (docs/protocol.md).
"""

from __future__ import annotations

import math

from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from chat import outages
from chat.api.parsers import InvalidText
from chat.errors import ServiceError

DRF_CODES = {
    InvalidText: "invalid_text",  # before ParseError, its base
    exceptions.NotAuthenticated: "not_authenticated",
    exceptions.AuthenticationFailed: "invalid_token",
    exceptions.PermissionDenied: "forbidden",
    exceptions.NotFound: "not_found",
    exceptions.MethodNotAllowed: "method_not_allowed",
    exceptions.ParseError: "malformed_json",
    exceptions.ValidationError: "invalid",
    exceptions.Throttled: "rate_limited",
    exceptions.UnsupportedMediaType: "unsupported_media_type",
    exceptions.NotAcceptable: "not_acceptable",
}


def exception_handler(exc, context):
    if isinstance(exc, outages.DATABASE_ERRORS):  # nothing was done; the client retries
        outages.database_failed(exc)
        exc = outages.unavailable()
    if isinstance(exc, ServiceError):
        body = {"code": exc.code, "message": exc.message}
        headers = {}
        if exc.retry_after is not None:
            body["retry_after"] = exc.retry_after
            headers["Retry-After"] = str(exc.retry_after)
        return Response({"error": body}, status=exc.status, headers=headers)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    code = next((c for cls, c in DRF_CODES.items() if isinstance(exc, cls)), "error")
    detail = response.data
    message = detail.get("detail") if isinstance(detail, dict) and "detail" in detail else detail
    text = "Invalid input." if isinstance(message, (dict, list)) else str(message)
    body = {"error": {"code": code, "message": text}}
    if isinstance(exc, exceptions.ValidationError):
        body["error"]["fields"] = detail
    if isinstance(exc, exceptions.Throttled) and exc.wait is not None:
        body["error"]["retry_after"] = max(1, math.ceil(exc.wait))  # also in the Retry-After header
    response.data = body
    return response
