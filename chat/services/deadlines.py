"""The conversation rules that time sets off: SLA warnings and breaches, and the inactivity
reminder and close. The timer sweep (agents.timers) only calls these; each finds what is due
and acts through a service that re-checks the state under the row lock, so a late, repeated or
concurrent sweep still acts once.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import F, Q, QuerySet

from chat import clock, notices
from chat.choices import ACTIVE_STATUSES, ConversationStatus, EventType
from chat.hours import schedule_for
from chat.models import Conversation, Inbox, SlaPolicy
from chat.services._core import append_system_message, locked, record
from chat.services.conversations import conversation_flag_sla, conversation_resolve
from chat.sla import targets

# --- SLA ------------------------------------------------------------------------------------


def conversations_check_sla(*, now: datetime) -> tuple[int, int]:
    """Warn before and flag at each SLA breach of active conversations in inboxes with policies.

    Returns (warnings, breaches) newly recorded.
    """
    warned = breached = 0
    policies: dict[int, dict] = {}
    for policy in SlaPolicy.objects.select_related("inbox"):
        policies.setdefault(policy.inbox_id, {})[policy.priority] = policy
    schedules = {}
    active = Conversation.objects.filter(inbox_id__in=list(policies), status__in=ACTIVE_STATUSES).select_related(
        "contact", "inbox"
    )
    for conversation in active:
        by_priority = policies[conversation.inbox_id]
        policy = by_priority.get(conversation.priority) or by_priority.get(None)
        if policy is None:
            continue
        if policy.business_hours_only and conversation.inbox_id not in schedules:
            schedules[conversation.inbox_id] = schedule_for(conversation.inbox)
        schedule = schedules.get(conversation.inbox_id) if policy.business_hours_only else None
        for state in targets(conversation, policy=policy, schedule=schedule):
            if state.met:
                continue
            if now >= state.due_at:
                breached += conversation_flag_sla(
                    conversation=conversation, target=state.target, due_at=state.due_at, breached=True
                )
            elif now >= state.warn_at:
                warned += conversation_flag_sla(
                    conversation=conversation, target=state.target, due_at=state.due_at, breached=False
                )
    return warned, breached


# --- inactivity -------------------------------------------------------------------------------


def _silent(inbox: Inbox) -> QuerySet[Conversation]:
    """Open conversations whose last word is the agent's."""
    return Conversation.objects.filter(
        inbox=inbox, status=ConversationStatus.OPEN, last_agent_message_at__isnull=False
    ).filter(Q(last_contact_message_at__isnull=True) | Q(last_contact_message_at__lt=F("last_agent_message_at")))


def conversation_remind_inactive(*, conversation: Conversation) -> bool:
    """Nudge a visitor who went silent after an agent's reply (once per silence)."""
    now = clock.now()
    with transaction.atomic():
        conversation = locked(conversation)
        if conversation.status != ConversationStatus.OPEN:
            return False
        reminded, replied = conversation.inactivity_reminded_at, conversation.last_agent_message_at
        if reminded and replied and reminded >= replied:
            return False  # already reminded during this silence
        Conversation.objects.filter(pk=conversation.pk).update(inactivity_reminded_at=now)
        record(conversation, EventType.INACTIVITY_REMINDER, actor=None)
        append_system_message(conversation, notices.INACTIVITY_REMINDER, now=now)
    return True


def conversations_remind_silent(*, inbox: Inbox, now: datetime) -> int:
    """Remind each visitor of ``inbox`` silent for the inbox's reminder delay after an agent's reply."""
    if not inbox.inactivity_reminder_seconds:
        return 0
    cutoff = now - timedelta(seconds=inbox.inactivity_reminder_seconds)
    due = (
        _silent(inbox)
        .filter(last_agent_message_at__lt=cutoff)
        .filter(Q(inactivity_reminded_at__isnull=True) | Q(inactivity_reminded_at__lt=F("last_agent_message_at")))
    )
    return sum(conversation_remind_inactive(conversation=c) for c in due.select_related("contact"))


def conversations_close_silent(*, inbox: Inbox, now: datetime) -> int:
    """Resolve the conversations of ``inbox`` still silent the inbox's close delay after the reminder."""
    if not (inbox.inactivity_reminder_seconds and inbox.inactivity_close_seconds):
        return 0
    cutoff = now - timedelta(seconds=inbox.inactivity_close_seconds)
    due = _silent(inbox).filter(
        inactivity_reminded_at__isnull=False,
        inactivity_reminded_at__gte=F("last_agent_message_at"),
        inactivity_reminded_at__lt=cutoff,
    )
    count = 0
    for conversation in due.select_related("contact"):
        conversation_resolve(
            conversation=conversation, actor=None, reason="inactivity", notice=notices.INACTIVITY_CLOSED
        )
        count += 1
    return count
