"""ASGI entry point: HTTP through Django, WebSockets through the routes in ``helpdesk.routing``."""

import os
import threading

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpdesk.settings")
django_asgi_app = get_asgi_application()

from channels.routing import ProtocolTypeRouter  # noqa: E402

from bot.live import warm_up_in_background  # noqa: E402
from chat.segmentation import warm_up as warm_up_segmentation  # noqa: E402
from helpdesk.embedded_worker import EmbeddedWorkerMiddleware  # noqa: E402
from helpdesk.http_transport import leave_bodies_to_django  # noqa: E402
from helpdesk.routing import websocket_application  # noqa: E402  (needs Django set up)
from helpdesk.websocket_transport import close_refused_messages_cleanly  # noqa: E402

close_refused_messages_cleanly()  # an oversized message gets close code 1009, not a dropped connection
leave_bodies_to_django()  # a malformed multipart body gets the API's error body, not Twisted's empty 400

# Chinese segmentation loads its dictionary (about half a second) on a thread of its own now, not
# on the database thread when the first Chinese message arrives.
threading.Thread(target=warm_up_segmentation, name="warm-up-segmentation", daemon=True).start()
warm_up_in_background()  # the bot's encoder and index load on its own thread (about 2 s), not on the first question

# Without a shared channel layer the background tasks run inside this process (embedded_worker).
application = EmbeddedWorkerMiddleware(
    ProtocolTypeRouter({"http": django_asgi_app, "websocket": websocket_application})
)
