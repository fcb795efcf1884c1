"""Fixtures of the browser tests: Debian's Chromium driven by Playwright's sync API, a real daphne
process on the test database, and an agent who can sign in to the console.
"""

from __future__ import annotations

import http.server
import os
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model

from agents.choices import Availability
from agents.models import AgentProfile
from chat.models import Inbox
from tests.servers import ROOT, ServerProcess, server_env

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = ROOT / "test-artifacts"
ASYNC_UNSAFE = "DJANGO_ALLOW_ASYNC_UNSAFE"


@pytest.fixture(scope="module")
def browser() -> Iterator:
    """One headless Chromium per test module; a missing browser fails the run, never skips it."""
    if not CHROMIUM.exists():
        pytest.fail(
            f"Chromium is missing at {CHROMIUM}: the browser tests need it. "
            "Install it with `bash scripts/ensure-chromium` (apt-get install chromium)."
        )
    from playwright.sync_api import expect, sync_playwright

    # Playwright's sync API keeps its asyncio loop registered as this thread's running loop while
    # it is started, so Django takes the plain synchronous ORM calls of these tests (and the
    # database flush after each test) for calls from async code and raises
    # SynchronousOnlyOperation. They are not async code: allow them, for as long as Playwright
    # runs and for the browser tests only (the server process does not inherit it, see `server`).
    previous = os.environ.get(ASYNC_UNSAFE)
    os.environ[ASYNC_UNSAFE] = "true"
    expect.set_options(timeout=10_000)
    playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
    except Exception as exc:
        playwright.stop()
        pytest.fail(f"Chromium at {CHROMIUM} did not start: {exc}")
    yield chromium
    chromium.close()
    playwright.stop()
    if previous is None:
        os.environ.pop(ASYNC_UNSAFE, None)
    else:
        os.environ[ASYNC_UNSAFE] = previous


@pytest.fixture
def server(transactional_db) -> Iterator[ServerProcess]:
    """A daphne process serving the helpdesk on the test database (and Redis in the shared pass)."""
    env = {k: v for k, v in server_env().items() if k != ASYNC_UNSAFE}  # the server keeps Django's guard
    process = ServerProcess(env=env).start()
    yield process
    process.stop()


@pytest.fixture
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@dataclass
class Agent:
    username: str
    password: str
    name: str
    user: object


@pytest.fixture
def make_inbox(transactional_db) -> Callable[..., Inbox]:
    def make(*origins: str, name: str = "Northwind Coffee") -> Inbox:
        return Inbox.objects.create(name=name, allowed_origins=list(origins))

    return make


@pytest.fixture
def make_console_agent(transactional_db) -> Callable[..., Agent]:
    def make(inbox: Inbox, username: str = "alice", first_name: str = "Alice") -> Agent:
        password = f"pw-{username}-browser"
        user = get_user_model().objects.create_user(
            username=username, password=password, first_name=first_name, last_name="Agent", is_staff=True
        )
        AgentProfile.objects.create(user=user, capacity=5, availability=Availability.ONLINE)
        inbox.agents.add(user)
        return Agent(username, password, f"{first_name} Agent", user)

    return make


def console_open(agent: Agent) -> None:
    """Count ``agent`` as having the console open (a live connection row), without a browser page:
    the widget then offers a live chat rather than its offline form."""
    from django.utils import timezone

    from agents.models import AgentConnection

    now = timezone.now()
    AgentConnection.objects.create(
        agent=agent.user.agent, channel_name=f"test-console-{agent.username}", connected_at=now, last_seen_at=now
    )


@pytest.fixture
def host_site() -> Iterator[Callable[[str], str]]:
    """A second web server (another origin) that serves a customer's page; returns its URL."""
    pages: dict[str, str] = {}

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = pages.get(self.path.split("?")[0])
            if body is None:
                self.send_error(404)
                return
            data = body.encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: object) -> None:
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    origin = f"http://127.0.0.1:{httpd.server_address[1]}"

    def serve(html: str, path: str = "/shop.html") -> str:
        pages[path] = html
        return origin + path

    serve.origin = origin
    yield serve
    httpd.shutdown()
    httpd.server_close()
