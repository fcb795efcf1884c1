"""Shared fixtures: an inbox, contacts with their tokens, agents, and socket helpers."""

from __future__ import annotations

import json
import os
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from channels.layers import channel_layers
from channels.testing import WebsocketCommunicator
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission

from agents.choices import Availability
from agents.models import AgentProfile, Team
from chat import clock as clock_module
from chat import realtime, services
from chat.models import Contact, Inbox

ORIGIN = "https://shop.example"

# The tests drive the timers themselves (a test clock, or a db_worker they start), so neither this
# process nor the servers they start run the embedded worker unless a test asks for it.
os.environ.setdefault("HELPDESK_EMBEDDED_WORKER", "0")


@pytest.fixture(autouse=True)
def fresh_cache():
    """Throttle counters live in the cache: each test starts with full budgets."""
    clear_cache()
    yield
    clear_cache()


def clear_cache() -> None:
    """Empty this run's cache only: on Redis, the keys under this run's prefix (``flushdb`` would
    also empty other runs' and the channel layer's keys on the same server)."""
    from django.core.cache import cache

    if not hasattr(cache, "_cache") or not hasattr(cache._cache, "get_client"):
        cache.clear()  # the in-memory cache of this process
        return
    client = cache._cache.get_client(write=True)
    keys = list(client.scan_iter(match=cache.make_key("*"), count=1000))
    if keys:
        client.delete(*keys)


@pytest.fixture(autouse=True)
def fresh_channel_layer():
    """Each test gets its own channel layer instance (and so its own event-loop bindings)."""
    channel_layers.backends.clear()
    yield
    channel_layers.backends.clear()


@pytest.fixture
def inbox(db) -> Inbox:
    return Inbox.objects.create(name="Shop", allowed_origins=[ORIGIN])


@dataclass
class ContactWithToken:
    contact: Contact
    token: str


@pytest.fixture
def make_contact(db, inbox):
    def make(name: str = "Vera Visitor", target: Inbox | None = None) -> ContactWithToken:
        contact, token = services.contact_create(inbox=target or inbox, name=name)
        return ContactWithToken(contact, token)

    return make


@pytest.fixture
def visitor(make_contact) -> ContactWithToken:
    return make_contact()


@pytest.fixture
def make_agent(db, inbox):
    def make(username: str, *, capacity: int = 5, manager: bool = False, inboxes=None, **fields):
        user = get_user_model().objects.create_user(
            username=username, password=f"pw-{username}", first_name=username.title(), is_staff=True, **fields
        )
        AgentProfile.objects.create(user=user, capacity=capacity, availability=Availability.ONLINE)
        if manager:
            user.user_permissions.add(Permission.objects.get(codename="view_all_conversations"))
        for target in [inbox] if inboxes is None else inboxes:
            target.agents.add(user)
        return get_user_model().objects.get(pk=user.pk)

    return make


@pytest.fixture
def alice(make_agent):
    return make_agent("alice")


@pytest.fixture
def bob(make_agent):
    return make_agent("bob")


@pytest.fixture
def team(db, bob) -> Team:
    team = Team.objects.create(name="Billing")
    team.members.add(bob)
    return team


@pytest.fixture
def broadcasts(monkeypatch):
    """Record every publish (group, event) while still sending it through the real layer."""
    sent: list[tuple[str, dict[str, Any]]] = []
    real = realtime.publish

    def recording(groups, event):
        groups = list(groups)
        sent.extend((g, event) for g in groups)
        real(groups, event)

    monkeypatch.setattr(realtime, "publish", recording)
    return sent


# --- sockets -------------------------------------------------------------------------------


def new_client_id() -> str:
    return uuid.uuid4().hex


class Socket:
    """A thin wrapper over WebsocketCommunicator that speaks JSON frames."""

    def __init__(self, communicator: WebsocketCommunicator) -> None:
        self.comm = communicator

    async def send(self, frame: dict[str, Any]) -> None:
        await self.comm.send_to(text_data=json.dumps(frame, ensure_ascii=False))  # as browsers do

    async def send_raw(self, text: str) -> None:
        await self.comm.send_input({"type": "websocket.receive", "text": text})

    async def recv(self, timeout: float = 3) -> dict[str, Any]:
        return json.loads(await self.comm.receive_from(timeout=timeout))

    async def recv_until(self, frame_type: str, timeout: float = 3, **match: Any) -> dict[str, Any]:
        """Skip frames until one of ``frame_type`` (whose fields equal ``match``) arrives."""
        while True:
            frame = await self.recv(timeout)
            if frame["type"] == frame_type and all(frame.get(k) == v for k, v in match.items()):
                return frame

    async def drain(self, timeout: float = 0.3) -> list[dict[str, Any]]:
        frames = []
        while not await self.comm.receive_nothing(timeout=timeout):
            frames.append(await self.recv())
        return frames

    async def request(self, frame: dict[str, Any], reply_type: str | None = None) -> dict[str, Any]:
        """Send a frame with a fresh ``ref`` and return the reply (or error) carrying it."""
        ref = new_client_id()[:12]
        await self.send({**frame, "ref": ref})
        while True:
            out = await self.recv()
            if out.get("ref") == ref:
                if reply_type is not None and out["type"] != reply_type and out["type"] != "error":
                    continue
                return out

    async def close(self) -> None:
        await self.comm.disconnect()


def application():
    from helpdesk.asgi import application as app

    return app


async def open_visitor(inbox: Inbox, origin: str | None = ORIGIN, user_agent: str = "") -> tuple[Socket, bool]:
    headers = [(b"origin", origin.encode())] if origin else []
    if user_agent:
        headers.append((b"user-agent", user_agent.encode()))
    comm = WebsocketCommunicator(application(), f"/ws/widget/{inbox.public_key}/", headers=headers)
    connected, _ = await comm.connect()
    return Socket(comm), connected


async def visitor_session(inbox: Inbox, token: str | None) -> tuple[Socket, dict[str, Any]]:
    sock, connected = await open_visitor(inbox)
    assert connected
    welcome = await sock.request({"type": "auth", "token": token}, "auth.ok")
    assert welcome["type"] == "auth.ok", welcome
    return sock, welcome


async def open_agent(user, origin: str = "http://127.0.0.1") -> tuple[Socket, bool]:
    """An agent socket with ``user`` already in the scope (what AuthMiddlewareStack yields)."""
    from channels.routing import URLRouter
    from django.urls import path

    from agents.consumers import AgentConsumer

    app = URLRouter([path("ws/agent/", AgentConsumer.as_asgi())])
    comm = WebsocketCommunicator(app, "/ws/agent/", headers=[(b"origin", origin.encode())])
    comm.scope["user"] = user
    connected, _ = await comm.connect()
    return Socket(comm), connected


# --- time ------------------------------------------------------------------------------------


class Clock:
    """A clock the test moves by hand; every ``chat.clock.now()`` reads it."""

    def __init__(self, start: datetime) -> None:
        self.current = start

    def __call__(self) -> datetime:
        return self.current

    def advance(self, seconds: float = 0, **delta) -> datetime:
        self.current += timedelta(seconds=seconds, **delta)
        return self.current

    def set(self, at: datetime) -> datetime:
        self.current = at
        return at


@pytest.fixture
def clock(monkeypatch) -> Clock:
    fake = Clock(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))  # a Monday
    monkeypatch.setattr(clock_module, "now", fake)
    return fake
