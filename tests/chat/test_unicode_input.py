"""Any text a JSON parser accepts, in any field of either socket or a REST body: an answer, never a
dropped socket or a 500; text that cannot be stored (a lone surrogate, NUL) is refused as a whole.

The frames are generated (Hypothesis): arbitrary JSON values with any code point, surrogates and
NUL included, in the fields the frames use. In the shared pass they reach PostgreSQL.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from agents.consumers import AgentConsumer
from chat.consumers import VisitorConsumer
from chat.models import Contact, Message
from chat.unicode import unstorable_text
from tests.conftest import new_client_id, open_agent, visitor_session

pytestmark = pytest.mark.django_db(transaction=True)

ANY_CHARACTER = st.characters(exclude_categories=())  # surrogates (Cs) and controls included
ANY_TEXT = st.text(alphabet=ANY_CHARACTER, max_size=40)
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | ANY_TEXT,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(ANY_TEXT, inner, max_size=3),
    max_leaves=8,
)
FIELDS = [
    "text", "client_id", "token", "name", "email", "attributes", "context", "user_id", "user_hash",
    "conversation", "seq", "score", "comment", "tags", "code", "availability", "priority", "agent",
    "team", "pending", "attachments", "answers", "message", "helpful", "last_seq",
]  # fmt: skip


def frames(types: frozenset[str]):
    return st.builds(
        lambda frame_type, fields: {"type": frame_type, **fields},
        st.sampled_from(sorted(types - {"auth"})),
        st.dictionaries(st.sampled_from(FIELDS), JSON_VALUES, max_size=4),
    )


async def answer_to(sock, frame: dict[str, Any]) -> list[dict[str, Any]]:
    """Send ``frame`` as a browser would (JSON.stringify escapes lone surrogates), then a ping:
    everything before the pong is the frame's answer, and the pong proves the socket lives."""
    await sock.send_raw(json.dumps(frame))
    ref = new_client_id()[:12]
    await sock.send_raw(json.dumps({"type": "ping", "ref": ref}))
    seen = []
    while True:
        out = await sock.recv(timeout=5)
        if out.get("type") == "pong" and out.get("ref") == ref:
            return seen
        seen.append(out)


def nothing_unstorable_was_stored() -> None:
    assert not any(unstorable_text(t) for t in Message.objects.values_list("text", flat=True))
    for contact in Contact.objects.all():
        assert not unstorable_text([contact.name, contact.email, contact.attributes])


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(batch=st.lists(frames(VisitorConsumer.FRAME_TYPES), min_size=1, max_size=4))
def test_the_visitor_socket_answers_any_json(inbox, visitor, batch):
    async def run():
        sock, _ = await visitor_session(inbox, visitor.token)
        await sock.request({"type": "conversation.start", "text": "hi", "client_id": new_client_id()})
        await sock.drain(0.05)
        for frame in batch:
            for out in await answer_to(sock, frame):
                if out["type"] == "error":
                    assert out["code"] and out["message"]
                    if unstorable_text(frame):
                        assert out["code"] in {"invalid_text", "rate_limited"}
        await sock.close()

    async_to_sync(run)()
    nothing_unstorable_was_stored()


@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
@given(batch=st.lists(frames(AgentConsumer.FRAME_TYPES), min_size=1, max_size=4))
def test_the_agent_socket_answers_any_json(alice, batch):
    async def run():
        sock, connected = await open_agent(alice)
        assert connected
        await sock.recv_until("hello")
        for frame in batch:
            for out in await answer_to(sock, frame):
                if out["type"] == "error" and unstorable_text(frame):
                    assert out["code"] in {"invalid_text", "rate_limited"}
        await sock.close()

    async_to_sync(run)()
    nothing_unstorable_was_stored()


@pytest.mark.parametrize(
    "frame",
    [
        {"type": "message.send", "text": "hello \ud800", "client_id": "c-1"},
        {"type": "contact.update", "name": "Vera\x00"},
        {"type": "context.update", "context": {"url\udfff": "https://shop.example/"}},
        {"type": "message.send", "text": "ok", "client_id": "\udbff\udfff\ud800"},
    ],
)
async def test_unstorable_text_is_refused_with_invalid_text(inbox, visitor, frame):
    sock, _ = await visitor_session(inbox, visitor.token)
    await sock.request({"type": "conversation.start", "text": "hi", "client_id": new_client_id()})
    before = await database_sync_to_async(Message.objects.count)()
    (error,) = [out for out in await answer_to(sock, frame) if out["type"] == "error"]
    assert error["code"] == "invalid_text" and "surrogate" in error["message"]
    assert await database_sync_to_async(Message.objects.count)() == before
    await sock.close()


def test_a_pair_of_surrogates_is_one_character_and_welcome(inbox, visitor):
    async def run():
        sock, _ = await visitor_session(inbox, visitor.token)
        ack = await sock.request({"type": "conversation.start", "text": "\U0001f600 fine", "client_id": "c-2"})
        assert ack["type"] == "conversation"
        await sock.close()

    async_to_sync(run)()
    assert Message.objects.filter(text="\U0001f600 fine").exists()


@pytest.mark.parametrize("body", ['{"email": "\\ud800@example.com"}', '{"email": "a@example.com\\u0000"}'])
def test_rest_bodies_with_unstorable_text_get_400_invalid_text(inbox, visitor, body):
    from chat import services

    conversation, _ = services.conversation_start(contact=visitor.contact, text="hi", client_id="c-3")
    client = APIClient(HTTP_AUTHORIZATION=f"Bearer {visitor.token}")
    url = f"/api/widget/{inbox.public_key}/conversations/{conversation.public_id}/transcript/email/"
    response = client.post(url, body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_text"
