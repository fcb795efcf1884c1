"""``GET /healthz``: 200 when the database and the channel layer work, 503 naming the part that does not."""

from __future__ import annotations

import copy
import os
import socket
import time
import urllib.request

import pytest
from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer
from django.conf import settings
from django.db import connection
from django.db.utils import load_backend
from django.test import override_settings

from helpdesk import health
from tests.servers import ServerProcess, require_shared_backends, server_env

pytestmark = pytest.mark.django_db


def redis_layer(url: str) -> dict:
    return {"default": {"BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer", "CONFIG": {"hosts": [url]}}}


def configured_backend() -> str:
    return settings.CHANNEL_LAYERS["default"]["BACKEND"].rsplit(".", 1)[1]


@pytest.fixture
def short_layer_timeout(monkeypatch) -> float:
    monkeypatch.setattr(health, "LAYER_TIMEOUT", 0.5)
    return 0.5


@pytest.fixture
def unreachable_database(monkeypatch, tmp_path):
    """Point the health check at a copy of the database settings that cannot connect."""
    params = copy.deepcopy(connection.settings_dict)
    if connection.vendor == "sqlite":
        params["NAME"] = str(tmp_path / "no-such-directory" / "db.sqlite3")
    else:
        params.update(HOST="127.0.0.1", PORT="1")  # nothing listens on port 1
    broken = load_backend(params["ENGINE"]).DatabaseWrapper(params, "healthz-unreachable")
    monkeypatch.setattr(health, "connection", broken)
    yield broken
    broken.close()


def test_healthy(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"]["status"] == "ok" and body["database"]["vendor"] == connection.vendor
    assert body["channel_layer"] == {"status": "ok", "backend": configured_backend(), "ms": body["channel_layer"]["ms"]}
    assert "no-cache" in response["Cache-Control"]  # a load balancer must never see a cached answer


def test_only_get(client):
    assert client.post("/healthz").status_code == 405


def test_database_unreachable_is_503(client, unreachable_database):
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "down"
    assert body["database"] == {"status": "down", "error": "OperationalError"}
    assert body["channel_layer"]["status"] == "ok"


def test_channel_layer_on_a_closed_port_is_503(client, short_layer_timeout):
    with override_settings(CHANNEL_LAYERS=redis_layer("redis://127.0.0.1:1/0")):
        started = time.perf_counter()
        response = client.get("/healthz")
        elapsed = time.perf_counter() - started
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "down"
    assert body["channel_layer"]["status"] == "down"
    assert body["channel_layer"]["backend"] == "RedisPubSubChannelLayer"
    assert body["channel_layer"]["error"]  # the exception's class, never its text
    assert body["database"]["status"] == "ok"
    assert elapsed < short_layer_timeout + 1.5


def test_a_hung_channel_layer_answers_503_within_the_timeout(client, short_layer_timeout):
    """A Redis that accepts connections but never answers must not hang the probe."""
    with socket.socket() as black_hole:
        black_hole.bind(("127.0.0.1", 0))
        black_hole.listen(16)  # the kernel completes handshakes; nobody ever reads or writes
        url = f"redis://127.0.0.1:{black_hole.getsockname()[1]}/0"
        with override_settings(CHANNEL_LAYERS=redis_layer(url)):
            started = time.perf_counter()
            response = client.get("/healthz")
            elapsed = time.perf_counter() - started
    assert response.status_code == 503
    assert response.json()["channel_layer"] == {
        "status": "down",
        "backend": "RedisPubSubChannelLayer",
        "error": "TimeoutError",
    }
    assert elapsed < short_layer_timeout + 1.0, f"the probe took {elapsed:.1f}s"


def test_no_channel_layer_configured_is_503(client):
    with override_settings(CHANNEL_LAYERS={}):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["channel_layer"] == {"status": "down", "error": "not configured"}


async def test_probes_leave_no_channel_behind():
    """Run on the serving loop (as under daphne), each probe's channel is released afterwards."""
    layer = get_channel_layer()
    for _ in range(5):
        result = await sync_to_async(health.check_channel_layer)()
        assert result["status"] == "ok", result
    assert [name for name in layer.channels if "healthz" in name] == []


@pytest.mark.shared
def test_a_server_probed_repeatedly_keeps_no_redis_subscriptions():
    """A load balancer probes every few seconds: a real server must not gain a subscription each time."""
    require_shared_backends()
    import redis

    prefix = f"hd-api-tests-healthz-{os.getpid()}."
    env = server_env()
    env["CHANNEL_PREFIX"] = prefix
    server = ServerProcess(env).start()
    try:
        for _ in range(5):
            with urllib.request.urlopen(f"{server.url}/healthz", timeout=5) as response:
                assert response.status == 200
        leftovers = redis.Redis.from_url(settings.REDIS_URL).pubsub_channels(f"{prefix}healthz.*")
    finally:
        server.stop()
    assert leftovers == []


def test_the_favicon_is_served(client):
    response = client.get("/favicon.ico", follow=True)
    assert response.status_code == 200
    assert b"<svg" in b"".join(response.streaming_content if response.streaming else [response.content])
