"""Under the embedded default the timers run inside the server, so what they change reaches open sockets.

A real daphne process with the embedded worker on (as ``make run`` starts it): a visitor's chat is
auto-assigned to an agent who never accepts it; the answer timeout requeues it, and the visitor's
open socket hears of it without anything else happening.
"""

from __future__ import annotations

import pytest
from channels.db import database_sync_to_async

from chat.choices import ConversationStatus, EventType, RoutingPolicy
from chat.models import ConversationEvent
from helpdesk import embedded_worker
from tests.conftest import new_client_id
from tests.servers import ServerProcess, server_env
from tests.test_two_processes import open_visitor

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def server_with_worker(transactional_db):
    env = {**server_env(), "HELPDESK_EMBEDDED_WORKER": "1", "HELPDESK_TIMER_INTERVAL": "0.5"}
    process = ServerProcess(env=env).start()
    yield process
    process.stop()


@pytest.fixture
def ann_online_on_a_timed_inbox(inbox, online):
    inbox.routing_policy = RoutingPolicy.ROUND_ROBIN
    inbox.accept_timeout_seconds = 1
    inbox.save()
    return online("ann")


async def test_a_timer_requeue_reaches_the_visitors_open_socket(
    server_with_worker, inbox, ann_online_on_a_timed_inbox, visitor
):
    customer, _ = await open_visitor(server_with_worker, inbox, visitor.token)
    started = await customer.request(
        {"type": "conversation.start", "text": "Is anyone there?", "client_id": new_client_id()}, "conversation"
    )
    conversation_id = started["conversation"]["id"]
    # Routing gives it to Ann at once; she never accepts, so the timer takes it back within seconds.
    assigned = await customer.recv_until("conversation.updated", timeout=10)
    while assigned["conversation"]["status"] != ConversationStatus.OPEN:
        assigned = await customer.recv_until("conversation.updated", timeout=10)
    requeued = await customer.recv_until("conversation.updated", timeout=15)
    while requeued["conversation"]["status"] != ConversationStatus.WAITING:
        requeued = await customer.recv_until("conversation.updated", timeout=15)
    assert requeued["conversation"]["id"] == conversation_id
    assert requeued["conversation"]["assignee"] is None
    await customer.close()

    missed = ConversationEvent.objects.filter(conversation__public_id=conversation_id, type=EventType.MISSED)
    assert await database_sync_to_async(missed.exists)()


def test_the_worker_is_on_exactly_when_there_is_no_shared_layer(settings, monkeypatch):
    monkeypatch.setenv("HELPDESK_EMBEDDED_WORKER", "auto")
    settings.REDIS_URL = ""
    assert embedded_worker.enabled()
    settings.REDIS_URL = "redis://127.0.0.1:6379/0"
    assert not embedded_worker.enabled()
    monkeypatch.setenv("HELPDESK_EMBEDDED_WORKER", "1")
    assert embedded_worker.enabled()
    monkeypatch.setenv("HELPDESK_EMBEDDED_WORKER", "off")
    settings.REDIS_URL = ""
    assert not embedded_worker.enabled()
