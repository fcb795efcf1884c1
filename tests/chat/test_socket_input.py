"""Bad input on the visitor socket: a clear error frame or a refused handshake, the socket
lives on where it should, and nothing is stored.
"""

from __future__ import annotations

import json

import pytest
from channels.db import database_sync_to_async
from django.conf import settings
from django.test import override_settings

from chat.models import Contact, Conversation, Message
from tests.conftest import open_visitor, visitor_session

pytestmark = pytest.mark.django_db(transaction=True)


async def counts() -> tuple[int, int, int]:
    def read():
        return Contact.objects.count(), Conversation.objects.count(), Message.objects.count()

    return await database_sync_to_async(read)()


async def assert_alive(sock) -> None:
    assert (await sock.request({"type": "ping"}))["type"] == "pong"


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("{not json", "malformed_json"),
        ("", "malformed_json"),
        ("[1, 2]", "malformed_frame"),
        ('"auth"', "malformed_frame"),
        ('{"text": "no type"}', "malformed_frame"),
        ('{"type": 5}', "malformed_frame"),
        ('{"type": "ping", "ref": 42}', "malformed_frame"),
        ('{"type": "message.delete"}', "unknown_type"),
        ('{"type": "__init__"}', "unknown_type"),
        ('{"type": "hd.event", "event": {"type": "message.new"}}', "unknown_type"),
        ("[" * 40_000, "frame_too_large"),
        (json.dumps({"type": "message.send", "text": "x" * 40_000, "client_id": "big"}), "frame_too_large"),
    ],
)
async def test_bad_frames_get_an_error_and_the_socket_lives(inbox, visitor, raw, code):
    sock, _ = await visitor_session(inbox, visitor.token)
    await sock.request({"type": "conversation.start"})
    before = await counts()
    await sock.drain()
    await sock.send_raw(raw)
    error = await sock.recv()
    assert error == {"type": "error", "code": code, "message": error["message"]}
    assert error["message"]
    await assert_alive(sock)
    assert await counts() == before
    await sock.close()


async def test_deep_json_nesting_is_refused_cleanly(inbox, visitor):
    sock, _ = await visitor_session(inbox, visitor.token)
    await sock.send_raw("[" * 5000 + "]" * 5000)
    assert (await sock.recv())["code"] == "malformed_json"
    await assert_alive(sock)
    await sock.close()


async def test_binary_frames_are_refused(inbox, visitor):
    sock, _ = await visitor_session(inbox, visitor.token)
    await sock.comm.send_to(bytes_data=b"\x00\x01")
    assert (await sock.recv())["code"] == "binary_not_supported"
    await assert_alive(sock)
    await sock.close()


@pytest.mark.parametrize(
    ("frame", "code"),
    [
        ({"type": "message.send", "text": "hi"}, "invalid"),
        ({"type": "message.send", "text": "", "client_id": "e"}, "invalid"),
        ({"type": "message.send", "text": ["list"], "client_id": "l"}, "invalid"),
        ({"type": "message.send", "text": "x" * 5001, "client_id": "long"}, "too_long"),
        ({"type": "typing", "is_typing": "yes"}, "invalid"),
        ({"type": "read", "seq": -1}, "invalid"),
        ({"type": "read", "seq": "3"}, "invalid"),
        ({"type": "resume", "conversation": "not-a-uuid", "last_seq": 0}, "not_found"),
        ({"type": "resume", "conversation": None, "last_seq": 0}, "not_found"),
        ({"type": "rate", "score": 5}, "not_resolved"),
        ({"type": "contact.update", "email": "not an email"}, "invalid"),
        ({"type": "auth", "token": None}, "already_authenticated"),
    ],
)
async def test_invalid_fields_are_refused_and_nothing_is_stored(inbox, visitor, frame, code):
    sock, _ = await visitor_session(inbox, visitor.token)
    await sock.request({"type": "conversation.start", "text": "first", "client_id": "f"})
    before = await counts()
    reply = await sock.request(frame)
    assert reply["type"] == "error" and reply["code"] == code, reply
    assert await counts() == before
    await assert_alive(sock)
    await sock.close()


async def test_frames_that_need_a_conversation_say_so(inbox, visitor):
    sock, _ = await visitor_session(inbox, visitor.token)
    reply = await sock.request({"type": "message.send", "text": "hi", "client_id": "x"})
    assert reply["code"] == "no_conversation"
    await sock.close()


@pytest.mark.parametrize("origin", [None, "https://evil.example", "https://shop.example.evil.com", "null"])
async def test_missing_or_foreign_origin_is_refused_at_the_handshake(inbox, origin):
    _sock, connected = await open_visitor(inbox, origin=origin)
    assert not connected
    assert await counts() == (0, 0, 0)


async def test_unknown_or_inactive_inbox_is_refused(inbox):
    from chat.models import Inbox

    ghost = Inbox(name="ghost", public_key="nope-nope-nope", allowed_origins=inbox.allowed_origins)
    _, connected = await open_visitor(ghost)
    assert not connected
    await database_sync_to_async(Inbox.objects.filter(pk=inbox.pk).update)(is_active=False)
    _, connected = await open_visitor(inbox)
    assert not connected


async def test_invalid_token_keeps_the_socket_until_too_many_attempts(inbox):
    sock, connected = await open_visitor(inbox)
    assert connected
    for _ in range(4):
        reply = await sock.request({"type": "auth", "token": "x" * 43})
        assert reply["code"] == "invalid_token"
    await sock.send({"type": "auth", "token": "y" * 43})
    assert (await sock.recv())["code"] == "invalid_token"
    closed = await sock.comm.receive_output(timeout=2)
    assert closed == {"type": "websocket.close", "code": 4001}
    assert await counts() == (0, 0, 0)


async def test_token_of_another_inbox_does_not_authenticate(inbox, make_contact):
    from chat.models import Inbox

    other = await database_sync_to_async(Inbox.objects.create)(name="Other", allowed_origins=inbox.allowed_origins)
    outsider = await database_sync_to_async(make_contact)("Olga", other)
    sock, _ = await open_visitor(inbox)
    reply = await sock.request({"type": "auth", "token": outsider.token})
    assert reply["code"] == "invalid_token"
    await sock.close()


@override_settings(HELPDESK={**settings.HELPDESK, "AUTH_TIMEOUT_SECONDS": 0.2})
async def test_a_socket_that_never_authenticates_is_closed(inbox):
    sock, connected = await open_visitor(inbox)
    assert connected
    closed = await sock.comm.receive_output(timeout=2)
    assert closed == {"type": "websocket.close", "code": 4001}


async def test_a_flood_of_frames_is_rate_limited_but_the_socket_lives(inbox, visitor):
    sock, _ = await visitor_session(inbox, visitor.token)
    for _ in range(60):
        await sock.send({"type": "ping"})
    replies = [await sock.recv() for _ in range(60)]
    codes = {r.get("code") for r in replies if r["type"] == "error"}
    assert codes == {"rate_limited"}
    assert sum(r["type"] == "pong" for r in replies) >= 39
    await sock.close()


async def test_one_contact_cannot_reach_another_contacts_conversation(inbox, make_contact):
    owner = await database_sync_to_async(make_contact)("Owner")
    intruder = await database_sync_to_async(make_contact)("Intruder")
    sock, _ = await visitor_session(inbox, owner.token)
    started = await sock.request({"type": "conversation.start", "text": "my secret order", "client_id": "o1"})
    await sock.close()

    sock, welcome = await visitor_session(inbox, intruder.token)
    assert welcome["conversation"] is None
    reply = await sock.request({"type": "resume", "conversation": started["conversation"]["id"], "last_seq": 0})
    assert reply["code"] == "not_found"
    # Without a conversation of its own, its writes cannot land in the owner's either.
    reply = await sock.request({"type": "message.send", "text": "hijack", "client_id": "i1"})
    assert reply["code"] == "no_conversation"
    assert await sock.drain() == []
    texts = await database_sync_to_async(lambda: list(Message.objects.values_list("text", flat=True)))()
    assert texts == ["my secret order"]
    await sock.close()


async def test_a_full_length_message_of_four_byte_characters_fits_in_a_frame(inbox, visitor):
    sock, _ = await visitor_session(inbox, visitor.token)
    await sock.request({"type": "conversation.start"})
    text = "\U0001f600" * 5000
    ack = await sock.request({"type": "message.send", "text": text, "client_id": "emoji"}, "message.ack")
    assert ack["type"] == "message.ack" and ack["message"]["text"] == text
    await sock.close()
