"""Parsing and answering socket frames, shared by the visitor and agent sockets (rule 4).

A frame is one JSON object with a string ``type`` from the socket's allow-list and an
optional ``ref`` (a client-chosen string echoed in the reply, to pair replies with requests).
"""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings

from chat.errors import ServiceError
from chat.unicode import INVALID_TEXT_MESSAGE, raw_json_may_hold_unstorable_text, unstorable_text


class FrameError(ServiceError):
    """A frame refused before it reached a service; the socket lives on."""


def parse_frame(text: str | None, bytes_data: bytes | None, allowed: frozenset[str]) -> dict[str, Any]:
    """Decode and check one frame; raise FrameError with a stable code when it is not usable."""
    if bytes_data is not None and text is None:
        raise FrameError("binary_not_supported", "Send frames as JSON text, not binary.")
    raw = text or ""
    if len(raw.encode("utf-8")) > settings.HELPDESK["MAX_FRAME_BYTES"]:
        raise FrameError("frame_too_large", f"Frames are limited to {settings.HELPDESK['MAX_FRAME_BYTES']} bytes.")
    try:
        frame = json.loads(raw)
    except (ValueError, RecursionError) as exc:
        raise FrameError("malformed_json", "The frame is not valid JSON.") from exc
    if not isinstance(frame, dict):
        raise FrameError("malformed_frame", "A frame must be a JSON object.")
    if raw_json_may_hold_unstorable_text(raw) and unstorable_text(frame):
        raise FrameError("invalid_text", INVALID_TEXT_MESSAGE)
    frame_type = frame.get("type")
    if not isinstance(frame_type, str):
        raise FrameError("malformed_frame", "A frame needs a string 'type'.")
    ref = frame.get("ref")
    if ref is not None and (not isinstance(ref, str) or len(ref) > 64):
        raise FrameError("malformed_frame", "'ref' must be a string of at most 64 characters.")
    if frame_type not in allowed:
        raise FrameError("unknown_type", f"Unknown frame type {frame_type[:40]!r}.")
    return frame


def error_frame(error: ServiceError, ref: Any = None) -> dict[str, Any]:
    frame = {"type": "error", "code": error.code, "message": error.message}
    if error.retry_after is not None:
        frame["retry_after"] = error.retry_after
    if isinstance(ref, str):
        frame["ref"] = ref
    return frame


def reply(frame_type: str, ref: Any = None, **data: Any) -> dict[str, Any]:
    out = {"type": frame_type, **data}
    if isinstance(ref, str):
        out["ref"] = ref
    return out


def int_field(frame: dict[str, Any], name: str, *, default: int | None = None, minimum: int = 0) -> int:
    value = frame.get(name, default)
    if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
        raise FrameError("invalid", f"'{name}' must be an integer of at least {minimum}.")
    return value


def bool_field(frame: dict[str, Any], name: str) -> bool:
    value = frame.get(name)
    if not isinstance(value, bool):
        raise FrameError("invalid", f"'{name}' must be true or false.")
    return value
