"""A visitor as a browser's widget is one: a real WebSocket and the REST API, against a real server."""

from __future__ import annotations

import asyncio
import json
import urllib.error
import urllib.request
import uuid
from typing import Any

import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from tests.conftest import ORIGIN


class Visitor:
    """One visitor socket; ``seen`` keeps every frame received, in order."""

    def __init__(self, ws: ClientConnection, name: str) -> None:
        self.ws = ws
        self.name = name
        self.seen: list[dict[str, Any]] = []

    @classmethod
    async def open(cls, base_ws_url: str, inbox_key: str, *, name: str = "visitor") -> Visitor:
        ws = await connect(f"{base_ws_url}/ws/widget/{inbox_key}/", origin=ORIGIN, proxy=None, open_timeout=10)
        return cls(ws, name)

    @classmethod
    async def open_agent(cls, server, cookie: str) -> tuple[Visitor, dict[str, Any]]:
        """The console's socket (same class: it speaks the same frames); returns it and ``hello``."""
        ws = await connect(
            f"{server.ws_url}/ws/agent/",
            origin=server.url,
            additional_headers={"Cookie": cookie},
            proxy=None,
            open_timeout=10,
        )
        agent = cls(ws, "agent")
        hello = await agent.recv()
        assert hello["type"] == "hello", hello
        return agent, hello

    async def drain(self, quiet: float = 1.0) -> list[dict[str, Any]]:
        """Every frame until none arrives for ``quiet`` seconds (also kept in ``seen``)."""
        frames = []
        while True:
            try:
                frame = json.loads(await asyncio.wait_for(self.ws.recv(), quiet))
            except TimeoutError:
                return frames
            self.seen.append(frame)
            frames.append(frame)

    async def send(self, frame: dict[str, Any]) -> None:
        await self.ws.send(json.dumps(frame))

    async def recv(self, timeout: float = 5) -> dict[str, Any]:
        try:
            frame = json.loads(await asyncio.wait_for(self.ws.recv(), timeout))
        except TimeoutError:
            pytest.fail(f"{self.name}: nothing within {timeout}s; so far: {self.seen[-5:]}")
        self.seen.append(frame)
        return frame

    async def reply_to(self, ref: str, timeout: float = 5) -> dict[str, Any]:
        """The reply (or error) carrying ``ref``; other frames are kept in ``seen``."""
        while True:
            frame = await self.recv(timeout)
            if frame.get("ref") == ref:
                return frame

    async def request(self, frame: dict[str, Any], timeout: float = 5) -> dict[str, Any]:
        ref = uuid.uuid4().hex[:12]
        await self.send({**frame, "ref": ref})
        return await self.reply_to(ref, timeout)

    async def auth(self, token: str | None = None) -> dict[str, Any]:
        welcome = await self.request({"type": "auth", "token": token})
        assert welcome["type"] == "auth.ok", welcome
        return welcome

    async def alive(self) -> None:
        """The socket still answers (``ping`` costs the server no database work)."""
        pong = await self.request({"type": "ping"})
        assert pong["type"] == "pong", pong

    async def resume(self, conversation: str, last_seq: int = 0) -> list[dict[str, Any]]:
        """Every message after ``last_seq``, replayed from the database."""
        ref = uuid.uuid4().hex[:12]
        await self.send({"type": "resume", "conversation": conversation, "last_seq": last_seq, "ref": ref})
        replayed = []
        while True:
            frame = await self.recv()
            if frame.get("ref") == ref:
                assert frame["type"] == "resume.done", frame
                return replayed
            if frame["type"] == "message.new" and frame.get("replay"):
                replayed.append(frame["message"])

    async def closed_with(self, timeout: float = 5) -> int:
        """Wait for the server to close the socket; its close code."""
        try:
            while True:
                self.seen.append(json.loads(await asyncio.wait_for(self.ws.recv(), timeout)))
        except ConnectionClosed as closed:
            return closed.rcvd.code if closed.rcvd else 1006

    async def close(self) -> None:
        await self.ws.close()


def client_id() -> str:
    return uuid.uuid4().hex


def http(method: str, url: str, *, body: bytes | None = None, headers: dict[str, str] | None = None):
    """(status, parsed JSON or raw bytes, headers) of one HTTP request; never raises on 4xx/5xx."""
    request = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            status, raw, got = response.status, response.read(), response.headers
    except urllib.error.HTTPError as error:
        status, raw, got = error.code, error.read(), error.headers
    try:
        return status, json.loads(raw), got
    except ValueError:
        return status, raw, got


def healthz(base_url: str) -> tuple[int, dict]:
    status, body, _ = http("GET", f"{base_url}/healthz")
    return status, body


def assert_error_shape(body: Any, status: int) -> str:
    """The one error body of the API; returns its code."""
    assert isinstance(body, dict) and set(body) == {"error"}, (status, body)
    error = body["error"]
    assert isinstance(error.get("code"), str) and isinstance(error.get("message"), str), (status, body)
    return error["code"]
