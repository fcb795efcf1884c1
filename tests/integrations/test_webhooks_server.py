"""As ``make run`` starts it: one server process whose embedded worker delivers the webhooks of the
changes made through its API (on either pass's database)."""

from __future__ import annotations

import time

import pytest

from integrations import tokens
from integrations.webhooks import services as webhook_services
from tests.integrations.test_webhooks_processes import call
from tests.servers import ServerProcess, server_env

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_embedded_worker_delivers(inbox, make_agent, receiver):
    agent = make_agent("ann")
    secret = tokens.token_create(user=agent, name="e2e", scope="write")[1]
    hook = webhook_services.endpoint_create(name="crm", url=receiver.url, events=["contact.created"])
    receiver.secret = hook.secret
    env = {**server_env(), "HELPDESK_EMBEDDED_WORKER": "1", "HELPDESK_WEBHOOKS_ALLOW_PRIVATE": "1"}
    server = ServerProcess(env).start()
    try:
        made = call(server, secret, "/api/contacts/", {"inbox": inbox.public_key, "name": "Ola"}, key="k1")
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and not receiver.received:
            time.sleep(0.1)
    finally:
        server.stop()
    assert [(r["type"], r["data"]["contact"]["id"]) for r in receiver.received] == [("contact.created", made["id"])]
    assert receiver.bad_signatures == 0
