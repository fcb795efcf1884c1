"""The bot through the sockets: the bot's turns run on the bot's threads, scheduled on the test's
event loop as on a server's. The visitor's frames (``bot.feedback``, ``bot.handoff``), the agent's
view (the Bot list, bot messages, the handoff), and the bot failing: the encoder raising, the
language model down or slow, each handed to humans within a second."""

from __future__ import annotations

import asyncio
import socket
import time

import numpy as np
import pytest
from channels.db import database_sync_to_async

from chat.models import Conversation
from knowledge import encoder as encoder_module
from knowledge.index import forget_live_index
from tests.bot.test_llm import ChatServer
from tests.conftest import open_agent, visitor_session

pytestmark = pytest.mark.django_db(transaction=True)


class RaisingEncoder:
    """An encoder whose every call fails (a broken model file, a numpy error)."""

    name = "raising-1"
    dim = 512

    def encode(self, texts: list[str]) -> np.ndarray:
        raise RuntimeError("the encoder broke")


@pytest.fixture
def bot_inbox(inbox, kb):
    inbox.bot_enabled = True
    inbox.bot_name = "Northwind bot"
    inbox.save()
    return inbox


async def start(sock, text: str) -> dict:
    started = await sock.request({"type": "conversation.start", "text": text, "client_id": "c-1"}, "conversation")
    assert started["type"] == "conversation", started
    return started["conversation"]


async def test_the_visitor_talks_with_the_bot_then_asks_for_a_person(bot_inbox, visitor, alice):
    agent, ok = await open_agent(alice)
    assert ok
    await agent.recv_until("hello")
    sock, welcome = await visitor_session(bot_inbox, visitor.token)
    assert welcome["bot"] == {"enabled": True, "name": "Northwind bot"}

    conversation = await start(sock, "I want my money back for my order")
    assert conversation["owner"] == "bot" and conversation["status"] == "open" and "queue_position" not in conversation
    answer = (await sock.recv_until("message.new", timeout=5))["message"]
    while answer["sender"]["kind"] != "bot":
        answer = (await sock.recv_until("message.new", timeout=5))["message"]
    assert answer["sender"]["name"] == "Northwind bot" and answer["text"].startswith("You can ask for a refund")
    assert answer["answer"] == {
        "article": {
            "slug": "refund-policy",
            "title": "How do I get a refund?",
            "url": "http://127.0.0.1:8000/help/en/refund-policy/",
            "locale": "en",
        },
        "asks_feedback": True,
        "helpful": None,
    }
    # The agent sees the bot's answer live; the conversation is the bot's, not the queue's.
    seen = (await agent.recv_until("message.new", timeout=5))["message"]
    while seen["sender"]["kind"] != "bot":
        seen = (await agent.recv_until("message.new", timeout=5))["message"]
    assert seen["id"] == answer["id"]

    # Bad frames get error frames, and the socket lives on.
    for frame, code in [
        ({"type": "bot.feedback", "message": answer["id"], "helpful": "no"}, "invalid"),
        ({"type": "bot.feedback", "message": "nope", "helpful": False}, "invalid"),
        ({"type": "bot.feedback", "message": conversation["id"], "helpful": False}, "not_found"),
    ]:
        error = await sock.request(frame)
        assert error["type"] == "error" and error["code"] == code, error
    ack = await sock.request({"type": "bot.feedback", "message": answer["id"], "helpful": False}, "bot.feedback.ack")
    assert ack["type"] == "bot.feedback.ack" and ack["message"]["answer"]["helpful"] is False

    # A second agent console that opens now lists the conversation under Bot.
    other, _ = await open_agent(alice)
    hello = await other.recv_until("hello")
    assert [c["id"] for c in hello["bot"]] == [conversation["id"]] and hello["queue"] == []
    await other.close()

    # "Talk to a person": the queue at once, with the position shown as for anyone waiting.
    handed = await sock.request({"type": "bot.handoff"}, "bot.handoff.ack")
    assert handed["type"] == "bot.handoff.ack", handed
    state = handed["conversation"]
    assert state["owner"] == "human" and state["status"] == "waiting" and state["queue_position"] == 1
    position = await sock.recv_until("queue.position")
    assert position["position"] == 1
    update = await agent.recv_until("conversation.updated", timeout=5)
    while update["conversation"]["owner"] != "human":
        update = await agent.recv_until("conversation.updated", timeout=5)
    handoff = update["conversation"]["handoff"]
    assert handoff["reason"] == "asked_for_human"
    assert [(a["slug"], a["helpful"]) for a in handoff["articles"]] == [("refund-policy", False)]
    # Twice is harmless.
    again = await sock.request({"type": "bot.handoff"}, "bot.handoff.ack")
    assert again["conversation"]["status"] == "waiting"
    await sock.close()
    await agent.close()


async def test_a_visitor_without_a_conversation_cannot_hand_off(bot_inbox, visitor):
    sock, _ = await visitor_session(bot_inbox, visitor.token)
    error = await sock.request({"type": "bot.handoff"})
    assert error["code"] == "no_conversation"
    await sock.close()


async def handed_off_within(sock, conversation_id: str, sent_at: float) -> tuple[dict, float]:
    """Wait for the conversation to reach the queue; returns its state and the seconds it took."""
    while True:
        frame = await sock.recv(timeout=5)
        if frame["type"] == "conversation.updated" and frame["conversation"]["id"] == conversation_id:
            if frame["conversation"]["owner"] == "human":
                return frame["conversation"], time.monotonic() - sent_at


async def failing_turn(inbox, visitor) -> tuple[dict, float, Conversation]:
    sock, _ = await visitor_session(inbox, visitor.token)
    sent_at = time.monotonic()
    conversation = await start(sock, "I want my money back for my order")
    state, took = await handed_off_within(sock, conversation["id"], sent_at)
    await sock.close()
    stored = await database_sync_to_async(Conversation.objects.get)(public_id=conversation["id"])
    return state, took, stored


async def test_the_encoder_raising_hands_off_within_a_second(bot_inbox, visitor, settings):
    settings.KNOWLEDGE = {**settings.KNOWLEDGE, "ENCODER": "tests.bot.test_live_sockets.RaisingEncoder"}
    encoder_module.forget()
    forget_live_index()
    try:
        state, took, stored = await failing_turn(bot_inbox, visitor)
    finally:
        encoder_module.forget()
        forget_live_index()
    assert state["status"] == "waiting" and stored.handoff["reason"] == "bot_error"
    assert took < 1.0, took


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def test_the_language_model_down_hands_off_within_a_second(bot_inbox, visitor, settings):
    settings.BOT = {**settings.BOT, "LLM_URL": f"http://127.0.0.1:{closed_port()}/v1", "LLM_TIMEOUT_SECONDS": 0.5}
    state, took, stored = await failing_turn(bot_inbox, visitor)
    assert state["status"] == "waiting" and stored.handoff["reason"] == "bot_error" and took < 1.0, took


async def test_the_language_model_slow_hands_off_within_a_second(bot_inbox, visitor, settings):
    with ChatServer(delay=3) as server:
        settings.BOT = {**settings.BOT, "LLM_URL": server.url, "LLM_TIMEOUT_SECONDS": 0.5}
        state, took, stored = await failing_turn(bot_inbox, visitor)
    assert state["status"] == "waiting" and stored.handoff["reason"] == "bot_error" and took < 1.0, took


async def test_a_turn_past_its_deadline_is_handed_off_and_its_late_answer_dropped(bot_inbox, visitor, settings):
    """A language model that keeps answering past the turn's deadline (its own timeout set too
    long): the turn's deadline hands off, and the answer that comes later is never shown."""
    with ChatServer(delay=1.5) as server:
        settings.BOT = {**settings.BOT, "LLM_URL": server.url, "LLM_TIMEOUT_SECONDS": 5, "TURN_TIMEOUT_SECONDS": 0.5}
        state, took, stored = await failing_turn(bot_inbox, visitor)
        assert state["status"] == "waiting" and stored.handoff["reason"] == "bot_error" and took < 1.0, took
        await asyncio.sleep(1.5)  # the model answers meanwhile; the late answer is dropped
    count = await database_sync_to_async(stored.messages.filter(sender_kind="bot").count)()
    assert count == 0
