"""``GET /healthz``: is the database reachable, and does the channel layer carry a message?"""

from __future__ import annotations

import asyncio
import time

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

LAYER_TIMEOUT = 2.0


def check_database() -> dict:
    started = time.perf_counter()
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any failure means "down"; say which
        return {"status": "down", "error": exc.__class__.__name__}
    return {"status": "ok", "vendor": connection.vendor, "ms": round((time.perf_counter() - started) * 1000, 2)}


async def _layer_round_trip(layer) -> None:
    channel = await layer.new_channel("healthz.")
    await layer.send(channel, {"type": "healthz.ping"})
    await asyncio.wait_for(layer.receive(channel), LAYER_TIMEOUT)


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
