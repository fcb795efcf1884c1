"""The agent's side of the browser tests of the widget: the agent socket and the agent REST
endpoints, spoken from the test process with a real session cookie, so that the widget tests do
not depend on the console page."""

from __future__ import annotations

import json
import time
import urllib.request
import uuid
from collections.abc import Callable
from typing import Any

from django.middleware.csrf import _get_new_csrf_string
from django.test import Client
from websockets.sync.client import connect


def session_cookie(user) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value


class AgentSocket:
    """One agent socket to a server process; replies are matched by ``ref``, events are buffered."""

    def __init__(self, server, user) -> None:
        self.server = server
        self.cookie = session_cookie(user)
        self.ws = connect(
            f"{server.ws_url}/ws/agent/", origin=server.url, additional_headers={"Cookie": f"sessionid={self.cookie}"}
        ).__enter__()
        self.buffer: list[dict[str, Any]] = []
        self.hello = self.recv_until("hello")

    def send(self, frame: dict[str, Any]) -> None:
        self.ws.send(json.dumps(frame))

    def _next(self, timeout: float) -> dict[str, Any]:
        return json.loads(self.ws.recv(timeout=timeout))

    def recv_until(
        self, frame_type: str, match: Callable[[dict[str, Any]], Any] | None = None, timeout: float = 10
    ) -> dict[str, Any]:
        for i, frame in enumerate(self.buffer):
            if frame["type"] == frame_type and (match is None or match(frame)):
                return self.buffer.pop(i)
        deadline = time.monotonic() + timeout
        while True:
            frame = self._next(max(0.05, deadline - time.monotonic()))
            if frame["type"] == frame_type and (match is None or match(frame)):
                return frame
            self.buffer.append(frame)

    def request(self, frame: dict[str, Any], timeout: float = 10) -> dict[str, Any]:
        ref = uuid.uuid4().hex[:12]
        self.send({**frame, "ref": ref})
        reply = None
        deadline = time.monotonic() + timeout
        while reply is None:
            frame = self._next(max(0.05, deadline - time.monotonic()))
            if frame.get("ref") == ref:
                reply = frame
            else:
                self.buffer.append(frame)
        assert reply["type"] != "error", reply
        return reply

    def say(self, conversation, text: str, attachments: list[str] | None = None) -> dict[str, Any]:
        frame = {
            "type": "message.send",
            "conversation": str(conversation.public_id),
            "text": text,
            "client_id": uuid.uuid4().hex,
        }
        if attachments:
            frame["attachments"] = attachments
        return self.request(frame)

    def upload(self, conversation, name: str, data: bytes, content_type: str = "application/octet-stream") -> dict:
        """POST a file as the agent (multipart, session cookie and CSRF token)."""
        boundary = uuid.uuid4().hex
        body = (
            (
                f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
                f"Content-Type: {content_type}\r\n\r\n"
            ).encode()
            + data
            + f"\r\n--{boundary}--\r\n".encode()
        )
        csrf = _get_new_csrf_string()
        request = urllib.request.Request(
            f"{self.server.url}/api/conversations/{conversation.public_id}/attachments/",
            data=body,
            method="POST",
            headers={
                "Content-Type": f"multipart/form-data; boundary={boundary}",
                "Cookie": f"sessionid={self.cookie}; csrftoken={csrf}",
                "X-CSRFToken": csrf,
            },
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.loads(response.read())

    def close(self) -> None:
        self.ws.close()


def agent_get(server, user, path: str):
    """GET ``path`` from the server with the agent's session (returns the open response)."""
    request = urllib.request.Request(f"{server.url}{path}", headers={"Cookie": f"sessionid={session_cookie(user)}"})
    return urllib.request.urlopen(request, timeout=10)
