"""PostgreSQL gone and back (issue 14 item 11), on a cluster of the test's own.

What a visitor sees: a send during the outage is answered within 2 seconds by an ``unavailable``
error with ``retry_after`` (no ack, no broadcast) and the socket lives; a new socket is refused at
once with close code 4503; ``/healthz`` says the database is down. When PostgreSQL is back,
everything works again without a restart, and the client's retries are stored exactly once.
"""

from __future__ import annotations

import asyncio
import time

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from tests.faults.client import Visitor, assert_error_shape, client_id, healthz, http
from tests.servers import server_env

pytestmark = [pytest.mark.shared]


def stored(pg, client_ids: list[str]) -> dict[str, int]:
    with pg.connect() as conn:
        rows = conn.execute(
            "SELECT client_id, count(*) FROM chat_message WHERE client_id = ANY(%s) GROUP BY client_id",
            (client_ids,),
        ).fetchall()
    return dict(rows)


async def send_until_acked(visitor: Visitor, text: str, cid: str, *, within: float = 20) -> dict:
    """A client's retry loop: the same client_id until an ack, waiting ``retry_after`` between."""
    deadline = time.monotonic() + within
    while True:
        reply = await visitor.request({"type": "message.send", "text": text, "client_id": cid})
        if reply["type"] == "message.ack":
            return reply
        assert reply["type"] == "error" and reply["code"] == "unavailable", reply
        assert time.monotonic() < deadline, f"still unavailable after {within}s"
        await asyncio.sleep(min(reply["retry_after"], 0.5))


async def open_when_back(server, inbox_key: str, token: str | None, within: float = 10) -> tuple[Visitor, dict]:
    """A client's reconnect loop: open and authenticate, waiting out refusals (4503)."""
    deadline = time.monotonic() + within
    while True:
        visitor = await Visitor.open(server.ws_url, inbox_key)
        try:
            welcome = await visitor.request({"type": "auth", "token": token})
        except ConnectionClosed:
            welcome = {"type": "refused", "seen": visitor.seen}
        if welcome["type"] == "auth.ok":
            return visitor, welcome
        assert time.monotonic() < deadline, welcome
        await asyncio.sleep(0.3)


async def test_postgres_stopped_and_restarted(shared_backends, private_postgres, start_server):
    pg, inbox_key = private_postgres
    env = {**server_env(), "DATABASE_URL": pg.url}
    server = start_server(env)
    visitor = await Visitor.open(server.ws_url, inbox_key)
    welcome = await visitor.auth()
    token = welcome["token"]
    started = await visitor.request(
        {"type": "conversation.start", "text": "before the outage", "client_id": client_id()}
    )
    assert started["type"] == "conversation", started
    conversation = started["conversation"]["id"]

    pg.stop("immediate")  # as a crash would
    try:
        # A send: an error within 2 seconds, retryable, carrying the frame's ref; no ack.
        during = client_id()
        began = time.monotonic()
        reply = await visitor.request({"type": "message.send", "text": "during the outage", "client_id": during})
        assert time.monotonic() - began < 2.0
        assert reply["type"] == "error" and reply["code"] == "unavailable", reply
        assert reply["retry_after"] >= 1
        await visitor.alive()  # the socket lives

        # A new socket: refused at once, with a reason and a documented close code.
        began = time.monotonic()
        newcomer = await Visitor.open(server.ws_url, inbox_key, name="newcomer")
        assert await newcomer.closed_with() == 4503, server.output()
        assert time.monotonic() - began < 1.0
        assert [f["code"] for f in newcomer.seen] == ["unavailable"]

        # The health check says so; REST answers the one error shape (503, retryable).
        status, body = healthz(server.url)
        assert status == 503 and body["database"]["status"] == "down", body
        status, body, headers = http(
            "GET",
            f"{server.url}/api/widget/{inbox_key}/conversations/",
            headers={"Authorization": f"Bearer {token}"},
        )
        assert status == 503 and assert_error_shape(body, status) == "unavailable", body
        assert int(headers["Retry-After"]) >= 1

        # The client keeps retrying the same message while the database is down.
        for _ in range(3):
            reply = await visitor.request({"type": "message.send", "text": "during the outage", "client_id": during})
            assert reply["type"] == "error" and reply["code"] == "unavailable", reply
    finally:
        pg.start()

    # Back by itself: the same socket's retry is stored, once; a second retry is a duplicate.
    acked = await send_until_acked(visitor, "during the outage", during)
    assert acked["duplicate"] is False
    again = await visitor.request({"type": "message.send", "text": "during the outage", "client_id": during})
    assert again["type"] == "message.ack" and again["duplicate"] is True
    assert again["message"]["id"] == acked["message"]["id"]

    # New sockets are welcome again, and see the whole transcript in order.
    other_tab, _ = await open_when_back(server, inbox_key, token)
    status, body = healthz(server.url)
    assert status == 200, body
    texts = [m["text"] for m in await other_tab.resume(conversation)]
    assert texts[0] == "before the outage" and texts[-1] == "during the outage"
    assert texts.count("during the outage") == 1

    # The database holds each message once, and nothing of the refused attempts.
    assert stored(pg, [during]) == {during: 1}
    for peer in (visitor, other_tab):
        await peer.close()
    server.assert_clean_log()


async def test_new_handshakes_refused_while_down_then_accepted(shared_backends, private_postgres, start_server):
    """A socket opened while PostgreSQL is down is refused (4503) every time, never hangs or
    drops; once the database is back, the same client's next attempt is accepted."""
    pg, inbox_key = private_postgres
    server = start_server({**server_env(), "DATABASE_URL": pg.url})
    pg.stop("fast")
    try:
        # The first handshake after the database went away finds out itself (the agent's session
        # is read from the database before the consumer runs): refused as well, not dropped.
        began = time.monotonic()
        console = await connect(
            f"{server.ws_url}/ws/agent/",
            origin=server.url,
            additional_headers={"Cookie": "sessionid=" + "a" * 32},  # looked up in the database
            proxy=None,
            open_timeout=10,
        )
        agent = Visitor(console, "agent")
        assert await agent.closed_with() == 4503
        assert time.monotonic() - began < 2.5
        assert agent.seen and agent.seen[0]["code"] == "unavailable"
        for _ in range(3):
            began = time.monotonic()
            refused = await Visitor.open(server.ws_url, inbox_key, name="refused")
            assert await refused.closed_with() == 4503
            assert time.monotonic() - began < 2.5
            assert refused.seen and refused.seen[0]["code"] == "unavailable"
    finally:
        pg.start()
    visitor, _ = await open_when_back(server, inbox_key, None)
    started = await visitor.request({"type": "conversation.start", "text": "hello again", "client_id": client_id()})
    assert started["type"] == "conversation" and started["created"] is True
    await visitor.close()
    server.assert_clean_log()
