"""The visitor socket end to end through the ASGI app: auth, start, send, resume, rate."""

from __future__ import annotations

import pytest
from channels.db import database_sync_to_async

from chat import services
from chat.models import Conversation, Message
from tests.conftest import new_client_id, open_agent, open_visitor, visitor_session

pytestmark = pytest.mark.django_db(transaction=True)


async def test_auth_without_token_mints_a_contact_and_token(inbox):
    sock, welcome = await visitor_session(inbox, None)
    assert len(welcome["token"]) >= 40
    assert welcome["conversation"] is None
    assert welcome["greeting"] == inbox.greeting
    assert welcome["availability"] == {"open": True, "agents_online": False}  # always open; nobody online
    await sock.close()
    # The token authenticates a second socket as the same contact, and is not re-sent.
    sock2, again = await visitor_session(inbox, welcome["token"])
    assert again["contact"]["id"] == welcome["contact"]["id"]
    assert "token" not in again
    await sock2.close()


async def test_frames_before_auth_are_refused(inbox):
    sock, connected = await open_visitor(inbox)
    assert connected
    reply = await sock.request({"type": "message.send", "text": "hi", "client_id": "a1"})
    assert reply["code"] == "not_authenticated"
    assert await database_sync_to_async(Message.objects.count)() == 0
    await sock.close()


async def test_start_send_and_agent_receives_live(inbox, visitor, alice):
    agent, ok = await open_agent(alice)
    assert ok
    hello = await agent.recv()
    assert hello["type"] == "hello" and hello["queue"] == []

    sock, _ = await visitor_session(inbox, visitor.token)
    started = await sock.request({"type": "conversation.start", "text": "Where is my order?", "client_id": "c-1"})
    assert started["type"] == "conversation" and started["created"] is True
    conversation = started["conversation"]
    assert conversation["status"] == "waiting" and conversation["queue_position"] == 1
    assert started["message"]["client_id"] == "c-1" and started["message"]["seq"] == 1

    update = await agent.recv_until("conversation.updated")
    assert update["conversation"]["id"] == conversation["id"]
    message = await agent.recv_until("message.new")
    assert message["message"]["text"] == "Where is my order?"
    assert message["message"]["seq"] == 1

    own = await sock.recv_until("message.new")  # every tab of the visitor sees the message too
    assert own["message"]["seq"] == 1
    claimed = await agent.request({"type": "conversation.claim", "conversation": conversation["id"]})
    assert claimed["type"] == "conversation.ack" and claimed["conversation"]["status"] == "open"
    joined = await sock.recv_until("message.new")
    assert joined["message"]["sender"]["kind"] == "system"

    sent = await agent.request(
        {
            "type": "message.send",
            "conversation": conversation["id"],
            "text": "On its way!",
            "client_id": new_client_id(),
        }
    )
    assert sent["type"] == "message.ack"
    live = await sock.recv_until("message.new")
    assert live["message"]["text"] == "On its way!"
    assert live["message"]["sender"] == {"kind": "agent", "name": "Alice"}
    await sock.close()
    await agent.close()


async def test_resume_delivers_exactly_the_missed_messages_in_order(inbox, visitor, alice):
    sock, _ = await visitor_session(inbox, visitor.token)
    started = await sock.request({"type": "conversation.start", "text": "hello", "client_id": "c-1"})
    conversation_id = started["conversation"]["id"]
    conversation = await database_sync_to_async(Conversation.objects.get)(public_id=conversation_id)
    await database_sync_to_async(services.conversation_claim)(conversation=conversation, agent=alice)
    frames = await sock.drain()
    last_seen = max(f["message"]["seq"] for f in frames if f["type"] == "message.new")
    await sock.close()  # the visitor drops

    def agent_sends_five():
        conv = Conversation.objects.select_related("contact").get(public_id=conversation_id)
        for i in range(5):
            services.message_send(conversation=conv, sender=alice, text=f"missed {i}", client_id=f"a-{i}")
        services.note_add(conversation=conv, agent=alice, text="internal only", client_id="n-1")

    await database_sync_to_async(agent_sends_five)()

    sock, welcome = await visitor_session(inbox, visitor.token)
    assert welcome["conversation"]["id"] == conversation_id
    await sock.send({"type": "resume", "conversation": conversation_id, "last_seq": last_seen, "ref": "r1"})
    replayed = []
    while True:
        frame = await sock.recv()
        if frame["type"] == "resume.done":
            break
        replayed.append(frame)
    assert [f["message"]["text"] for f in replayed] == [f"missed {i}" for i in range(5)]
    assert [f["message"]["seq"] for f in replayed] == list(range(last_seen + 1, last_seen + 6))
    assert frame["count"] == 5 and frame["last_seq"] == last_seen + 5
    assert await sock.drain() == []  # nothing more, and never the private note
    await sock.close()


async def test_same_client_id_is_stored_once(inbox, visitor):
    sock, _ = await visitor_session(inbox, visitor.token)
    await sock.request({"type": "conversation.start"})
    first = await sock.request({"type": "message.send", "text": "once", "client_id": "dup-1"}, "message.ack")
    second = await sock.request({"type": "message.send", "text": "once", "client_id": "dup-1"}, "message.ack")
    assert first["message"] == second["message"]
    assert first["duplicate"] is False and second["duplicate"] is True
    assert await database_sync_to_async(Message.objects.filter(client_id="dup-1").count)() == 1
    await sock.close()


async def test_rating_after_resolution(inbox, visitor, alice):
    sock, _ = await visitor_session(inbox, visitor.token)
    started = await sock.request({"type": "conversation.start", "text": "help", "client_id": "c-1"})
    early = await sock.request({"type": "rate", "score": 5})
    assert early["code"] == "not_resolved"

    def resolve():
        conv = Conversation.objects.select_related("contact").get(public_id=started["conversation"]["id"])
        services.conversation_claim(conversation=conv, agent=alice)
        services.conversation_resolve(conversation=conv, actor=alice)

    await database_sync_to_async(resolve)()
    update = await sock.recv_until("conversation.updated")
    while update["conversation"]["status"] != "resolved":
        update = await sock.recv_until("conversation.updated")
    bad = await sock.request({"type": "rate", "score": 9})
    assert bad["code"] == "invalid"
    rated = await sock.request({"type": "rate", "score": 4, "comment": "quick"})
    assert rated["type"] == "rate.ack" and rated["rating"]["score"] == 4
    await sock.close()


async def test_a_new_conversation_after_a_resume_gets_its_live_messages(inbox, visitor, alice):
    """The resume cut-off belongs to the resumed conversation, not to the next one."""
    sock, _ = await visitor_session(inbox, visitor.token)
    first = await sock.request({"type": "conversation.start", "text": "one", "client_id": "c1"})

    def close_first_with_history():
        conv = Conversation.objects.select_related("contact").get(public_id=first["conversation"]["id"])
        conv = services.conversation_claim(conversation=conv, agent=alice)
        for i in range(5):
            services.message_send(conversation=conv, sender=alice, text=f"old {i}", client_id=f"o{i}")
        services.conversation_resolve(conversation=conv, actor=alice)

    await database_sync_to_async(close_first_with_history)()
    done = await sock.request(
        {"type": "resume", "conversation": first["conversation"]["id"], "last_seq": 0}, "resume.done"
    )
    assert done["last_seq"] >= 7
    second = await sock.request({"type": "conversation.start", "text": "two", "client_id": "c2"})
    assert second["created"] is True

    def reply_in_second():
        conv = Conversation.objects.select_related("contact").get(public_id=second["conversation"]["id"])
        conv = services.conversation_claim(conversation=conv, agent=alice)
        services.message_send(conversation=conv, sender=alice, text="fresh reply", client_id="r1")

    await database_sync_to_async(reply_in_second)()
    live = await sock.recv_until("message.new")
    while live["message"]["text"] != "fresh reply":
        live = await sock.recv_until("message.new")
    assert live["message"]["seq"] == 3  # visitor "two", "Alice joined", then the reply
    await sock.close()


async def test_a_too_high_last_seq_does_not_swallow_later_messages(inbox, visitor, alice):
    sock, _ = await visitor_session(inbox, visitor.token)
    started = await sock.request({"type": "conversation.start", "text": "hi", "client_id": "c1"})
    cid = started["conversation"]["id"]
    done = await sock.request({"type": "resume", "conversation": cid, "last_seq": 10_000}, "resume.done")
    assert done["last_seq"] == 1 and done["count"] == 0

    def claim():
        conv = Conversation.objects.select_related("contact").get(public_id=cid)
        services.conversation_claim(conversation=conv, agent=alice)

    await database_sync_to_async(claim)()
    joined = await sock.recv_until("message.new")
    assert joined["message"]["seq"] == 2
    await sock.close()


async def test_the_widget_learns_when_the_inbox_is_closed(inbox, visitor):
    """Outside business hours (here: a holiday today) the widget is told to go offline."""
    from datetime import time

    from django.utils import timezone

    from chat.models import BusinessHours, Holiday

    def close_today():
        for weekday in range(7):
            BusinessHours.objects.create(inbox=inbox, weekday=weekday, opens=time(0), closes=time(0))
        Holiday.objects.create(inbox=inbox, date=timezone.now().date(), name="Closed today")

    await database_sync_to_async(close_today)()
    sock, welcome = await visitor_session(inbox, visitor.token)
    assert welcome["availability"]["open"] is False
    await sock.close()
