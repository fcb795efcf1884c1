"""WebSocket routes. While the database is unreachable, handshakes are refused with close code
4503 (chat.sockets.refuse_during_outage).

The visitor socket checks Origin itself, against the inbox's allowed origins (the widget runs
on customers' sites). The agent socket is same-origin: AllowedHostsOriginValidator refuses
an Origin outside ALLOWED_HOSTS, and a missing Origin.
"""

from channels.auth import AuthMiddlewareStack
from channels.routing import URLRouter
from channels.security.websocket import AllowedHostsOriginValidator
from django.urls import path

from agents.consumers import AgentConsumer
from chat.consumers import VisitorConsumer
from chat.sockets import refuse_during_outage

visitor_routes = URLRouter([path("ws/widget/<str:inbox_key>/", VisitorConsumer.as_asgi())])
agent_routes = AllowedHostsOriginValidator(AuthMiddlewareStack(URLRouter([path("ws/agent/", AgentConsumer.as_asgi())])))


async def refuse(scope, receive, send) -> None:
    """Refuse the handshake of a socket on an unknown path (HTTP 403), without an error log."""
    message = await receive()
    if message["type"] == "websocket.connect":
        await send({"type": "websocket.close"})


async def websocket_application(scope, receive, send):
    """Send each socket to its stack by path; an unknown path is refused."""
    path = scope["path"]
    if path.startswith("/ws/widget/") and path.count("/") == 4:
        return await refuse_during_outage(visitor_routes, scope, receive, send)
    if path == "/ws/agent/":
        return await refuse_during_outage(agent_routes, scope, receive, send)
    return await refuse(scope, receive, send)
