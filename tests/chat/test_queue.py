"""The queue: waiting visitors learn their position live, in serving order."""

from __future__ import annotations

import pytest
from channels.db import database_sync_to_async

from chat import selectors, services
from chat.choices import Priority
from chat.models import Conversation
from tests.conftest import new_client_id, visitor_session

pytestmark = pytest.mark.django_db(transaction=True)


async def wait_in_queue(inbox, person):
    sock, _ = await visitor_session(inbox, person.token)
    started = await sock.request({"type": "conversation.start", "text": "hello", "client_id": new_client_id()})
    return sock, started["conversation"]


async def test_waiting_visitors_are_told_their_position_as_the_queue_moves(inbox, make_contact, alice):
    people = [await database_sync_to_async(make_contact)(f"V{i}") for i in range(3)]
    socks, conversations = [], []
    for person in people:
        sock, conversation = await wait_in_queue(inbox, person)
        socks.append(sock)
        conversations.append(conversation)
    assert [c["queue_position"] for c in conversations] == [1, 2, 3]
    assert conversations[2]["queue_length"] == 3
    for sock in socks:
        await sock.drain()

    def claim_first():
        first = Conversation.objects.select_related("contact").get(public_id=conversations[0]["id"])
        services.conversation_claim(conversation=first, agent=alice)

    await database_sync_to_async(claim_first)()
    for sock, expected in ((socks[1], 1), (socks[2], 2)):
        update = await sock.recv_until("queue.position")
        assert update["position"] == expected and update["waiting"] == 2
    claimed = await socks[0].recv_until("conversation.updated")
    assert claimed["conversation"]["status"] == "open"
    assert claimed["conversation"]["assignee"] == {"name": "Alice"}  # no agent id for contacts
    for sock in socks:
        await sock.close()


def test_queue_order_is_priority_then_waiting_time(inbox, make_contact):
    first, _ = services.conversation_start(contact=make_contact("A").contact)
    second, _ = services.conversation_start(contact=make_contact("B").contact)
    urgent, _ = services.conversation_start(contact=make_contact("C").contact)
    Conversation.objects.filter(pk=urgent.pk).update(priority=Priority.URGENT)
    order = list(selectors.queue_for_inbox(inbox_id=inbox.pk).values_list("pk", flat=True))
    assert order == [urgent.pk, first.pk, second.pk]
    assert selectors.queue_position(conversation=second) == (3, 3)
