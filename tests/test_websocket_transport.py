"""A message over the transport limit gets close code 1009 from a real daphne, as docs/protocol.md says."""

from __future__ import annotations

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from tests.conftest import ORIGIN
from tests.servers import ServerProcess

pytestmark = pytest.mark.django_db(transaction=True)

TRANSPORT_LIMIT = 1024 * 1024  # daphne's default, documented in docs/protocol.md


@pytest.fixture
def server(transactional_db):
    process = ServerProcess().start()
    yield process
    process.stop()


async def test_an_oversized_message_is_refused_with_1009(server, inbox):
    async with connect(
        f"{server.ws_url}/ws/widget/{inbox.public_key}/", origin=ORIGIN, proxy=None, max_size=None
    ) as ws:
        await ws.send("x" * (TRANSPORT_LIMIT + 1))
        with pytest.raises(ConnectionClosed) as closed:
            await ws.recv()
    assert closed.value.rcvd is not None, "the server dropped the connection without a close frame"
    assert closed.value.rcvd.code == 1009


async def test_a_message_under_the_limit_but_over_the_frame_limit_gets_an_error_frame(server, inbox):
    async with connect(f"{server.ws_url}/ws/widget/{inbox.public_key}/", origin=ORIGIN, proxy=None) as ws:
        await ws.send("x" * 100_000)
        reply = await ws.recv()
        assert '"frame_too_large"' in reply
        await ws.send('{"type": "ping"}')
        assert "pong" in await ws.recv()  # the socket lives on
