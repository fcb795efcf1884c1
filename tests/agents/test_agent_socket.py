"""The agent socket: who may connect, the live queue, and the actions agents take."""

from __future__ import annotations

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.contrib.auth import get_user_model

from agents.models import AgentProfile
from chat import services
from chat.models import Conversation, Inbox, Message
from helpdesk.asgi import application
from tests.conftest import new_client_id, open_agent, visitor_session

pytestmark = pytest.mark.django_db(transaction=True)


async def agent_session(user):
    sock, connected = await open_agent(user)
    assert connected
    hello = await sock.recv()
    assert hello["type"] == "hello"
    return sock, hello


async def start_chat(inbox, visitor, text="Hello there"):
    sock, _ = await visitor_session(inbox, visitor.token)
    started = await sock.request({"type": "conversation.start", "text": text, "client_id": new_client_id()})
    return sock, started["conversation"]["id"]


@pytest.mark.parametrize("origin", [b"https://evil.example", None])
async def test_foreign_or_missing_origin_is_refused(origin):
    headers = [(b"origin", origin)] if origin else []
    comm = WebsocketCommunicator(application, "/ws/agent/", headers=headers)
    connected, _ = await comm.connect()
    assert not connected


async def test_anonymous_users_and_non_agents_are_refused(db):
    comm = WebsocketCommunicator(application, "/ws/agent/", headers=[(b"origin", b"http://127.0.0.1")])
    connected, _ = await comm.connect()
    assert not connected
    plain = await database_sync_to_async(get_user_model().objects.create_user)(username="customer", password="x")
    _, connected = await open_agent(plain)
    assert not connected


async def test_unknown_socket_paths_are_refused():
    comm = WebsocketCommunicator(application, "/ws/nowhere/", headers=[(b"origin", b"http://127.0.0.1")])
    connected, _ = await comm.connect()
    assert not connected


async def test_queue_is_live_for_every_agent_and_a_claim_removes_it(inbox, visitor, alice, bob):
    a, _ = await agent_session(alice)
    b, _ = await agent_session(bob)
    vsock, conversation_id = await start_chat(inbox, visitor)
    for sock in (a, b):
        update = await sock.recv_until("conversation.updated")
        assert update["conversation"]["id"] == conversation_id
        assert update["conversation"]["status"] == "waiting"

    claimed = await a.request({"type": "conversation.claim", "conversation": conversation_id})
    assert claimed["conversation"]["assignee"] == {"name": "Alice", "id": alice.pk}
    update = await b.recv_until("conversation.updated")
    assert update["conversation"]["status"] == "open"  # bob's console drops it from the queue
    lost = await b.request({"type": "conversation.claim", "conversation": conversation_id})
    assert lost["type"] == "error" and lost["code"] == "already_claimed"
    for sock in (a, b, vsock):
        await sock.close()


async def test_hello_lists_the_queue_and_my_conversations(inbox, make_contact, alice):
    first = await database_sync_to_async(make_contact)("First")
    second = await database_sync_to_async(make_contact)("Second")

    def prepare():
        c1, _ = services.conversation_start(contact=first.contact, text="a", client_id="a")
        c2, _ = services.conversation_start(contact=second.contact, text="b", client_id="b")
        services.conversation_claim(conversation=c2, agent=alice)
        return str(c1.public_id), str(c2.public_id)

    waiting_id, mine_id = await database_sync_to_async(prepare)()
    sock, hello = await agent_session(alice)
    assert [c["id"] for c in hello["queue"]] == [waiting_id]
    assert [c["id"] for c in hello["mine"]] == [mine_id]
    assert hello["agent"]["load"] == 1 and hello["agent"]["capacity"] == 5
    await sock.close()


async def test_reply_note_typing_read_transfer_and_resolve(inbox, visitor, alice, bob):
    a, _ = await agent_session(alice)
    b, _ = await agent_session(bob)
    vsock, cid = await start_chat(inbox, visitor)
    await a.request({"type": "conversation.claim", "conversation": cid})

    await vsock.send({"type": "typing", "is_typing": True})
    typing = await a.recv_until("typing")
    assert typing["sender"] == {"kind": "contact", "name": "Vera Visitor"} and typing["is_typing"] is True

    await a.send({"type": "typing", "conversation": cid, "is_typing": True})
    seen = await vsock.recv_until("typing")
    assert seen["sender"] == {"kind": "agent", "name": "Alice"}
    colleague_sees = await b.recv_until("typing")
    while colleague_sees["sender"]["kind"] != "agent":
        colleague_sees = await b.recv_until("typing")
    assert colleague_sees["sender"] == {"kind": "agent", "name": "Alice", "id": alice.pk}

    reply = await a.request({"type": "message.send", "conversation": cid, "text": "Hi!", "client_id": "r1"})
    assert reply["type"] == "message.ack" and reply["duplicate"] is False
    note = await a.request({"type": "note.add", "conversation": cid, "text": "psst", "client_id": "n1"})
    assert note["message"]["is_private"] is True
    bob_sees = await b.recv_until("message.new", timeout=3)
    while bob_sees["message"]["text"] != "psst":
        bob_sees = await b.recv_until("message.new")

    # Read marks count public entries: reading up to the note marks the reply before it.
    read = await a.request({"type": "read", "conversation": cid, "seq": note["message"]["seq"]})
    public_mark = reply["message"]["public_seq"]
    assert read == {"type": "read.ack", "conversation": cid, "public_seq": public_mark, "ref": read["ref"]}
    receipt = await vsock.recv_until("read")
    assert receipt["reader"] == "agent" and receipt["seq"] == public_mark

    moved = await a.request({"type": "conversation.transfer", "conversation": cid, "agent": bob.pk, "note": "yours"})
    assert moved["conversation"]["assignee"]["id"] == bob.pk
    handed = await b.recv_until("conversation.transferred")
    assert handed["note"] == "yours" and handed["by"] == "Alice"

    done = await b.request({"type": "conversation.resolve", "conversation": cid})
    assert done["conversation"]["status"] == "resolved"
    again = await b.request({"type": "conversation.resolve", "conversation": cid})
    assert again["code"] == "invalid_state"
    reopened = await b.request({"type": "conversation.reopen", "conversation": cid})
    assert reopened["conversation"]["status"] == "open"

    synced = await b.request({"type": "sync", "conversation": cid, "after_seq": 0})
    texts = [m["text"] for m in synced["messages"]]
    assert "psst" in texts and "yours" in texts and texts[0] == "Hello there"
    assert [m["seq"] for m in synced["messages"]] == list(range(1, len(texts) + 1))
    for sock in (a, b, vsock):
        await sock.close()


async def test_transfer_targets_are_checked(inbox, visitor, alice, make_agent):
    outsider = await database_sync_to_async(make_agent)("otto", inboxes=[])
    a, _ = await agent_session(alice)
    vsock, cid = await start_chat(inbox, visitor)
    await a.request({"type": "conversation.claim", "conversation": cid})
    for frame, code in [
        ({"agent": outsider.pk}, "forbidden"),
        ({"agent": 99999}, "not_found"),
        ({"agent": "1"}, "invalid"),
        ({"team": 99999}, "not_found"),
        ({}, "invalid"),
        ({"agent": alice.pk, "note": 5}, "invalid"),
    ]:
        reply = await a.request({"type": "conversation.transfer", "conversation": cid, **frame})
        assert reply["code"] == code, (frame, reply)
    conversation = await database_sync_to_async(Conversation.objects.get)(public_id=cid)
    assert conversation.assignee_id == alice.pk
    await a.close()
    await vsock.close()


async def test_agents_cannot_touch_inboxes_they_do_not_work(inbox, visitor, make_agent):
    other_inbox = await database_sync_to_async(Inbox.objects.create)(name="Elsewhere")
    stranger = await database_sync_to_async(make_agent)("stan", inboxes=[other_inbox])
    sock, _ = await agent_session(stranger)
    vsock, cid = await start_chat(inbox, visitor)
    assert await sock.drain() == []  # no events of an inbox it does not work
    for frame in (
        {"type": "conversation.claim", "conversation": cid},
        {"type": "message.send", "conversation": cid, "text": "x", "client_id": "x"},
        {"type": "note.add", "conversation": cid, "text": "x", "client_id": "y"},
        {"type": "sync", "conversation": cid, "after_seq": 0},
        {"type": "conversation.resolve", "conversation": cid},
    ):
        reply = await sock.request(frame)
        assert reply["code"] == "not_found", (frame, reply)
    assert await database_sync_to_async(Message.objects.count)() == 1
    await sock.close()
    await vsock.close()


async def test_managers_see_every_inbox(inbox, visitor, make_agent):
    maria = await database_sync_to_async(make_agent)("maria", manager=True, inboxes=[])
    sock, _ = await agent_session(maria)
    vsock, cid = await start_chat(inbox, visitor)
    update = await sock.recv_until("conversation.updated")
    assert update["conversation"]["id"] == cid
    await sock.close()
    await vsock.close()


async def test_availability_changes_are_validated_and_broadcast(alice, bob):
    a, _ = await agent_session(alice)
    b, _ = await agent_session(bob)
    bad = await a.request({"type": "availability.set", "availability": "asleep"})
    assert bad["code"] == "invalid"
    ok = await a.request({"type": "availability.set", "availability": "away"})
    assert ok["agent"]["availability"] == "away"
    seen = await b.recv_until("agent.updated")
    assert seen["agent"] == {"id": alice.pk, "name": "Alice", "availability": "away", "capacity": 5}
    profile = await database_sync_to_async(AgentProfile.objects.get)(user=alice)
    assert profile.availability == "away" and profile.availability_changed_at is not None
    await a.close()
    await b.close()


async def test_bad_agent_frames_get_errors_and_the_socket_lives(alice):
    sock, _ = await agent_session(alice)
    for raw, code in [
        ("nope", "malformed_json"),
        ('{"type": "conversation.delete"}', "unknown_type"),
        ('{"type": "message.send", "conversation": "x", "text": "hi", "client_id": "c"}', "not_found"),
        ('{"type": "typing", "conversation": "x"}', "not_found"),
        ("x" * 40_000, "frame_too_large"),
    ]:
        await sock.send_raw(raw)
        reply = await sock.recv()
        assert reply["type"] == "error" and reply["code"] == code, (raw[:40], reply)
    assert (await sock.request({"type": "ping"}))["type"] == "pong"
    await sock.close()


async def test_accept_and_priority_frames(inbox, visitor, alice):
    from chat.choices import RoutingPolicy

    def route_automatically():
        inbox.routing_policy = RoutingPolicy.ROUND_ROBIN
        inbox.save()

    await database_sync_to_async(route_automatically)()
    a, _ = await agent_session(alice)  # connected and online: the router may pick alice
    vsock, cid = await start_chat(inbox, visitor)
    update = await a.recv_until("conversation.updated")
    while update["conversation"]["assignee"] is None:
        update = await a.recv_until("conversation.updated")
    assert update["conversation"]["auto_assigned"] is True and update["conversation"]["accepted_at"] is None
    accepted = await a.request({"type": "conversation.accept", "conversation": cid}, "conversation.ack")
    assert accepted["conversation"]["accepted_at"] is not None
    bad = await a.request({"type": "conversation.priority", "conversation": cid, "priority": 9})
    assert bad["code"] == "invalid"
    urgent = await a.request({"type": "conversation.priority", "conversation": cid, "priority": 3}, "conversation.ack")
    assert urgent["conversation"]["priority"] == 3
    await a.close()
    await vsock.close()
