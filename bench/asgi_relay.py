"""Baseline 1: a bare Channels relay, served like the helpdesk, on the same channel layer.

The same topology and frames as the helpdesk's chat, minus everything the helpdesk does
besides relaying: no database, no validation, no sequence numbers.

- ``/ws/relay/visitor/<inbox>/<conversation>/``: after ``{"type": "auth"}`` (answered with
  ``auth.ok``) the socket joins the conversation's group; its ``message.send`` frames go to
  the conversation's group and to the inbox's group.
- ``/ws/relay/agent/<inbox>/``: joins the inbox's group at connect and says ``hello``; its
  ``message.send`` frames name the ``conversation`` they go to.

Each ``message.send`` is published to the two groups (two ``group_send``, as the helpdesk
publishes ``message.new`` to the inbox and to the contact) and then acknowledged with
``message.ack``; members receive ``message.new``.
"""

import json
import os
import uuid

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")

import django

django.setup()

from channels.generic.websocket import AsyncWebsocketConsumer  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from django.urls import path  # noqa: E402

from bench.instrument import with_stats  # noqa: E402


class RelayConsumer(AsyncWebsocketConsumer):
    async def connect(self) -> None:
        kwargs = self.scope["url_route"]["kwargs"]
        self.role = kwargs["role"]
        self.inbox_group = f"relay.inbox.{kwargs['inbox']}"
        self.conversation = kwargs.get("conversation")
        self.joined: list[str] = []
        await self.accept()
        if self.role == "agent":
            await self.join(self.inbox_group)
            await self.send(text_data=json.dumps({"type": "hello"}))

    async def join(self, group: str) -> None:
        await self.channel_layer.group_add(group, self.channel_name)
        self.joined.append(group)

    async def disconnect(self, code: int) -> None:
        for group in self.joined:
            await self.channel_layer.group_discard(group, self.channel_name)

    async def receive(self, text_data=None, bytes_data=None) -> None:
        frame = json.loads(text_data)
        kind = frame.get("type")
        ref = frame.get("ref")
        if kind == "auth":
            await self.join(f"relay.conversation.{self.conversation}")
            await self.send(text_data=json.dumps({"type": "auth.ok", "ref": ref}))
        elif kind == "ping":
            await self.send(text_data=json.dumps({"type": "pong", "ref": ref}))
        elif kind == "message.send":
            conversation = self.conversation or frame.get("conversation")
            message = {
                "id": str(uuid.uuid4()),
                "conversation": conversation,
                "client_id": frame.get("client_id"),
                "sender": {"kind": "contact" if self.role == "visitor" else "agent"},
                "text": frame.get("text"),
            }
            event = {"type": "relay.event", "event": {"type": "message.new", "message": message}}
            await self.channel_layer.group_send(self.inbox_group, event)
            await self.channel_layer.group_send(f"relay.conversation.{conversation}", event)
            await self.send(text_data=json.dumps({"type": "message.ack", "message": message, "ref": ref}))

    async def relay_event(self, message) -> None:
        await self.send(text_data=json.dumps(message["event"]))


websocket_routes = URLRouter(
    [
        path("ws/relay/<str:role>/<str:inbox>/<str:conversation>/", RelayConsumer.as_asgi()),
        path("ws/relay/<str:role>/<str:inbox>/", RelayConsumer.as_asgi()),
    ]
)


async def no_http(scope, receive, send) -> None:
    await send({"type": "http.response.start", "status": 404, "headers": []})
    await send({"type": "http.response.body", "body": b""})


application = with_stats(ProtocolTypeRouter({"http": no_http, "websocket": websocket_routes}))
