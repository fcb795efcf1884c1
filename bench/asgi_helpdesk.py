"""The helpdesk's own ASGI application as it ships, plus the bench's stats endpoint.

``BENCH_COUNT_SQL=1`` also counts every SQL statement (bench.instrument); the latency and
throughput runs leave it off.
"""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")

from bench.instrument import install_sql_counter, with_stats
from helpdesk.asgi import application as helpdesk_application

if os.environ.get("BENCH_COUNT_SQL") == "1":
    install_sql_counter()

if os.environ.get("BENCH_TRACE") == "1":
    from bench import trace

    trace.install()

application = with_stats(helpdesk_application)
