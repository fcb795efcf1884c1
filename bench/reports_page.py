"""Benchmark: the reports page and the CSV export on 100,000 conversations in PostgreSQL.

    .venv/bin/python bench/reports_page.py [--total 100000] [--reuse]

Creates (or with --reuse keeps) the database `helpdesk_bench_reports`, fills it with a year of
generated history, then times the page for 30 days and for the whole year, each credit mode,
and streams the full CSV export while tracking peak Python memory. Prints a table. Run by hand;
not a test.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DB = "helpdesk_bench_reports"
SERVER = "postgres://postgres@127.0.0.1:5432"


def sh(*args: str, env: dict) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True)


def prepare(total: int, reuse: bool) -> dict:
    import psycopg

    env = {**os.environ, "DATABASE_URL": f"{SERVER}/{DB}", "DB_CONN_MAX_AGE": "0"}
    env.pop("REDIS_URL", None)
    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DB]).fetchone()
        if exists and reuse:
            return env
        conn.execute(f"DROP DATABASE IF EXISTS {DB}")
        conn.execute(f"CREATE DATABASE {DB}")
    started = time.perf_counter()
    sh("migrate", "-v0", env=env)
    sh("seed_demo", "--quiet", env=env)
    sh("generate_demo_data", "--days", "365", "--total", str(total), "--batch", "5000", env=env)
    with psycopg.connect(f"{SERVER}/{DB}", autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")
    print(f"generated {total} conversations in {time.perf_counter() - started:.0f}s")
    return env


def measure(env: dict, runs: int) -> None:
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpdesk.settings")
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from chat.models import Conversation, Message

    client = Client()
    client.force_login(get_user_model().objects.get(username="maria"))
    total = Conversation.objects.count()
    print(f"\n{total} conversations, {Message.objects.count()} messages; {runs} runs each (after one warm-up)\n")
    print(f"{'report':44} {'median':>9} {'min':>9} {'queries':>8}")
    from datetime import date, timedelta

    year = f"from={(date.today() - timedelta(days=365)).isoformat()}"
    cases = [
        ("last 30 days, credit to assignee", ""),
        ("last 30 days, split credit", "credit=replies"),
        ("whole year, credit to assignee", year),
        ("whole year, split credit", f"{year}&credit=replies"),
    ]
    for label, query in cases:
        client.get(f"/reports/?{query}", HTTP_HOST="127.0.0.1")
        times = []
        for _ in range(runs):
            with CaptureQueriesContext(connection) as ctx:
                started = time.perf_counter()
                response = client.get(f"/reports/?{query}", HTTP_HOST="127.0.0.1")
                times.append(time.perf_counter() - started)
            assert response.status_code == 200
        median, fastest = statistics.median(times) * 1000, min(times) * 1000
        print(f"{label:44} {median:8.0f}ms {fastest:8.0f}ms {len(ctx.captured_queries):8}")

    tracemalloc.start()
    started = time.perf_counter()
    response = client.get(f"/reports/export/conversations.csv?{year}", HTTP_HOST="127.0.0.1")
    rows = sum(chunk.count(b"\n") for chunk in response.streaming_content) - 1
    elapsed = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"\nCSV export: {rows} rows in {elapsed:.1f}s, peak Python memory {peak / 2**20:.1f} MiB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--total", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--reuse", action="store_true", help="Keep an existing benchmark database.")
    args = parser.parse_args()
    measure(prepare(args.total, args.reuse), args.runs)


if __name__ == "__main__":
    main()
