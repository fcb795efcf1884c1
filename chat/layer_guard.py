"""The channel layer as the sockets use it: best-effort, never fatal.

Redis may be unreachable for a while, for one process or for all. A socket must still open and
its frames still be stored (the database is the truth); only live delivery waits. So the sockets'
own channel and their group memberships go through here, and so do the failures of
``chat.realtime``'s publishes:

- a failure is logged once per outage, not once per socket or per event, and the recovery once;
- a channel subscription or a ``group_add`` that failed is remembered, and one task per event loop
  tries them again every ``RETRY_SECONDS`` until Redis answers; live delivery then resumes, and
  clients catch up on what they missed by ``resume`` / ``sync`` (docs/protocol.md, section 7.3);
- subscriptions made before the outage come back by themselves: the Redis client subscribes its
  connection again when it reconnects.

With channels-redis' Pub/Sub layer, a socket's own channel is made here rather than by the
layer's ``new_channel`` (same name, same subscription), so that a failed subscription still leaves
a channel to receive on once Redis returns. That leans on the layer's internals (channels-redis
4.3); another layer, or a change there, takes the plain ``new_channel`` (tests/faults fail then).
"""

from __future__ import annotations

import asyncio
import logging
import threading
import uuid
import weakref
from typing import Any

logger = logging.getLogger(__name__)

RETRY_SECONDS = 1.0

_down = {"now": False}
_down_lock = threading.Lock()


def failed(exc: BaseException, what: str = "channel layer call") -> None:
    """Note a failed layer call (any thread); the first failure of an outage is logged."""
    with _down_lock:
        first = not _down["now"]
        _down["now"] = True
    if first:
        logger.warning(
            "the channel layer is unreachable (%s: %r); sockets go on without live delivery until it answers",
            what,
            exc,
        )


def succeeded() -> None:
    """Note a layer call that worked; ends an outage noted by ``failed``."""
    if _down["now"]:
        with _down_lock:
            was, _down["now"] = _down["now"], False
        if was:
            logger.warning("the channel layer answers again; live delivery resumes")


def layer_down() -> bool:
    return _down["now"]


class ReceiveFailureFilter(logging.Filter):
    """channels-redis logs a traceback each second while its receiving connection is down; the
    outage is noted here instead (logged once). Installed on its logger by settings.LOGGING."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and record.exc_info[1] is not None and "receive task" in record.getMessage():
            failed(record.exc_info[1], "receiving")
            return False
        return True


def _pubsub_internals(layer) -> Any | None:
    """channels-redis' per-loop Pub/Sub layer, if ``layer`` is one with the expected internals."""
    get_layer = getattr(type(layer), "_get_layer", None)
    if get_layer is None:
        return None
    inner = layer._get_layer()
    if all(hasattr(inner, a) for a in ("_subscribe_to_channel", "_get_shard", "prefix", "channels")):
        return inner
    return None


async def new_channel(layer) -> str:
    """A channel for one socket; with Redis unreachable, a channel whose subscription is retried."""
    inner = _pubsub_internals(layer)
    if inner is None:
        return await layer.new_channel()
    name = f"{inner.prefix}specific.{uuid.uuid4().hex}"
    try:
        await inner._subscribe_to_channel(name)  # makes the local queue first, then subscribes
    except Exception as exc:
        failed(exc, "subscribing a socket's channel")
        _retries().add(layer, None, name)
    else:
        succeeded()
    return name


async def join(layer, group: str, channel: str) -> None:
    """``group_add``, or remember it for the retry task."""
    try:
        await layer.group_add(group, channel)
    except Exception as exc:
        failed(exc, f"joining {group}")
        _retries().add(layer, group, channel)
    else:
        succeeded()


async def leave(layer, group: str, channel: str) -> None:
    """``group_discard``; a failure is noted and otherwise ignored (the socket is leaving)."""
    _retries().pending.pop((channel, group), None)
    try:
        await layer.group_discard(group, channel)
    except Exception as exc:
        failed(exc, f"leaving {group}")


def forget(channel: str) -> None:
    """The socket of ``channel`` ended: stop retrying anything of it."""
    retries = _retries()
    for key in [k for k in retries.pending if k[0] == channel]:
        retries.pending.pop(key, None)


async def _attempt(layer, group: str | None, channel: str) -> None:
    inner = _pubsub_internals(layer)
    if inner is not None and channel not in inner.channels:
        return  # the socket ended meanwhile
    if group is not None:
        await layer.group_add(group, channel)
    elif inner is not None:
        await inner._get_shard(channel).subscribe(channel)


class _Retries:
    """The memberships that failed, on one event loop, and the task that retries them."""

    def __init__(self) -> None:
        self.pending: dict[tuple[str, str | None], Any] = {}
        self.task: asyncio.Task | None = None

    def add(self, layer, group: str | None, channel: str) -> None:
        self.pending[(channel, group)] = layer
        if self.task is None or self.task.done():
            self.task = asyncio.get_running_loop().create_task(self.run())

    async def run(self) -> None:
        while self.pending:
            await asyncio.sleep(RETRY_SECONDS)
            for key, layer in list(self.pending.items()):
                if key not in self.pending:  # the socket ended meanwhile
                    continue
                channel, group = key
                try:
                    await _attempt(layer, group, channel)
                except Exception as exc:
                    failed(exc, "retrying a subscription")
                    break  # still down: wait for the next round
                self.pending.pop(key, None)
                succeeded()


_by_loop: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _Retries] = weakref.WeakKeyDictionary()


def _retries() -> _Retries:
    loop = asyncio.get_running_loop()
    retries = _by_loop.get(loop)
    if retries is None:
        retries = _by_loop[loop] = _Retries()
    return retries
