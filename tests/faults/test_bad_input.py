"""Generated bad input against a real server: both sockets and the REST API (issue 14 items 1, 10).

Hypothesis writes the frames and bodies: any JSON (lone surrogates, NUL, control characters,
huge and negative numbers, deep nesting, wrong types) in any field of any frame type, raw text
that is not JSON, garbage bodies and query strings. Whatever arrives, the client gets an answer
(a reply or an ``error`` frame; REST: never a 5xx, and every error in the one documented shape),
the socket lives on, the server logs no traceback, and the database holds exactly what was
acknowledged.
"""

from __future__ import annotations

import json
import time
import urllib.parse
import uuid
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from websockets.sync.client import ClientConnection, connect

from agents.consumers import AgentConsumer
from chat.consumers import VisitorConsumer
from chat.models import Attachment, Message
from chat.services import conversation_start_for_widget
from tests.conftest import ORIGIN
from tests.faults.client import assert_error_shape, http

pytestmark = [pytest.mark.shared, pytest.mark.django_db(transaction=True)]

# Any code point, lone surrogates included: what JSON's "\ud800" escapes can carry.
ANY_CHAR = st.characters() | st.characters(categories=["Cs"]) | st.characters(categories=["Cc", "Cf"])
TEXT = st.text(ANY_CHAR, max_size=20) | st.sampled_from(
    ["", " ", "\x00", "\ud800", "\x1b[31m", "=HYPERLINK()", "x" * 300]
)
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | TEXT
)
JSON = st.recursive(
    SCALARS, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TEXT, inner, max_size=3), max_leaves=8
)

FIELDS = [
    "text", "client_id", "token", "name", "email", "attributes", "context", "conversation", "last_seq", "seq",
    "score", "comment", "is_typing", "offline", "fields", "team", "id", "hash", "helpful", "message", "attachments",
    "agent", "note", "tags", "priority", "pending", "availability", "auto", "short_code", "after_seq",
]  # fmt: skip
SETTINGS = settings(max_examples=50, deadline=None, suppress_health_check=list(HealthCheck), database=None)


def frames(types: frozenset[str]) -> st.SearchStrategy[str]:
    """A frame as sent on the wire: a JSON object of an allowed type with generated fields, any
    JSON value at all, or text that is not JSON."""
    objects = st.builds(
        lambda t, fields, ref: {"type": t, **fields, **({"ref": ref} if ref is not None else {})},
        st.sampled_from(sorted(types - {"auth"})) | TEXT,
        st.dictionaries(st.sampled_from(FIELDS), JSON, max_size=4),
        st.none() | JSON,
    )
    return st.one_of(
        objects.map(json.dumps),  # ASCII escapes: a lone surrogate travels as "\ud800"
        JSON.map(json.dumps),
        st.text(ANY_CHAR.filter(lambda c: not 0xD800 <= ord(c) <= 0xDFFF), max_size=40),
    )


class Socket:
    """A synchronous client socket: each generated frame is followed by a ping that must be answered."""

    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws
        self.acks: list[dict[str, Any]] = []

    def request(self, frame: dict[str, Any]) -> dict[str, Any]:
        ref = uuid.uuid4().hex[:12]
        self.ws.send(json.dumps({**frame, "ref": ref}))
        return self.reply_to(ref)

    def reply_to(self, ref: str) -> dict[str, Any]:
        while True:
            frame = json.loads(self.ws.recv(timeout=10))
            if frame["type"] == "message.ack":
                self.acks.append(frame["message"])
            if frame.get("ref") == ref:
                return frame

    def answered_and_alive(self, raw: str) -> None:
        self.ws.send(raw)
        while True:
            pong = self.request({"type": "ping"})
            if pong["type"] == "pong":
                return
            assert pong["code"] == "rate_limited", pong  # the frame budget: wait, as a client would
            time.sleep(pong["retry_after"])


def visitor_socket(server, inbox, token: str) -> Socket:
    ws = connect(f"{server.ws_url}/ws/widget/{inbox.public_key}/", origin=ORIGIN, open_timeout=10, legacy=True)
    sock = Socket(ws)
    assert sock.request({"type": "auth", "token": token})["type"] == "auth.ok"
    return sock


def test_generated_frames_on_the_visitor_socket(shared_backends, start_server, inbox, visitor):
    server = start_server()
    sock = visitor_socket(server, inbox, visitor.token)
    started = sock.request({"type": "conversation.start", "text": "hello", "client_id": uuid.uuid4().hex})
    assert started["type"] == "conversation", started

    @SETTINGS
    @given(raw=frames(VisitorConsumer.FRAME_TYPES))
    def each(raw: str) -> None:
        sock.answered_and_alive(raw)

    each()
    stored = {
        str(m.public_id): m.text
        for m in Message.objects.filter(conversation__contact=visitor.contact, sender_kind="contact").exclude(
            text="hello"
        )
    }
    assert stored == {m["id"]: m["text"] for m in sock.acks}  # exactly what was acknowledged
    sock.ws.close()
    server.assert_clean_log()


def test_generated_frames_on_the_agent_socket(shared_backends, start_server, inbox, visitor, alice, alice_cookie):
    server = start_server()
    conversation = conversation_start_for_widget(contact=visitor.contact, text="help", client_id="c-1").conversation
    ws = connect(
        f"{server.ws_url}/ws/agent/",
        origin=server.url,
        additional_headers={"Cookie": alice_cookie},
        open_timeout=10,
        legacy=True,
    )
    sock = Socket(ws)
    assert json.loads(ws.recv(timeout=10))["type"] == "hello"
    claimed = sock.request({"type": "conversation.claim", "conversation": str(conversation.public_id)})
    assert claimed["type"] == "conversation.ack", claimed

    @SETTINGS
    @given(raw=frames(AgentConsumer.FRAME_TYPES), aim=st.booleans())
    def each(raw: str, aim: bool) -> None:
        if aim:  # half the frames aim at the real conversation, so that they reach the services
            try:
                frame = json.loads(raw)
            except ValueError:
                frame = None
            if isinstance(frame, dict):
                raw = json.dumps({**frame, "conversation": str(conversation.public_id)})
        sock.answered_and_alive(raw)

    each()
    stored = {str(m.public_id): m.text for m in Message.objects.filter(sender_user=alice)}
    assert stored == {m["id"]: m["text"] for m in sock.acks}
    ws.close()
    server.assert_clean_log()


def quoted(value: str) -> str:
    return urllib.parse.quote(value.encode("utf-8", "surrogatepass"))


def test_generated_rest_requests(shared_backends, start_server, inbox, visitor, alice, alice_cookie):
    server = start_server()
    conversation = conversation_start_for_widget(contact=visitor.contact, text="help", client_id="c-1").conversation
    widget = f"{server.url}/api/widget/{inbox.public_key}/conversations/{conversation.public_id}"
    bearer = {"Authorization": f"Bearer {visitor.token}"}
    session = {"Cookie": alice_cookie}
    before = Message.objects.count()

    def check(status: int, body: Any) -> None:
        assert status < 500, (status, body)
        if status >= 400 and status != 429:
            assert_error_shape(body, status)

    @SETTINGS
    @given(
        body=JSON.map(json.dumps) | st.binary(max_size=60).map(lambda b: b.hex()),
        value=TEXT,
        raw=st.binary(max_size=80),
    )
    def each(body: str, value: str, raw: bytes) -> None:
        json_headers = {**bearer, "Content-Type": "application/json"}
        check(*http("POST", f"{widget}/transcript/email/", body=body.encode(), headers=json_headers)[:2])
        check(*http("POST", f"{widget}/transcript/email/", body=raw, headers=json_headers)[:2])
        check(*http("GET", f"{widget}/messages/?after_seq={quoted(value)}&limit={quoted(value)}", headers=bearer)[:2])
        check(
            *http(
                "GET", f"{server.url}/api/conversations/?status={quoted(value)}&page={quoted(value)}", headers=session
            )[:2]
        )
        check(*http("GET", f"{server.url}/api/search/?q={quoted(value)}", headers=session)[:2])
        form = {**bearer, "Content-Type": "multipart/form-data; boundary=xyz"}
        check(*http("POST", f"{widget}/attachments/", body=raw, headers=form)[:2])

    each()
    assert Message.objects.count() == before  # none of it wrote a message
    server.assert_clean_log()


BAD_UPLOADS = [  # (body, content type, the error code)
    (b"", "multipart/form-data; boundary=xyz", "invalid"),
    (b"", "multipart/form-data", "invalid"),
    (b"--xyz--\r\n", "multipart/form-data; boundary=xyz", "invalid"),
    (
        b'--xyz\r\nContent-Disposition: form-data; name="file"; filename="a.png"\r\n'
        b"Content-Type: image/png\r\n\r\n\r\n--xyz--\r\n",
        "multipart/form-data; boundary=xyz",
        "invalid_file",
    ),
    (b"{}", "application/json", "unsupported_media_type"),
]


def test_bad_uploads_get_the_documented_error(shared_backends, start_server, inbox, visitor):
    server = start_server()
    conversation = conversation_start_for_widget(contact=visitor.contact, text="help", client_id="c-1").conversation
    url = f"{server.url}/api/widget/{inbox.public_key}/conversations/{conversation.public_id}/attachments/"
    answers = []
    for body, content_type, code in BAD_UPLOADS:
        headers = {"Authorization": f"Bearer {visitor.token}", "Content-Type": content_type}
        status, answer, _ = http("POST", url, body=body, headers=headers)
        answers.append((status, answer))
        assert 400 <= status < 500 and assert_error_shape(answer, status) == code, (content_type, body, answers)
    assert not Attachment.objects.exists()  # nothing was stored
    server.assert_clean_log()
