"""The bot with the visitor and the agent on two server processes (PostgreSQL and Redis): the bot
answers on the visitor's process, and the agent on the other one sees the answer and the handoff."""

from __future__ import annotations

import pytest
from channels.db import database_sync_to_async

from tests.conftest import new_client_id
from tests.servers import require_shared_backends
from tests.test_two_processes import alice_cookie, open_agent, open_visitor, servers  # noqa: F401  (fixtures)

pytestmark = [pytest.mark.shared, pytest.mark.django_db(transaction=True)]


async def test_the_bot_answers_on_one_process_and_the_agent_sees_it_on_the_other(
    servers,  # noqa: F811  (the fixtures imported above)
    inbox,
    kb,
    visitor,
    alice,
    alice_cookie,  # noqa: F811
):
    require_shared_backends()
    inbox.bot_enabled = True
    await database_sync_to_async(inbox.save)()
    process_a, process_b = servers
    agent, hello = await open_agent(process_b, alice_cookie)
    assert hello["bot"] == []
    customer, welcome = await open_visitor(process_a, inbox, visitor.token)
    assert welcome["bot"]["enabled"] is True

    started = await customer.request(
        {"type": "conversation.start", "text": "I want my money back for my order", "client_id": new_client_id()},
        "conversation",
    )
    conversation_id = started["conversation"]["id"]
    assert started["conversation"]["owner"] == "bot"

    answer = (await customer.recv_until("message.new", timeout=10))["message"]
    while answer["sender"]["kind"] != "bot":
        answer = (await customer.recv_until("message.new", timeout=10))["message"]
    assert answer["answer"]["article"]["slug"] == "refund-policy"
    seen = (await agent.recv_until("message.new", timeout=10))["message"]
    while seen["sender"]["kind"] != "bot":
        seen = (await agent.recv_until("message.new", timeout=10))["message"]
    assert seen["id"] == answer["id"]

    handed = await customer.request({"type": "bot.handoff"}, "bot.handoff.ack")
    assert handed["conversation"]["status"] == "waiting" and handed["conversation"]["queue_position"] == 1
    update = await agent.recv_until("conversation.updated", timeout=10)
    while update["conversation"]["owner"] != "human":
        update = await agent.recv_until("conversation.updated", timeout=10)
    assert update["conversation"]["id"] == conversation_id
    assert update["conversation"]["handoff"]["reason"] == "asked_for_human"
    assert [a["slug"] for a in update["conversation"]["handoff"]["articles"]] == ["refund-policy"]
    await customer.close()
    await agent.close()
