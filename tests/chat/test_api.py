"""The REST API: agents' session endpoints, the widget's bearer-token endpoints, and the schema.

Every row is made through ``chat.services`` (rule 1); reads go through the HTTP API only.
"""

from __future__ import annotations

import json
import uuid

import pytest
from rest_framework import serializers

from chat import services
from chat.api import schemas
from chat.api.views import event_payload, message_page
from chat.choices import ConversationStatus, EventType, SenderKind
from chat.models import Conversation, Inbox
from chat.payloads import contact_payload, conversation_payload, message_payload
from tests.conftest import ORIGIN, new_client_id

pytestmark = pytest.mark.django_db

JSON = "application/json"


# --- helpers ---------------------------------------------------------------------------------


def start(who, text: str = "Hello, I need help") -> Conversation:
    """A contact opens a conversation with a first message (seq 1)."""
    conversation, created = services.conversation_start(contact=who.contact, text=text, client_id=new_client_id())
    assert created
    return fresh(conversation)


def fresh(conversation: Conversation) -> Conversation:
    return Conversation.objects.select_related("inbox", "contact", "assignee", "team").get(pk=conversation.pk)


def say(conversation: Conversation, sender, text: str):
    return services.message_send(conversation=fresh(conversation), sender=sender, text=text, client_id=new_client_id())


def claimed_with_messages(who, agent, count: int) -> Conversation:
    """A conversation whose transcript is exactly ``count`` messages, seq 1..count.

    seq 1 is the contact's first message, seq 2 the "joined" system message of the claim,
    the rest are agent replies.
    """
    assert count >= 2
    conversation = start(who)
    services.conversation_claim(conversation=conversation, agent=agent)
    for i in range(count - 2):
        say(conversation, agent, f"reply {i + 3}")
    conversation = fresh(conversation)
    assert conversation.last_seq == count
    return conversation


def error_of(response) -> dict:
    assert response["Content-Type"].startswith(JSON), response["Content-Type"]
    body = response.json()
    assert set(body) == {"error"}, body
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    return body["error"]


def seqs(response) -> list[int]:
    return [m["seq"] for m in response.json()["results"]]


def api(public_id, tail: str = "") -> str:
    return f"/api/conversations/{public_id}/{tail}"


def widget_url(inbox: Inbox, public_id=None) -> str:
    base = f"/api/widget/{inbox.public_key}/conversations/"
    return base if public_id is None else f"{base}{public_id}/messages/"


def bearer(token: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


@pytest.fixture
def other_inbox(db) -> Inbox:
    return Inbox.objects.create(name="Other shop", allowed_origins=["https://other.example"])


@pytest.fixture
def as_alice(client, alice):
    client.force_login(alice)
    return client


# --- agents: the conversation list ------------------------------------------------------------


def test_list_pages_with_page_and_page_size(as_alice, make_contact):
    made = [start(make_contact(f"Visitor {i}")) for i in range(5)]
    newest_first = [str(c.public_id) for c in reversed(made)]

    first = as_alice.get("/api/conversations/", {"page_size": 2})
    assert first.status_code == 200
    body = first.json()
    assert body["count"] == 5
    assert body["previous"] is None and "page=2" in body["next"] and "page_size=2" in body["next"]
    seen = [c["id"] for c in body["results"]]

    for page in (2, 3):
        body = as_alice.get("/api/conversations/", {"page": page, "page_size": 2}).json()
        assert body["previous"] is not None
        seen += [c["id"] for c in body["results"]]
    assert body["next"] is None
    assert seen == newest_first  # newest activity first, every conversation exactly once

    beyond = as_alice.get("/api/conversations/", {"page": 4, "page_size": 2})
    assert beyond.status_code == 404
    assert error_of(beyond)["code"] == "not_found"
    # The default page holds all of them.
    assert [c["id"] for c in as_alice.get("/api/conversations/").json()["results"]] == newest_first


def test_list_orders_by_latest_activity_the_same_on_every_database(as_alice, make_contact, alice):
    quiet = fresh(services.conversation_start(contact=make_contact("Quiet").contact)[0])  # no message yet
    old = start(make_contact("Old"))
    recent = start(make_contact("Recent"))
    services.conversation_claim(conversation=old, agent=alice)  # old gets the latest message
    ids = [c["id"] for c in as_alice.get("/api/conversations/").json()["results"]]
    # A conversation without any message has no activity: it sorts last, on SQLite and PostgreSQL alike.
    assert ids == [str(old.public_id), str(recent.public_id), str(quiet.public_id)]


def test_list_filters_by_status_inbox_and_mine(as_alice, make_contact, alice, bob, other_inbox, make_agent):
    waiting = start(make_contact("Waiting"))
    mine = start(make_contact("Mine"))
    services.conversation_claim(conversation=mine, agent=alice)
    bobs = start(make_contact("Bobs"))
    services.conversation_claim(conversation=bobs, agent=bob)
    done = start(make_contact("Done"))
    services.conversation_claim(conversation=done, agent=alice)
    services.conversation_resolve(conversation=done, actor=alice)
    other_inbox.agents.add(alice)
    elsewhere = start(make_contact("Elsewhere", target=other_inbox))

    def ids(**query) -> set[str]:
        response = as_alice.get("/api/conversations/", query)
        assert response.status_code == 200, response.content
        return {c["id"] for c in response.json()["results"]}

    def uid(*conversations) -> set[str]:
        return {str(c.public_id) for c in conversations}

    assert ids() == uid(waiting, mine, bobs, done, elsewhere)
    assert ids(status="waiting") == uid(waiting, elsewhere)
    assert ids(status="open") == uid(mine, bobs)
    assert ids(status="resolved") == uid(done)
    assert ids(status="pending") == set()
    assert ids(inbox=other_inbox.pk) == uid(elsewhere)
    assert ids(mine="true") == uid(mine, done)
    assert ids(mine="true", status="open") == uid(mine)
    assert ids(mine="false") == uid(waiting, mine, bobs, done, elsewhere)
    # Filtering by an inbox one does not work returns nothing, not the inbox's conversations.
    stranger_inbox = Inbox.objects.create(name="Not hers")
    hidden = start(make_contact("Hidden", target=stranger_inbox))
    assert ids(inbox=stranger_inbox.pk) == set()
    assert str(hidden.public_id) not in ids()


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"status": "bogus"}, "status"),
        ({"status": "WAITING"}, "status"),
        ({"inbox": "abc"}, "inbox"),
        ({"inbox": "0"}, "inbox"),
        ({"mine": "perhaps"}, "mine"),
    ],
)
def test_list_refuses_a_bad_filter_with_400(as_alice, query, field):
    response = as_alice.get("/api/conversations/", query)
    assert response.status_code == 400
    error = error_of(response)
    assert error["code"] == "invalid"
    assert field in error["fields"]


def test_list_items_have_the_agent_payload_shape(as_alice, visitor, alice):
    conversation = start(visitor)
    services.conversation_claim(conversation=conversation, agent=alice)
    item = as_alice.get("/api/conversations/").json()["results"][0]
    assert item == conversation_payload(fresh(conversation))
    assert item["assignee"] == {"name": "Alice", "id": alice.pk}
    assert item["contact"]["name"] == "Vera Visitor"
    assert item["number"] == fresh(conversation).number


# --- agents: one conversation and its messages -----------------------------------------------


def test_detail(as_alice, visitor):
    conversation = start(visitor)
    response = as_alice.get(api(conversation.public_id))
    assert response.status_code == 200
    assert response.json() == conversation_payload(fresh(conversation))
    assert response.json()["status"] == "waiting" and response.json()["last_seq"] == 1


@pytest.mark.parametrize("handle", ["not-a-uuid", str(uuid.uuid4()), "1", "1001"])
def test_unknown_or_sequential_handles_are_404(as_alice, visitor, handle):
    start(visitor)  # pk 1 / number 1001 exist, but are not handles
    for tail in ("", "messages/", "transcript/", "transcript.txt"):
        response = as_alice.get(api(handle, tail))
        assert response.status_code == 404, tail
        assert error_of(response)["code"] == "not_found"


def test_messages_paging(as_alice, visitor, alice):
    conversation = claimed_with_messages(visitor, alice, 8)
    url = api(conversation.public_id, "messages/")

    everything = as_alice.get(url)
    assert everything.status_code == 200
    assert seqs(everything) == list(range(1, 9))
    assert everything.json()["has_more"] is False
    first = everything.json()["results"][0]
    assert first["text"] == "Hello, I need help" and first["sender"]["kind"] == "contact"
    assert first["conversation"] == str(conversation.public_id)

    assert seqs(as_alice.get(url, {"after_seq": 5})) == [6, 7, 8]
    assert seqs(as_alice.get(url, {"after_seq": 8})) == []

    page = as_alice.get(url, {"limit": 3}).json()
    assert [m["seq"] for m in page["results"]] == [1, 2, 3] and page["has_more"] is True
    page = as_alice.get(url, {"after_seq": 3, "limit": 3}).json()
    assert [m["seq"] for m in page["results"]] == [4, 5, 6] and page["has_more"] is True
    page = as_alice.get(url, {"after_seq": 6, "limit": 3}).json()
    assert [m["seq"] for m in page["results"]] == [7, 8] and page["has_more"] is False

    # before_seq: the latest ``limit`` messages below it, still in ascending order.
    page = as_alice.get(url, {"before_seq": 6, "limit": 2}).json()
    assert [m["seq"] for m in page["results"]] == [4, 5] and page["has_more"] is True
    page = as_alice.get(url, {"before_seq": 3, "limit": 10}).json()
    assert [m["seq"] for m in page["results"]] == [1, 2] and page["has_more"] is False
    page = as_alice.get(url, {"after_seq": 2, "before_seq": 6}).json()
    assert [m["seq"] for m in page["results"]] == [3, 4, 5]


def test_has_more_is_false_when_the_page_holds_exactly_the_rest(as_alice, visitor, alice):
    conversation = claimed_with_messages(visitor, alice, 6)
    url = api(conversation.public_id, "messages/")
    forward = as_alice.get(url, {"after_seq": 3, "limit": 3}).json()
    assert [m["seq"] for m in forward["results"]] == [4, 5, 6]
    assert forward["has_more"] is False
    backward = as_alice.get(url, {"before_seq": 4, "limit": 3}).json()
    assert [m["seq"] for m in backward["results"]] == [1, 2, 3]
    assert backward["has_more"] is False
    assert as_alice.get(url, {"limit": 6}).json()["has_more"] is False
    assert as_alice.get(url, {"limit": 5}).json()["has_more"] is True


def test_walking_history_backwards_sees_every_message_once(as_alice, visitor, alice):
    conversation = claimed_with_messages(visitor, alice, 11)
    url = api(conversation.public_id, "messages/")
    collected: list[int] = []
    before = conversation.last_seq + 1
    requests = 0
    while True:
        page = as_alice.get(url, {"before_seq": before, "limit": 4}).json()
        requests += 1
        collected = [m["seq"] for m in page["results"]] + collected
        if not page["has_more"]:
            break
        before = page["results"][0]["seq"]
    assert collected == list(range(1, 12))
    assert requests == 3


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"limit": 0}, "limit"),
        ({"limit": 201}, "limit"),
        ({"limit": "many"}, "limit"),
        ({"after_seq": -1}, "after_seq"),
        ({"before_seq": 0}, "before_seq"),
    ],
)
def test_messages_refuse_out_of_bounds_queries(as_alice, visitor, query, field):
    conversation = start(visitor)
    response = as_alice.get(api(conversation.public_id, "messages/"), query)
    assert response.status_code == 400
    error = error_of(response)
    assert error["code"] == "invalid" and field in error["fields"]


def test_messages_limit_bounds_are_inclusive(as_alice, visitor, alice):
    conversation = claimed_with_messages(visitor, alice, 3)
    url = api(conversation.public_id, "messages/")
    assert seqs(as_alice.get(url, {"limit": 200})) == [1, 2, 3]
    one = as_alice.get(url, {"limit": 1}).json()
    assert [m["seq"] for m in one["results"]] == [1] and one["has_more"] is True


def test_agents_see_private_notes_in_messages(as_alice, visitor, alice):
    conversation = claimed_with_messages(visitor, alice, 2)
    services.note_add(conversation=fresh(conversation), agent=alice, text="VIP customer", client_id=new_client_id())
    results = as_alice.get(api(conversation.public_id, "messages/")).json()["results"]
    assert results[-1]["text"] == "VIP customer" and results[-1]["is_private"] is True


# --- agents: transcripts ----------------------------------------------------------------------


def test_transcript_has_notes_and_the_audit_trail(as_alice, visitor, alice):
    conversation = start(visitor, "My parcel is late")
    services.conversation_claim(conversation=conversation, agent=alice)
    say(conversation, alice, "Let me check.")
    services.note_add(conversation=fresh(conversation), agent=alice, text="Courier lost it", client_id="note-1")
    services.conversation_resolve(conversation=fresh(conversation), actor=alice)

    response = as_alice.get(api(conversation.public_id, "transcript/"))
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"conversation", "messages", "events"}
    assert body["conversation"]["status"] == "resolved"
    assert [(m["seq"], m["sender"]["kind"], m["is_private"]) for m in body["messages"]] == [
        (1, "contact", False),
        (2, "system", False),
        (3, "agent", False),
        (4, "agent", True),
        (5, "system", False),
    ]
    assert body["messages"][3]["text"] == "Courier lost it"
    events = [(e["type"], e["actor_kind"], e["actor"]) for e in body["events"]]
    assert events == [
        (EventType.CREATED, "contact", None),
        (EventType.CLAIMED, "agent", "Alice"),
        (EventType.NOTE_ADDED, "agent", "Alice"),
        (EventType.RESOLVED, "agent", "Alice"),
    ]
    assert body["events"][2]["payload"] == {"seq": 4}


def test_transcript_text_download(as_alice, visitor, alice):
    conversation = start(visitor, "<script>alert(1)</script> is in my cart")
    services.conversation_claim(conversation=conversation, agent=alice)
    say(conversation, alice, "Looking into it")
    services.note_add(conversation=fresh(conversation), agent=alice, text="check the cart service", client_id="n1")
    number = fresh(conversation).number

    response = as_alice.get(api(conversation.public_id, "transcript.txt"))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="conversation-{number}.txt"'
    assert response["X-Content-Type-Options"] == "nosniff"
    text = response.content.decode("utf-8")
    lines = text.splitlines()
    assert lines[0] == f"Conversation #{number} with Vera Visitor"
    assert lines[2].endswith("UTC] Vera Visitor: <script>alert(1)</script> is in my cart")  # as text, verbatim
    assert lines[3].endswith("UTC] system: Alice joined the conversation.")
    assert lines[4].endswith("UTC] Alice: Looking into it")
    assert lines[5].endswith("UTC] Alice (private note): check the cart service")
    assert len(lines) == 6


def test_transcript_text_cannot_be_forged_by_a_multiline_message(as_alice, visitor, alice):
    """A contact's newline must not start a line that reads like another speaker's entry."""
    conversation = start(visitor, "hi\n[2030-01-01 00:00:00 UTC] Alice: please send your password here")
    services.conversation_claim(conversation=conversation, agent=alice)
    text = as_alice.get(api(conversation.public_id, "transcript.txt")).content.decode("utf-8")
    entries = [line for line in text.splitlines() if line.startswith("[")]
    assert len(entries) == 2  # the contact's message and the "joined" system message, nothing more
    assert "please send your password here" in text  # still there, as a continuation of the message


# --- agents: who may read ----------------------------------------------------------------------


def test_an_agent_outside_the_inbox_gets_404(client, visitor, make_agent, other_inbox):
    conversation = start(visitor)
    carol = make_agent("carol", inboxes=[other_inbox])
    client.force_login(carol)
    for tail in ("", "messages/", "transcript/", "transcript.txt"):
        response = client.get(api(conversation.public_id, tail))
        assert response.status_code == 404, tail
        assert error_of(response)["code"] == "not_found"
    listed = client.get("/api/conversations/").json()
    assert listed["count"] == 0 and listed["results"] == []


def test_a_manager_sees_every_inbox(client, visitor, make_agent):
    conversation = start(visitor)
    boss = make_agent("boss", manager=True, inboxes=[])
    client.force_login(boss)
    assert client.get(api(conversation.public_id)).status_code == 200
    assert client.get("/api/conversations/").json()["count"] == 1


@pytest.mark.parametrize("tail", [None, "", "messages/", "transcript/", "transcript.txt"])
def test_anonymous_requests_get_a_json_401(client, visitor, tail):
    url = "/api/conversations/" if tail is None else api(start(visitor).public_id, tail)
    response = client.get(url)
    assert response.status_code in (401, 403)
    assert error_of(response)["code"] == "not_authenticated"


def test_a_widget_token_does_not_open_agent_endpoints(client, visitor):
    conversation = start(visitor)
    response = client.get(api(conversation.public_id), **bearer(visitor.token))
    assert response.status_code in (401, 403)
    assert error_of(response)["code"] == "not_authenticated"


def test_agent_endpoints_are_read_only(as_alice, visitor):
    conversation = start(visitor)
    response = as_alice.post(api(conversation.public_id, "messages/"), {"text": "x"}, content_type=JSON)
    assert response.status_code == 405
    assert error_of(response)["code"] == "method_not_allowed"


def test_agent_endpoints_never_answer_cors(as_alice, visitor):
    conversation = start(visitor)
    response = as_alice.get(api(conversation.public_id), HTTP_ORIGIN=ORIGIN)
    assert response.status_code == 200
    assert "Access-Control-Allow-Origin" not in response


# --- the widget (contacts) ---------------------------------------------------------------------


def test_widget_lists_only_the_contacts_own_conversations(client, inbox, visitor, make_contact, alice):
    mine_old = start(visitor)
    services.conversation_claim(conversation=mine_old, agent=alice)
    services.conversation_resolve(conversation=fresh(mine_old), actor=alice)
    mine_new = start(visitor, "Again me")
    theirs = start(make_contact("Somebody else"))

    response = client.get(widget_url(inbox), **bearer(visitor.token))
    assert response.status_code == 200
    results = response.json()["results"]
    assert [c["id"] for c in results] == [str(mine_new.public_id), str(mine_old.public_id)]
    assert str(theirs.public_id) not in {c["id"] for c in results}
    assert results[0] == conversation_payload(fresh(mine_new), for_contact=True)
    # The contact's shape: no agent-only fields, and the assignee by name only.
    assert results[1]["assignee"] == {"name": "Alice"}
    for agent_only in ("contact", "team", "priority", "inbox", "first_response_at"):
        assert agent_only not in results[1]


def test_widget_messages_never_include_private_notes(client, inbox, visitor, alice):
    conversation = claimed_with_messages(visitor, alice, 3)
    services.note_add(conversation=fresh(conversation), agent=alice, text="SECRET note", client_id="n1")
    say(conversation, alice, "Public again")
    url = widget_url(inbox, conversation.public_id)

    response = client.get(url, **bearer(visitor.token))
    assert response.status_code == 200
    results = response.json()["results"]
    assert [m["text"] for m in results] == [
        "Hello, I need help",
        "Alice joined the conversation.",
        "reply 3",
        "Public again",
    ]
    assert all(m["is_private"] is False for m in results)
    assert "SECRET" not in response.content.decode()
    numbers = [m["seq"] for m in results]
    assert numbers == sorted(set(numbers))  # the contact's stream is ordered, without repeats
    # Not by paging around the note either.
    third, fourth = numbers[2], numbers[3]
    for query in ({"after_seq": third}, {"before_seq": fourth}, {"after_seq": third, "before_seq": fourth + 1}):
        page = client.get(url, query, **bearer(visitor.token))
        assert "SECRET" not in page.content.decode(), query
    assert seqs(client.get(url, {"after_seq": third}, **bearer(visitor.token))) == [fourth]
    assert seqs(client.get(url, {"before_seq": fourth}, **bearer(visitor.token))) == numbers[:3]
    page = client.get(url, {"limit": 2}, **bearer(visitor.token)).json()
    assert [m["seq"] for m in page["results"]] == numbers[:2] and page["has_more"] is True
    page = client.get(url, {"after_seq": numbers[1], "limit": 2}, **bearer(visitor.token)).json()
    assert [m["seq"] for m in page["results"]] == numbers[2:] and page["has_more"] is False


def test_widget_refuses_another_contacts_conversation(client, inbox, visitor, make_contact):
    theirs = start(make_contact("Somebody else"))
    start(visitor)
    for handle in (theirs.public_id, uuid.uuid4(), "not-a-uuid"):
        response = client.get(widget_url(inbox, handle), **bearer(visitor.token))
        assert response.status_code == 404
        assert error_of(response)["code"] == "not_found"


def test_widget_refuses_a_token_of_another_inbox(client, inbox, other_inbox, make_contact):
    stranger = make_contact("Elsewhere", target=other_inbox)
    conversation = start(stranger)
    for url in (widget_url(inbox), widget_url(inbox, conversation.public_id)):
        response = client.get(url, **bearer(stranger.token))
        assert response.status_code == 401
        assert error_of(response)["code"] == "invalid_token"
    # The same token does work in its own inbox.
    assert client.get(widget_url(other_inbox, conversation.public_id), **bearer(stranger.token)).status_code == 200


@pytest.mark.parametrize(
    ("headers", "code"),
    [
        ({}, "not_authenticated"),
        ({"HTTP_AUTHORIZATION": "Bearer"}, "not_authenticated"),
        ({"HTTP_AUTHORIZATION": "Basic dmVyYTpzZWNyZXQ="}, "not_authenticated"),
        ({"HTTP_AUTHORIZATION": "Bearer " + "x" * 43}, "invalid_token"),
        ({"HTTP_AUTHORIZATION": "Bearer short"}, "invalid_token"),
    ],
)
def test_widget_without_a_valid_token_gets_401(client, inbox, visitor, headers, code):
    conversation = start(visitor)
    for url in (widget_url(inbox), widget_url(inbox, conversation.public_id)):
        response = client.get(url, **headers)
        assert response.status_code == 401
        assert error_of(response)["code"] == code
        assert response["WWW-Authenticate"].startswith("Bearer")


def test_widget_ignores_a_token_in_the_url(client, inbox, visitor):
    response = client.get(widget_url(inbox), {"token": visitor.token})
    assert response.status_code == 401


def test_widget_unknown_inbox_is_404(client, visitor):
    response = client.get("/api/widget/no-such-inbox/conversations/", **bearer(visitor.token))
    assert response.status_code == 404
    assert error_of(response)["code"] == "not_found"


def test_widget_cors_only_for_an_allowed_origin(client, inbox, visitor):
    url = widget_url(inbox)
    allowed = client.get(url, HTTP_ORIGIN=ORIGIN, **bearer(visitor.token))
    assert allowed.status_code == 200
    assert allowed["Access-Control-Allow-Origin"] == ORIGIN
    assert "Origin" in allowed["Vary"]
    assert "Access-Control-Allow-Credentials" not in allowed  # the token is a header, not a cookie

    for origin in ("https://evil.example", "null", "https://shop.example.evil.example"):
        refused = client.get(url, HTTP_ORIGIN=origin, **bearer(visitor.token))
        assert refused.status_code == 200  # the data is the token's to read; the browser hides it
        assert "Access-Control-Allow-Origin" not in refused, origin
    assert "Access-Control-Allow-Origin" not in client.get(url, **bearer(visitor.token))

    # An error reaches the widget's script too, so it can tell the visitor.
    unauthenticated = client.get(url, HTTP_ORIGIN=ORIGIN)
    assert unauthenticated.status_code == 401
    assert unauthenticated["Access-Control-Allow-Origin"] == ORIGIN


def test_widget_preflight(client, inbox, visitor):
    conversation = start(visitor)
    for url in (widget_url(inbox), widget_url(inbox, conversation.public_id)):
        response = client.options(
            url,
            HTTP_ORIGIN=ORIGIN,
            HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET",
            HTTP_ACCESS_CONTROL_REQUEST_HEADERS="authorization",
        )  # a preflight never carries the Authorization header itself
        assert response.status_code == 200
        assert response["Access-Control-Allow-Origin"] == ORIGIN
        assert "authorization" in response["Access-Control-Allow-Headers"].lower()
        assert "GET" in response["Access-Control-Allow-Methods"]
        assert int(response["Access-Control-Max-Age"]) > 0

    foreign = client.options(
        widget_url(inbox), HTTP_ORIGIN="https://evil.example", HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET"
    )
    assert "Access-Control-Allow-Origin" not in foreign


# --- the schema and the one payload shape ------------------------------------------------------


def test_openapi_schema_lists_the_paths(client):
    response = client.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    schema = json.loads(response.content)
    assert schema["openapi"].startswith("3.")
    assert schema["info"]["title"] == "Helpdesk API"
    paths = set(schema["paths"])
    assert {
        "/api/conversations/",
        "/api/conversations/{public_id}/",
        "/api/conversations/{public_id}/messages/",
        "/api/conversations/{public_id}/transcript/",
        "/api/conversations/{public_id}/transcript.txt",
        "/api/widget/{inbox_key}/conversations/",
        "/api/widget/{inbox_key}/conversations/{public_id}/messages/",
    } <= paths
    messages = schema["paths"]["/api/conversations/{public_id}/messages/"]["get"]
    assert {p["name"] for p in messages["parameters"]} >= {"after_seq", "before_seq", "limit", "public_id"}
    components = schema["components"]["schemas"]
    assert {"MessageSchema", "ConversationSchema", "PublicConversationSchema", "ErrorSchema"} <= set(components)
    assert set(components["MessageSchema"]["properties"]) == set(schemas.MessageSchema().fields)
    operation_ids = [op["operationId"] for path in schema["paths"].values() for op in path.values()]
    assert len(operation_ids) == len(set(operation_ids))
    # The YAML rendering is served too (the default).
    assert b"/api/widget/{inbox_key}/conversations/" in client.get("/api/schema/").content


def test_schema_generation_has_no_warnings(tmp_path):
    from django.core.management import call_command

    out = tmp_path / "schema.yaml"
    call_command("spectacular", "--fail-on-warn", "--file", str(out))
    assert "/api/conversations/" in out.read_text()


def assert_matches(schema: serializers.Serializer, data, where: str = "payload") -> None:
    """``data`` has exactly the fields of ``schema``, recursively, and validates against it."""
    if isinstance(schema, serializers.ListSerializer):
        assert isinstance(data, list), where
        for i, item in enumerate(data):
            assert_matches(schema.child, item, f"{where}[{i}]")
        return
    if data is None:
        assert schema.allow_null, f"{where} is null but its schema does not allow null"
        return
    fields = schema.fields
    optional = {name for name, field in fields.items() if not field.required}
    assert set(fields) - optional <= set(data) <= set(fields), (where, sorted(data), sorted(fields))
    for name, field in fields.items():
        if isinstance(field, serializers.BaseSerializer) and name in data:
            assert_matches(field, data[name], f"{where}.{name}")
    validator = type(schema)(data=data)
    assert validator.is_valid(), (where, validator.errors)


def test_schema_serializers_have_exactly_the_payload_keys(client, visitor, make_contact, alice, bob, team):
    # A conversation with everything set: assignee, team, a note and a resolved time.
    conversation = start(visitor)
    services.conversation_claim(conversation=conversation, agent=alice)
    services.conversation_transfer(conversation=fresh(conversation), actor=alice, to_team=team, note="for billing")
    services.conversation_claim(conversation=fresh(conversation), agent=bob)
    say(conversation, bob, "Billing here")
    services.conversation_resolve(conversation=fresh(conversation), actor=bob)
    full = fresh(conversation)
    assert full.team_id == team.pk and full.assignee_id == bob.pk and full.resolved_at is not None
    waiting = start(make_contact(""))  # nothing set at all, not even a name

    for conv in (full, fresh(waiting)):
        agents_view = conversation_payload(conv)
        contacts_view = conversation_payload(conv, for_contact=True)
        assert_matches(schemas.ConversationSchema(), agents_view)
        assert_matches(schemas.PublicConversationSchema(), contacts_view)
        assert set(schemas.PublicConversationSchema().fields) == set(contacts_view)
        assert set(schemas.ConversationSchema().fields) == set(agents_view)
    assert_matches(schemas.ContactSchema(), contact_payload(full.contact))
    assert set(schemas.AssigneeSchema().fields) == set(conversation_payload(full)["assignee"])

    messages = list(full.messages.order_by("seq"))
    assert {m.sender_kind for m in messages} == {SenderKind.CONTACT, SenderKind.AGENT, SenderKind.SYSTEM}
    assert any(m.is_private for m in messages) and any(m.client_id is None for m in messages)
    for m in messages:
        payload = message_payload(m, conversation_id=str(full.public_id))
        assert set(schemas.MessageSchema().fields) == set(payload)  # agents get every field
        assert_matches(schemas.MessageSchema(), payload)
        if not m.is_private:  # contacts get the required ones, and nothing the schema does not know
            public = message_payload(m, conversation_id=str(full.public_id), for_contact=True)
            assert_matches(schemas.MessageSchema(), public)
    for event in full.events.all():
        assert_matches(schemas.EventSchema(), event_payload(event))
    assert_matches(schemas.MessagePageSchema(), message_page(messages, full, 100))

    # And what the endpoints actually serve has those shapes.
    client.force_login(bob)
    assert_matches(schemas.ConversationPageSchema(), client.get("/api/conversations/").json())
    assert_matches(schemas.ConversationSchema(), client.get(api(full.public_id)).json())
    assert_matches(schemas.MessagePageSchema(), client.get(api(full.public_id, "messages/")).json())
    assert_matches(schemas.TranscriptSchema(), client.get(api(full.public_id, "transcript/")).json())
    widget = client.get(widget_url(full.inbox), **bearer(visitor.token)).json()
    assert_matches(schemas.PublicConversationListSchema(), widget)
    assert_matches(
        schemas.MessagePageSchema(), client.get(widget_url(full.inbox, full.public_id), **bearer(visitor.token)).json()
    )

    # Errors too: a 400 carries its per-field messages, a 404 only code and message.
    assert_matches(schemas.ErrorSchema(), client.get("/api/conversations/", {"status": "nope"}).json())
    assert_matches(schemas.ErrorSchema(), client.get(api(uuid.uuid4())).json())

    # The documented enumerations are the domain's own.
    assert set(schemas.PublicConversationSchema().fields["status"].choices) == set(ConversationStatus.values)
    assert set(schemas.SenderSchema().fields["kind"].choices) == set(SenderKind.values)
