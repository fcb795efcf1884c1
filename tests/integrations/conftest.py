"""Fixtures of the integrations tests: API clients that carry a token."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from integrations import tokens


@pytest.fixture
def token_client(db):
    """``token_client(user, scope)``: a DRF client sending that user's new token of ``scope``."""

    def make(user, scope: str = "write", **kwargs) -> APIClient:
        token, secret = tokens.token_create(user=user, name=f"{scope} token", scope=scope, **kwargs)
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
        client.token = token
        client.secret = secret
        return client

    return make


@pytest.fixture(autouse=True)
def fresh_subscriptions():
    """The outbox's per-process memo of endpoints must not outlive a test's rolled-back rows."""
    from integrations.webhooks.outbox import subscriptions

    subscriptions.forget()
    yield
    subscriptions.forget()


class Receiver:
    """A webhook receiver on loopback, started by the test: it verifies every signature and
    answers with the statuses it is told (then 200)."""

    def __init__(self) -> None:
        import threading
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        self.received: list[dict] = []  # verified and answered 200, in order (duplicates too)
        self.answers: list[int] = []
        # The request with this index (0-based, of all requests) waits for ``release`` first.
        self.block_at: int | None = None
        self.blocked = threading.Event()
        self.release = threading.Event()
        self.requests = 0
        self.secret: str | None = None
        self.bad_signatures = 0
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"])).decode()
                index, receiver.requests = receiver.requests, receiver.requests + 1
                if index == receiver.block_at:
                    receiver.blocked.set()
                    receiver.release.wait(30)
                    return  # the sender is gone: no answer
                from integrations.webhooks.signing import verify

                try:
                    verify(secret=receiver.secret, body=body, headers=dict(self.headers.items()))
                except Exception:
                    receiver.bad_signatures += 1
                    status = 400
                else:
                    status = receiver.answers.pop(0) if receiver.answers else 200
                    if status == 200:
                        import json

                        receiver.received.append({"id": self.headers["webhook-id"], **json.loads(body)})
                self.send_response(status)
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks?x=1"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver(settings):
    settings.HELPDESK = {**settings.HELPDESK, "WEBHOOKS_ALLOW_PRIVATE": True}
    server = Receiver()
    yield server
    server.close()


@pytest.fixture
def endpoint(receiver):
    """``endpoint(events, inbox=None, role="webhook")``: an endpoint at the receiver."""
    from integrations.webhooks import services as webhook_services

    def make(events, **kwargs):
        created = webhook_services.endpoint_create(name="crm", url=receiver.url, events=events, **kwargs)
        receiver.secret = created.secret
        return created

    return make
