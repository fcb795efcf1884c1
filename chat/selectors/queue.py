"""Reads of the queue: its serving order, a conversation's place in it, the wait estimate, and
whether an inbox can take a live chat now."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db.models import QuerySet
from django.utils.module_loading import import_string

from chat import clock
from chat.choices import ConversationStatus
from chat.models import Conversation, Inbox
from chat.selectors.scope import conversations_for_agent

# The one serving order of the queue: higher priority first, then who waited longest.
QUEUE_ORDER = ("-priority", "waiting_since", "id")


def queue_for_inbox(*, inbox_id: int) -> QuerySet[Conversation]:
    """Waiting conversations in serving order: priority first, then who waited longest."""
    return Conversation.objects.filter(inbox_id=inbox_id, status=ConversationStatus.WAITING).order_by(*QUEUE_ORDER)


def queue_for_agent(*, user: AbstractBaseUser) -> QuerySet[Conversation]:
    return conversations_for_agent(user=user, status=ConversationStatus.WAITING).order_by(*QUEUE_ORDER)


def queue_position(*, conversation: Conversation) -> tuple[int, int]:
    """(1-based position, queue length) of a waiting conversation; (0, length) otherwise."""
    ids = list(queue_for_inbox(inbox_id=conversation.inbox_id).values_list("id", flat=True))
    position = ids.index(conversation.pk) + 1 if conversation.pk in ids else 0
    return position, len(ids)


def estimate_waits(*, inbox_id: int, count: int) -> list[int | None]:
    """Estimated waits for the first ``count`` queue positions; None where nobody can tell.

    The estimator is HELPDESK["WAIT_ESTIMATOR"] (the agents app's router), so that this app
    does not import the apps above it.
    """
    path = settings.HELPDESK.get("WAIT_ESTIMATOR")
    if not path:
        return [None] * count
    return import_string(path)(inbox_id=inbox_id, count=count)


def inbox_availability(*, inbox: Inbox) -> dict[str, bool]:
    """Whether the inbox is within business hours and has an agent online to answer now.

    Outside hours, or with nobody online, the widget offers its offline form instead of a live chat.
    """
    from chat.hours import schedule_for

    path = settings.HELPDESK.get("AGENTS_ONLINE_CHECK")
    agents_online = bool(import_string(path)(inbox_id=inbox.pk)) if path else True
    return {"open": schedule_for(inbox).is_open(clock.now()), "agents_online": agents_online}
