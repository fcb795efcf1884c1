"""Bench-only instrumentation inside a server process: counters read over HTTP.

``with_stats(app)`` answers ``GET /__bench/stats`` (and ``/__bench/stats?gc=1``, which also
collects garbage and counts live consumers) before the wrapped ASGI app sees the request;
everything else goes to the app untouched. ``install_sql_counter()`` wraps every SQL statement
Django executes (``connection.execute_wrappers``) to count statements and the transactions
psycopg opens for them (each one a ``BEGIN`` and a ``COMMIT``/``ROLLBACK`` round trip).
"""

from __future__ import annotations

import asyncio
import collections
import gc
import json
import os
import threading
from typing import Any

_lock = threading.Lock()
sql_counts: collections.Counter[str] = collections.Counter()


def _count_sql(execute, sql, params, many, context):
    raw = context["connection"].connection
    opens_transaction = False
    if raw is not None and not raw.autocommit:
        from psycopg.pq import TransactionStatus

        opens_transaction = raw.info.transaction_status == TransactionStatus.IDLE
    verb = sql.lstrip().split(None, 1)[0].upper() if sql else "?"
    with _lock:
        sql_counts["statements"] += 1
        sql_counts[verb] += 1
        if opens_transaction:
            sql_counts["transactions"] += 1
    return execute(sql, params, many, context)


def install_sql_counter() -> None:
    from django.db.backends.signals import connection_created

    def attach(sender, connection, **kwargs) -> None:
        if _count_sql not in connection.execute_wrappers:
            connection.execute_wrappers.append(_count_sql)

    connection_created.connect(attach, weak=False)


def _layer_stats() -> dict[str, Any]:
    try:
        from channels.layers import get_channel_layer
    except ImportError:
        return {}
    layer = get_channel_layer()
    if layer is None:
        return {}
    out: dict[str, Any] = {"backend": type(layer).__name__}
    loop_layers = getattr(layer, "_layers", None) or {}
    inner = next(iter(loop_layers.values()), None)
    if inner is not None and hasattr(inner, "_shards"):  # the Pub/Sub layer: one per event loop
        out["channels"] = len(getattr(inner, "channels", ()))
        out["groups"] = len(getattr(inner, "groups", ()))
        out["subscriptions"] = sum(len(getattr(s, "_subscribed_to", ())) for s in inner._shards)
    else:  # the core layer
        out["receive_buffer"] = len(getattr(layer, "receive_buffer", {}))
        out["groups"] = len(getattr(layer, "groups", {}))
    return out


def snapshot(collect: bool = False, trace: bool = False) -> dict[str, Any]:
    data: dict[str, Any] = {"pid": os.getpid(), "tasks": len(asyncio.all_tasks())}
    with _lock:
        data["sql"] = dict(sql_counts)
    data["layer"] = _layer_stats()
    if trace:
        from bench import trace as tracing

        data["trace"] = dict(tracing.marks)
    if collect:
        gc.collect()
        consumers: collections.Counter[str] = collections.Counter()
        for obj in gc.get_objects():
            name = type(obj).__name__
            if name.endswith("Consumer"):
                consumers[name] += 1
        data["consumers"] = dict(consumers)
    return data


def with_stats(app):
    async def wrapped(scope, receive, send):
        if scope["type"] == "http" and scope["path"] == "/__bench/stats":
            query = scope.get("query_string", b"")
            body = json.dumps(snapshot(b"gc=1" in query, b"trace=1" in query)).encode()
            await send(
                {"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"application/json")]}
            )
            await send({"type": "http.response.body", "body": body})
            return None
        if scope["type"] == "lifespan":
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            message = await receive()
            await send({"type": "lifespan.shutdown.complete"})
            return None
        return await app(scope, receive, send)

    return wrapped
