"""Writes of the agent side: availability, and claiming within capacity.

Conversation state itself changes only through ``chat.services``; these functions add the
agent-side policy (capacity, availability) around them.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from agents.choices import Availability
from agents.models import AgentProfile
from chat import clock, realtime
from chat import services as chat_services
from chat.choices import ConversationStatus
from chat.errors import ServiceError
from chat.models import Conversation


def agent_payload(profile: AgentProfile, *, load: int | None = None) -> dict:
    """The one shape of an agent, as other agents see it."""
    data = {
        "id": profile.user_id,
        "name": profile.name,
        "availability": profile.availability,
        "capacity": profile.capacity,
    }
    if load is not None:
        data["load"] = load
    return data


def agent_load(*, user: AbstractBaseUser) -> int:
    """Conversations the agent holds that count against capacity."""
    return Conversation.objects.filter(
        assignee=user, status__in=(ConversationStatus.OPEN, ConversationStatus.PENDING)
    ).count()


def agent_set_availability(*, profile: AgentProfile, availability: str) -> AgentProfile:
    if availability not in Availability.values:
        raise ServiceError("invalid", f"availability must be one of {', '.join(Availability.values)}.")
    if profile.availability == availability:
        return profile
    with transaction.atomic():
        profile.availability = availability
        profile.availability_changed_at = clock.now()
        AgentProfile.objects.filter(pk=profile.pk).update(
            availability=availability, availability_changed_at=profile.availability_changed_at
        )
        realtime.broadcast(
            [realtime.agents_group()], realtime.envelope("agent.updated", {"agent": agent_payload(profile)})
        )
    return profile


def conversation_claim_within_capacity(*, profile: AgentProfile, conversation: Conversation) -> Conversation:
    """Claim for an agent who has a free slot; the profile row lock serialises one agent's claims."""
    with transaction.atomic():
        AgentProfile.objects.select_for_update().filter(pk=profile.pk).first()
        if agent_load(user=profile.user) >= profile.capacity:
            raise ServiceError(
                "over_capacity", f"You already hold {profile.capacity} conversations, your capacity.", status=409
            )
        return chat_services.conversation_claim(conversation=conversation, agent=profile.user)
