"""The shared socket base of the visitor and agent consumers: frame parsing against the socket's
allow-list, the per-socket rate limit, JSON sending, error frames, and dispatch without a detour
through the database thread. The protocol is in docs/protocol.md.
"""

from __future__ import annotations

import functools
import json
import logging
import time
from typing import Any

from channels.consumer import get_handler_name
from channels.exceptions import StopConsumer
from channels.generic.websocket import AsyncWebsocketConsumer
from channels.layers import get_channel_layer
from channels.utils import await_many_dispatch

from chat import layer_guard, outages
from chat.errors import ServiceError, rate_limited
from chat.frames import error_frame, parse_frame

logger = logging.getLogger(__name__)

try:  # daphne's WebSocket library raises this on a send to a socket that is closing
    from autobahn.exception import Disconnected
except ImportError:  # pragma: no cover - another server: ASGI says OSError
    Disconnected = OSError
SOCKET_GONE = (OSError, Disconnected)


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
    socket_closed = False  # set once this side closed or the client went away

    async def __call__(self, scope, receive, send) -> None:
        """Channels' consumer loop, with the socket's own channel made by ``chat.layer_guard``:
        with Redis unreachable the socket still opens (Channels' own loop answered HTTP 500)."""
        self.scope = scope
        self.channel_layer = get_channel_layer(self.channel_layer_alias)
        self.base_send = send
        sources = [receive]
        if self.channel_layer is not None:
            self.channel_name = await layer_guard.new_channel(self.channel_layer)
            self.channel_receive = functools.partial(self.channel_layer.receive, self.channel_name)
            sources.append(self.channel_receive)
        try:
            await await_many_dispatch(sources, self.dispatch)
        except StopConsumer:
            pass
        finally:
            if self.channel_layer is not None:
                layer_guard.forget(self.channel_name)

    async def dispatch(self, message: dict[str, Any]) -> None:
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        try:
            await handler(message)
        except outages.DATABASE_ERRORS as exc:
            # Frames answer `unavailable` in receive(); a handshake is refused by refuse_during_outage.
            # What is left: a relayed event or the goodbye of a socket, during an outage.
            outages.database_failed(exc)
            if message["type"] == "websocket.connect":
                raise
            if message["type"] == "websocket.disconnect":
                raise StopConsumer from exc

    async def join(self, group: str) -> None:
        await layer_guard.join(self.channel_layer, group, self.channel_name)

    async def leave(self, group: str) -> None:
        await layer_guard.leave(self.channel_layer, group, self.channel_name)

    async def send(self, text_data=None, bytes_data=None, close=False) -> None:
        """Send, or drop quietly when the socket is already closing: an event that arrives for a
        socket that has just closed is normal, not an error of the application."""
        if self.socket_closed:
            return
        try:
            await super().send(text_data=text_data, bytes_data=bytes_data, close=close)
        except SOCKET_GONE:
            self.socket_closed = True

    async def close(self, code=None, reason=None) -> None:
        if self.socket_closed:
            return
        try:
            await super().close(code=code, reason=reason)
        except SOCKET_GONE:
            pass
        self.socket_closed = True

    async def websocket_disconnect(self, message: dict[str, Any]) -> None:
        self.socket_closed = True
        await super().websocket_disconnect(message)

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
        except outages.DATABASE_ERRORS as exc:
            # Nothing was stored (the transaction did not commit): the client retries with the
            # same client_id, which idempotency makes safe.
            outages.database_failed(exc)
            await self.send_json(error_frame(outages.unavailable(), ref))

    async def handle_frame(self, frame: dict[str, Any], ref: Any) -> None:
        raise NotImplementedError

    def handler_for(self, frame_type: str):
        """The method for an allow-listed frame type: ``conversation.start`` is ``on_conversation_start``."""
        return getattr(self, "on_" + frame_type.replace(".", "_"))


async def refuse_during_outage(app, scope, receive, send) -> None:
    """Run a socket application; answer its handshake with a clear refusal while the database is
    unreachable: accepted, one ``unavailable`` error frame, then close code 4503 (Try Again
    Later), at once when an outage is already known, else as soon as the handshake's own database
    call fails (the session, the inbox, the agent). Without this the handshake hung and was dropped
    with no answer (docs/protocol.md, section 1.3).
    """
    state = {"accepted": False, "closed": False}

    async def tracked_send(message: dict[str, Any]) -> None:
        if message["type"] == "websocket.accept":
            state["accepted"] = True
        elif message["type"] == "websocket.close":
            state["closed"] = True
        await send(message)

    if outages.database_down():
        first = await receive()
        if first["type"] == "websocket.connect":
            await _refuse(send, accepted=False)
            return
        receive = _replay(first, receive)
    try:
        await app(scope, receive, tracked_send)
    except outages.DATABASE_ERRORS as exc:
        outages.database_failed(exc)
        if not state["closed"]:
            await _refuse(send, accepted=state["accepted"])


async def _refuse(send, *, accepted: bool) -> None:
    frame = error_frame(outages.unavailable())
    try:
        if not accepted:
            await send({"type": "websocket.accept"})
        await send({"type": "websocket.send", "text": json.dumps(frame)})
        await send({"type": "websocket.close", "code": outages.CLOSE_TRY_AGAIN_LATER})
    except SOCKET_GONE:  # the client gave up meanwhile
        pass


def _replay(message: dict[str, Any], receive):
    pending = [message]

    async def replayed() -> dict[str, Any]:
        return pending.pop() if pending else await receive()

    return replayed
