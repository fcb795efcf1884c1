"""The write API does what the console does, through the same services, as the token's agent;
every POST takes an Idempotency-Key."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chat import services
from chat.choices import ConversationStatus, EventType
from chat.models import Conversation, ConversationEvent, Message, Tag

pytestmark = pytest.mark.django_db


def start(contact, text="hello", client_id="c1"):
    conversation, _ = services.conversation_start(contact=contact, text=text, client_id=client_id)
    return conversation


def url(conversation, action):
    return f"/api/conversations/{conversation.public_id}/{action}/"


def test_claim_reply_note_priority_tags_resolve_reopen(alice, make_contact, token_client):
    Tag.objects.create(name="billing")
    conversation = start(make_contact().contact)
    client = token_client(alice)
    assert client.post(url(conversation, "claim")).status_code == 200
    reply = client.post(url(conversation, "reply"), {"text": "Hi there"}, format="json", HTTP_IDEMPOTENCY_KEY="r1")
    assert reply.status_code == 201, reply.content
    assert reply.json()["message"]["sender"]["kind"] == "agent"
    note = client.post(url(conversation, "note"), {"text": "vip", "client_id": "n1"}, format="json")
    assert note.status_code == 201 and note.json()["message"]["is_private"] is True
    assert client.post(url(conversation, "priority"), {"priority": 3}, format="json").json()["priority"] == 3
    tagged = client.post(url(conversation, "tags"), {"tags": ["billing"]}, format="json")
    assert tagged.status_code == 200, tagged.content
    assert client.post(url(conversation, "status"), {"status": "pending"}, format="json").json()["status"] == "pending"
    assert client.post(url(conversation, "resolve")).json()["status"] == "resolved"
    assert client.post(url(conversation, "reopen")).json()["status"] == "open"
    types = set(ConversationEvent.objects.filter(conversation=conversation).values_list("type", flat=True))
    assert {EventType.CLAIMED, EventType.NOTE_ADDED, EventType.PRIORITY_CHANGED, EventType.TAGS_CHANGED} <= types
    assert {EventType.RESOLVED, EventType.REOPENED, EventType.PENDING} <= types


def test_assign_and_transfer(alice, bob, team, make_contact, token_client):
    conversation = start(make_contact().contact)
    client = token_client(alice)
    assigned = client.post(url(conversation, "assign"), {"agent": bob.pk}, format="json")
    assert assigned.status_code == 200 and assigned.json()["assignee"]["id"] == bob.pk
    accepted = token_client(bob).post(url(conversation, "accept"))
    assert accepted.status_code == 200, accepted.content
    moved = client.post(url(conversation, "transfer"), {"team": team.pk, "note": "for sales"}, format="json")
    assert moved.status_code == 200, moved.content
    assert Conversation.objects.get(pk=conversation.pk).team_id == team.pk
    both = client.post(url(conversation, "transfer"), {"team": team.pk, "agent": bob.pk}, format="json")
    assert both.status_code == 400


def test_replying_to_a_waiting_conversation_is_refused_with_the_service_error(alice, make_contact, token_client):
    conversation = start(make_contact().contact)
    response = token_client(alice).post(url(conversation, "reply"), {"text": "x", "client_id": "a"}, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "not_assigned"


def test_idempotency_key_replays_the_first_answer(alice, make_contact, token_client):
    conversation = start(make_contact().contact)
    client = token_client(alice)
    client.post(url(conversation, "claim"))
    first = client.post(url(conversation, "reply"), {"text": "once"}, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    again = client.post(url(conversation, "reply"), {"text": "once"}, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert Message.objects.filter(conversation=conversation, text="once").count() == 1
    other = client.post(url(conversation, "reply"), {"text": "twice"}, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert other.status_code == 422
    assert other.json()["error"]["code"] == "idempotency_key_reused"
    # keys are per token: another token may use the same key (not refused with 422); as the
    # message's client_id it still names the message this agent already sent
    second = token_client(alice).post(
        url(conversation, "reply"), {"text": "other"}, format="json", HTTP_IDEMPOTENCY_KEY="k-1"
    )
    assert second.status_code == 200 and second.json()["created"] is False


def test_a_message_needs_a_client_id_or_an_idempotency_key(alice, make_contact, token_client):
    conversation = start(make_contact().contact)
    client = token_client(alice)
    client.post(url(conversation, "claim"))
    response = client.post(url(conversation, "reply"), {"text": "x"}, format="json")
    assert response.status_code == 400


def test_contacts_create_update_and_start_a_conversation(alice, inbox, token_client):
    client = token_client(alice)
    created = client.post(
        "/api/contacts/",
        {"inbox": inbox.public_key, "name": "Olga", "email": "olga@example.com", "external_id": "cust-7"},
        format="json",
        HTTP_IDEMPOTENCY_KEY="contact-1",
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["name"] == "Olga" and body["verified"] is True and body["token"]
    patched = client.patch(f"/api/contacts/{body['id']}/", {"attributes": {"plan": "pro"}}, format="json")
    assert patched.status_code == 200 and patched.json()["attributes"] == {"plan": "pro"}
    started = client.post(
        f"/api/contacts/{body['id']}/conversations/",
        {"text": "About order 1234", "context": {"url": "https://shop.example/orders/1234"}},
        format="json",
        HTTP_IDEMPOTENCY_KEY="start-1",
    )
    assert started.status_code == 201, started.content
    assert started.json()["conversation"]["status"] == ConversationStatus.WAITING
    assert started.json()["message"]["text"] == "About order 1234"
    again = client.post(
        f"/api/contacts/{body['id']}/conversations/",
        {"text": "About order 1234", "context": {"url": "https://shop.example/orders/1234"}},
        format="json",
        HTTP_IDEMPOTENCY_KEY="start-1",
    )
    assert again.json() == started.json()
    assert Conversation.objects.filter(contact__public_id=body["id"]).count() == 1


def test_a_server_error_frees_the_idempotency_key(alice, make_contact, token_client, monkeypatch):
    from integrations.models import IdempotencyRecord

    conversation = start(make_contact().contact)
    client = token_client(alice)
    client.raise_request_exception = False

    def broken(**kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(services, "conversation_set_priority", broken)
    failed = client.post(url(conversation, "priority"), {"priority": 2}, format="json", HTTP_IDEMPOTENCY_KEY="p-1")
    assert failed.status_code == 500
    assert not IdempotencyRecord.objects.exists()
    monkeypatch.undo()
    again = client.post(url(conversation, "priority"), {"priority": 2}, format="json", HTTP_IDEMPOTENCY_KEY="p-1")
    assert again.status_code == 200 and again.json()["priority"] == 2


ASCII_KEYS = st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), min_size=1, max_size=255)


@settings(max_examples=20, deadline=None, suppress_health_check=list(HealthCheck))
@given(key=ASCII_KEYS)
def test_any_printable_ascii_key_replays(alice, make_contact, token_client, key):
    client = token_client(alice)
    contact = make_contact().contact
    body = {"name": f"n{len(key)}"}
    first = client.patch(f"/api/contacts/{contact.public_id}/", body, format="json")  # not keyed: PATCH
    assert first.status_code == 200
    path = f"/api/contacts/{contact.public_id}/conversations/"
    one = client.post(path, {}, format="json", HTTP_IDEMPOTENCY_KEY=key)
    two = client.post(path, {}, format="json", HTTP_IDEMPOTENCY_KEY=key)
    assert one.status_code == 201 and two.status_code == 201 and one.json() == two.json()
    assert two.headers["Idempotent-Replayed"] == "true"
    assert Conversation.objects.filter(contact=contact).count() == 1


@settings(max_examples=20, deadline=None, suppress_health_check=list(HealthCheck))
@given(key=st.text(min_size=1, max_size=20).filter(lambda k: not (k.isascii() and k.isprintable())))
def test_other_keys_are_refused(alice, token_client, key):
    try:
        header = key.encode("latin-1").decode("latin-1")
    except UnicodeEncodeError:
        return  # not sendable as an HTTP header at all
    response = token_client(alice).post("/api/contacts/", {}, format="json", HTTP_IDEMPOTENCY_KEY=header)
    assert response.status_code == 400
