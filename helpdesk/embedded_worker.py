"""The background worker inside the server process, for the embedded default.

With the in-memory channel layer, a separate ``db_worker`` process has no way to reach the
sockets of the server: a timer that requeued or closed a conversation changed the database but
not the open console or widget. So when there is no shared layer, the server runs the task queue
itself: an asyncio task on the server's event loop hands each batch of due tasks to a thread of
its own (never the database thread that carries live chat). Services called there publish
through ``chat.realtime``, which hands the events back to this loop, where the in-memory layer
lives. With Redis (production), run ``manage.py db_worker`` processes instead.
"""

from __future__ import annotations

import asyncio
import logging
import os
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from asgiref.sync import SyncToAsync
from django.conf import settings

logger = logging.getLogger(__name__)

POLL_SECONDS = 1.0

# The running worker of each event loop (a strong reference, so the task is never collected).
_tasks: dict[int, asyncio.Task] = {}
# One thread: tasks run one at a time, in order, as a single db_worker would run them.
_executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="embedded-worker")


def enabled() -> bool:
    """On by default exactly when there is no shared channel layer; HELPDESK_EMBEDDED_WORKER overrides."""
    value = os.environ.get("HELPDESK_EMBEDDED_WORKER", "auto").strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    return not settings.REDIS_URL


def run_due_tasks() -> int:
    """Run every task that is due now, then return (db_worker's batch mode); returns how many ran."""
    from django_tasks_db.management.commands.db_worker import Worker

    worker = Worker(
        queue_names=list(settings.TASKS["default"].get("QUEUES", ["default"])),
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id=f"embedded-{os.getpid()}",
        excluded_queue_names=[],
    )
    worker.run()
    return worker._run_tasks


async def _loop_forever() -> None:
    # SyncToAsync with our own executor: the thread is marked as awaited by this loop, so the
    # services' publishes come back here (chat.realtime) instead of a loop of their own.
    run = SyncToAsync(run_due_tasks, thread_sensitive=False, executor=_executor)
    from agents.tasks import ensure_sweep_scheduled

    await SyncToAsync(ensure_sweep_scheduled, thread_sensitive=False, executor=_executor)()
    while True:
        try:
            await run()
        except asyncio.CancelledError:
            raise
        except Exception:  # a broken task must not stop the timers; db_worker records failures itself
            logger.exception("the embedded worker's batch failed")
        await asyncio.sleep(POLL_SECONDS)


def start_in_running_loop() -> bool:
    """Start the worker on the running loop once; True if this call started it."""
    loop = asyncio.get_running_loop()
    if id(loop) in _tasks:
        return False
    _tasks[id(loop)] = loop.create_task(_loop_forever(), name="embedded-worker")
    logger.info("embedded background worker started (no shared channel layer)")
    return True


class EmbeddedWorkerMiddleware:
    """ASGI wrapper that starts the embedded worker with the first connection or lifespan event.

    Daphne sends no lifespan events, so the first request (``scripts/run`` makes one at start)
    is the earliest moment this process has a running loop to put the worker on.
    """

    def __init__(self, app: Any) -> None:
        self.app = app
        self.active = enabled()

    async def __call__(self, scope: dict, receive: Any, send: Any) -> Any:
        if self.active:
            start_in_running_loop()
        if scope["type"] == "lifespan":
            return await _answer_lifespan(receive, send)
        return await self.app(scope, receive, send)


async def _answer_lifespan(receive: Any, send: Any) -> None:
    """Acknowledge startup and shutdown (servers such as uvicorn send them; Channels' router refuses them)."""
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return
