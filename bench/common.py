"""Helpers shared by the orchestrator, the load generator and the servers."""

from __future__ import annotations

import math
import os
import resource
import secrets
import socket
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VISITOR_ORIGIN = "https://shop.bench.example"
PG_ADMIN_URL = os.environ.get("BENCH_PG_ADMIN_URL", "postgres://postgres@127.0.0.1:5432/postgres")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")
DB_NAME = os.environ.get("BENCH_DB_NAME", "helpdesk_bench")


def production_env() -> dict[str, str]:
    """The helpdesk's production mode (its production defaults), with a per-run secret key that
    the seeding process and the servers share (sessions are signed with it)."""
    key = os.environ.setdefault("BENCH_SECRET_KEY", secrets.token_urlsafe(48))
    return {
        "HELPDESK_ENV": "production",
        "SECRET_KEY": key,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DEBUG": "false",
        "SECURE_SSL_REDIRECT": "false",  # plain HTTP on loopback: there is no TLS to redirect to
        # The load generator's thousand visitors share one address: no per-address creation budget.
        "HELPDESK_CONTACTS_PER_ADDRESS": "0/3600",
        "HELPDESK_CONVERSATIONS_PER_ADDRESS": "0/3600",
        "HELPDESK_CONTACTS_PER_INBOX": "0/3600",
        "HELPDESK_CONVERSATIONS_PER_INBOX": "0/3600",
        "LOG_LEVEL": "WARNING",
        "PYTHONUNBUFFERED": "1",
    }


def database_url(name: str = DB_NAME) -> str:
    base = PG_ADMIN_URL.rsplit("/", 1)[0]
    return f"{base}/{name}"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def raise_fd_limit(wanted: int = 65536) -> int:
    """Raise the soft limit on open files as far as the hard limit allows; return it."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if soft < target:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
        soft = target
    return soft


def percentile(sorted_values: list[float], q: float) -> float | None:
    """The q-th percentile (0-100) of already sorted values, nearest-rank."""
    if not sorted_values:
        return None
    rank = max(1, math.ceil(q / 100 * len(sorted_values)))
    return sorted_values[min(rank, len(sorted_values)) - 1]


def summarize(values: list[float]) -> dict[str, float | int | None]:
    data = sorted(values)
    return {
        "n": len(data),
        "p50": percentile(data, 50),
        "p95": percentile(data, 95),
        "p99": percentile(data, 99),
        "max": data[-1] if data else None,
    }
