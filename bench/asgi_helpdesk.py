"""The helpdesk's own ASGI application as it ships, plus the bench's stats endpoint.

``BENCH_COUNT_SQL=1`` also counts every SQL statement (bench.instrument); the latency and
throughput runs leave it off.
"""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")

from bench.instrument import install_sql_counter, with_stats
from helpdesk.asgi import application as helpdesk_application

if os.environ.get("BENCH_NO_DISPATCH_HOP") == "1":  # experiment: dispatch without the thread hop
    from channels.consumer import AsyncConsumer, get_handler_name

    async def dispatch(self, message):
        await getattr(self, get_handler_name(message))(message)

    AsyncConsumer.dispatch = dispatch

if os.environ.get("BENCH_SWITCH_INTERVAL"):  # experiment: the GIL's switch interval, in seconds
    import sys

    sys.setswitchinterval(float(os.environ["BENCH_SWITCH_INTERVAL"]))

if os.environ.get("BENCH_COUNT_SQL") == "1":
    install_sql_counter()

if os.environ.get("BENCH_TRACE") == "1":
    from bench import trace

    trace.install()

application = with_stats(helpdesk_application)
