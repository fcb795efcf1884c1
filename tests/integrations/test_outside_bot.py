"""Outside bots: an inbox hands its new conversations to a bot over a webhook; the bot answers
through the API and hands off with one call; if its endpoint fails, humans take over."""

from __future__ import annotations

import pytest

from chat import services
from chat.choices import ConversationStatus, HandoffReason, Owner
from chat.models import Conversation
from integrations.choices import EndpointRole
from integrations.webhooks import dispatch

pytestmark = pytest.mark.django_db


@pytest.fixture
def bot_inbox(inbox):
    inbox.bot_enabled = True
    inbox.save()
    return inbox


def test_the_bot_answers_then_hands_off_and_the_agent_sees_both(
    bot_inbox, alice, make_contact, endpoint, receiver, token_client
):
    endpoint([], inbox=bot_inbox, role=EndpointRole.BOT)
    conversation, _ = services.conversation_start(
        contact=make_contact().contact, text="Where is my order?", client_id="v1"
    )
    assert conversation.owner == Owner.BOT
    dispatch.run_once()
    assert [r["type"] for r in receiver.received] == ["bot.turn"]
    turn = receiver.received[0]["data"]
    assert turn["conversation"] == str(conversation.public_id) and turn["message"]["text"] == "Where is my order?"

    bot = token_client(alice, "write")  # the bot's token
    base = f"/api/conversations/{turn['conversation']}/bot"
    answer = bot.post(f"{base}/reply/", {"text": "Let me find a person for you."}, format="json")
    assert answer.status_code == 201, answer.content
    handed = bot.post(f"{base}/handoff/", {"reason": "asked_for_human"}, format="json")
    assert handed.status_code == 200 and handed.json()["status"] == ConversationStatus.WAITING

    messages = token_client(alice, "read").get(f"/api/conversations/{conversation.public_id}/messages/").json()
    kinds = [(m["sender"]["kind"], m["text"]) for m in messages["results"]]
    assert ("contact", "Where is my order?") in kinds and ("bot", "Let me find a person for you.") in kinds
    fresh = Conversation.objects.get(pk=conversation.pk)
    assert fresh.owner == Owner.HUMAN and fresh.handoff["reason"] == HandoffReason.ASKED_FOR_HUMAN
    # once handed off, the bot can no longer answer
    assert bot.post(f"{base}/reply/", {"text": "late"}, format="json").status_code == 409


def test_a_failing_bot_endpoint_hands_the_conversation_to_humans(
    bot_inbox, make_contact, endpoint, receiver, monkeypatch
):
    from datetime import timedelta

    from chat import clock

    endpoint([], inbox=bot_inbox, role=EndpointRole.BOT)
    receiver.answers = [500, 500]
    conversation, _ = services.conversation_start(contact=make_contact().contact, text="hello?", client_id="v1")
    wake = dispatch.run_once()
    moved = wake + timedelta(seconds=1)
    monkeypatch.setattr(clock, "now", lambda: moved)
    dispatch.run_once()
    fresh = Conversation.objects.get(pk=conversation.pk)
    assert fresh.owner == Owner.HUMAN and fresh.status == ConversationStatus.WAITING
    assert fresh.handoff["reason"] == HandoffReason.BOT_ERROR


def test_a_bot_endpoint_that_answers_410_is_disabled_and_humans_take_over(bot_inbox, make_contact, endpoint, receiver):
    hook = endpoint([], inbox=bot_inbox, role=EndpointRole.BOT)
    receiver.answers = [410]
    conversation, _ = services.conversation_start(contact=make_contact().contact, text="anyone?", client_id="v1")
    dispatch.run_once()
    hook.refresh_from_db()
    fresh = Conversation.objects.get(pk=conversation.pk)
    assert hook.is_active is False
    assert fresh.owner == Owner.HUMAN and fresh.handoff["reason"] == HandoffReason.BOT_ERROR
