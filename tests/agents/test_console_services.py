"""The console's writes: pending, tags and @mentions, with the events they record and broadcast."""

from __future__ import annotations

import pytest

from chat import realtime, services
from chat.choices import ConversationStatus, EventType
from chat.errors import ServiceError
from chat.models import Conversation, Tag


@pytest.fixture
def conversation(visitor, alice):
    conversation, _ = services.conversation_start(contact=visitor.contact, text="Hello", client_id="c-0")
    services.conversation_claim(conversation=conversation, agent=alice)
    return Conversation.objects.select_related("contact", "inbox").get(pk=conversation.pk)


def events_of(conversation) -> list[str]:
    return list(conversation.events.values_list("type", flat=True))


def published(broadcasts, event_type):
    return [(g, e) for g, e in broadcasts if e["type"] == event_type]


# --- pending ---------------------------------------------------------------------------------


def test_pending_round_trip_records_events_and_broadcasts(
    conversation, alice, django_capture_on_commit_callbacks, broadcasts
):
    with django_capture_on_commit_callbacks(execute=True):
        services.conversation_set_pending(conversation=conversation, actor=alice, pending=True)
    conversation.refresh_from_db()
    assert conversation.status == ConversationStatus.PENDING
    assert events_of(conversation)[-1] == EventType.PENDING
    updates = published(broadcasts, "conversation.updated")
    assert {g for g, _ in updates} == {
        realtime.inbox_group(conversation.inbox_id),
        realtime.contact_group(conversation.contact.public_id),
    }
    assert all(e["conversation"]["status"] == "pending" for _, e in updates)

    # Setting it again changes nothing; the agent takes it back to open.
    services.conversation_set_pending(conversation=conversation, actor=alice, pending=True)
    assert events_of(conversation).count(EventType.PENDING) == 1
    services.conversation_set_pending(conversation=conversation, actor=alice, pending=False)
    conversation.refresh_from_db()
    assert conversation.status == ConversationStatus.OPEN
    assert events_of(conversation)[-1] == EventType.PENDING_ENDED


def test_a_contact_reply_ends_pending_and_an_agent_reply_does_not(conversation, alice):
    services.conversation_set_pending(conversation=conversation, actor=alice, pending=True)
    services.message_send(conversation=conversation, sender=alice, text="Any news?", client_id="a-1")
    conversation.refresh_from_db()
    assert conversation.status == ConversationStatus.PENDING
    services.message_send(conversation=conversation, sender=conversation.contact, text="Here it is", client_id="v-1")
    conversation.refresh_from_db()
    assert conversation.status == ConversationStatus.OPEN
    ended = conversation.events.get(type=EventType.PENDING_ENDED)
    assert ended.actor_kind == "contact"


def test_pending_needs_an_open_conversation(visitor, alice):
    waiting, _ = services.conversation_start(contact=visitor.contact, text="Hi", client_id="c-9")
    with pytest.raises(ServiceError) as refused:
        services.conversation_set_pending(conversation=waiting, actor=alice, pending=True)
    assert refused.value.code == "invalid_state"
    with pytest.raises(ServiceError) as not_pending:
        services.conversation_set_pending(conversation=waiting, actor=alice, pending=False)
    assert not_pending.value.code == "invalid_state"
    with pytest.raises(ServiceError) as bad:
        services.conversation_set_pending(conversation=waiting, actor=alice, pending="yes")
    assert bad.value.code == "invalid"


def test_a_pending_conversation_counts_against_capacity_and_can_be_resolved(conversation, alice):
    from agents.services import agent_load

    services.conversation_set_pending(conversation=conversation, actor=alice, pending=True)
    assert agent_load(user=alice) == 1
    services.conversation_resolve(conversation=conversation, actor=alice)
    conversation.refresh_from_db()
    assert conversation.status == ConversationStatus.RESOLVED


# --- tags --------------------------------------------------------------------------------------


def test_tags_are_set_from_existing_names_with_one_event_per_change(
    conversation, alice, django_capture_on_commit_callbacks, broadcasts
):
    Tag.objects.create(name="refund")
    Tag.objects.create(name="vip", color="#b3182c")
    with django_capture_on_commit_callbacks(execute=True):
        names = services.conversation_set_tags(conversation=conversation, actor=alice, names=["VIP", " refund "])
    assert names == ["refund", "vip"]
    assert sorted(conversation.tags.values_list("name", flat=True)) == ["refund", "vip"]
    event = conversation.events.filter(type=EventType.TAGS_CHANGED).get()
    assert event.payload == {"added": ["refund", "vip"], "removed": []}
    (_, agents_view), *_ = published(broadcasts, "conversation.updated")
    assert agents_view["conversation"]["tags"] == ["refund", "vip"]
    contact_views = [e for g, e in published(broadcasts, "conversation.updated") if g.startswith("contact.")]
    assert contact_views and all("tags" not in e["conversation"] for e in contact_views)

    services.conversation_set_tags(conversation=conversation, actor=alice, names=["vip"])
    services.conversation_set_tags(conversation=conversation, actor=alice, names=["vip"])  # no change
    changes = list(conversation.events.filter(type=EventType.TAGS_CHANGED).values_list("payload", flat=True))
    assert changes[1:] == [{"added": [], "removed": ["refund"]}]


@pytest.mark.parametrize(
    ("names", "code"),
    [(["nope"], "unknown_tag"), ("vip", "invalid"), ([1], "invalid"), (["x"] * 21, "invalid")],
)
def test_bad_tags_are_refused(conversation, alice, names, code):
    Tag.objects.create(name="vip")
    with pytest.raises(ServiceError) as refused:
        services.conversation_set_tags(conversation=conversation, actor=alice, names=names)
    assert refused.value.code == code
    assert not conversation.tags.exists()


# --- mentions ------------------------------------------------------------------------------------


def test_mentioned_usernames_are_parsed_in_order_without_repeats():
    text = "@bob please look, cc @carol.d and @bob again; mail me at x@example.com or @"
    assert services.mentioned_usernames(text) == ["bob", "carol.d"]


def test_a_note_mentioning_agents_who_see_it_notifies_them_only(
    conversation, alice, bob, make_agent, other_inbox, django_capture_on_commit_callbacks, broadcasts
):
    outsider = make_agent("olga", inboxes=[other_inbox])  # works another inbox: may not see it
    manager = make_agent("maria", manager=True, inboxes=[])  # sees every inbox
    with django_capture_on_commit_callbacks(execute=True):
        services.note_add(
            conversation=conversation,
            agent=alice,
            text="@bob @olga @maria @alice @ghost can you check the refund?",
            client_id="n-1",
        )
    mentions = published(broadcasts, "mention")
    assert sorted(g for g, _ in mentions) == sorted([realtime.agent_group(bob.pk), realtime.agent_group(manager.pk)])
    assert realtime.agent_group(outsider.pk) not in {g for g, _ in mentions}
    _, event = mentions[0]
    assert event["by"] == "Alice" and event["number"] == conversation.number
    assert event["message"]["is_private"] is True
    stored = conversation.events.filter(type=EventType.MENTIONED)
    assert sorted(e.payload["agent"] for e in stored) == sorted([bob.pk, manager.pk])
    # The note itself never reaches the contact.
    assert not [g for g, e in broadcasts if g.startswith("contact.") and e["type"] == "message.new"]


def test_a_transfer_note_can_mention_a_colleague(
    conversation, alice, bob, make_agent, django_capture_on_commit_callbacks, broadcasts
):
    carol = make_agent("carol")
    with django_capture_on_commit_callbacks(execute=True):
        services.conversation_transfer(
            conversation=conversation, actor=alice, to_agent=bob, note="@carol knows this one"
        )
    assert [g for g, _ in published(broadcasts, "mention")] == [realtime.agent_group(carol.pk)]


def test_a_public_reply_mentions_nobody(conversation, alice, bob, django_capture_on_commit_callbacks, broadcasts):
    with django_capture_on_commit_callbacks(execute=True):
        services.message_send(conversation=conversation, sender=alice, text="@bob will call you", client_id="a-5")
    assert not published(broadcasts, "mention")
    assert not conversation.events.filter(type=EventType.MENTIONED).exists()


@pytest.fixture
def other_inbox(db):
    from chat.models import Inbox

    return Inbox.objects.create(name="Other shop")


# --- presence ------------------------------------------------------------------------------------


def test_a_console_whose_process_died_shows_the_agent_offline(
    alice, clock, settings, django_capture_on_commit_callbacks, broadcasts
):
    from agents.models import AgentProfile
    from agents.services import agent_connected, expire_stale_connections

    settings.HELPDESK = {**settings.HELPDESK, "AGENT_HEARTBEAT_TIMEOUT_SECONDS": 60}
    profile = AgentProfile.objects.select_related("user").get(user=alice)
    agent_connected(profile=profile, channel_name="died.1")
    clock.advance(30)
    assert expire_stale_connections(now=clock()) == 0
    clock.advance(60)
    with django_capture_on_commit_callbacks(execute=True):
        assert expire_stale_connections(now=clock()) == 1
    ((group, event),) = published(broadcasts, "agent.updated")
    assert group == realtime.agents_group()
    assert event["agent"] == {"id": alice.pk, "name": "Alice", "availability": "offline", "capacity": 5}
    profile.refresh_from_db()
    assert profile.disconnected_at == clock() and profile.availability == "online"
