"""chat.realtime's two fast paths lean on private internals of asgiref (finding the event loop
that awaits a database thread) and of channels-redis (pipelining PUBLISH commands). Neither
has a public equivalent, and an upgrade that broke them would only make publishing slower,
never wrong; these tests fail when either fast path is no longer taken.
"""

from __future__ import annotations

import asyncio

import pytest
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer

from chat import realtime


async def test_a_database_thread_hands_its_publishes_to_the_loop_that_awaits_it():
    loop = asyncio.get_running_loop()
    found = await database_sync_to_async(realtime.waiting_loop)()
    assert found is loop, "asgiref's SyncToAsync.threadlocal no longer names the waiting loop (slow path)"


def test_outside_a_server_there_is_no_waiting_loop():
    assert realtime.waiting_loop() is None


@pytest.mark.shared
async def test_the_redis_layer_publishes_a_batch_in_one_pipeline(monkeypatch):
    layer = get_channel_layer()
    assert type(layer).__module__.startswith("channels_redis"), "the shared pass runs on the Redis layer"
    channel = await layer.new_channel()
    await layer.group_add("realtime-test", channel)
    one_by_one = []
    real_group_send = layer.group_send

    async def counting_group_send(group, message):
        one_by_one.append(group)
        await real_group_send(group, message)

    monkeypatch.setattr(layer, "group_send", counting_group_send)
    try:
        sent = [{"type": "ping.test", "n": n} for n in range(5)]

        def publish_all() -> None:  # as a service does, in the database thread
            for event in sent:
                realtime.publish(["realtime-test"], event)

        await database_sync_to_async(publish_all)()
        received = [await asyncio.wait_for(layer.receive(channel), 3) for _ in sent]
    finally:
        await layer.group_discard("realtime-test", channel)
    assert [m["event"] for m in received] == sent  # every event, in order
    assert one_by_one == [], "channels-redis internals changed: events went through group_send one at a time"
    batch = [(layer, ["realtime-test"], {"type": "ping.test", "n": 0})]
    assert await realtime._publish_pipelined(batch) is True
