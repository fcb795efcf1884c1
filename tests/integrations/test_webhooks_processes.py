"""Webhooks end to end: changes made through the API on two real server processes, delivered by
real ``db_worker`` processes to a receiver this test runs, with the first worker killed in the
middle of a delivery. The receiver verifies every signature and, deduplicating on ``webhook-id``
as the specification asks, handles every event exactly once, in order per conversation."""

from __future__ import annotations

import json
import subprocess
import sys
import time
import urllib.request

import pytest

from integrations import tokens
from integrations.models import WebhookEvent
from integrations.webhooks import services as webhook_services
from tests.servers import ROOT, ServerProcess, require_shared_backends, server_env

pytestmark = [pytest.mark.shared, pytest.mark.django_db(transaction=True)]

EVENTS = [
    "contact.created",
    "conversation.created",
    "conversation.assigned",
    "message.created",
    "conversation.resolved",
]


def call(server: ServerProcess, secret: str, path: str, body: dict | None = None, key: str | None = None) -> dict:
    data = json.dumps(body or {}).encode()
    request = urllib.request.Request(f"{server.url}{path}", data=data, method="POST")
    request.add_header("Authorization", f"Bearer {secret}")
    request.add_header("Content-Type", "application/json")
    if key:
        request.add_header("Idempotency-Key", key)
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


def worker(env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "manage.py", "db_worker", "--no-reload", "--no-startup-delay", "--interval", "0.2"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def test_two_servers_and_a_worker_restart_deliver_each_event_once_in_order(inbox, make_agent, receiver):
    require_shared_backends()
    agent = make_agent("ann", manager=True)
    secret = tokens.token_create(user=agent, name="e2e", scope="write")[1]
    hook = webhook_services.endpoint_create(name="crm", url=receiver.url, events=EVENTS)
    receiver.secret = hook.secret
    env = {**server_env(), "HELPDESK_WEBHOOKS_ALLOW_PRIVATE": "1", "HELPDESK_WEBHOOK_LEASE_SECONDS": "3"}
    servers = [ServerProcess(env).start(), ServerProcess(env).start()]
    workers: list[subprocess.Popen] = []
    try:
        # Two conversations, their changes alternating between the two servers.
        conversations = []
        for n in range(2):
            a, b = servers[n % 2], servers[(n + 1) % 2]
            contact = call(a, secret, "/api/contacts/", {"inbox": inbox.public_key, "name": f"C{n}"}, key=f"c{n}")
            started = call(b, secret, f"/api/contacts/{contact['id']}/conversations/", {"text": "hi"}, key=f"s{n}")
            conversations.append(started["conversation"]["id"])
        for step in range(3):
            for n, conversation in enumerate(conversations):
                server = servers[(n + step) % 2]
                if step == 0:
                    call(server, secret, f"/api/conversations/{conversation}/claim/")
                elif step == 1:
                    call(server, secret, f"/api/conversations/{conversation}/reply/", {"text": f"r{n}"}, key=f"r{n}")
                else:
                    call(server, secret, f"/api/conversations/{conversation}/resolve/", key=f"x{n}")

        # The first worker dies while the receiver holds its fourth delivery.
        receiver.block_at = 3
        workers.append(worker(env))
        assert receiver.blocked.wait(30), "the first worker delivered nothing"
        workers[0].kill()
        workers[0].wait()
        receiver.release.set()
        workers.append(worker(env))
        expected = list(WebhookEvent.objects.order_by("id").values_list("public_id", "conversation_id"))
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and len({r["id"] for r in receiver.received}) < len(expected):
            time.sleep(0.2)
    finally:
        for process in workers:
            process.kill()
            process.wait()
        for server in servers:
            server.stop()

    assert receiver.bad_signatures == 0
    handled: list[str] = []
    for arrival in receiver.received:  # what a receiver that deduplicates on webhook-id handles
        if arrival["id"] not in handled:
            handled.append(arrival["id"])
    assert sorted(handled) == sorted(public_id for public_id, _ in expected)
    for conversation_pk in {c for _, c in expected if c is not None}:
        in_order = [p for p, c in expected if c == conversation_pk]
        assert [h for h in handled if h in in_order] == in_order
    # The delivery the first worker died in was never answered: it came again, and was handled then.
    assert len(receiver.received) == len(handled) and receiver.requests == len(handled) + 1
