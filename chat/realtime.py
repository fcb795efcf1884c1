"""Group names and the broadcast after commit (rule 2); the events themselves are built in
``chat.events``.

This is the only module that publishes on the channel layer (the sockets' memberships go
through ``chat.layer_guard``). The layer is best-effort: the database is the truth, and a client
that missed an event catches up by sequence number. A failed publish is noted in ``layer_guard``,
which logs an outage once rather than once per event.

Groups:
  ``contact.<uuid hex>``  every socket of one contact (all its tabs); public events only.
  ``inbox.<id>``          every agent socket that may see the inbox; all events incl. private.
  ``agent.<user id>``     one agent's sockets; events addressed to that agent.
  ``agents``              every agent socket; presence (availability) of colleagues.
"""

from __future__ import annotations

import asyncio
import logging
import os
import threading
import weakref
from collections import deque
from collections.abc import Iterable
from typing import Any
from uuid import UUID

from asgiref.sync import SyncToAsync, async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

from chat import layer_guard

logger = logging.getLogger(__name__)

RELAY_TYPE = "hd.event"
# Internal, never relayed: the contact was erased (privacy), so its widget sockets close at once.
CONTACT_ERASED = "contact.erased"
CLOSE_ERASED = 4004


def contact_group(contact_public_id: UUID | str) -> str:
    return f"contact.{UUID(str(contact_public_id)).hex}"


def inbox_group(inbox_id: int) -> str:
    return f"inbox.{inbox_id}"


def agent_group(user_id: int) -> str:
    return f"agent.{user_id}"


def agents_group() -> str:
    return "agents"


class _Outbox:
    """Publishes, one at a time and in the order they were handed in, on one event loop."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.pending: deque[tuple[Any, list[str], dict[str, Any]]] = deque()
        self.task: asyncio.Task | None = None

    def put(self, layer, groups: list[str], event: dict[str, Any]) -> None:
        """Runs in the loop (scheduled with call_soon_threadsafe, which keeps the order)."""
        self.pending.append((layer, groups, event))
        if self.task is None:
            self.task = self.loop.create_task(self.drain())

    async def drain(self) -> None:
        try:
            while self.pending:
                batch = [self.pending.popleft() for _ in range(min(len(self.pending), BATCH))]
                if await _publish_pipelined(batch):
                    continue
                for layer, groups, event in batch:
                    for group in groups:
                        try:
                            await layer.group_send(group, {"type": RELAY_TYPE, "event": event})
                        except Exception as exc:  # best-effort, as below
                            layer_guard.failed(exc, f"publishing to {group}")
                        else:
                            layer_guard.succeeded()
        finally:
            self.task = None


BATCH = 256


async def _publish_pipelined(batch: list[tuple[Any, list[str], dict[str, Any]]]) -> bool:
    """Publish a batch through channels-redis' Pub/Sub layer in one pipeline per Redis shard.

    The layer's ``group_send`` sends one PUBLISH and waits for its reply while holding the
    shard's lock, so a process published at most one event per round trip through a busy event
    loop, and events queued up (docs/performance.md). A pipeline sends the same PUBLISH
    commands, in the same order, on the same connection, in one round trip. This leans on the
    layer's internals (channels-redis 4.3); any other layer, or a change there, returns False
    and the batch goes through ``group_send`` one event at a time, with a warning logged once.
    tests/chat/test_realtime.py fails when the real Redis layer does not take this path.
    """
    layer = batch[0][0]
    get_layer = getattr(layer, "_get_layer", None)
    if get_layer is None or any(item[0] is not layer for item in batch):
        return False
    inner = get_layer()
    if not all(hasattr(inner, a) for a in ("_get_group_channel_name", "_get_shard")):
        _warn_slow_path(layer)
        return False
    by_shard: dict[Any, list[tuple[str, bytes]]] = {}
    for _, groups, event in batch:
        payload = layer.serialize({"type": RELAY_TYPE, "event": event})
        for group in groups:
            channel = inner._get_group_channel_name(group)
            by_shard.setdefault(inner._get_shard(channel), []).append((channel, payload))
    if not all(hasattr(shard, a) for shard in by_shard for a in ("_lock", "_ensure_redis", "_redis")):
        _warn_slow_path(layer)
        return False
    for shard, messages in by_shard.items():
        try:
            async with shard._lock:
                shard._ensure_redis()
                pipe = shard._redis.pipeline(transaction=False)
                for channel, payload in messages:
                    pipe.publish(channel, payload)
                await pipe.execute()
        except Exception as exc:  # best-effort: the database holds the truth
            layer_guard.failed(exc, f"publishing {len(messages)} events")
        else:
            layer_guard.succeeded()
    return True


_warned: set[type] = set()


def _warn_slow_path(layer) -> None:
    """Say once per layer class that a channels-redis upgrade sent publishing down the slow path
    (tests/chat/test_realtime.py fails on it too)."""
    if type(layer) not in _warned:
        _warned.add(type(layer))
        logger.warning("%s lacks the internals of the pipelined publish; publishing one event at a time", type(layer))


_outboxes: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _Outbox] = weakref.WeakKeyDictionary()
_outboxes_lock = threading.Lock()


def waiting_loop() -> asyncio.AbstractEventLoop | None:
    """The running event loop that awaits this thread's sync work (``database_sync_to_async``),
    if any: the server's loop in a server, None in commands and sync tests. The bot schedules
    its turns there (bot/live.py).

    This reads asgiref's ``SyncToAsync.threadlocal`` (asgiref 3.x), which has no public
    equivalent; tests/chat/test_realtime.py fails if an upgrade stops it finding the loop.
    """
    local = SyncToAsync.threadlocal
    loop = getattr(local, "main_event_loop", None)
    if loop is None or getattr(local, "main_event_loop_pid", None) != os.getpid():
        return None
    if loop.is_closed() or not loop.is_running():
        return None
    return loop


def publish(groups: Iterable[str], event: dict[str, Any]) -> None:
    """Send ``event`` to each group (one layer publish per group); never raises.

    In a server, the service runs in a worker thread that an event loop awaits: the publishes
    are handed to that loop, in order, and the thread goes on at once instead of waiting for
    each round trip to Redis. The database thread is the one every socket of the process
    shares, so that wait delayed everything (docs/performance.md). Elsewhere (commands, tests
    without a loop) the publishes are made on the spot.
    """
    layer = get_channel_layer()
    if layer is None:
        return
    groups = list(groups)
    loop = waiting_loop()
    if loop is not None:
        with _outboxes_lock:
            outbox = _outboxes.get(loop)
            if outbox is None:
                outbox = _outboxes[loop] = _Outbox(loop)
        try:
            loop.call_soon_threadsafe(outbox.put, layer, groups, event)
            return
        except RuntimeError:  # the loop closed meanwhile: publish on the spot
            pass
    send = async_to_sync(layer.group_send)
    for group in groups:
        try:
            send(group, {"type": RELAY_TYPE, "event": event})
        except Exception as exc:  # the layer is best-effort; the database already holds the truth
            layer_guard.failed(exc, f"publishing to {group}")
        else:
            layer_guard.succeeded()


def broadcast(groups: Iterable[str], event: dict[str, Any]) -> None:
    """Publish ``event`` once the surrounding transaction commits (at once outside one)."""
    groups = list(groups)
    transaction.on_commit(lambda: publish(groups, event))


def after_commit(callback) -> None:
    """Run a publishing callback after commit, for events computed from committed state."""
    transaction.on_commit(callback)
