"""Fixtures of the fault-injection suite: real server processes, and backends the tests may break."""

from __future__ import annotations

import pytest

from tests.conftest import ORIGIN
from tests.faults.backends import SERVER_APP_NAME, PrivatePostgres, PrivateRedis, migrate_and_seed
from tests.servers import ServerProcess, require_shared_backends, server_env


class Faulty(ServerProcess):
    """A server process whose log must not show an application error, whatever the test broke."""

    def assert_clean_log(self) -> None:
        log = self.output_all()
        for bad in ("Exception inside application", "Internal Server Error", "Traceback"):
            at = log.find(bad)
            assert at < 0, f"{bad!r} in the server's log:\n{log[max(0, at - 1500) : at + 2500]}"

    def output_all(self) -> str:
        from pathlib import Path

        return Path(self.log.name).read_text(errors="replace")

    def start_unhealthy(self, timeout: float = 30.0) -> Faulty:
        """Start, and return once ``/healthz`` answers at all (a test broke a backend on purpose)."""
        import subprocess
        import sys
        import time

        from tests.faults.client import healthz
        from tests.servers import ROOT

        self.process = subprocess.Popen(
            [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(self.port), "helpdesk.asgi:application"],
            cwd=ROOT,
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                healthz(self.url)
                return self
            except OSError:
                time.sleep(0.2)
        pytest.fail(f"the server did not answer within {timeout}s:\n{self.output()}")

    def kill(self) -> None:
        """``kill -9``: no goodbye to anyone."""
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait()

    def stop(self) -> None:
        """At once: these tests need no graceful drain (daphne lingers seconds on open sockets)."""
        self.kill()
        super().stop()


def production_like(env: dict[str, str], **extra: str) -> dict[str, str]:
    """A server as production runs it: a connection pool (its wait is what an outage costs)."""
    # PGAPPNAME names the servers' connections, so that a test can kill exactly those.
    return {**env, "DB_POOL": "true", "DB_CONN_MAX_AGE": "0", "PGAPPNAME": SERVER_APP_NAME, **extra}


@pytest.fixture
def start_server():
    """Start server processes with a given environment; all are stopped after the test."""
    started: list[Faulty] = []

    def start(env: dict[str, str] | None = None, *, healthy: bool = True) -> Faulty:
        server = Faulty(production_like(env or server_env()))
        started.append(server)
        return server.start() if healthy else server.start_unhealthy()

    yield start
    for server in started:
        server.stop()


@pytest.fixture(scope="module")
def private_postgres():
    """A PostgreSQL cluster of this module's own, migrated, with one inbox: the tests stop it."""
    pg = PrivatePostgres().init()
    try:
        seeded = migrate_and_seed(pg.url, ORIGIN)
        yield pg, seeded["inbox_key"]
    finally:
        pg.destroy()


@pytest.fixture
def private_redis():
    redis = PrivateRedis().start()
    yield redis
    redis.kill()


@pytest.fixture
def shared_backends():
    require_shared_backends()


@pytest.fixture
def alice_cookie(alice) -> str:
    """The session cookie of alice, signed in through the console's form, in the test database."""
    from django.conf import settings
    from django.test import Client

    client = Client()
    assert client.post("/accounts/login/", {"username": "alice", "password": "pw-alice"}).status_code == 302
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
