"""Writes that sort a conversation without changing who holds it: tags, priority, team."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from chat import sla
from chat.choices import ConversationStatus, EventType, Priority
from chat.errors import ServiceError, invalid
from chat.models import Conversation, Tag
from chat.services._core import broadcast_conversation, broadcast_queue_positions, locked, record

MAX_TAGS = 20


def conversation_set_tags(*, conversation: Conversation, actor: AbstractBaseUser, names: Any) -> list[str]:
    """Replace the conversation's tags with ``names`` (tags an admin created); returns them sorted.

    Records one ``tags_changed`` event with what was added and removed, and only when
    something changed.
    """
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names) or len(names) > MAX_TAGS:
        raise invalid(f"tags must be a list of at most {MAX_TAGS} tag names.")
    wanted_names = {n.strip().lower() for n in names if n.strip()}
    tags = {t.name: t for t in Tag.objects.filter(name__in=wanted_names)}
    unknown = sorted(wanted_names - tags.keys())
    if unknown:
        raise ServiceError("unknown_tag", f"No such tag: {', '.join(unknown)[:200]}.", status=404)
    with transaction.atomic():
        conversation = locked(conversation)
        current = set(conversation.tags.values_list("name", flat=True))
        added, removed = sorted(tags.keys() - current), sorted(current - tags.keys())
        if not added and not removed:
            return sorted(current)
        if removed:
            conversation.tags.remove(*Tag.objects.filter(name__in=removed))
        if added:
            conversation.tags.add(*(tags[n] for n in added))
        record(conversation, EventType.TAGS_CHANGED, actor=actor, payload={"added": added, "removed": removed})
        broadcast_conversation(conversation)
    return sorted(tags)


def conversation_set_priority(*, conversation: Conversation, priority: Any, actor: AbstractBaseUser) -> Conversation:
    """Change the priority; the queue reorders and SLA targets follow the new priority's policy."""
    if priority not in Priority.values or isinstance(priority, bool):
        raise invalid(f"priority must be one of {Priority.values}.")
    with transaction.atomic():
        conversation = locked(conversation)
        if conversation.priority == priority:
            return conversation
        previous = conversation.priority
        conversation.priority = priority
        first_due, resolution_due = sla.due_times(conversation, start=conversation.created_at)
        Conversation.objects.filter(pk=conversation.pk).update(
            priority=priority, sla_first_response_due_at=first_due, sla_resolution_due_at=resolution_due
        )
        record(conversation, EventType.PRIORITY_CHANGED, actor=actor, payload={"from": previous, "to": priority})
        broadcast_conversation(conversation)
        if conversation.status == ConversationStatus.WAITING:
            broadcast_queue_positions(conversation.inbox_id)
    return conversation


def conversation_set_team(*, conversation: Conversation, team, actor: AbstractBaseUser | None, fallback: bool = False):
    """Route a waiting conversation to ``team`` (a routing rule, the default, or the fallback)."""
    with transaction.atomic():
        conversation = locked(conversation)
        if conversation.status != ConversationStatus.WAITING or conversation.team_id == getattr(team, "pk", None):
            return conversation
        Conversation.objects.filter(pk=conversation.pk).update(team=team, team_fallback_done=fallback)
        if fallback:
            payload = {"from_team": conversation.team_id, "to_team": team.pk}
            record(conversation, EventType.TEAM_FALLBACK, actor=actor, payload=payload)
        broadcast_conversation(conversation)
    return conversation
