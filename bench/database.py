"""The bench's own PostgreSQL database: dropped, recreated, migrated and seeded for each run."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import psycopg

from bench.common import DB_NAME, PG_ADMIN_URL, REDIS_URL, ROOT, database_url, production_env


def django_env(**extra: str) -> dict[str, str]:
    """The environment of a Django subprocess pointed at the bench database."""
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "SQLITE_PATH"}}
    env.update(production_env())
    env.update({"DATABASE_URL": database_url(), "REDIS_URL": REDIS_URL, "DJANGO_SETTINGS_MODULE": "helpdesk.settings"})
    env.update(extra)
    return env


def recreate(name: str = DB_NAME) -> None:
    if not name.startswith("helpdesk_bench"):
        raise SystemExit(f"refusing to drop {name!r}: bench databases are named helpdesk_bench*")
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def prepare(workdir: Path, *, conversations: int, agents_per_inbox: int, per_agent: int, idle: int) -> dict:
    """Recreate, migrate and seed the bench database; return the fixture."""
    started = time.monotonic()
    recreate()
    python = sys.executable
    subprocess.run(
        [python, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=django_env(), check=True, timeout=300
    )
    out = workdir / "fixture.json"
    subprocess.run(
        [
            python,
            "-m",
            "bench.seed",
            "--out",
            str(out),
            "--conversations",
            str(conversations),
            "--agents-per-inbox",
            str(agents_per_inbox),
            "--conversations-per-agent",
            str(per_agent),
            "--idle",
            str(idle),
        ],
        cwd=ROOT,
        env=django_env(),
        check=True,
        timeout=600,
    )
    fixture = json.loads(out.read_text())
    fixture["prepare_seconds"] = round(time.monotonic() - started, 1)
    return fixture


def stored_messages(client_id_prefix: str) -> int:
    """How many messages the database holds whose client_id starts with the prefix."""
    with psycopg.connect(database_url()) as conn:
        row = conn.execute(
            "SELECT count(*) FROM chat_message WHERE client_id LIKE %s", [client_id_prefix.replace("_", r"\_") + "%"]
        ).fetchone()
    return row[0]


def duplicate_client_ids(client_id_prefix: str) -> int:
    """Stored messages sharing a (conversation, client_id) with another: the constraint says 0."""
    with psycopg.connect(database_url()) as conn:
        row = conn.execute(
            "SELECT coalesce(sum(n - 1), 0) FROM (SELECT count(*) AS n FROM chat_message "
            "WHERE client_id LIKE %s GROUP BY conversation_id, client_id) AS t",
            [client_id_prefix.replace("_", r"\_") + "%"],
        ).fetchone()
    return int(row[0])
