"""PostgreSQL kills the servers' connections (``pg_terminate_backend``) while messages flow.

Each server keeps a pool of connections; a killed one fails the next call that takes it. That
call is answered ``unavailable`` (never a closed socket), the broken connections are dropped, and
the client's retry with the same ``client_id`` is stored exactly once.
"""

from __future__ import annotations

import asyncio

import pytest
from channels.db import database_sync_to_async
from django.db import connection

from chat.models import Message
from tests.faults.backends import SERVER_APP_NAME
from tests.faults.client import Visitor, client_id

pytestmark = [pytest.mark.shared, pytest.mark.django_db(transaction=True)]

COUNT = 20


def terminate_server_backends() -> int:
    """Kill every connection the servers hold to this run's test database."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND application_name = %s",
            [SERVER_APP_NAME],
        )
        return cursor.fetchone()[0]


async def until_done(peer: Visitor, frame: dict, attempts: int = 20) -> dict:
    """A client's retry: the same frame again while the answer is ``unavailable``."""
    for _attempt in range(attempts):
        reply = await peer.request(frame)
        if reply["type"] != "error":
            return reply
        assert reply["code"] == "unavailable", reply
        await asyncio.sleep(0.2)
    pytest.fail(f"{frame} still unavailable")


async def test_killed_connections_cost_a_retry_never_a_message(
    shared_backends, start_server, inbox, visitor, alice, alice_cookie
):
    server_a, server_b = start_server(), start_server()
    agent, _ = await Visitor.open_agent(server_b, alice_cookie)
    customer = await Visitor.open(server_a.ws_url, inbox.public_key)
    await customer.auth(visitor.token)
    started = await customer.request({"type": "conversation.start", "text": "start", "client_id": client_id()})
    conversation = started["conversation"]["id"]

    outbox = {client_id(): f"message {i}" for i in range(COUNT)}
    unavailable = 0
    killed = 0
    for i, (cid, text) in enumerate(outbox.items()):
        if i % 5 == 2:
            killed += await database_sync_to_async(terminate_server_backends)()
        for _attempt in range(20):
            reply = await customer.request({"type": "message.send", "text": text, "client_id": cid})
            if reply["type"] == "message.ack":
                break
            assert reply["type"] == "error" and reply["code"] == "unavailable", reply
            unavailable += 1
            await asyncio.sleep(0.2)
        else:
            pytest.fail(f"{cid} never acknowledged")
    assert killed > 0
    await customer.alive()

    # The agent's socket on the other process lived through it too, and saw each message once.
    await agent.drain(1.0)
    live = [f["message"]["id"] for f in agent.seen if f["type"] == "message.new"]
    assert len(live) == len(set(live))
    synced = await until_done(agent, {"type": "sync", "conversation": conversation, "after_seq": 0})
    assert synced["type"] == "sync.done", synced
    assert [m["text"] for m in synced["messages"]] == ["start", *outbox.values()]

    rows = await database_sync_to_async(
        lambda: sorted(Message.objects.filter(client_id__in=outbox).values_list("client_id", flat=True))
    )()
    assert rows == sorted(outbox)  # each once

    # New sockets are welcome on both processes.
    for server in (server_a, server_b):
        fresh = await Visitor.open(server.ws_url, inbox.public_key, name="fresh")
        assert (await until_done(fresh, {"type": "auth", "token": visitor.token}))["type"] == "auth.ok"
        await fresh.close()
    for peer in (customer, agent):
        await peer.close()
    server_a.assert_clean_log()
    server_b.assert_clean_log()
