"""Events for a socket that has just closed are dropped quietly (issue 14 item 13).

A socket closes while events are still on their way to it: the server closed it (here: the
agent's access was revoked, close code 4003) and the client has not answered the close yet, so
the connection is half closed. Each event that arrives then used to raise inside the consumer
and be logged as "Exception inside application"; a closing socket is normal.
"""

from __future__ import annotations

import asyncio
import base64
import os
import socket

import pytest
from channels.db import database_sync_to_async

from agents.access import access_changed
from chat.models import Message
from tests.faults.client import Visitor, client_id

pytestmark = [pytest.mark.shared, pytest.mark.django_db(transaction=True)]


def silent_agent_socket(server, cookie: str) -> socket.socket:
    """An agent socket whose client completes the handshake and then never reads nor answers."""
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=10)
    key = base64.b64encode(os.urandom(16)).decode()
    sock.sendall(
        (
            f"GET /ws/agent/ HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\nUpgrade: websocket\r\n"
            f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
            f"Origin: {server.url}\r\nCookie: {cookie}\r\n\r\n"
        ).encode()
    )
    head = b""
    while b"\r\n\r\n" not in head:
        head += sock.recv(1)
    assert head.startswith(b"HTTP/1.1 101"), head
    return sock


def read_until_closed(sock: socket.socket) -> bytes:
    """Everything the server sends until it drops the connection (reading answers nothing)."""
    sock.settimeout(15)
    data = b""
    try:
        while chunk := sock.recv(65536):
            data += chunk
    except ConnectionResetError:
        pass
    return data


async def test_events_for_a_closing_socket_are_dropped_quietly(
    shared_backends, start_server, inbox, visitor, alice, alice_cookie
):
    server = start_server()
    silent = silent_agent_socket(server, alice_cookie)
    reading = asyncio.get_running_loop().run_in_executor(None, read_until_closed, silent)
    customer = await Visitor.open(server.ws_url, inbox.public_key)
    await customer.auth(visitor.token)
    started = await customer.request({"type": "conversation.start", "text": "first", "client_id": client_id()})
    conversation = started["conversation"]["id"]

    # The server closes the agent's socket (4003); its client does not answer the close, so
    # the socket stays half closed while the visitor's messages keep sending events to it.
    await database_sync_to_async(access_changed)(user_id=alice.pk, revoke=True)
    await asyncio.sleep(0.3)
    for i in range(15):
        reply = await customer.request({"type": "message.send", "text": f"more {i}", "client_id": client_id()})
        assert reply["type"] == "message.ack", reply

    # The agent's client saw the close with 4003; the visitor's socket was never disturbed.
    received = await reading
    assert (4003).to_bytes(2, "big") in received
    await customer.alive()
    count = await database_sync_to_async(Message.objects.filter(conversation__public_id=conversation).count)()
    assert count == 16
    await customer.close()
    await asyncio.sleep(1.5)  # daphne reports an application's exception within a second
    server.assert_clean_log()
