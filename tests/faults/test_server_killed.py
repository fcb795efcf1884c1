"""``kill -9`` of a server process in the middle of a visitor's stream of messages.

The visitor's client does what docs/protocol.md asks: every message keeps its ``client_id`` until
acknowledged; after the connection drops, it reconnects (to the other process, as a load balancer
would send it), resumes after the last seq it holds, and sends again everything unacknowledged.
Nothing may be lost and nothing stored twice; the agent on the other process sees each message once.
"""

from __future__ import annotations

import asyncio
import contextlib

import pytest
from channels.db import database_sync_to_async
from websockets.exceptions import ConnectionClosed

from chat.models import Message
from tests.faults.client import Visitor, client_id

pytestmark = [pytest.mark.shared, pytest.mark.django_db(transaction=True)]

COUNT = 40
KILL_AFTER_ACKS = 12


async def test_kill_9_mid_stream_then_retry_on_the_other_process(
    shared_backends, start_server, inbox, visitor, alice, alice_cookie
):
    doomed, survivor = start_server(), start_server()
    agent, _ = await Visitor.open_agent(survivor, alice_cookie)
    customer = await Visitor.open(doomed.ws_url, inbox.public_key)
    await customer.auth(visitor.token)
    started = await customer.request({"type": "conversation.start", "text": "start", "client_id": client_id()})
    conversation = started["conversation"]["id"]

    outbox = {f"m{i:02d}-{client_id()[:8]}": f"message {i}" for i in range(COUNT)}  # client_id -> text
    acked: dict[str, dict] = {}  # client_id -> the stored message, as acknowledged

    async def stream() -> None:
        for cid, text in outbox.items():
            await customer.send({"type": "message.send", "text": text, "client_id": cid, "ref": cid})
            await asyncio.sleep(0.01)

    sender = asyncio.create_task(stream())
    with contextlib.suppress(ConnectionClosed):
        while True:
            frame = await customer.recv(timeout=10)
            if frame["type"] == "message.ack":
                acked[frame["ref"]] = frame["message"]
                if len(acked) == KILL_AFTER_ACKS:
                    doomed.kill()  # mid-stream: sends still in flight, acks not yet read
    with contextlib.suppress(ConnectionClosed):
        await sender
    assert KILL_AFTER_ACKS <= len(acked) < COUNT

    # Reconnect to the survivor, resume after the highest seq held, resend what was not acknowledged.
    held = max(m["seq"] for m in acked.values())
    again = await Visitor.open(survivor.ws_url, inbox.public_key, name="reconnected")
    await again.auth(visitor.token)
    replayed = await again.resume(conversation, last_seq=held)
    for cid, text in outbox.items():
        if cid in acked:
            continue
        reply = await again.request({"type": "message.send", "text": text, "client_id": cid})
        assert reply["type"] == "message.ack", reply
        acked[cid] = reply["message"]

    # The client holds every message once, with dense sequence numbers after the first.
    assert set(acked) == set(outbox)
    ids = {m["id"] for m in acked.values()}
    assert len(ids) == COUNT
    assert {m["id"] for m in replayed} <= ids | {started["message"]["id"]}
    assert sorted(m["seq"] for m in acked.values()) == list(range(2, COUNT + 2))

    # The database holds each message exactly once, in the client's order.
    rows = await database_sync_to_async(
        lambda: list(
            Message.objects.filter(conversation__public_id=conversation, client_id__in=outbox).values_list(
                "client_id", "text", "public_seq"
            )
        )
    )()
    assert sorted((cid, text) for cid, text, _ in rows) == sorted(outbox.items())
    assert sorted(seq for *_, seq in rows) == list(range(2, COUNT + 2))

    # The agent on the surviving process saw each message live at most once, and sync fills the rest.
    await agent.drain(1.0)
    live = [f["message"]["id"] for f in agent.seen if f["type"] == "message.new"]
    assert len(live) == len(set(live))
    synced = await agent.request({"type": "sync", "conversation": conversation, "after_seq": 0})
    assert ids <= {m["id"] for m in synced["messages"]}
    for peer in (again, agent):
        await peer.close()
    survivor.assert_clean_log()
