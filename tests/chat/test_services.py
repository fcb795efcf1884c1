"""The write path: state rules, audit events, and the events each change broadcasts."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from agents.services import conversation_claim_within_capacity
from chat import realtime, services
from chat.choices import ConversationStatus, EventType, SenderKind
from chat.errors import ServiceError
from chat.models import Conversation, ConversationEvent, Message, SatisfactionRating


@pytest.fixture
def conversation(visitor):
    conversation, _ = services.conversation_start(contact=visitor.contact, text="Hello", client_id="c-0")
    return Conversation.objects.select_related("contact", "inbox").get(pk=conversation.pk)


@pytest.fixture
def open_conversation(conversation, alice):
    return services.conversation_claim(conversation=conversation, agent=alice)


def groups_of(broadcasts, event_type):
    return [g for g, e in broadcasts if e["type"] == event_type]


def test_start_queues_the_conversation_with_a_number_and_an_event(
    visitor, django_capture_on_commit_callbacks, broadcasts
):
    with django_capture_on_commit_callbacks(execute=True):
        conversation, created = services.conversation_start(contact=visitor.contact, text="Hi", client_id="x")
    assert created and conversation.status == ConversationStatus.WAITING
    assert conversation.number == conversation.pk + services.NUMBER_OFFSET
    assert conversation.last_seq == 1
    assert list(conversation.events.values_list("type", flat=True)) == [EventType.CREATED]
    inbox_group = realtime.inbox_group(conversation.inbox_id)
    contact_group = realtime.contact_group(visitor.contact.public_id)
    assert groups_of(broadcasts, "conversation.updated") == [inbox_group, contact_group]
    assert groups_of(broadcasts, "queue.position") == [contact_group]
    assert groups_of(broadcasts, "message.new") == [inbox_group, contact_group]
    # A second start while the first is active returns the same conversation.
    again, created_again = services.conversation_start(contact=visitor.contact)
    assert again.pk == conversation.pk and not created_again


def test_message_send_numbers_densely_and_publishes_once_per_group(
    open_conversation, alice, django_capture_on_commit_callbacks, broadcasts
):
    with django_capture_on_commit_callbacks(execute=True):
        first = services.message_send(conversation=open_conversation, sender=alice, text="one", client_id="a-1")
        second = services.message_send(
            conversation=open_conversation, sender=open_conversation.contact, text="two", client_id="v-1"
        )
    assert second.message.seq == first.message.seq + 1
    assert list(open_conversation.messages.values_list("seq", flat=True)) == list(range(1, second.message.seq + 1))
    assert (
        groups_of(broadcasts, "message.new")
        == [
            realtime.inbox_group(open_conversation.inbox_id),
            realtime.contact_group(open_conversation.contact.public_id),
        ]
        * 2
    )
    open_conversation.refresh_from_db()
    assert open_conversation.first_response_at is not None
    assert open_conversation.last_seq == second.message.seq


def test_retry_with_the_same_client_id_returns_the_stored_message(
    open_conversation, alice, django_capture_on_commit_callbacks, broadcasts
):
    with django_capture_on_commit_callbacks(execute=True):
        first = services.message_send(conversation=open_conversation, sender=alice, text="once", client_id="same")
        retry = services.message_send(conversation=open_conversation, sender=alice, text="once", client_id="same")
    assert first.created and not retry.created
    assert retry.message.pk == first.message.pk
    assert Message.objects.filter(client_id="same").count() == 1
    assert len(groups_of(broadcasts, "message.new")) == 2  # the retry broadcast nothing


def test_retry_takes_no_sequence_number_and_survives_a_change_of_state(open_conversation, alice):
    """A retry rolls back its sequence UPDATE; after a resolve it is still answered as a retry."""
    first = services.message_send(conversation=open_conversation, sender=alice, text="once", client_id="r-1")
    retry = services.message_send(conversation=open_conversation, sender=alice, text="once", client_id="r-1")
    open_conversation.refresh_from_db()
    assert not retry.created and retry.message.pk == first.message.pk
    assert open_conversation.last_seq == first.message.seq
    resolved = services.conversation_resolve(conversation=open_conversation, actor=alice)
    late = services.message_send(conversation=resolved, sender=alice, text="once", client_id="r-1")
    assert not late.created and late.message.pk == first.message.pk
    with pytest.raises(ServiceError) as error:
        services.message_send(conversation=resolved, sender=alice, text="new", client_id="r-2")
    assert error.value.code == "invalid_state"


def test_client_id_of_another_sender_is_a_conflict_not_a_leak(open_conversation, alice):
    services.note_add(conversation=open_conversation, agent=alice, text="secret", client_id="guess")
    with pytest.raises(ServiceError) as error:
        services.message_send(
            conversation=open_conversation, sender=open_conversation.contact, text="x", client_id="guess"
        )
    assert error.value.code == "client_id_conflict"


@pytest.mark.parametrize(
    ("text", "client_id", "code"),
    [
        ("", "c", "invalid"),
        ("   ", "c", "invalid"),
        (None, "c", "invalid"),
        (123, "c", "invalid"),
        ("a\x00b", "c", "invalid"),
        ("x" * 5001, "c", "too_long"),
        ("ok", "", "invalid"),
        ("ok", None, "invalid"),
        ("ok", "x" * 65, "invalid"),
        ("ok", "tab\tid", "invalid"),
    ],
)
def test_bad_message_input_is_refused_and_nothing_stored(open_conversation, alice, text, client_id, code):
    before = Message.objects.count()
    with pytest.raises(ServiceError) as error:
        services.message_send(conversation=open_conversation, sender=alice, text=text, client_id=client_id)
    assert error.value.code == code
    assert Message.objects.count() == before


def test_agent_must_claim_before_replying(conversation, alice):
    with pytest.raises(ServiceError) as error:
        services.message_send(conversation=conversation, sender=alice, text="hi", client_id="a")
    assert error.value.code == "not_assigned"
    note = services.note_add(conversation=conversation, agent=alice, text="looking", client_id="n")
    assert note.message.is_private


def test_contacts_cannot_write_notes_or_into_other_conversations(conversation, make_contact):
    with pytest.raises(ServiceError) as error:
        services.message_send(
            conversation=conversation, sender=conversation.contact, text="x", client_id="p", is_private=True
        )
    assert error.value.code == "forbidden"
    stranger = make_contact("Mallory").contact
    with pytest.raises(ServiceError) as error:
        services.message_send(conversation=conversation, sender=stranger, text="x", client_id="s")
    assert error.value.code == "forbidden"


def test_private_note_is_published_to_agents_only(
    open_conversation, alice, django_capture_on_commit_callbacks, broadcasts
):
    with django_capture_on_commit_callbacks(execute=True):
        services.note_add(conversation=open_conversation, agent=alice, text="VIP customer", client_id="n1")
    assert groups_of(broadcasts, "message.new") == [realtime.inbox_group(open_conversation.inbox_id)]
    assert open_conversation.events.filter(type=EventType.NOTE_ADDED).exists()


def test_claim_writes_event_and_system_message_and_refuses_a_second_claim(
    conversation, alice, bob, django_capture_on_commit_callbacks, broadcasts
):
    with django_capture_on_commit_callbacks(execute=True):
        claimed = services.conversation_claim(conversation=conversation, agent=alice)
    assert claimed.status == ConversationStatus.OPEN and claimed.assignee_id == alice.pk
    assert claimed.events.filter(type=EventType.CLAIMED, actor_user=alice).exists()
    system = claimed.messages.filter(sender_kind=SenderKind.SYSTEM).get()
    assert system.text == "Alice joined the conversation." and not system.is_private
    assert groups_of(broadcasts, "conversation.updated") == [
        realtime.inbox_group(conversation.inbox_id),
        realtime.contact_group(conversation.contact.public_id),
    ]
    with pytest.raises(ServiceError) as error:
        services.conversation_claim(conversation=conversation, agent=bob)
    assert error.value.code == "already_claimed"
    assert ConversationEvent.objects.filter(type=EventType.CLAIMED).count() == 1


def test_claim_respects_capacity(make_agent, make_contact):
    from agents.models import AgentProfile

    carol = make_agent("carol", capacity=1)
    first, _ = services.conversation_start(contact=make_contact("A").contact, text="a", client_id="a")
    second, _ = services.conversation_start(contact=make_contact("B").contact, text="b", client_id="b")
    profile = AgentProfile.objects.get(user=carol)
    conversation_claim_within_capacity(profile=profile, conversation=first)
    with pytest.raises(ServiceError) as error:
        conversation_claim_within_capacity(profile=profile, conversation=second)
    assert error.value.code == "over_capacity"
    second.refresh_from_db()
    assert second.status == ConversationStatus.WAITING


def test_transfer_to_an_agent_with_a_private_note(
    open_conversation, alice, bob, django_capture_on_commit_callbacks, broadcasts
):
    with django_capture_on_commit_callbacks(execute=True):
        services.conversation_transfer(conversation=open_conversation, actor=alice, to_agent=bob, note="Refund case")
    open_conversation.refresh_from_db()
    assert open_conversation.assignee_id == bob.pk and open_conversation.status == ConversationStatus.OPEN
    note = open_conversation.messages.get(text="Refund case")
    assert note.is_private
    event = open_conversation.events.get(type=EventType.TRANSFERRED)
    assert event.payload == {"from_agent": alice.pk, "to_agent": bob.pk, "note": "Refund case"}
    contact_group = realtime.contact_group(open_conversation.contact.public_id)
    to_contact = [e for g, e in broadcasts if g == contact_group and e["type"] == "message.new"]
    assert [e["message"]["text"] for e in to_contact] == ["Transferred to Bob."]
    assert realtime.agent_group(bob.pk) in groups_of(broadcasts, "conversation.transferred")


def test_transfer_to_a_team_requeues(open_conversation, alice, team):
    services.conversation_transfer(conversation=open_conversation, actor=alice, to_team=team)
    open_conversation.refresh_from_db()
    assert open_conversation.status == ConversationStatus.WAITING
    assert open_conversation.assignee is None and open_conversation.team == team
    with pytest.raises(ServiceError):
        services.conversation_transfer(conversation=open_conversation, actor=alice)


def test_resolve_reopen_and_a_contact_message_reopens(open_conversation, alice):
    services.conversation_resolve(conversation=open_conversation, actor=alice)
    open_conversation.refresh_from_db()
    assert open_conversation.status == ConversationStatus.RESOLVED and open_conversation.resolved_at
    with pytest.raises(ServiceError) as error:
        services.conversation_resolve(conversation=open_conversation, actor=alice)
    assert error.value.code == "invalid_state"
    with pytest.raises(ServiceError) as error:
        services.message_send(conversation=open_conversation, sender=alice, text="late", client_id="late")
    assert error.value.code == "invalid_state"
    services.message_send(
        conversation=open_conversation, sender=open_conversation.contact, text="one more thing", client_id="v"
    )
    open_conversation.refresh_from_db()
    assert open_conversation.status == ConversationStatus.OPEN and open_conversation.resolved_at is None
    assert list(open_conversation.events.values_list("type", flat=True)) == [
        EventType.CREATED,
        EventType.CLAIMED,
        EventType.RESOLVED,
        EventType.REOPENED,
    ]


def test_rating_only_after_resolution_replaces_and_credits_the_assignee(open_conversation, alice):
    contact = open_conversation.contact
    with pytest.raises(ServiceError) as error:
        services.conversation_rate(conversation=open_conversation, contact=contact, score=5)
    assert error.value.code == "not_resolved"
    services.conversation_resolve(conversation=open_conversation, actor=alice)
    for bad in (0, 6, "5", 4.5, True, None):
        with pytest.raises(ServiceError):
            services.conversation_rate(conversation=open_conversation, contact=contact, score=bad)
    services.conversation_rate(conversation=open_conversation, contact=contact, score=2, comment="slow")
    rating = services.conversation_rate(conversation=open_conversation, contact=contact, score=5, comment=" great ")
    assert SatisfactionRating.objects.count() == 1
    assert (rating.score, rating.comment, rating.agent_id) == (5, "great", alice.pk)
    assert open_conversation.events.filter(type=EventType.RATED).count() == 2


def test_mark_read_moves_forward_only_and_clamps(open_conversation, alice):
    contact = open_conversation.contact
    last = open_conversation.last_seq
    assert services.conversation_mark_read(conversation=open_conversation, reader=contact, seq=999) == last
    assert services.conversation_mark_read(conversation=open_conversation, reader=contact, seq=1) == last
    assert services.conversation_mark_read(conversation=open_conversation, reader=alice, seq=1) == 1
    with pytest.raises(ServiceError):
        services.conversation_mark_read(conversation=open_conversation, reader=alice, seq=-1)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("listeners", [0, 25])
def test_message_send_takes_two_queries_whatever_the_listeners(make_contact, make_agent, listeners):
    """Two statements: the sequence UPDATE and the INSERT (the unique client_id finds retries).

    (Plus the transaction's own BEGIN/COMMIT, which SQLite's IMMEDIATE mode makes visible.)
    """
    from asgiref.sync import async_to_sync
    from channels.layers import get_channel_layer

    agent = make_agent("dora")
    contact = make_contact("Q").contact
    conversation, _ = services.conversation_start(contact=contact, text="hi", client_id="q0")
    conversation = services.conversation_claim(conversation=conversation, agent=agent)
    layer = get_channel_layer()

    async def subscribe() -> None:
        for _ in range(listeners):
            await layer.group_add(realtime.inbox_group(conversation.inbox_id), await layer.new_channel())
            await layer.group_add(realtime.contact_group(contact.public_id), await layer.new_channel())

    async_to_sync(subscribe)()
    with CaptureQueriesContext(connection) as queries:
        services.message_send(conversation=conversation, sender=agent, text="fast", client_id="q1")
    statements = [q["sql"].split()[0].upper() for q in queries.captured_queries]
    statements = [s for s in statements if s not in {"BEGIN", "COMMIT", "SAVEPOINT", "RELEASE"}]
    assert statements == ["UPDATE", "INSERT"], queries.captured_queries
