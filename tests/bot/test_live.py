# ruff: noqa: RUF001  (Chinese text takes full-width punctuation)
"""The bot in live conversations, through the services (the bot's turns run inline here: no
event loop awaits these tests): answers with articles, "Did that help?", the handoffs, an agent
taking over, the watchdog and the idle close; and the queue never sees what the bot holds."""

from __future__ import annotations

from datetime import timedelta

import pytest

from agents.selectors import agent_load
from agents.timers import sweep
from chat import realtime, selectors, services
from chat.choices import ConversationStatus, EventType, HandoffReason, Owner, SenderKind
from chat.errors import ServiceError
from chat.models import Conversation, ConversationEvent, SlaPolicy

pytestmark = pytest.mark.django_db


@pytest.fixture
def bot_inbox(inbox):
    inbox.bot_enabled = True
    inbox.bot_name = "Northwind bot"
    inbox.save()
    return inbox


@pytest.fixture
def ask(visitor, bot_inbox, kb, django_capture_on_commit_callbacks):
    """The visitor writes (starting the conversation the first time); returns it, fresh."""
    counter = iter(range(1000))

    def write(text: str) -> Conversation:
        with django_capture_on_commit_callbacks(execute=True):
            conversation, _ = services.conversation_start(contact=visitor.contact)
            services.message_send(
                conversation=Conversation.objects.select_related("contact", "inbox").get(pk=conversation.pk),
                sender=visitor.contact,
                text=text,
                client_id=f"q-{next(counter)}",
            )
        return Conversation.objects.select_related("contact", "inbox").get(pk=conversation.pk)

    return write


def events_of(conversation) -> list[str]:
    return list(ConversationEvent.objects.filter(conversation=conversation).values_list("type", flat=True))


def bot_messages(conversation):
    return list(conversation.messages.filter(sender_kind=SenderKind.BOT).order_by("seq"))


def feedback(conversation, message, helpful, capture):
    with capture(execute=True):
        return services.bot_feedback(
            conversation=conversation, contact=conversation.contact, message_id=str(message.public_id), helpful=helpful
        )


def test_a_new_conversation_starts_with_the_bot_outside_the_queue(visitor, bot_inbox, broadcasts, make_agent):
    conversation, created = services.conversation_start(contact=visitor.contact)
    assert created and conversation.owner == Owner.BOT and conversation.status == ConversationStatus.OPEN
    fresh = Conversation.objects.get(pk=conversation.pk)
    assert fresh.assignee_id is None and fresh.waiting_since is None and fresh.sla_first_response_due_at is None
    assert not selectors.queue_for_inbox(inbox_id=bot_inbox.pk).exists()
    assert selectors.queue_position(conversation=fresh) == (0, 0)
    assert agent_load(user=make_agent("carol")) == 0


def test_a_question_in_english_and_one_in_chinese_get_their_articles(ask, broadcasts):
    conversation = ask("I want my money back for my order")
    (answer,) = bot_messages(conversation)
    assert answer.sender_name == "Northwind bot" and answer.text.startswith("You can ask for a refund")
    assert answer.bot_answer["slug"] == "refund-policy" and answer.bot_answer["locale"] == "en"
    assert answer.bot_answer["url"].endswith("/help/en/refund-policy/") and answer.bot_answer["helpful"] is None
    conversation = ask("我想退货退款，钱怎么退回来")
    chinese = bot_messages(conversation)[-1]
    assert (chinese.bot_answer["slug"], chinese.bot_answer["locale"]) == ("refund-policy", "zh-hans")
    assert conversation.owner == Owner.BOT and events_of(conversation).count(EventType.BOT_ANSWERED) == 2
    # The answer reached the visitor and the agents, with its article.
    contact_copies = [
        e
        for g, e in broadcasts
        if g == realtime.contact_group(conversation.contact.public_id) and e["type"] == "message.new"
    ]
    bot_copy = next(e["message"] for e in contact_copies if e["message"]["sender"]["kind"] == "bot")
    assert bot_copy["answer"]["article"]["slug"] == "refund-policy" and bot_copy["answer"]["asks_feedback"]
    assert not [g for g, e in broadcasts if e["type"] == "queue.position"]


def test_a_question_no_article_answers_goes_to_the_queue_with_the_reason(ask, broadcasts):
    conversation = ask("What's the weather like in Paris tomorrow?")
    assert conversation.owner == Owner.HUMAN and conversation.status == ConversationStatus.WAITING
    assert conversation.handoff["reason"] == HandoffReason.LOW_CONFIDENCE and conversation.handoff["articles"] == []
    assert selectors.queue_position(conversation=conversation) == (1, 1)
    assert events_of(conversation)[-1] == EventType.HANDED_OFF
    contact = realtime.contact_group(conversation.contact.public_id)
    assert [e["position"] for g, e in broadcasts if g == contact and e["type"] == "queue.position"] == [1]


def test_the_sla_clock_starts_at_the_handoff(ask, bot_inbox, clock):
    SlaPolicy.objects.create(inbox=bot_inbox, first_response_seconds=120, business_hours_only=False)
    conversation = ask("I want my money back for my order")
    assert conversation.sla_first_response_due_at is None
    clock.advance(minutes=10)
    conversation = ask("Can I speak with someone?")
    assert conversation.handoff["reason"] == HandoffReason.ASKED_FOR_HUMAN
    assert conversation.waiting_since == clock()
    assert conversation.sla_first_response_due_at == clock() + timedelta(seconds=120)
    # The banner lists what the bot offered.
    assert [a["slug"] for a in conversation.handoff["articles"]] == ["refund-policy"]


def test_yes_resolves_the_conversation_as_the_bots(ask, django_capture_on_commit_callbacks):
    conversation = ask("How do I reset my password?")
    (answer,) = bot_messages(conversation)
    message = feedback(conversation, answer, True, django_capture_on_commit_callbacks)
    assert message.bot_answer["helpful"] is True
    conversation.refresh_from_db()
    assert conversation.status == ConversationStatus.RESOLVED and conversation.owner == Owner.BOT
    assert events_of(conversation)[-4:] == [
        EventType.BOT_ANSWERED,
        EventType.BOT_HELPFUL,
        EventType.BOT_RESOLVED,
        EventType.RESOLVED,
    ]
    resolved = ConversationEvent.objects.get(conversation=conversation, type=EventType.BOT_RESOLVED)
    assert resolved.payload == {"assumed": False} and resolved.actor_kind == "bot"


def test_two_nos_in_a_row_hand_off_and_a_yes_resets(ask, django_capture_on_commit_callbacks):
    capture = django_capture_on_commit_callbacks
    conversation = ask("How long does delivery take?")
    feedback(conversation, bot_messages(conversation)[-1], False, capture)
    conversation.refresh_from_db()
    assert conversation.owner == Owner.BOT and conversation.bot_unhelpful == 1
    conversation = ask("Which grind size should I choose?")
    feedback(conversation, bot_messages(conversation)[-1], False, capture)
    conversation.refresh_from_db()
    assert conversation.owner == Owner.HUMAN and conversation.status == ConversationStatus.WAITING
    assert conversation.handoff["reason"] == HandoffReason.NOT_HELPFUL
    offered = {a["slug"]: a["helpful"] for a in conversation.handoff["articles"]}
    assert offered == {"shipping-times": False, "grind-size": False}
    assert events_of(conversation).count(EventType.BOT_NOT_HELPFUL) == 2


def test_feedback_is_checked(ask, visitor, make_contact, django_capture_on_commit_callbacks):
    conversation = ask("How long does delivery take?")
    answer = bot_messages(conversation)[-1]
    question = conversation.messages.get(sender_kind=SenderKind.CONTACT)
    for message_id, helpful, code in [
        (str(answer.public_id), "yes", "invalid"),
        ("not-a-uuid", True, "invalid"),
        (str(question.public_id), True, "not_found"),
    ]:
        with pytest.raises(ServiceError) as error:
            services.bot_feedback(
                conversation=conversation, contact=visitor.contact, message_id=message_id, helpful=helpful
            )
        assert error.value.code == code
    with pytest.raises(ServiceError) as error:
        services.bot_feedback(
            conversation=conversation, contact=make_contact().contact, message_id=str(answer.public_id), helpful=True
        )
    assert error.value.code == "forbidden"


def test_an_agent_takes_a_bot_conversation_over(ask, alice, django_capture_on_commit_callbacks):
    conversation = ask("How do I reset my password?")
    with pytest.raises(ServiceError) as error:
        services.message_send(conversation=conversation, sender=alice, text="Hi", client_id="a-1")
    assert error.value.code == "not_assigned"  # read-only until taken over
    with django_capture_on_commit_callbacks(execute=True):
        services.conversation_claim(conversation=conversation, agent=alice)
    conversation.refresh_from_db()
    assert conversation.owner == Owner.HUMAN and conversation.assignee == alice
    assert conversation.handoff["reason"] == HandoffReason.AGENT_TOOK_OVER
    handed = ConversationEvent.objects.get(conversation=conversation, type=EventType.HANDED_OFF)
    assert handed.actor_user == alice and handed.payload["reason"] == HandoffReason.AGENT_TOOK_OVER
    services.message_send(conversation=conversation, sender=alice, text="Hi, I'm Alice", client_id="a-2")
    # The visitor's next message goes to Alice, not to the bot.
    conversation = ask("Thanks!")
    assert len(bot_messages(conversation)) == 1


def test_the_watchdog_hands_off_a_question_left_unanswered(
    visitor, bot_inbox, clock, django_capture_on_commit_callbacks
):
    # No bot listening: the message lands, and nobody answers (a crashed process).
    from bot import live
    from chat.signals import bot_turn

    bot_turn.disconnect(live.on_bot_turn)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            conversation, _ = services.conversation_start(contact=visitor.contact, text="Hello?", client_id="q-1")
    finally:
        bot_turn.connect(live.on_bot_turn)
    clock.advance(5)
    assert sweep()["bot_stalled"] == 0  # not yet: the bot may still be thinking
    clock.advance(20)
    with django_capture_on_commit_callbacks(execute=True):
        assert sweep()["bot_stalled"] == 1
    conversation.refresh_from_db()
    assert conversation.owner == Owner.HUMAN and conversation.status == ConversationStatus.WAITING
    assert conversation.handoff["reason"] == HandoffReason.BOT_ERROR
    event = ConversationEvent.objects.get(conversation=conversation, type=EventType.HANDED_OFF)
    assert event.payload["detail"] == "no_answer_in_time"
    assert sweep()["bot_stalled"] == 0  # once


def test_a_silent_visitor_is_resolved_as_an_assumed_bot_resolution(ask, bot_inbox, clock):
    conversation = ask("How long does delivery take?")
    clock.advance(bot_inbox.bot_close_after_seconds - 5)
    assert sweep()["bot_idle_resolved"] == 0
    clock.advance(10)
    assert sweep()["bot_idle_resolved"] == 1
    conversation.refresh_from_db()
    assert conversation.status == ConversationStatus.RESOLVED
    assert ConversationEvent.objects.get(conversation=conversation, type=EventType.BOT_RESOLVED).payload == {
        "assumed": True
    }


def test_an_inbox_without_the_bot_queues_as_before(visitor, inbox, kb):
    conversation, _ = services.conversation_start(contact=visitor.contact, text="How do I get a refund?", client_id="1")
    assert conversation.owner == Owner.HUMAN and conversation.status == ConversationStatus.WAITING
    assert not conversation.messages.filter(sender_kind=SenderKind.BOT).exists()
