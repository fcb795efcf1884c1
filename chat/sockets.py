"""The shared socket base of the visitor and agent consumers: frame parsing against the socket's
allow-list, the per-socket rate limit, JSON sending, error frames, and dispatch without a detour
through the database thread. The protocol is in docs/protocol.md.
"""

from __future__ import annotations

import json
import time
from typing import Any

from channels.consumer import get_handler_name
from channels.generic.websocket import AsyncWebsocketConsumer

from chat.errors import ServiceError, rate_limited
from chat.frames import error_frame, parse_frame


def header(scope: dict[str, Any], name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key == name:
            return value.decode("latin-1")
    return None


class FrameRateLimiter:
    """A token bucket: a burst of ``burst`` frames, refilled at ``per_second``."""

    def __init__(self, burst: int = 40, per_second: float = 10.0) -> None:
        self.capacity = burst
        self.tokens = float(burst)
        self.rate = per_second
        self.stamp = time.monotonic()

    def wait(self) -> float:
        """Seconds until the next frame is allowed."""
        return max(0.0, (1 - self.tokens) / self.rate)

    def allow(self) -> bool:
        now = time.monotonic()
        self.tokens = min(self.capacity, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens >= 1:
            self.tokens -= 1
            return True
        return False


class HelpdeskConsumer(AsyncWebsocketConsumer):
    """Base of the helpdesk's sockets.

    ``receive`` parses a frame against ``FRAME_TYPES``, spends a token of ``limiter`` (set at
    connect), and hands the frame to ``handle_frame``; any ``ServiceError`` becomes an error frame
    carrying the frame's ``ref``, and the socket lives on (rule 4).

    Dispatch skips the database thread: Channels runs ``close_old_connections`` there before every
    handler, so each relayed event and each frame first queued behind the database work of every
    socket of the process (docs/performance.md). These consumers touch the database only through
    ``database_sync_to_async``, which closes stale connections around each call itself.
    """

    FRAME_TYPES: frozenset[str] = frozenset()
    limiter: FrameRateLimiter

    async def dispatch(self, message: dict[str, Any]) -> None:
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)

    async def send_json(self, data: dict[str, Any]) -> None:
        await self.send(text_data=json.dumps(data, ensure_ascii=False))

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        ref = None
        try:
            frame = parse_frame(text_data, bytes_data, self.FRAME_TYPES)
            ref = frame.get("ref")
            if not self.limiter.allow():
                raise rate_limited("Too many frames; slow down.", retry_after=self.limiter.wait())
            await self.handle_frame(frame, ref)
        except ServiceError as error:
            await self.send_json(error_frame(error, ref))

    async def handle_frame(self, frame: dict[str, Any], ref: Any) -> None:
        raise NotImplementedError

    def handler_for(self, frame_type: str):
        """The method for an allow-listed frame type: ``conversation.start`` is ``on_conversation_start``."""
        return getattr(self, "on_" + frame_type.replace(".", "_"))
