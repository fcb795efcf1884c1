"""The widget's frames on the visitor socket: its settings in auth.ok, the pre-chat and offline
forms, files in messages, identity, attributes and the page the visitor is on."""

from __future__ import annotations

import hashlib
import hmac

import pytest
from channels.db import database_sync_to_async
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import given
from hypothesis import strategies as st

from agents.models import Team
from chat import services
from chat.models import Contact, Conversation
from tests.conftest import open_agent, open_visitor, visitor_session

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


async def test_auth_ok_carries_the_widget_settings(inbox):
    def configure():
        inbox.prechat_fields = [{"key": "email", "required": True}, {"key": "topic", "label": "Topic"}]
        inbox.away_message = "Back at nine."
        inbox.save()
        inbox.teams.add(Team.objects.create(name="Sales"), Team.objects.create(name="Billing"))

    await database_sync_to_async(configure)()
    sock, welcome = await visitor_session(inbox, None)
    widget = welcome["widget"]
    assert widget["prechat"] == [
        {"key": "email", "label": "Email", "type": "email", "required": True},
        {"key": "topic", "label": "Topic", "type": "text", "required": False},
    ]
    assert [t["name"] for t in widget["teams"]] == ["Billing", "Sales"]
    assert widget["away_message"] == "Back at nine." and widget["max_attachment_bytes"] > 0
    assert welcome["contact"]["verified"] is False

    # The form's answers and the chosen team go with the first message.
    team_id = widget["teams"][0]["id"]
    refused = await sock.request({"type": "conversation.start", "text": "hi", "client_id": "c1", "team": team_id})
    assert refused["type"] == "error" and refused["code"] == "invalid" and "Email is required" in refused["message"]
    started = await sock.request(
        {
            "type": "conversation.start",
            "text": "hi",
            "client_id": "c1",
            "team": team_id,
            "fields": {"email": "kim@example.com", "topic": "Refund"},
            "context": {"url": "https://shop.example/cart", "language": "en"},
        }
    )
    assert started["type"] == "conversation" and started["created"] is True
    contact = await database_sync_to_async(Contact.objects.get)(public_id=welcome["contact"]["id"])
    assert contact.email == "kim@example.com" and contact.attributes == {"topic": "Refund"}
    await sock.close()


async def test_the_offline_form_over_the_socket(inbox):
    sock, _ = await visitor_session(inbox, None)
    missing = await sock.request(
        {"type": "conversation.start", "offline": True, "text": "Open Sunday?", "client_id": "o"}
    )
    assert missing["code"] == "invalid"
    no_question = await sock.request({"type": "conversation.start", "offline": True, "email": "a@b.co"})
    assert no_question["code"] == "invalid"
    started = await sock.request(
        {
            "type": "conversation.start",
            "offline": True,
            "email": "a@b.co",
            "name": "Al",
            "text": "Open Sunday?",
            "client_id": "o",
        }
    )
    assert started["type"] == "conversation" and started["message"]["text"] == "Open Sunday?"
    conversation = await database_sync_to_async(Conversation.objects.select_related("contact").get)()
    assert conversation.offline and conversation.contact.email == "a@b.co" and conversation.contact.name == "Al"
    await sock.close()


async def test_a_message_with_a_file_reaches_the_agent(inbox, visitor, alice):
    sock, _ = await visitor_session(inbox, visitor.token)
    started = await sock.request({"type": "conversation.start", "text": "hi", "client_id": "c1"})
    conversation = await database_sync_to_async(Conversation.objects.select_related("contact").get)(
        public_id=started["conversation"]["id"]
    )
    attachment = await database_sync_to_async(services.attachment_upload)(
        conversation=conversation,
        uploader=visitor.contact,
        upload=SimpleUploadedFile("invoice.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf"),
    )
    agent, _ = await open_agent(alice)
    await agent.recv_until("hello")
    ack = await sock.request(
        {"type": "message.send", "text": "", "client_id": "c2", "attachments": [str(attachment.public_id)]},
        "message.ack",
    )
    assert ack["type"] == "message.ack", ack
    assert ack["message"]["attachments"][0]["name"] == "invoice.pdf"
    seen = await agent.recv_until("message.new")
    assert seen["message"]["attachments"][0]["content_type"] == "application/pdf"
    bad = await sock.request({"type": "message.send", "text": "x", "client_id": "c3", "attachments": ["nope"]})
    assert bad["code"] == "invalid"
    await sock.close()
    await agent.close()


async def test_identify_with_a_wrong_hash_is_ignored_and_a_right_one_is_taken(inbox):
    sock, welcome = await visitor_session(inbox, None)
    wrong = await sock.request({"type": "identify", "id": "u-7", "hash": "deadbeef", "name": "Admin", "email": "x@y.z"})
    assert wrong == {"type": "identify", "verified": False, "contact": welcome["contact"], "ref": wrong["ref"]}
    digest = hmac.new(inbox.identity_secret.encode(), b"u-7", hashlib.sha256).hexdigest()
    right = await sock.request({"type": "identify", "id": "u-7", "hash": digest, "name": "Uma"})
    assert right["verified"] is True and right["contact"]["verified"] is True and right["contact"]["name"] == "Uma"
    contact = await database_sync_to_async(Contact.objects.get)(public_id=welcome["contact"]["id"])
    assert contact.external_id == "u-7" and contact.email == ""
    await sock.close()


async def test_attributes_and_page_context(inbox, alice):
    sock, welcome = await visitor_session(inbox, None)
    updated = await sock.request({"type": "contact.update", "attributes": {"plan": "pro"}})
    assert updated["type"] == "contact"
    await sock.send({"type": "context.update", "context": {"url": "https://shop.example/"}})  # no chat yet: ignored
    started = await sock.request(
        {"type": "conversation.start", "text": "hi", "client_id": "c1", "context": {"url": "https://shop.example/"}}
    )
    agent, _ = await open_agent(alice)
    await agent.recv_until("hello")
    await sock.send({"type": "context.update", "context": {"url": "https://shop.example/checkout", "title": "Pay"}})
    update = await agent.recv_until("conversation.updated")
    assert update["conversation"]["context"]["url"] == "https://shop.example/checkout"
    bad = await sock.request({"type": "context.update", "context": {"url": 5}})
    assert bad["code"] == "invalid"
    contact = await database_sync_to_async(Contact.objects.get)(public_id=welcome["contact"]["id"])
    assert contact.attributes == {"plan": "pro"} and started["created"]
    await sock.close()
    await agent.close()


async def test_the_handshake_user_agent_is_kept_with_the_page_context(inbox):
    """The console shows the browser: it comes from the socket's handshake, not from the page."""
    sock, connected = await open_visitor(inbox, user_agent="Mozilla/5.0 (X11; Linux x86_64) Chrome/156.0")
    assert connected
    welcome = await sock.request({"type": "auth", "token": None}, "auth.ok")
    started = await sock.request(
        {
            "type": "conversation.start",
            "text": "hello",
            "client_id": "ua-1",
            "context": {"url": "https://shop.example/", "user_agent": "forged"},
        }
    )
    assert started["type"] == "conversation", started
    conversation = await database_sync_to_async(Conversation.objects.get)(contact__public_id=welcome["contact"]["id"])
    assert conversation.context == {
        "url": "https://shop.example/",
        "user_agent": "Mozilla/5.0 (X11; Linux x86_64) Chrome/156.0",
    }
    await sock.close()


@pytest.mark.parametrize(
    ("sent", "stored"),
    [
        ("Mozilla/5.0 \x1b[31mRED\x1b[0m\x7f", "Mozilla/5.0 [31mRED[0m"),
        ("Agent\x00\x08evil\tname\r\n", "Agentevil name"),
        ("x" * 600, "x" * 300),
    ],
)
async def test_the_user_agent_is_stored_as_one_bounded_printable_line(inbox, sent, stored):
    sock, connected = await open_visitor(inbox, user_agent=sent)
    assert connected
    welcome = await sock.request({"type": "auth", "token": None}, "auth.ok")
    await sock.request({"type": "conversation.start", "text": "hello", "client_id": "ua-2"})
    conversation = await database_sync_to_async(Conversation.objects.get)(contact__public_id=welcome["contact"]["id"])
    assert conversation.context["user_agent"] == stored
    await sock.close()


@given(st.text(alphabet=st.characters(exclude_categories=("Cs",))))
def test_page_context_is_always_stored_printable(text):
    from chat.services.contacts import clean_context

    cleaned = clean_context({"title": text[:2000]})["title"]
    assert cleaned.isprintable() and len(cleaned) <= 300 and cleaned == cleaned.strip()


def test_format_characters_are_dropped_from_page_context():
    from chat.services.contacts import clean_context

    assert clean_context({"title": "Order\u202e gnp.exe \u200bpage"}) == {"title": "Order gnp.exe page"}
