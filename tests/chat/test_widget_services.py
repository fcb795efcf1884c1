"""The widget's services: the pre-chat form, the offline form and its emails, verified identity,
attributes and page context, and the visitor's transcript (download, email, link back)."""

from __future__ import annotations

import hashlib
import hmac

import pytest
from django.core.exceptions import ValidationError

from chat import services
from chat.choices import EventType
from chat.errors import ServiceError
from chat.models import Contact, Conversation, ConversationEvent
from chat.tasks import chat_link, send_offline_receipt, send_offline_reply, send_transcript

PRECHAT = [
    {"key": "name", "label": "Name", "required": True},
    {"key": "email", "label": "Email", "type": "email", "required": True},
    {"key": "plan", "label": "Plan", "type": "select", "options": ["Free", "Pro"], "required": False},
    {"key": "order", "label": "Order number"},
]


def sign(secret: str, user_id: str) -> str:
    return hmac.new(secret.encode(), user_id.encode(), hashlib.sha256).hexdigest()


@pytest.fixture
def prechat_inbox(inbox):
    inbox.prechat_fields = PRECHAT
    inbox.full_clean()
    inbox.save()
    return inbox


def test_the_prechat_form_is_enforced_when_a_conversation_starts(prechat_inbox, make_contact):
    contact = make_contact("").contact
    with pytest.raises(ServiceError) as error:
        services.conversation_start(contact=contact, text="hi", client_id="c1", prechat={"name": "Ann"})
    assert error.value.code == "invalid" and "Email is required" in error.value.message
    assert not Conversation.objects.exists()
    for bad in ({"name": "Ann", "email": "nope"}, {"name": "Ann", "email": "a@b.co", "plan": "Gold"}, {"x": "1"}):
        with pytest.raises(ServiceError):
            services.conversation_start(contact=contact, text="hi", client_id="c1", prechat=bad)
    answers = {"name": " Ann ", "email": "ann@example.com", "plan": "Pro", "order": "A-77"}
    conversation, created = services.conversation_start(contact=contact, text="hi", client_id="c1", prechat=answers)
    contact.refresh_from_db()
    assert created and (contact.name, contact.email) == ("Ann", "ann@example.com")
    assert contact.attributes == {"plan": "Pro", "order": "A-77"}
    # The active conversation is returned to a second start without the form (another tab).
    again, created = services.conversation_start(contact=contact, text="more", client_id="c2")
    assert again.pk == conversation.pk and not created


def test_the_admin_refuses_a_malformed_prechat_form(inbox):
    for bad in ([{"key": "Bad Key"}], [{"key": "a"}, {"key": "a"}], [{"key": "p", "type": "select"}], "x"):
        inbox.prechat_fields = bad
        with pytest.raises(ValidationError):
            inbox.full_clean()


@pytest.mark.django_db(transaction=True)
def test_the_offline_form_creates_a_conversation_and_emails_a_link_back(inbox, visitor, alice, client, mailoutbox):
    contact = visitor.contact
    with pytest.raises(ServiceError):  # no email to answer to
        services.conversation_start(contact=contact, text="Are you open on Sunday?", client_id="o1", offline=True)
    services.contact_update(contact=contact, email="vera@example.com")
    conversation, created = services.conversation_start(
        contact=contact, text="Are you open on Sunday?", client_id="o1", offline=True, context={"language": "en-GB"}
    )
    assert created and conversation.offline and conversation.status == "waiting"
    event = ConversationEvent.objects.get(conversation=conversation, type=EventType.CREATED)
    assert event.payload == {"offline": True}

    from django_tasks_db.models import DBTaskResult

    assert DBTaskResult.objects.filter(task_path="chat.tasks.send_offline_receipt").count() == 1
    assert send_offline_receipt.call(conversation.pk) is True
    assert mailoutbox[-1].to == ["vera@example.com"]
    link = chat_link(conversation)
    handle = f"/chat/{conversation.public_id}:"  # the signature's timestamp may differ by a second
    assert link.startswith("http://") and handle in link and handle in mailoutbox[-1].body

    # An agent answers later: the reply is emailed unless the visitor read it meanwhile.
    conversation = services.conversation_claim(conversation=conversation, agent=alice)
    reply = services.message_send(conversation=conversation, sender=alice, text="Yes, 10 to 4.", client_id="a1")
    assert DBTaskResult.objects.filter(task_path="chat.tasks.send_offline_reply").count() == 1
    assert send_offline_reply.call(reply.message.pk) is True
    assert "Yes, 10 to 4." in mailoutbox[-1].body and handle in mailoutbox[-1].body
    services.conversation_mark_read(conversation=conversation, reader=contact, seq=99)
    assert send_offline_reply.call(reply.message.pk) is False

    # The link opens the conversation on the helpdesk, and the visitor can answer there, once.
    path = link.split("8000", 1)[1]
    page = client.get(path)
    assert page.status_code == 200 and "Yes, 10 to 4." in page.content.decode()
    for _ in range(2):
        assert client.post(path, {"text": "Thanks!", "client_id": "link-1"}).status_code == 302
    assert conversation.messages.filter(text="Thanks!").count() == 1
    assert client.get(path[:-3] + "xx/").status_code == 404


def test_offline_emails_follow_the_visitors_language(visitor, mailoutbox):
    services.contact_update(contact=visitor.contact, email="li@example.com")
    conversation, _ = services.conversation_start(
        contact=visitor.contact, text="你好", client_id="o1", offline=True, context={"language": "zh-CN"}
    )
    assert send_offline_receipt.call(conversation.pk) is True
    assert "我们已收到您的问题" in mailoutbox[-1].subject


def test_identity_is_taken_only_with_the_right_hmac(inbox, visitor):
    contact = visitor.contact
    secret = inbox.identity_secret
    assert len(secret) >= 32
    assert not services.contact_identify(
        contact=contact, user_id="u-42", user_hash="0" * 64, name="Mallory", email="boss@example.com"
    )
    assert not services.contact_identify(contact=contact, user_id="u-42", user_hash=None, name="Mallory")
    assert not services.contact_identify(contact=contact, user_id="u-42", user_hash=sign(secret, "u-43"))
    contact.refresh_from_db()
    assert (contact.external_id, contact.name, contact.email) == ("", "Vera Visitor", "")

    services.conversation_start(contact=contact, text="hi", client_id="c1")
    assert services.contact_identify(
        contact=contact, user_id="u-42", user_hash=sign(secret, "u-42").upper(), name="Vera V", email="v@example.com"
    )
    contact.refresh_from_db()
    assert (contact.external_id, contact.name, contact.email) == ("u-42", "Vera V", "v@example.com")
    assert ConversationEvent.objects.filter(type=EventType.IDENTIFIED).count() == 1
    with pytest.raises(ServiceError):
        services.contact_identify(contact=contact, user_id="", user_hash="x")


def test_attributes_merge_and_are_checked(visitor):
    contact = services.contact_set_attributes(contact=visitor.contact, attributes={"plan": "pro", "seats": 5})
    contact = services.contact_set_attributes(contact=contact, attributes={"seats": None, "beta": True})
    assert Contact.objects.get(pk=contact.pk).attributes == {"plan": "pro", "beta": True}
    for bad in ({"x": {"nested": 1}}, {"": 1}, {"long": "y" * 501}, ["list"]):
        with pytest.raises(ServiceError):
            services.contact_set_attributes(contact=contact, attributes=bad)


def test_the_page_context_follows_the_visitor(visitor, broadcasts):
    conversation, _ = services.conversation_start(
        contact=visitor.contact, text="hi", client_id="c1", context={"url": "https://shop.example/a", "title": "A"}
    )
    assert services.conversation_update_context(
        conversation=conversation, contact=visitor.contact, context={"url": "https://shop.example/b", "title": "B"}
    )
    assert not services.conversation_update_context(
        conversation=conversation, contact=visitor.contact, context={"url": "https://shop.example/b"}
    )
    conversation.refresh_from_db()
    assert conversation.context == {"url": "https://shop.example/b", "title": "B"}
    assert ConversationEvent.objects.filter(type=EventType.CONTEXT_UPDATED).count() == 1
    with pytest.raises(ServiceError):
        services.conversation_update_context(conversation=conversation, contact=visitor.contact, context={"url": 1})


@pytest.mark.django_db(transaction=True)
def test_the_transcript_email_is_rate_limited_and_has_no_private_notes(visitor, alice, mailoutbox):
    conversation, _ = services.conversation_start(contact=visitor.contact, text="hello", client_id="c1")
    conversation = services.conversation_claim(conversation=conversation, agent=alice)
    services.note_add(conversation=conversation, agent=alice, text="SECRET NOTE", client_id="n1")
    services.message_send(conversation=conversation, sender=alice, text="Public answer", client_id="a1")
    with pytest.raises(ServiceError) as error:
        services.transcript_email_request(conversation=conversation, contact=visitor.contact)
    assert error.value.code == "invalid"  # no address yet
    address = services.transcript_email_request(
        conversation=conversation, contact=visitor.contact, email="vera@example.com"
    )
    assert address == "vera@example.com"
    with pytest.raises(ServiceError) as error:
        services.transcript_email_request(conversation=conversation, contact=visitor.contact)
    assert error.value.code == "rate_limited" and error.value.status == 429
    assert send_transcript.call(conversation.pk, address) is True
    body = mailoutbox[-1].body
    assert "Public answer" in body and "hello" in body and "SECRET NOTE" not in body


def test_the_widgets_start_is_one_transaction(visitor):
    """The offline form's email, the conversation and its first message are stored together or not at all."""
    contact = visitor.contact
    with pytest.raises(ServiceError):
        services.conversation_start_for_widget(
            contact=contact, text="Where is my order?", client_id="o1", offline=True, email="v@example.com", context=[]
        )
    assert contact.email == ""
    contact.refresh_from_db()
    assert contact.email == "" and not contact.conversations.exists()
    started = services.conversation_start_for_widget(
        contact=contact, text="Where is my order?", client_id="o1", offline=True, email="v@example.com"
    )
    assert started.created and started.conversation.offline
    assert started.message.client_id == "o1" and started.message.seq == 1
    assert started.conversation.contact.email == "v@example.com"
