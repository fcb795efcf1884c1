"""API tokens: a hash is stored, scopes hold, revoked and expired tokens are refused at once,
and a token sees exactly what its agent sees (through chat's selectors)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from chat import clock, services
from chat.models import Inbox
from chat.tokens import hash_secret
from integrations.models import ApiToken

pytestmark = pytest.mark.django_db


def start(contact, text="hello", client_id="c1"):
    conversation, _ = services.conversation_start(contact=contact, text=text, client_id=client_id)
    return conversation


def test_only_a_hash_is_stored_and_the_secret_is_shown_once(alice, token_client):
    client = token_client(alice, "admin")
    row = ApiToken.objects.get(pk=client.token.pk)
    assert client.secret not in str(row.__dict__)
    assert row.secret_hash == hash_secret(client.secret)
    assert row.prefix in client.secret
    listed = client.get("/api/tokens/").json()["results"]
    assert all("secret" not in t for t in listed)
    made = client.post("/api/tokens/", {"name": "crm", "scope": "read"}, format="json")
    assert made.status_code == 201 and made.json()["secret"].startswith("hd_")
    assert not ApiToken.objects.filter(secret_hash=made.json()["secret"]).exists()


def test_each_request_records_last_use(alice, token_client):
    client = token_client(alice, "read")
    assert ApiToken.objects.get(pk=client.token.pk).last_used_at is None
    assert client.get("/api/conversations/").status_code == 200
    assert ApiToken.objects.get(pk=client.token.pk).last_used_at is not None


def test_read_scope_cannot_write(alice, make_contact, token_client):
    conversation = start(make_contact().contact)
    client = token_client(alice, "read")
    assert client.get(f"/api/conversations/{conversation.public_id}/").status_code == 200
    response = client.post(f"/api/conversations/{conversation.public_id}/claim/")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"
    conversation.refresh_from_db()
    assert conversation.assignee_id is None
    # nor manage tokens (admin scope)
    assert client.get("/api/tokens/").status_code == 403


def test_write_scope_writes(alice, make_contact, token_client):
    conversation = start(make_contact().contact)
    response = token_client(alice, "write").post(f"/api/conversations/{conversation.public_id}/claim/")
    assert response.status_code == 200, response.content
    assert response.json()["assignee"]["id"] == alice.pk


def test_revoked_token_is_refused_at_once(alice, token_client):
    client = token_client(alice, "admin")
    assert client.get("/api/conversations/").status_code == 200
    revoked = client.post(f"/api/tokens/{client.token.public_id}/revoke/")
    assert revoked.status_code == 200 and revoked.json()["revoked_at"]
    response = client.get("/api/conversations/")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "invalid_token"


def test_expired_token_is_refused(alice, token_client, monkeypatch):
    client = token_client(alice, "read", expires_at=clock.now() + timedelta(minutes=5))
    assert client.get("/api/conversations/").status_code == 200
    later = clock.now() + timedelta(minutes=6)
    monkeypatch.setattr(clock, "now", lambda: later)
    assert client.get("/api/conversations/").status_code == 401


def test_inactive_user_token_is_refused(alice, token_client):
    client = token_client(alice, "read")
    alice.is_active = False
    alice.save()
    assert client.get("/api/conversations/").status_code == 401


def test_token_sees_only_its_agents_inboxes(make_agent, make_contact, token_client):
    other_inbox = Inbox.objects.create(name="Other")
    carol = make_agent("carol")  # works the default inbox only
    mine = start(make_contact().contact)
    theirs = start(make_contact(target=other_inbox).contact)
    client = token_client(carol, "write")
    ids = {c["id"] for c in client.get("/api/conversations/").json()["results"]}
    assert ids == {str(mine.public_id)}
    assert client.get(f"/api/conversations/{theirs.public_id}/").status_code == 404
    assert client.post(f"/api/conversations/{theirs.public_id}/claim/").status_code == 404
    contact = theirs.contact
    assert client.get(f"/api/contacts/{contact.public_id}/").status_code == 404


def test_admin_scope_is_for_staff_only(make_agent, token_client):
    plain = make_agent("plain")
    plain.is_staff = False
    plain.save()
    client = token_client(plain, "write")
    response = client.post("/api/tokens/", {"name": "x", "scope": "admin"}, format="json")
    assert response.status_code == 403  # a write token cannot manage tokens at all


def test_token_requests_are_throttled(alice, token_client, monkeypatch):
    from integrations.throttles import TokenRateThrottle

    monkeypatch.setattr(TokenRateThrottle, "THROTTLE_RATES", {"token": "3/min"})
    client = token_client(alice, "read")
    codes = [client.get("/api/conversations/").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    # another token of the same agent has its own budget
    assert token_client(alice, "read").get("/api/conversations/").status_code == 200


@settings(max_examples=30, deadline=None)
@given(garbage=st.text(min_size=0, max_size=80))
def test_unknown_tokens_are_refused(garbage):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer hd_{garbage}".strip())
    assert client.get("/api/conversations/").status_code == 401
