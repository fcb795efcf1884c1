"""A private note never reaches the visitor, on any path: live events, resume, the REST API,
the session state, the transfer note; and the visitor cannot even tell that one exists.
"""

from __future__ import annotations

import json

import pytest
from channels.db import database_sync_to_async
from django.test import Client

from chat.models import Conversation
from tests.conftest import open_agent, visitor_session

pytestmark = pytest.mark.django_db(transaction=True)

SECRET = "NOTE-7f3a: customer is on the fraud watch list"


async def test_notes_never_reach_the_visitor(inbox, visitor, alice, bob):
    vsock, _ = await visitor_session(inbox, visitor.token)
    second_tab, _ = await visitor_session(inbox, visitor.token)
    started = await vsock.request({"type": "conversation.start", "text": "hi", "client_id": "v0"})
    cid = started["conversation"]["id"]
    agent, _ = await open_agent(alice)
    await agent.recv()  # hello
    await agent.request({"type": "conversation.claim", "conversation": cid})
    await agent.request({"type": "note.add", "conversation": cid, "text": SECRET, "client_id": "n1"})
    await agent.request({"type": "message.send", "conversation": cid, "text": "How can I help?", "client_id": "a1"})
    await agent.request({"type": "conversation.transfer", "conversation": cid, "agent": bob.pk, "note": SECRET})
    await vsock.request({"type": "message.send", "text": "thanks", "client_id": "v1"})

    live = await vsock.drain(0.5) + await second_tab.drain(0.5)
    assert live, "the visitor should have received the public messages"
    assert SECRET not in json.dumps(live)
    assert not any(f.get("message", {}).get("is_private") for f in live)

    # The visitor's stream is dense: the notes left no gap to notice.
    own_stream = sorted({f["message"]["seq"] for f in live if f["type"] == "message.new"})
    assert own_stream == list(range(1, len(own_stream) + 1))

    # Resume from scratch on a fresh socket: the whole public transcript, still no note.
    await vsock.close()
    fresh, welcome = await visitor_session(inbox, visitor.token)
    assert SECRET not in json.dumps(welcome)
    await fresh.send({"type": "resume", "conversation": cid, "last_seq": 0})
    replay = []
    while (frame := await fresh.recv())["type"] != "resume.done":
        replay.append(frame)
    assert SECRET not in json.dumps(replay) and SECRET not in json.dumps(frame)
    assert [f["message"]["seq"] for f in replay] == list(range(1, len(replay) + 1))
    assert frame["last_seq"] == len(replay) == frame["conversation"]["last_seq"]

    # The widget's REST history, with the contact's token.
    client = Client()
    url = f"/api/widget/{inbox.public_key}/conversations/{cid}/messages/"
    response = await database_sync_to_async(client.get)(url, HTTP_AUTHORIZATION=f"Bearer {visitor.token}")
    assert response.status_code == 200
    assert SECRET not in response.content.decode()
    assert len(response.json()["results"]) == len(replay)

    # Agents, of course, do see both notes.
    def agent_view():
        conversation = Conversation.objects.get(public_id=cid)
        return list(conversation.messages.filter(is_private=True).values_list("text", flat=True))

    assert await database_sync_to_async(agent_view)() == [SECRET, SECRET]
    for sock in (fresh, second_tab, agent):
        await sock.close()


async def test_a_contact_socket_drops_a_private_event_even_if_one_were_misrouted(inbox, visitor, alice):
    """Defence in depth: the visitor consumer itself refuses to relay a private message."""
    from channels.layers import get_channel_layer

    from chat import realtime

    vsock, _ = await visitor_session(inbox, visitor.token)
    layer = get_channel_layer()
    misrouted = {"type": "message.new", "message": {"is_private": True, "text": SECRET, "conversation": "x", "seq": 9}}
    await layer.group_send(realtime.contact_group(visitor.contact.public_id), {"type": "hd.event", "event": misrouted})
    assert await vsock.drain(0.5) == []
    await vsock.close()
