"""The event schema (chat.events): every event the services publish matches its typed shape,
and every shape matches the event tables of docs/protocol.md (4.2, the contact's view; 5.2,
the agents'). A new field, or a new event type, must be documented before it is sent.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import types
import typing
from pathlib import Path
from typing import Any

import pytest

from agents.models import AgentProfile
from agents.services import agent_set_availability
from chat import events, realtime, services
from chat.models import Conversation, Tag

PROTOCOL = Path(__file__).resolve().parents[2] / "docs" / "protocol.md"


def documented_events(section: str) -> dict[str, set[str]]:
    """``{type: field names}`` from the events table under the heading ``section``."""
    text = PROTOCOL.read_text(encoding="utf-8")
    body = text.split(section, 1)[1]
    table = body.split("\n\n| type |", 1)[1].split("\n\n", 1)[0]
    fields: dict[str, set[str]] = {}
    for row in table.splitlines()[1:]:
        cells = [c.strip() for c in row.strip("|").split("|")]
        if len(cells) != 2 or not cells[0].startswith("`"):
            continue
        names = set(re.findall(r"`(\w+)`\s*:", cells[1]))  # `name`: description
        names |= set(re.findall(r'`"(\w+)":', cells[1]))  # `"name": value`
        fields[cells[0].strip("`")] = names
    return fields


CONTACT_VIEW = documented_events("### 4.2 Server frames")
AGENT_VIEW = documented_events("### 5.2 Server frames")


def check(event: dict[str, Any]) -> None:
    """``event`` has exactly the keys of its type's shape, each of the declared Python type."""
    shape = events.EVENTS[event["type"]]
    hints = typing.get_type_hints(shape)
    keys = set(event)
    assert shape.__required_keys__ <= keys, (event["type"], shape.__required_keys__ - keys)
    assert keys <= shape.__required_keys__ | shape.__optional_keys__, (event["type"], keys)
    for key, value in event.items():
        expected = hints[key]
        origin = typing.get_origin(expected)
        if origin is typing.Literal:
            assert value in typing.get_args(expected), (event["type"], key, value)
        elif origin in (typing.Union, types.UnionType):
            allowed = tuple(typing.get_origin(a) or a for a in typing.get_args(expected))
            assert isinstance(value, allowed), (event["type"], key, value)
        elif typing.is_typeddict(expected):
            check_nested(value, expected)
        else:
            assert isinstance(value, typing.get_origin(expected) or expected), (event["type"], key, value)


def check_nested(value: Any, shape: type) -> None:
    assert isinstance(value, dict)
    assert shape.__required_keys__ <= set(value) <= shape.__required_keys__ | shape.__optional_keys__


def test_every_documented_event_type_has_a_builder_and_no_other():
    assert set(CONTACT_VIEW) | set(AGENT_VIEW) == set(events.EVENTS)
    assert set(CONTACT_VIEW) == {"message.new", "conversation.updated", "queue.position", "typing", "read", "rating"}


def test_every_shape_field_is_documented_for_someone():
    for event_type, shape in events.EVENTS.items():
        fields = set(shape.__required_keys__ | shape.__optional_keys__) - {"type"}
        documented = CONTACT_VIEW.get(event_type, set()) | AGENT_VIEW.get(event_type, set())
        assert fields == documented, (event_type, fields ^ documented)


@pytest.fixture
def everything(visitor, alice, bob, broadcasts, django_capture_on_commit_callbacks):
    """Every kind of event, published by the services themselves."""
    Tag.objects.create(name="vip")
    with django_capture_on_commit_callbacks(execute=True):  # its queue positions are sent while it waits
        conversation, _ = services.conversation_start(contact=visitor.contact, text="Hello", client_id="v1")
    with django_capture_on_commit_callbacks(execute=True):
        conversation = Conversation.objects.select_related("contact", "inbox").get(pk=conversation.pk)
        conversation = services.conversation_claim(conversation=conversation, agent=alice)
        services.typing_set(conversation=conversation, actor=visitor.contact, is_typing=True)
        services.typing_set(conversation=conversation, actor=alice, is_typing=True)
        services.message_send(conversation=conversation, sender=alice, text="Hi", client_id="a1")
        services.conversation_mark_read(conversation=conversation, reader=visitor.contact, seq=3)
        services.conversation_mark_read(conversation=conversation, reader=alice, seq=3)
        services.note_add(conversation=conversation, agent=alice, text="@bob have a look", client_id="n1")
        services.conversation_set_tags(conversation=conversation, actor=alice, names=["vip"])
        conversation = services.conversation_transfer(conversation=conversation, actor=alice, to_agent=bob)
        conversation = services.conversation_resolve(conversation=conversation, actor=bob)
        services.conversation_rate(conversation=conversation, contact=visitor.contact, score=5)
        agent_set_availability(profile=AgentProfile.objects.get(user=bob), availability="away")
        secret = visitor.contact.inbox.identity_secret
        signed = hmac.new(secret.encode(), b"u-1", hashlib.sha256).hexdigest()
        services.contact_identify(contact=visitor.contact, user_id="u-1", user_hash=signed)
    return conversation, list(broadcasts)


def test_every_event_the_services_publish_matches_its_shape_and_the_protocol(everything, visitor):
    _, sent = everything
    contact_group = realtime.contact_group(visitor.contact.public_id)
    seen = set()
    for group, event in sent:
        check(event)
        seen.add(event["type"])
        documented = CONTACT_VIEW if group == contact_group else AGENT_VIEW
        assert event["type"] in documented, (group, event["type"])
        assert set(event) - {"type"} <= documented[event["type"]], (group, event)
    assert seen == set(events.EVENTS)


def test_each_reader_gets_its_own_stream_of_read_marks_and_typists(everything, visitor, alice):
    _, sent = everything
    contact_group = realtime.contact_group(visitor.contact.public_id)
    for group, event in sent:
        if event["type"] == "read":
            assert ("seq" in event) == (group == contact_group) != ("public_seq" in event)
        if event["type"] == "typing" and event["sender"]["kind"] == "agent":
            assert ("id" in event["sender"]) == (group != contact_group)


def test_a_replayed_message_says_so(everything):
    conversation, _ = everything
    message = conversation.messages.order_by("seq").first()
    replayed = events.message_new(message, conversation_id=str(conversation.public_id), for_contact=True, replay=True)
    check(replayed)
    assert replayed["replay"] is True and "replay" in CONTACT_VIEW["message.new"]
    assert "replay" not in events.message_new(message, conversation_id=str(conversation.public_id))
