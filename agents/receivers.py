"""The router listens to the conversation domain's signals (sent after commit)."""

from __future__ import annotations

import logging

from django.dispatch import receiver

from agents import routing
from agents.tasks import ensure_sweep_scheduled
from chat import services as chat_services
from chat.models import Conversation
from chat.signals import capacity_freed, conversation_waiting

logger = logging.getLogger(__name__)


@receiver(conversation_waiting)
def route_waiting_conversation(sender, *, conversation_id: int, inbox_id: int, chosen_team: bool, **kwargs) -> None:
    """Give a new or requeued conversation its team (rules, default) and try to assign it."""
    try:
        conversation = Conversation.objects.select_related("inbox", "contact").get(pk=conversation_id)
        if not chosen_team and conversation.team_id is None:
            team = routing.team_for(conversation)
            if team is not None:
                chat_services.conversation_set_team(conversation=conversation, team=team, actor=None)
    except Exception:
        logger.exception("choosing a team for conversation %s failed", conversation_id)
    routing.route_safely(inbox_id=inbox_id)
    ensure_sweep_scheduled()


@receiver(capacity_freed)
def route_after_capacity_freed(sender, *, agent_id: int, inbox_id: int, **kwargs) -> None:
    routing.route_safely(inbox_id=inbox_id)
