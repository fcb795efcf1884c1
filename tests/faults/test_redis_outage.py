"""Redis unreachable for a process (issue 14 item 12): the database is the truth.

A process that cannot reach Redis still accepts sockets and stores messages; only live delivery
across processes waits. When Redis returns, live delivery resumes by itself, and what was missed
is caught up by resume (visitor) and sync (agent).
"""

from __future__ import annotations

import asyncio
import time

import pytest
from channels.db import database_sync_to_async

from chat.models import Message
from tests.faults.client import Visitor, assert_error_shape, client_id, healthz, http
from tests.servers import free_port, server_env

pytestmark = [pytest.mark.shared, pytest.mark.django_db(transaction=True)]


async def wait_healthy(*servers, within: float = 15) -> None:
    deadline = time.monotonic() + within
    for server in servers:
        while (status := healthz(server.url))[0] != 200:
            assert time.monotonic() < deadline, status
            await asyncio.sleep(0.2)


async def first_live(peer: Visitor, text: str, within: float) -> dict | None:
    """The ``message.new`` carrying ``text`` if it arrives live within ``within`` seconds."""
    deadline = time.monotonic() + within
    while (left := deadline - time.monotonic()) > 0:
        try:
            frame = await peer.recv(timeout=left)
        except BaseException:  # pytest.fail on a timeout: nothing came
            return None
        if frame["type"] == "message.new" and frame["message"]["text"] == text:
            return frame["message"]
    return None


async def test_a_process_without_redis_still_serves_and_stores(
    shared_backends, start_server, inbox, visitor, alice, alice_cookie
):
    closed = free_port()  # nothing listens there
    lonely = start_server({**server_env(), "REDIS_URL": f"redis://127.0.0.1:{closed}/0"}, healthy=False)
    connected = start_server()

    status, body = healthz(lonely.url)
    assert status == 503 and body["channel_layer"]["status"] == "down" and body["database"]["status"] == "ok"

    # The handshake is accepted (it answered HTTP 500), a new contact is made, messages are stored.
    newcomer = await Visitor.open(lonely.ws_url, inbox.public_key, name="newcomer")
    minted = await newcomer.auth()
    assert minted["token"]
    customer = await Visitor.open(lonely.ws_url, inbox.public_key)
    await customer.auth(visitor.token)
    started = await customer.request({"type": "conversation.start", "text": "no redis here", "client_id": client_id()})
    assert started["type"] == "conversation", started
    conversation = started["conversation"]["id"]
    sent = await customer.request({"type": "message.send", "text": "still stored", "client_id": client_id()})
    assert sent["type"] == "message.ack", sent

    # REST works on that process too (its throttles' counters are in the unreachable Redis).
    status, body, _ = http(
        "GET",
        f"{lonely.url}/api/widget/{inbox.public_key}/conversations/",
        headers={"Authorization": f"Bearer {visitor.token}"},
    )
    assert status == 200 and [c["id"] for c in body["results"]] == [conversation], body
    status, body, _ = http("GET", f"{lonely.url}/api/widget/{inbox.public_key}/conversations/")
    assert status == 401 and assert_error_shape(body, status) == "not_authenticated"

    # The agent on the other process finds it all in the database, and answers.
    agent, hello = await Visitor.open_agent(connected, alice_cookie)
    assert conversation in [c["id"] for c in hello["queue"]]
    synced = await agent.request({"type": "sync", "conversation": conversation, "after_seq": 0})
    assert [m["text"] for m in synced["messages"]] == ["no redis here", "still stored"]
    await agent.request({"type": "conversation.claim", "conversation": conversation})
    await agent.request(
        {"type": "message.send", "conversation": conversation, "text": "answered", "client_id": client_id()}
    )
    # The visitor's process cannot hear it live; resume brings it.
    replay = await customer.resume(conversation, last_seq=2)
    assert "answered" in [m["text"] for m in replay]

    texts = await database_sync_to_async(
        lambda: list(Message.objects.filter(conversation__public_id=conversation).values_list("text", flat=True))
    )()
    assert texts[:2] == ["no redis here", "still stored"] and "answered" in texts
    for peer in (newcomer, customer, agent):
        await peer.close()
    lonely.assert_clean_log()
    assert lonely.output_all().count("the channel layer is unreachable") == 1  # said once, not per socket


async def test_redis_killed_and_restarted_live_delivery_resumes(
    shared_backends, start_server, private_redis, inbox, visitor, alice, alice_cookie
):
    env = {**server_env(), "REDIS_URL": private_redis.url}
    server_a, server_b = start_server(env), start_server(env)
    agent, _ = await Visitor.open_agent(server_b, alice_cookie)
    customer = await Visitor.open(server_a.ws_url, inbox.public_key)
    await customer.auth(visitor.token)
    started = await customer.request({"type": "conversation.start", "text": "hello", "client_id": client_id()})
    conversation = started["conversation"]["id"]
    assert await first_live(agent, "hello", 5) is not None  # live across processes

    private_redis.kill()
    sent = await customer.request({"type": "message.send", "text": "while redis is down", "client_id": client_id()})
    assert sent["type"] == "message.ack", sent  # stored; only live delivery waits
    late = await Visitor.open(server_a.ws_url, inbox.public_key, name="late tab")  # no HTTP 500
    await late.auth(visitor.token)
    status, body = healthz(server_a.url)
    assert status == 503 and body["channel_layer"]["status"] == "down"

    private_redis.start()  # same port
    await wait_healthy(server_a, server_b)

    # Live delivery resumes by itself, both ways, for sockets opened before and during the outage.
    deadline = time.monotonic() + 15
    n = 0
    while True:
        n += 1
        text = f"after redis returned {n}"
        await customer.request({"type": "message.send", "text": text, "client_id": client_id()})
        if await first_live(agent, text, 1.5):
            break
        assert time.monotonic() < deadline, "live delivery did not resume"
    await agent.request({"type": "conversation.claim", "conversation": conversation})
    reply = await agent.request(
        {"type": "message.send", "conversation": conversation, "text": "agent is back", "client_id": client_id()}
    )
    assert reply["type"] == "message.ack", reply
    assert await first_live(customer, "agent is back", 5) is not None
    assert await first_live(late, "agent is back", 5) is not None

    # What live delivery missed, sync brings; the database holds each message once.
    synced = await agent.request({"type": "sync", "conversation": conversation, "after_seq": 0})
    texts = [m["text"] for m in synced["messages"]]
    assert texts.count("while redis is down") == 1
    stored = await database_sync_to_async(
        lambda: Message.objects.filter(conversation__public_id=conversation, text="while redis is down").count()
    )()
    assert stored == 1
    for peer in (customer, late, agent):
        await peer.close()
    server_a.assert_clean_log()
    server_b.assert_clean_log()
