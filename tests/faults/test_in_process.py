"""The fault handling in one process, on the embedded defaults (no real server, no outage needed):
a failing database call, a known outage, an unreachable Redis for the layer and the cache."""

from __future__ import annotations

import logging

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.db import OperationalError
from django.test import override_settings

from chat import layer_guard, outages, services
from chat.models import Message
from helpdesk.cache import FailOpenRedisCache
from tests.conftest import ORIGIN, application, new_client_id, visitor_session
from tests.servers import free_port

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def no_outage():
    """Each test starts and ends with no outage noted (the state is per process)."""
    outages._state["down_since"] = None
    yield
    outages._state["down_since"] = None


class Said(logging.Handler):
    """What one logger said (caplog misses records of loggers that settings.LOGGING configured)."""

    def __init__(self, name: str) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []
        self.logger = logging.getLogger(name)

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def __enter__(self) -> Said:
        self.logger.addHandler(self)
        return self

    def __exit__(self, *exc) -> None:
        self.logger.removeHandler(self)


async def test_a_failing_database_call_answers_unavailable_and_the_socket_lives(inbox, visitor, monkeypatch):
    sock, _ = await visitor_session(inbox, visitor.token)
    await sock.request({"type": "conversation.start", "text": "hi", "client_id": new_client_id()})

    def gone(**kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(services, "message_send", gone)
    monkeypatch.setattr(outages, "_probe", lambda: None)  # the test says when the outage ends
    with Said("chat.outages") as said:
        error = await sock.request({"type": "message.send", "text": "lost?", "client_id": "c-1"})
        again = await sock.request({"type": "message.send", "text": "lost?", "client_id": "c-1"})
    assert error["type"] == "error" and error["code"] == "unavailable" and error["retry_after"] >= 1
    assert error["ref"] and again["code"] == "unavailable"
    assert outages.database_down()
    assert sum("unreachable" in r.getMessage() for r in said.records) == 1  # once per outage
    assert (await sock.request({"type": "ping"}))["type"] == "pong"
    assert await database_sync_to_async(Message.objects.filter(client_id="c-1").count)() == 0
    await sock.close()


async def test_a_handshake_during_a_known_outage_is_refused_with_4503(inbox):
    outages._state["down_since"] = 1.0
    comm = WebsocketCommunicator(
        application(), f"/ws/widget/{inbox.public_key}/", headers=[(b"origin", ORIGIN.encode())]
    )
    connected, _ = await comm.connect()
    assert connected
    frame = await comm.receive_json_from()
    assert frame["type"] == "error" and frame["code"] == "unavailable"
    assert await comm.receive_output() == {"type": "websocket.close", "code": 4503}

    outages.database_answered()  # the probe (or /healthz) saw the database answer
    sock, welcome = await visitor_session(inbox, None)
    assert welcome["token"]
    await sock.close()


async def test_a_process_whose_redis_is_unreachable_still_serves_the_socket(inbox, visitor):
    closed = f"redis://127.0.0.1:{free_port()}/0"
    layers = {
        "default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {"hosts": [{"address": closed, "socket_connect_timeout": 0.5}]},
        }
    }
    with override_settings(CHANNEL_LAYERS=layers), Said("chat.layer_guard") as said, Said("channels_redis") as noise:
        sock, _ = await visitor_session(inbox, visitor.token)  # its channel and group are retried
        started = await sock.request({"type": "conversation.start", "text": "hi", "client_id": new_client_id()})
        assert started["type"] == "conversation"
        sent = await sock.request({"type": "message.send", "text": "stored", "client_id": "c-2"})
        assert sent["type"] == "message.ack"
        await sock.close()
    assert layer_guard.layer_down()
    warnings = [r.getMessage() for r in said.records if "channel layer is unreachable" in r.getMessage()]
    assert len(warnings) == 1, warnings
    assert not [r for r in said.records + noise.records if r.exc_info]  # no traceback
    assert await database_sync_to_async(Message.objects.filter(client_id="c-2").count)() == 1
    layer_guard.succeeded()


def test_the_cache_fails_open_when_redis_is_unreachable():
    cache = FailOpenRedisCache(f"redis://127.0.0.1:{free_port()}/0", {"OPTIONS": {"socket_connect_timeout": 0.5}})
    with Said("helpdesk.cache") as said:
        assert cache.get("budget", 0) == 0
        assert cache.add("budget", 1, 60) is True
        cache.set("budget", 2, 60)
        cache.incr("budget")
        assert cache.get_many(["a", "b"]) == {}
    assert len(said.records) == 1 and "unreachable" in said.records[0].getMessage()
