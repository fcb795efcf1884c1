"""Timers on a controlled clock: SLA warnings and breaches, inactivity, and the sweep task."""

from __future__ import annotations

from datetime import UTC, datetime, time

import pytest

from agents.models import TimerSchedule
from agents.tasks import ensure_sweep_scheduled, run_timer_sweep
from agents.timers import sweep
from chat import notices, services
from chat.choices import ConversationStatus, EventType, Priority
from chat.models import BusinessHours, Conversation, ConversationEvent, SlaPolicy

pytestmark = pytest.mark.django_db(transaction=True)


def events(conversation, event_type):
    return list(ConversationEvent.objects.filter(conversation=conversation, type=event_type))


def test_first_response_sla_warns_then_breaches(inbox, arrive, clock):
    SlaPolicy.objects.create(
        inbox=inbox, first_response_seconds=600, warn_before_seconds=120, business_hours_only=False
    )
    chat = arrive()
    assert chat.sla_first_response_due_at == clock.current.replace(minute=10)
    clock.advance(479)
    assert sweep()["sla_warnings"] == 0
    clock.advance(1)
    assert sweep()["sla_warnings"] == 1
    assert sweep()["sla_warnings"] == 0  # once
    clock.advance(120)
    assert sweep()["sla_breaches"] == 1
    chat.refresh_from_db()
    assert chat.sla_breached and chat.sla_breaches == [
        {"target": "first_response", "due_at": "2026-03-02T09:10:00+00:00"}
    ]
    assert len(events(chat, EventType.SLA_WARNING)) == 1 and len(events(chat, EventType.SLA_BREACHED)) == 1


def test_a_met_target_never_breaches(inbox, arrive, online, clock):
    SlaPolicy.objects.create(inbox=inbox, first_response_seconds=600, business_hours_only=False)
    ann = online("ann")
    chat = arrive()
    services.conversation_claim(conversation=chat, agent=ann.user)
    services.message_send(conversation=Conversation.objects.get(pk=chat.pk), sender=ann.user, text="hi", client_id="a")
    clock.advance(3600)
    assert sweep()["sla_breaches"] == 0


def test_next_response_and_resolution_targets_by_priority(inbox, arrive, online, clock):
    SlaPolicy.objects.create(inbox=inbox, first_response_seconds=3600, business_hours_only=False)
    SlaPolicy.objects.create(
        inbox=inbox,
        priority=Priority.URGENT,
        first_response_seconds=60,
        next_response_seconds=120,
        resolution_seconds=900,
        warn_before_seconds=0,
        business_hours_only=False,
    )
    ann = online("ann")
    chat = arrive()
    services.conversation_claim(conversation=chat, agent=ann.user)
    services.conversation_set_priority(conversation=chat, priority=Priority.URGENT, actor=ann.user)
    chat.refresh_from_db()
    assert chat.sla_first_response_due_at == datetime(2026, 3, 2, 9, 1, tzinfo=UTC)
    services.message_send(conversation=chat, sender=ann.user, text="Looking", client_id="a1")
    clock.advance(30)
    services.message_send(conversation=chat, sender=chat.contact, text="and?", client_id="v1")
    clock.advance(121)
    sweep()
    chat.refresh_from_db()
    assert [b["target"] for b in chat.sla_breaches] == ["next_response"]
    clock.set(datetime(2026, 3, 2, 9, 15, 1, tzinfo=UTC))
    sweep()
    chat.refresh_from_db()
    assert [b["target"] for b in chat.sla_breaches] == ["next_response", "resolution"]


def test_sla_counts_business_hours_only(inbox, arrive, clock):
    inbox.timezone = "Europe/Berlin"
    inbox.save()
    for weekday in range(5):
        BusinessHours.objects.create(inbox=inbox, weekday=weekday, opens=time(9), closes=time(17))
    SlaPolicy.objects.create(inbox=inbox, first_response_seconds=1800, business_hours_only=True, warn_before_seconds=0)
    clock.set(datetime(2026, 3, 6, 15, 45, tzinfo=UTC))  # Friday 16:45 in Berlin: 15 minutes left
    chat = arrive()
    # 15 minutes on Friday, 15 more from Monday 09:00 Berlin (08:00 UTC).
    assert chat.sla_first_response_due_at == datetime(2026, 3, 9, 8, 15, tzinfo=UTC)
    clock.set(datetime(2026, 3, 8, 12, 0, tzinfo=UTC))  # the weekend passes without a breach
    assert sweep()["sla_breaches"] == 0
    clock.set(datetime(2026, 3, 9, 8, 15, tzinfo=UTC))
    assert sweep()["sla_breaches"] == 1


def test_inactivity_reminds_then_resolves(inbox, arrive, online, clock):
    inbox.inactivity_reminder_seconds = 300
    inbox.inactivity_close_seconds = 600
    inbox.save()
    ann = online("ann")
    chat = arrive()
    services.conversation_claim(conversation=chat, agent=ann.user)
    clock.advance(5)
    services.message_send(conversation=Conversation.objects.get(pk=chat.pk), sender=ann.user, text="?", client_id="a")
    clock.advance(299)
    assert sweep()["inactivity_reminders"] == 0
    clock.advance(2)
    assert sweep()["inactivity_reminders"] == 1
    assert sweep()["inactivity_reminders"] == 0
    reminder = chat.messages.get(sender_kind="system", code=notices.INACTIVITY_REMINDER)
    assert reminder.text == "Are you still there? This chat will close soon if we don't hear from you."
    clock.advance(601)
    assert sweep()["inactivity_closed"] == 1
    chat.refresh_from_db()
    assert chat.status == ConversationStatus.RESOLVED
    closed = chat.messages.get(code=notices.INACTIVITY_CLOSED)
    assert closed.text.startswith("This chat was closed because we didn't hear back.")
    resolved = events(chat, EventType.RESOLVED)[0]
    assert resolved.payload == {"reason": "inactivity"} and resolved.actor_kind == "system"


def test_a_visitor_reply_cancels_the_inactivity_close(inbox, arrive, online, clock):
    inbox.inactivity_reminder_seconds = 300
    inbox.inactivity_close_seconds = 600
    inbox.save()
    ann = online("ann")
    chat = arrive()
    services.conversation_claim(conversation=chat, agent=ann.user)
    clock.advance(5)
    services.message_send(conversation=Conversation.objects.get(pk=chat.pk), sender=ann.user, text="?", client_id="a")
    clock.advance(301)
    assert sweep()["inactivity_reminders"] == 1
    services.message_send(
        conversation=Conversation.objects.get(pk=chat.pk), sender=chat.contact, text="here", client_id="v"
    )
    clock.advance(3600)
    assert sweep()["inactivity_closed"] == 0


def test_the_sweep_chain_is_scheduled_once_and_runs_as_a_task(clock):
    from django_tasks_db.models import DBTaskResult

    assert ensure_sweep_scheduled() is True
    assert ensure_sweep_scheduled() is False  # a live chain exists
    assert DBTaskResult.objects.count() == 1
    assert TimerSchedule.objects.get().next_run_at > clock.current
    # Running the task sweeps and enqueues the next run.
    run_timer_sweep.call()
    assert DBTaskResult.objects.count() == 2
    # A chain that died (no run for long) is restarted.
    clock.advance(3600)
    assert ensure_sweep_scheduled() is True


def test_a_late_answer_is_a_breach_even_if_no_sweep_ran_in_time(inbox, arrive, online, clock):
    SlaPolicy.objects.create(inbox=inbox, first_response_seconds=300, business_hours_only=False)
    ann = online("ann")
    late, on_time = arrive(), arrive()
    services.conversation_claim(conversation=late, agent=ann.user)
    services.conversation_claim(conversation=on_time, agent=ann.user)
    clock.advance(100)
    services.message_send(
        conversation=Conversation.objects.get(pk=on_time.pk), sender=ann.user, text="hi", client_id="1"
    )
    clock.advance(300)
    services.message_send(conversation=Conversation.objects.get(pk=late.pk), sender=ann.user, text="hi", client_id="2")
    for chat in (late, on_time):
        services.conversation_resolve(conversation=Conversation.objects.get(pk=chat.pk), actor=ann.user)
    late.refresh_from_db()
    on_time.refresh_from_db()
    assert late.sla_breached and [b["target"] for b in late.sla_breaches] == ["first_response"]
    assert not on_time.sla_breached
