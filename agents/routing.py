"""The router: which agent gets a waiting conversation, and how long a visitor will wait.

Policies per inbox: manual (the queue only), round-robin (the eligible agent assigned least
recently) and least busy (the fewest open chats, then least recently assigned). Eligible means:
works the inbox, is online and connected, is in the conversation's team if it has one, has a
free slot below capacity, and has not already missed this conversation. The queue is served in
order (priority, then waiting time); a conversation whose team has nobody free does not block
the ones behind it.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.db import transaction
from django.db.models import Avg, DurationField, ExpressionWrapper, F, QuerySet

from agents.choices import Availability
from agents.models import AgentProfile, RoutingRule, Team
from agents.selectors import LOAD, agent_load
from chat import clock, selectors
from chat import services as chat_services
from chat.choices import ConversationStatus, EventType, RoutingPolicy
from chat.errors import ServiceError
from chat.models import Conversation, ConversationEvent, Inbox

logger = logging.getLogger(__name__)

QUEUE_SCAN = 100
HANDLE_TIME_SAMPLE = 50
DEFAULT_HANDLE_SECONDS = 300.0


def online_agents(inbox_id: int) -> QuerySet[AgentProfile]:
    """Agents of the inbox who are online with a console open (may repeat: add ``distinct``)."""
    return AgentProfile.objects.filter(
        availability=Availability.ONLINE, user__is_active=True, user__inboxes=inbox_id, connections__isnull=False
    )


def eligible_agents(*, inbox_id: int, team_id: int | None, exclude_user_ids: set[int]) -> list[AgentProfile]:
    """Online, connected agents of the inbox (and team) with a free slot, their load annotated."""
    return [
        p
        for p in _available(inbox_id)
        if (team_id is None or team_id in p.team_ids) and p.user_id not in exclude_user_ids
    ]


def _available(inbox_id: int) -> list[AgentProfile]:
    """Every online, connected agent of the inbox below capacity, with ``load`` and ``team_ids`` (two queries)."""
    profiles = list(online_agents(inbox_id).select_related("user").annotate(load=LOAD).distinct())
    teams: dict[int, set[int]] = {}
    for user_id, team_id in Team.members.through.objects.filter(user_id__in=[p.user_id for p in profiles]).values_list(
        "user_id", "team_id"
    ):
        teams.setdefault(user_id, set()).add(team_id)
    for p in profiles:
        p.team_ids = teams.get(p.user_id, set())
    return [p for p in profiles if p.load < p.capacity]


def pick(policy: str, candidates: list[AgentProfile]) -> AgentProfile | None:
    """The next agent under ``policy``; ties go to who was assigned least recently, then by id."""
    if not candidates:
        return None
    never = clock.now() - timedelta(days=36500)

    def recency(p: AgentProfile):
        return (p.last_assigned_at or never, p.user_id)

    if policy == RoutingPolicy.LEAST_BUSY:
        return min(candidates, key=lambda p: (p.load, *recency(p)))
    return min(candidates, key=recency)


def missed_by(conversation_ids: list[int]) -> dict[int, set[int]]:
    """Agents who already let each conversation time out: the router skips them (one query)."""
    missed: dict[int, set[int]] = {}
    rows = ConversationEvent.objects.filter(conversation_id__in=conversation_ids, type=EventType.MISSED)
    for conversation_id, payload in rows.values_list("conversation_id", "payload"):
        if isinstance(payload, dict) and payload.get("agent"):
            missed.setdefault(conversation_id, set()).add(payload["agent"])
    return missed


def assign_within_capacity(*, conversation: Conversation, profile: AgentProfile) -> bool:
    """Auto-assign under the agent's row lock, re-checking the free slot; False if it lost a race."""
    with transaction.atomic():
        locked = AgentProfile.objects.select_for_update().filter(pk=profile.pk).first()
        if locked is None or locked.availability != Availability.ONLINE:
            return False
        if agent_load(user=profile.user_id) >= locked.capacity:
            return False
        try:
            chat_services.conversation_assign(conversation=conversation, agent=profile.user, actor=None, auto=True)
        except ServiceError:
            return False
        AgentProfile.objects.filter(pk=profile.pk).update(last_assigned_at=clock.now())
    return True


def route_inbox(*, inbox_id: int) -> list[tuple[int, int]]:
    """Assign waiting conversations of the inbox, in queue order; returns (conversation, agent) ids.

    A fixed handful of queries to decide, plus the writes of each assignment.
    """
    policy = Inbox.objects.filter(pk=inbox_id).values_list("routing_policy", flat=True).first()
    if policy is None or policy == RoutingPolicy.MANUAL:
        return []
    available = _available(inbox_id)
    if not available:
        return []
    waiting = list(selectors.queue_for_inbox(inbox_id=inbox_id).select_related("contact")[:QUEUE_SCAN])
    missed = missed_by([c.pk for c in waiting])
    assigned = []
    for conversation in waiting:
        excluded = missed.get(conversation.pk, set())
        candidates = [
            p
            for p in available
            if p.load < p.capacity
            and (conversation.team_id is None or conversation.team_id in p.team_ids)
            and p.user_id not in excluded
        ]
        while candidates:
            profile = pick(policy, candidates)
            if assign_within_capacity(conversation=conversation, profile=profile):
                assigned.append((conversation.pk, profile.user_id))
                profile.load += 1
                profile.last_assigned_at = clock.now()
                break
            candidates.remove(profile)  # raced to full or away: try the next one
            available.remove(profile)
        if not any(p.load < p.capacity for p in available):
            break
    return assigned


def route_inboxes_of(*, user_id: int) -> None:
    for inbox_id in Inbox.objects.filter(agents=user_id).values_list("id", flat=True):
        route_inbox(inbox_id=inbox_id)


def team_for(conversation: Conversation):
    """The team a new conversation belongs to: the first matching rule, else the inbox default."""
    rules = RoutingRule.objects.filter(inbox_id=conversation.inbox_id).select_related("team")
    attributes = conversation.contact.attributes if isinstance(conversation.contact.attributes, dict) else {}
    for rule in rules:
        if rule.matches(context=conversation.context or {}, attributes=attributes):
            return rule.team
    return conversation.inbox.default_team


# --- the wait estimate -----------------------------------------------------------------------


def mean_handle_seconds(*, inbox_id: int) -> float:
    """Mean time from assignment to resolution over the inbox's latest resolved conversations."""
    recent = (
        Conversation.objects.filter(
            inbox_id=inbox_id, status=ConversationStatus.RESOLVED, assigned_at__isnull=False, resolved_at__isnull=False
        )
        .order_by("-resolved_at")
        .values("pk")[:HANDLE_TIME_SAMPLE]
    )
    mean = Conversation.objects.filter(pk__in=recent).aggregate(
        mean=Avg(ExpressionWrapper(F("resolved_at") - F("assigned_at"), output_field=DurationField()))
    )["mean"]
    return mean.total_seconds() if mean else DEFAULT_HANDLE_SECONDS


def estimate_waits(*, inbox_id: int, count: int) -> list[int | None]:
    """Estimated seconds until each of the first ``count`` waiting conversations gets an agent.

    With F free slots the first F are served at once; after that slots open at the rate the
    busy ones finish, ``busy / mean handling time``, so position p waits about
    ``(p - F) * handle / busy``. None when no agent is online to serve the queue at all.
    """
    profiles = list(online_agents(inbox_id).annotate(load=LOAD).distinct())
    if not profiles:
        return [None] * count
    capacity = sum(p.capacity for p in profiles)
    busy = sum(min(p.load, p.capacity) for p in profiles)
    free = max(capacity - busy, 0)
    handle = mean_handle_seconds(inbox_id=inbox_id)
    rate = max(busy, 1) / handle
    return [0 if p <= free else round((p - free) / rate) for p in range(1, count + 1)]


def agents_online(*, inbox_id: int) -> bool:
    """Is any agent of the inbox online with a console open?"""
    return online_agents(inbox_id).exists()


def route_safely(*, inbox_id: int) -> None:
    """Routing after a commit must never break the request that caused it; the sweep retries."""
    try:
        route_inbox(inbox_id=inbox_id)
    except Exception:
        logger.exception("routing inbox %s failed; the timer sweep will retry", inbox_id)
