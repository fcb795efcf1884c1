"""What anonymous visitors can create is budgeted per address and per inbox; a refusal says how
long to wait, and other addresses and existing visitors are not held up."""

from __future__ import annotations

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator

from chat import creation_limits
from chat.models import Contact, Conversation
from tests.conftest import ORIGIN, Socket, application, new_client_id

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def small_budgets(settings):
    settings.HELPDESK = {
        **settings.HELPDESK,
        "CREATION_LIMITS": {
            "contact_per_address": (3, 3600),
            "contact_per_inbox": (5, 3600),
            "conversation_per_address": (2, 3600),
            "conversation_per_inbox": (100, 3600),
        },
    }


async def visitor_from(inbox, address: str) -> Socket:
    comm = WebsocketCommunicator(
        application(), f"/ws/widget/{inbox.public_key}/", headers=[(b"origin", ORIGIN.encode())]
    )
    comm.scope["client"] = (address, 50000)
    assert (await comm.connect())[0]
    return Socket(comm)


async def new_visitor(inbox, address: str) -> dict:
    sock = await visitor_from(inbox, address)
    out = await sock.request({"type": "auth", "token": None})
    await sock.close()
    return out


async def test_new_contacts_per_address_and_per_inbox(small_budgets, inbox):
    for _ in range(3):
        assert (await new_visitor(inbox, "203.0.113.1"))["type"] == "auth.ok"
    refused = await new_visitor(inbox, "203.0.113.1")
    assert refused["type"] == "error" and refused["code"] == "rate_limited"
    assert 1 <= refused["retry_after"] <= 3600 and "try again in" in refused["message"]
    assert await database_sync_to_async(Contact.objects.count)() == 3
    # Another address has its own budget, until the inbox's is spent.
    assert (await new_visitor(inbox, "198.51.100.2"))["type"] == "auth.ok"
    assert (await new_visitor(inbox, "198.51.100.3"))["type"] == "auth.ok"
    assert (await new_visitor(inbox, "198.51.100.4"))["code"] == "rate_limited"


async def test_new_conversations_per_address_while_known_visitors_carry_on(small_budgets, inbox, visitor):
    sock = await visitor_from(inbox, "203.0.113.9")
    await sock.request({"type": "auth", "token": visitor.token}, "auth.ok")  # a known visitor: no new contact
    first = await sock.request({"type": "conversation.start", "text": "one", "client_id": new_client_id()})
    assert first["type"] == "conversation" and first["created"]
    # The same conversation goes on: messages are not creations.
    for n in range(5):
        ack = await sock.request({"type": "message.send", "text": f"more {n}", "client_id": new_client_id()})
        assert ack["type"] == "message.ack"
    await sock.close()
    # A second conversation from this address spends the budget (2); a third visitor is refused.
    creation_limits.spend("conversation", address="203.0.113.9", inbox_id=inbox.pk)
    other = await visitor_from(inbox, "203.0.113.9")
    await other.request({"type": "auth", "token": None}, "auth.ok")
    refused = await other.request({"type": "conversation.start", "text": "three", "client_id": new_client_id()})
    assert refused["type"] == "error" and refused["code"] == "rate_limited" and refused["retry_after"] >= 1, refused
    assert await database_sync_to_async(Conversation.objects.count)() == 1
    await other.close()


async def test_a_spent_frame_budget_says_how_long_to_wait(inbox, visitor):
    sock = await visitor_from(inbox, "203.0.113.10")
    await sock.request({"type": "auth", "token": visitor.token}, "auth.ok")
    for _ in range(60):
        await sock.send({"type": "typing", "typing": True})
    errors = [f for f in await sock.drain(0.5) if f["type"] == "error" and f["code"] == "rate_limited"]
    assert errors and all(e["retry_after"] == 1 for e in errors)
    await sock.close()
