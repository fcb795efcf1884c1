"""Daphne's WebSocket transport ends a refused message with a close frame, not a dropped connection.

Autobahn, under daphne, answers a message over the transport limit (1 MiB, daphne's default) or a
protocol violation by dropping the TCP connection (its ``failByDrop`` option), so the client sees
1006 and cannot tell why. With ``failByDrop`` off it sends the close frame first: 1009 for a message
too big, 1002 for a protocol error, as docs/protocol.md says. Daphne has no flag for the option, so
its factory's defaults are extended here, once, when the application is imported (daphne imports
it before it builds the factory). tests/test_websocket_transport.py fails if a daphne or autobahn
upgrade undoes this.
"""

from __future__ import annotations


def close_refused_messages_cleanly() -> bool:
    """Make daphne's WebSocket factories fail connections with a close frame; True when applied."""
    try:
        from daphne.ws_protocol import WebSocketFactory
    except ImportError:  # another ASGI server: it has its own behaviour (uvicorn sends 1009 itself)
        return False
    if getattr(WebSocketFactory, "_closes_cleanly", False):
        return True
    reset = WebSocketFactory.resetProtocolOptions

    def reset_protocol_options(self) -> None:
        reset(self)
        self.failByDrop = False

    WebSocketFactory.resetProtocolOptions = reset_protocol_options
    WebSocketFactory._closes_cleanly = True
    return True
