"""``GET /healthz``: is the database reachable, and does the channel layer carry a message?"""

from __future__ import annotations

import asyncio
import contextlib
import time

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from chat import outages

LAYER_TIMEOUT = 2.0
RELEASE_WAIT = 0.01


def check_database() -> dict:
    started = time.perf_counter()
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any failure means "down"; say which
        if isinstance(exc, outages.DATABASE_ERRORS):
            outages.database_failed(exc)  # new sockets are refused at once from now on
        return {"status": "down", "error": exc.__class__.__name__}
    outages.database_answered()
    return {"status": "ok", "vendor": connection.vendor, "ms": round((time.perf_counter() - started) * 1000, 2)}


async def _layer_round_trip(layer) -> None:
    """Send a message to a fresh channel and receive it, all within ``LAYER_TIMEOUT``.

    The whole round trip is bounded, not just the receive: a Redis that accepts connections
    but never answers must not hang the probe. Afterwards the channel is released: layers drop
    a channel whose receive is cancelled (what a closing consumer does), and without that each
    probe would leave a subscription behind in a Pub/Sub layer for the life of the process.
    """

    async def round_trip() -> str:
        channel = await layer.new_channel("healthz.")
        await layer.send(channel, {"type": "healthz.ping"})
        await layer.receive(channel)
        return channel

    channel = await asyncio.wait_for(round_trip(), LAYER_TIMEOUT)
    with contextlib.suppress(asyncio.TimeoutError):
        await asyncio.wait_for(layer.receive(channel), RELEASE_WAIT)


def check_channel_layer() -> dict:
    layer = get_channel_layer()
    if layer is None:
        return {"status": "down", "error": "not configured"}
    started = time.perf_counter()
    try:
        async_to_sync(_layer_round_trip)(layer)
    except Exception as exc:
        return {"status": "down", "backend": type(layer).__name__, "error": exc.__class__.__name__}
    return {"status": "ok", "backend": type(layer).__name__, "ms": round((time.perf_counter() - started) * 1000, 2)}


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    checks = {"database": check_database(), "channel_layer": check_channel_layer()}
    healthy = all(c["status"] == "ok" for c in checks.values())
    return JsonResponse({"status": "ok" if healthy else "down", **checks}, status=200 if healthy else 503)
