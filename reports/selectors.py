"""Reads of the reports pages beside their figures (``reports.queries``): the filter's choices and
the per-conversation counts of the CSV export."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Count

from agents.selectors import teams_all
from chat.choices import EventType, SenderKind
from chat.models import ConversationEvent, Message
from chat.selectors import inboxes_for_agent


def filter_choices(*, user: AbstractBaseUser, manager: bool) -> dict:
    """The inboxes the user works, every team, and (for a manager) every agent to filter by."""
    return {
        "inboxes": inboxes_for_agent(user=user),
        "teams": teams_all(),
        "agents": get_user_model().objects.filter(agent__isnull=False).order_by("first_name", "username")
        if manager
        else [],
    }


def export_counts(ids: list[int]) -> tuple[dict, dict, dict]:
    """Agent replies, visitor messages and missed chats of a chunk of conversations (two queries)."""
    replies, visitor = {}, {}
    rows = (
        Message.objects.filter(
            conversation_id__in=ids, is_private=False, sender_kind__in=[SenderKind.AGENT, SenderKind.CONTACT]
        )
        .values_list("conversation_id", "sender_kind")
        .annotate(n=Count("id"))
        .order_by()
    )
    for conversation_id, kind, n in rows:
        (replies if kind == SenderKind.AGENT else visitor)[conversation_id] = n
    missed = dict(
        ConversationEvent.objects.filter(conversation_id__in=ids, type=EventType.MISSED)
        .values_list("conversation_id")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("conversation_id", "n")
    )
    return replies, visitor, missed
