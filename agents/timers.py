"""The timer sweep: everything that happens because time passed, in one idempotent pass.

Each check reads what is due from the database and acts through services, which re-check
the state under a row lock; so a sweep may run late, twice, or on several workers at once
and still act once. Run by the background task in agents/tasks.py every few seconds.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta

from django.db.models import F, Q

from agents.choices import Availability
from agents.models import AgentProfile
from agents.routing import route_safely
from agents.services import expire_stale_connections
from chat import clock
from chat import services as chat_services
from chat.choices import ACTIVE_STATUSES, ConversationStatus, RoutingPolicy
from chat.hours import schedule_for
from chat.models import Conversation, Inbox, SlaPolicy
from chat.sla import targets

REMINDER_TEXT = "Are you still there? This chat will close soon if we don't hear from you."
CLOSED_TEXT = "This chat was closed because we didn't hear back. Write again any time to reopen it."


def sweep(*, now: datetime | None = None) -> Counter:
    """Run every timer check once; returns what it did, by kind."""
    now = now or clock.now()
    done: Counter = Counter()
    done["stale_connections"] = expire_stale_connections(now=now)
    for inbox in Inbox.objects.filter(is_active=True).select_related("fallback_team"):
        done["requeued_unanswered"] += requeue_unanswered(inbox, now)
        done["requeued_offline"] += requeue_from_absent_agents(inbox, now)
        done["team_fallbacks"] += fall_back_to_team(inbox, now)
        done["inactivity_reminders"] += remind_silent_visitors(inbox, now)
        done["inactivity_closed"] += close_silent_conversations(inbox, now)
        if inbox.routing_policy != RoutingPolicy.MANUAL:
            route_safely(inbox_id=inbox.pk)
    warned, breached = check_slas(now)
    done["sla_warnings"], done["sla_breaches"] = warned, breached
    return done


def requeue_unanswered(inbox: Inbox, now: datetime) -> int:
    """An auto-assigned agent who neither accepted nor replied in time loses the chat (a missed chat)."""
    cutoff = now - timedelta(seconds=inbox.accept_timeout_seconds)
    due = Conversation.objects.filter(
        inbox=inbox,
        status=ConversationStatus.OPEN,
        auto_assigned=True,
        accepted_at__isnull=True,
        assigned_at__lt=cutoff,
    ).filter(Q(last_agent_message_at__isnull=True) | Q(last_agent_message_at__lt=F("assigned_at")))
    count = 0
    for conversation in due.select_related("contact"):
        if chat_services.conversation_requeue(conversation=conversation, reason="not_answered", missed=True):
            count += 1
    return count


def requeue_from_absent_agents(inbox: Inbox, now: datetime) -> int:
    """Agents offline, or disconnected, for longer than the grace period give back the chats
    they have not answered since they got them; answered ones stay with them."""
    cutoff = now - timedelta(seconds=inbox.offline_grace_seconds)
    absent = AgentProfile.objects.filter(
        Q(availability=Availability.OFFLINE, availability_changed_at__lt=cutoff)
        | Q(disconnected_at__lt=cutoff, connections__isnull=True)
    ).values_list("user_id", flat=True)
    due = Conversation.objects.filter(inbox=inbox, status=ConversationStatus.OPEN, assignee_id__in=list(absent)).filter(
        Q(last_agent_message_at__isnull=True) | Q(last_agent_message_at__lt=F("assigned_at"))
    )
    count = 0
    for conversation in due.select_related("contact"):
        if chat_services.conversation_requeue(conversation=conversation, reason="agent_absent", missed=False):
            count += 1
    return count


def fall_back_to_team(inbox: Inbox, now: datetime) -> int:
    """A conversation that waited too long for its team moves to the inbox's fallback team."""
    fallback = inbox.fallback_team
    if fallback is None:
        return 0
    cutoff = now - timedelta(seconds=inbox.fallback_after_seconds)
    due = (
        Conversation.objects.filter(
            inbox=inbox,
            status=ConversationStatus.WAITING,
            team_fallback_done=False,
            team__isnull=False,
            waiting_since__lt=cutoff,
        )
        .exclude(team=fallback)
        .select_related("contact")
    )
    count = 0
    for conversation in due:
        chat_services.conversation_set_team(conversation=conversation, team=fallback, actor=None, fallback=True)
        count += 1
    return count


def _silent(inbox: Inbox):
    """Open conversations whose last word is the agent's."""
    return Conversation.objects.filter(
        inbox=inbox, status=ConversationStatus.OPEN, last_agent_message_at__isnull=False
    ).filter(Q(last_contact_message_at__isnull=True) | Q(last_contact_message_at__lt=F("last_agent_message_at")))


def remind_silent_visitors(inbox: Inbox, now: datetime) -> int:
    if not inbox.inactivity_reminder_seconds:
        return 0
    cutoff = now - timedelta(seconds=inbox.inactivity_reminder_seconds)
    due = (
        _silent(inbox)
        .filter(last_agent_message_at__lt=cutoff)
        .filter(Q(inactivity_reminded_at__isnull=True) | Q(inactivity_reminded_at__lt=F("last_agent_message_at")))
    )
    return sum(
        chat_services.conversation_remind_inactive(conversation=c, text=REMINDER_TEXT)
        for c in due.select_related("contact")
    )


def close_silent_conversations(inbox: Inbox, now: datetime) -> int:
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
        chat_services.conversation_resolve(conversation=conversation, actor=None, reason="inactivity", text=CLOSED_TEXT)
        count += 1
    return count


def check_slas(now: datetime) -> tuple[int, int]:
    """Warn before and flag at each SLA breach of active conversations in inboxes with policies."""
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
                breached += chat_services.conversation_flag_sla(
                    conversation=conversation, target=state.target, due_at=state.due_at, breached=True
                )
            elif now >= state.warn_at:
                warned += chat_services.conversation_flag_sla(
                    conversation=conversation, target=state.target, due_at=state.due_at, breached=False
                )
    return warned, breached
