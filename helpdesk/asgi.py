"""ASGI entry point: HTTP through Django, WebSockets through the routes in ``helpdesk.routing``."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpdesk.settings")
django_asgi_app = get_asgi_application()

from channels.routing import ProtocolTypeRouter  # noqa: E402

from helpdesk.embedded_worker import EmbeddedWorkerMiddleware  # noqa: E402
from helpdesk.routing import websocket_application  # noqa: E402  (needs Django set up)
from helpdesk.websocket_transport import close_refused_messages_cleanly  # noqa: E402

close_refused_messages_cleanly()  # an oversized message gets close code 1009, not a dropped connection

from bot.live import warm_up_in_background  # noqa: E402

warm_up_in_background()  # the bot's encoder and index load on its own thread (about 2 s), not on the first question

# Without a shared channel layer the background tasks run inside this process (embedded_worker).
application = EmbeddedWorkerMiddleware(
    ProtocolTypeRouter({"http": django_asgi_app, "websocket": websocket_application})
)
