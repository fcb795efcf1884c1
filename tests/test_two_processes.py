"""The visitor and the agent on two different server processes, sharing PostgreSQL and Redis.

Two real daphne processes serve ``helpdesk.asgi``; the test talks to them over real sockets
with the ``websockets`` client, as a browser would: the widget with its site's Origin, the
console with the session cookie of an agent who logged in.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from channels.db import database_sync_to_async
from django.conf import settings
from django.test import Client
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import InvalidStatus

from tests.conftest import ORIGIN, new_client_id
from tests.servers import ServerProcess, require_shared_backends

pytestmark = [pytest.mark.shared, pytest.mark.django_db(transaction=True)]


class Peer:
    """One real WebSocket speaking the helpdesk's JSON frames."""

    def __init__(self, ws: ClientConnection, name: str) -> None:
        self.ws = ws
        self.name = name
        self.seen: list[dict[str, Any]] = []  # every frame received, in order

    @classmethod
    async def open(cls, url: str, *, origin: str, cookie: str | None = None, name: str = "") -> Peer:
        headers = {"Cookie": cookie} if cookie else None
        ws = await connect(url, origin=origin, additional_headers=headers, proxy=None, open_timeout=10)
        return cls(ws, name or url)

    async def send(self, frame: dict[str, Any]) -> None:
        await self.ws.send(json.dumps(frame))

    async def recv(self, timeout: float = 5) -> dict[str, Any]:
        try:
            frame = json.loads(await asyncio.wait_for(self.ws.recv(), timeout))
        except TimeoutError:
            pytest.fail(f"{self.name}: nothing within {timeout}s; so far: {self.seen[-5:]}")
        self.seen.append(frame)
        return frame

    async def recv_until(self, frame_type: str, timeout: float = 5, **match: Any) -> dict[str, Any]:
        while True:
            frame = await self.recv(timeout)
            if frame["type"] == frame_type and all(frame.get(k) == v for k, v in match.items()):
                return frame

    async def message(self, text: str, timeout: float = 5) -> dict[str, Any]:
        """Skip frames until the ``message.new`` carrying ``text``; returns its message."""
        while True:
            frame = await self.recv_until("message.new", timeout)
            if frame["message"]["text"] == text:
                return frame["message"]

    async def request(self, frame: dict[str, Any], reply_type: str) -> dict[str, Any]:
        ref = new_client_id()[:12]
        await self.send({**frame, "ref": ref})
        while True:
            out = await self.recv()
            if out.get("ref") == ref and out["type"] in (reply_type, "error"):
                assert out["type"] == reply_type, out
                return out

    async def drain(self, quiet: float = 1.0) -> list[dict[str, Any]]:
        frames = []
        while True:
            try:
                frames.append(json.loads(await asyncio.wait_for(self.ws.recv(), quiet)))
            except TimeoutError:
                return frames

    async def close(self) -> None:
        await self.ws.close()


@pytest.fixture
def servers(transactional_db):
    """Two server processes on the test database and the pass's Redis, one pair per test.

    Stopped before the database is flushed after the test: a server still writing (an agent's
    socket closing records the disconnect) would otherwise deadlock with the flush's TRUNCATE.
    """
    require_shared_backends()
    a = ServerProcess()
    b = ServerProcess()
    try:
        a.start()
        b.start()
        yield a, b
    finally:
        a.stop()
        b.stop()


@pytest.fixture
def alice_cookie(alice) -> str:
    """Log in the way the console does, in the test database; the servers read the same session."""
    client = Client()
    # Through the sign-in form, as the console does (sign-in throttling needs the request).
    assert client.post("/accounts/login/", {"username": "alice", "password": "pw-alice"}).status_code == 302
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


def visitor_url(server: ServerProcess, inbox) -> str:
    return f"{server.ws_url}/ws/widget/{inbox.public_key}/"


async def open_agent(server: ServerProcess, cookie: str) -> tuple[Peer, dict[str, Any]]:
    agent = await Peer.open(f"{server.ws_url}/ws/agent/", origin=server.url, cookie=cookie, name="agent")
    hello = await agent.recv()
    assert hello["type"] == "hello", hello
    return agent, hello


async def open_visitor(server: ServerProcess, inbox, token: str) -> tuple[Peer, dict[str, Any]]:
    visitor = await Peer.open(visitor_url(server, inbox), origin=ORIGIN, name="visitor")
    welcome = await visitor.request({"type": "auth", "token": token}, "auth.ok")
    return visitor, welcome


def messages_in(frames: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [f["message"] for f in frames if f["type"] == "message.new"]


async def test_messages_flow_both_ways_across_processes(servers, inbox, visitor, alice, alice_cookie):
    require_shared_backends()
    process_a, process_b = servers
    agent, hello = await open_agent(process_b, alice_cookie)
    assert hello["agent"]["id"] == alice.pk and hello["queue"] == []
    customer, welcome = await open_visitor(process_a, inbox, visitor.token)
    assert welcome["contact"]["id"] == str(visitor.contact.public_id)

    # The visitor starts a conversation on A ...
    started = await customer.request(
        {"type": "conversation.start", "text": "Hello from A", "client_id": new_client_id()}, "conversation"
    )
    assert started["created"] is True
    conversation_id = started["conversation"]["id"]

    # ... and the agent on B hears of it through Redis.
    update = await agent.recv_until("conversation.updated")
    assert update["conversation"]["id"] == conversation_id
    assert update["conversation"]["status"] == "waiting"
    assert update["conversation"]["contact"]["id"] == str(visitor.contact.public_id)
    first = await agent.message("Hello from A")
    assert first["conversation"] == conversation_id and first["sender"]["kind"] == "contact"

    # The agent claims it and replies from B; the visitor on A receives both.
    claimed = await agent.request({"type": "conversation.claim", "conversation": conversation_id}, "conversation.ack")
    assert claimed["conversation"]["status"] == "open"
    assert claimed["conversation"]["assignee"] == {"name": "Alice", "id": alice.pk}
    opened = await customer.recv_until("conversation.updated")
    while opened["conversation"]["status"] != "open":
        opened = await customer.recv_until("conversation.updated")
    assert opened["conversation"]["assignee"] == {"name": "Alice"}  # the contact's shape: no agent id
    await customer.message("Alice joined the conversation.")

    sent = await agent.request(
        {
            "type": "message.send",
            "conversation": conversation_id,
            "text": "Hello from B",
            "client_id": new_client_id(),
        },
        "message.ack",
    )
    reply = await customer.message("Hello from B")
    assert reply["id"] == sent["message"]["id"]
    assert reply["sender"] == {"kind": "agent", "name": "Alice"}

    # A private note from B never reaches the visitor on A.
    await agent.request(
        {"type": "note.add", "conversation": conversation_id, "text": "internal: VIP", "client_id": new_client_id()},
        "message.ack",
    )

    # The visitor's second message, sent on A, reaches the agent on B.
    again = await customer.request(
        {"type": "message.send", "text": "Second from A", "client_id": new_client_id()}, "message.ack"
    )
    second = await agent.message("Second from A")
    assert second["id"] == again["message"]["id"]

    # Each message reached each side once, and the note only the agent.
    customer.seen += await customer.drain(0.5)
    agent.seen += await agent.drain(0.5)
    customer_texts = [m["text"] for m in messages_in(customer.seen)]
    agent_texts = [m["text"] for m in messages_in(agent.seen)]
    assert customer_texts == [
        "Hello from A",
        "Alice joined the conversation.",
        "Hello from B",
        "Second from A",
    ]
    assert agent_texts == [
        "Hello from A",
        "Alice joined the conversation.",
        "Hello from B",
        "internal: VIP",
        "Second from A",
    ]
    await customer.close()
    await agent.close()


async def test_resume_on_the_other_process_gets_exactly_what_was_missed(
    servers, inbox, make_contact, alice, alice_cookie
):
    require_shared_backends()
    process_a, process_b = servers
    who = await database_sync_to_async(make_contact)("Roaming Visitor")
    agent, _ = await open_agent(process_b, alice_cookie)
    customer, _ = await open_visitor(process_a, inbox, who.token)
    started = await customer.request(
        {"type": "conversation.start", "text": "I may drop", "client_id": new_client_id()}, "conversation"
    )
    conversation_id = started["conversation"]["id"]
    await agent.message("I may drop")
    await agent.request({"type": "conversation.claim", "conversation": conversation_id}, "conversation.ack")
    await agent.request(
        {"type": "message.send", "conversation": conversation_id, "text": "First reply", "client_id": "r-0"},
        "message.ack",
    )
    await customer.message("First reply")
    last_seen = max(m["seq"] for m in messages_in(customer.seen))
    await customer.close()  # the visitor drops off process A

    missed = [f"missed {i}" for i in range(5)]
    for i, text in enumerate(missed):
        await agent.request(
            {"type": "message.send", "conversation": conversation_id, "text": text, "client_id": f"m-{i}"},
            "message.ack",
        )
    await agent.request(
        {"type": "note.add", "conversation": conversation_id, "text": "internal only", "client_id": "n-1"},
        "message.ack",
    )

    # ... and comes back on process B.
    customer, welcome = await open_visitor(process_b, inbox, who.token)
    assert welcome["conversation"]["id"] == conversation_id
    assert welcome["conversation"]["last_seq"] == last_seen + 5
    await customer.send({"type": "resume", "conversation": conversation_id, "last_seq": last_seen, "ref": "r1"})
    replayed = []
    while True:
        frame = await customer.recv()
        if frame["type"] == "resume.done":
            break
        replayed.append(frame)
    assert [f["type"] for f in replayed] == ["message.new"] * 5
    assert [f["message"]["text"] for f in replayed] == missed
    assert [f["message"]["seq"] for f in replayed] == list(range(last_seen + 1, last_seen + 6))
    assert all(f.get("replay") is True for f in replayed)
    assert frame["ref"] == "r1" and frame["count"] == 5 and frame["last_seq"] == last_seen + 5
    assert await customer.drain() == []  # no duplicates, and never the private note

    # Live delivery goes on from B, once per message.
    await agent.request(
        {"type": "message.send", "conversation": conversation_id, "text": "Welcome back", "client_id": "m-5"},
        "message.ack",
    )
    live = await customer.message("Welcome back")
    assert live["seq"] == last_seen + 6
    assert messages_in(await customer.drain(0.5)) == []
    await customer.close()
    await agent.close()


async def test_real_servers_refuse_foreign_origins(servers, inbox, alice_cookie):
    require_shared_backends()
    process_a, process_b = servers
    with pytest.raises(InvalidStatus) as refused:
        await Peer.open(visitor_url(process_a, inbox), origin="https://evil.example")
    assert refused.value.response.status_code == 403
    with pytest.raises(InvalidStatus) as refused:
        await Peer.open(f"{process_b.ws_url}/ws/agent/", origin="https://evil.example", cookie=alice_cookie)
    assert refused.value.response.status_code == 403
    # Without the session cookie the console socket is refused too.
    with pytest.raises(InvalidStatus) as refused:
        await Peer.open(f"{process_b.ws_url}/ws/agent/", origin=process_b.url)
    assert refused.value.response.status_code == 403
