"""The timer sweep: everything that happens because time passed, in one idempotent pass.

Each check reads what is due from the database and acts through services, which re-check
the state under a row lock; so a sweep may run late, twice, or on several workers at once
and still act once. Run by the background task in agents/tasks.py every few seconds.
The routing timers (answer timeouts, absent agents, team fallback) are decided here; the SLA
and inactivity rules are the conversations' own (chat.services.deadlines), which this only calls.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import F, Q, QuerySet

from agents.choices import Availability
from agents.models import AgentProfile
from agents.routing import route_safely
from agents.services import expire_stale_connections
from chat import clock
from chat import services as chat_services
from chat.choices import ConversationStatus, RoutingPolicy
from chat.models import Conversation, Inbox

# Not answered since the current assignee got it (never, or only before that assignment).
UNANSWERED = Q(last_agent_message_at__isnull=True) | Q(last_agent_message_at__lt=F("assigned_at"))


def sweep(*, now: datetime | None = None) -> Counter:
    """Run every timer check once; returns what it did, by kind."""
    now = now or clock.now()
    done: Counter = Counter()
    done["stale_connections"] = expire_stale_connections(now=now)
    # The bot's watchdog: a visitor message the bot never answered (a crashed process) goes to humans.
    done["bot_stalled"] = chat_services.conversations_hand_off_stalled(
        now=now, after_seconds=settings.BOT["STALL_SECONDS"]
    )
    for inbox in Inbox.objects.filter(is_active=True).select_related("fallback_team"):
        done["requeued_unanswered"] += requeue_unanswered(inbox, now)
        done["requeued_offline"] += requeue_from_absent_agents(inbox, now)
        done["team_fallbacks"] += fall_back_to_team(inbox, now)
        done["inactivity_reminders"] += chat_services.conversations_remind_silent(inbox=inbox, now=now)
        done["inactivity_closed"] += chat_services.conversations_close_silent(inbox=inbox, now=now)
        done["bot_idle_resolved"] += chat_services.conversations_close_idle_bot(inbox=inbox, now=now)
        if inbox.routing_policy != RoutingPolicy.MANUAL:
            route_safely(inbox_id=inbox.pk)
    warned, breached = chat_services.conversations_check_sla(now=now)
    done["sla_warnings"], done["sla_breaches"] = warned, breached
    return done


def _requeue(due: QuerySet[Conversation], *, reason: str, missed: bool) -> int:
    """Give each due conversation back to the queue; the service skips any that changed meanwhile."""
    count = 0
    for conversation in due.select_related("contact"):
        if chat_services.conversation_requeue(conversation=conversation, reason=reason, missed=missed):
            count += 1
    return count


def requeue_unanswered(inbox: Inbox, now: datetime) -> int:
    """An auto-assigned agent who neither accepted nor replied in time loses the chat (a missed chat)."""
    cutoff = now - timedelta(seconds=inbox.accept_timeout_seconds)
    due = Conversation.objects.filter(
        inbox=inbox,
        status=ConversationStatus.OPEN,
        auto_assigned=True,
        accepted_at__isnull=True,
        assigned_at__lt=cutoff,
    ).filter(UNANSWERED)
    return _requeue(due, reason="not_answered", missed=True)


def requeue_from_absent_agents(inbox: Inbox, now: datetime) -> int:
    """Agents offline, or disconnected, for longer than the grace period give back the chats
    they have not answered since they got them; answered ones stay with them."""
    cutoff = now - timedelta(seconds=inbox.offline_grace_seconds)
    absent = AgentProfile.objects.filter(
        Q(availability=Availability.OFFLINE, availability_changed_at__lt=cutoff)
        | Q(disconnected_at__lt=cutoff, connections__isnull=True)
    ).values_list("user_id", flat=True)
    due = Conversation.objects.filter(inbox=inbox, status=ConversationStatus.OPEN, assignee_id__in=list(absent)).filter(
        UNANSWERED
    )
    return _requeue(due, reason="agent_absent", missed=False)


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
