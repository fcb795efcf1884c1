"""Suggested replies in the console: sources, scope, placeholders, and what gets recorded."""

# ruff: noqa: RUF001  (Chinese text takes full-width punctuation)

from __future__ import annotations

import json

import pytest
from django.test import AsyncClient, Client

from agents.models import CannedResponse
from assist.models import Suggestion
from assist.sources import reply_candidates
from chat import services
from chat.models import Inbox
from tests.assist.conftest import cid

REFUND_REPLY = "Hi Maria, your refund of 34.50 went out yesterday to maria.j@example.com's card; it takes 3-5 days."


def ask(client: Client, conversation) -> dict:
    response = client.get(f"/api/assist/conversations/{conversation.public_id}/suggestions/")
    assert response.status_code == 200, response.content
    return response.json()


@pytest.fixture
def live(make_contact, alice):
    def make(inbox, text):
        who = make_contact(name="Ken Visitor", target=inbox)
        conversation, _ = services.conversation_start(contact=who.contact, text=text, client_id=cid())
        services.conversation_claim(conversation=conversation, agent=alice)
        return conversation

    return make


@pytest.mark.django_db(transaction=True)
def test_a_past_reply_is_suggested_with_placeholders_and_never_a_note(inbox, alice, past, live, client):
    past(inbox, alice, "When do I get my refund? I sent the parcel back", REFUND_REPLY, note="SECRET: customer is rude")
    conversation = live(inbox, "I returned my order last week, when will the refund arrive?")
    client.force_login(alice)
    data = ask(client, conversation)
    texts = [s["text"] for s in data["suggestions"]]
    assert any(s["kind"] == "reply" for s in data["suggestions"]), data
    reply = next(s["text"] for s in data["suggestions"] if s["kind"] == "reply")
    assert "Maria" not in reply and "maria.j@example.com" not in reply and "[name]" in reply and "[email]" in reply
    assert not any("SECRET" in t for t in texts)
    assert 1 <= len(data["suggestions"]) <= 3
    assert Suggestion.objects.filter(conversation=conversation, agent=alice).count() == len(data["suggestions"])


@pytest.mark.django_db(transaction=True)
def test_low_ratings_and_notes_are_not_learnt_from(inbox, alice, past):
    past(inbox, alice, "Where is my parcel?", "It is with the carrier.", score=3)
    good = past(inbox, alice, "Can I pay with PayPal?", "Yes, we take PayPal.", note="internal only")
    found = reply_candidates(inbox.id)
    assert [c.text for c in found] == ["Yes, we take PayPal."]
    assert found[0].question == "Can I pay with PayPal?" and found[0].inbox_id == good.inbox_id


@pytest.mark.django_db(transaction=True)
def test_another_inboxs_replies_and_canned_responses_stay_there(inbox, make_agent, alice, past, live, client):
    other = Inbox.objects.create(name="Other shop")
    carol = make_agent("carol", inboxes=[other])
    past(other, carol, "When do I get my refund?", "OTHER-INBOX refunds take 3-5 days.")
    CannedResponse.objects.create(short_code="other-refund", title="Refund", text="OTHER refund text", inbox=other)
    CannedResponse.objects.create(
        short_code="refund", title="Refund timing", text="Hi {{contact.name}}, refunds take 5 days."
    )
    conversation = live(inbox, "When do I get my refund?")
    client.force_login(alice)
    data = ask(client, conversation)
    texts = [s["text"] for s in data["suggestions"]]
    assert not any("OTHER" in t for t in texts), texts
    assert "Hi Ken Visitor, refunds take 5 days." in texts  # a canned response, filled in
    # Carol cannot ask about Alice's conversation at all.
    client.force_login(carol)
    response = client.get(f"/api/assist/conversations/{conversation.public_id}/suggestions/")
    assert response.status_code == 404


@pytest.mark.django_db(transaction=True)
def test_articles_are_suggested_in_the_visitors_language(inbox, alice, live, client, kb):
    client.force_login(alice)
    data = ask(client, live(inbox, "我想申请退款，怎么操作？"))
    articles = [s for s in data["suggestions"] if s["kind"] == "article"]
    assert articles and "退款" in articles[0]["text"] and "/zh-hans/" in articles[0]["text"], data


@pytest.mark.django_db(transaction=True)
def test_used_and_sent_are_recorded_once_and_only_for_the_agent(inbox, alice, bob, past, live, client):
    CannedResponse.objects.create(short_code="refund", title="Refund timing", text="Refunds take 5 working days.")
    conversation = live(inbox, "how long does a refund take?")
    client.force_login(alice)
    first = ask(client, conversation)["suggestions"][0]
    again = ask(client, conversation)["suggestions"][0]
    assert again["id"] == first["id"]  # shown again for the same message: one row
    url = f"/api/assist/suggestions/{first['id']}/"
    client.force_login(bob)
    assert client.post(url, json.dumps({"event": "used"}), content_type="application/json").status_code == 404
    client.force_login(alice)
    assert client.post(url, "nonsense", content_type="application/json").status_code == 400
    assert client.post(url, json.dumps({"event": "used"}), content_type="application/json").json()["used"]
    body = json.dumps({"event": "sent", "edited": True})
    assert client.post(url, body, content_type="application/json").json()["sent"]
    row = Suggestion.objects.get(public_id=first["id"])
    assert row.used_at and row.sent_at and row.edited is True


@pytest.mark.django_db(transaction=True)
def test_signed_out_and_no_visitor_message(inbox, alice, make_contact, client):
    who = make_contact(target=inbox)
    conversation, _ = services.conversation_start(contact=who.contact)
    url = f"/api/assist/conversations/{conversation.public_id}/suggestions/"
    signed_out = client.get(url)
    assert signed_out.status_code == 401 and signed_out["WWW-Authenticate"].startswith("Session")
    assert signed_out.json()["error"]["code"] == "not_authenticated"
    client.force_login(alice)
    assert client.get(url).json() == {"message": None, "suggestions": [], "tags": []}


@pytest.mark.django_db(transaction=True)
async def test_the_endpoint_computes_off_the_event_loop(inbox, alice, live):
    """The async view hands the work to the assistant's executor (a thread named assist-...)."""
    import threading

    from asgiref.sync import sync_to_async
    from django.db import connections

    from assist import suggesting

    seen = []
    real = suggesting.suggest_for

    def spy(**kwargs):
        seen.append(threading.current_thread().name)
        return real(**kwargs)

    suggesting.suggest_for = spy
    try:
        conversation = await sync_to_async(live)(inbox, "where is my parcel?")
        client = AsyncClient()
        await client.aforce_login(alice)
        response = await client.get(f"/api/assist/conversations/{conversation.public_id}/suggestions/")
        assert response.status_code == 200
    finally:
        suggesting.suggest_for = real
        await sync_to_async(connections.close_all)()  # the connection of asgiref's shared thread
    assert seen and seen[0].startswith("assist"), seen
