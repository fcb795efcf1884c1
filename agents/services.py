"""Writes of the agent side: availability, and claiming within capacity.

Conversation state itself changes only through ``chat.services``; these functions add the
agent-side policy (capacity, availability) around them.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import transaction

from agents.choices import Availability
from agents.models import AgentConnection, AgentProfile
from agents.selectors import agent_load, availability_on_open, effective_availability
from chat import clock, events, realtime
from chat import services as chat_services
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


def agent_set_availability(*, profile: AgentProfile, availability: str, chosen: bool = True) -> AgentProfile:
    """Store the agent's availability. ``chosen`` says the agent picked it (the console's menu);
    the console's own changes (away for inactivity, and back) pass ``chosen=False``, so that the
    next console opens online again (``agent_connected``)."""
    if availability not in Availability.values:
        raise ServiceError("invalid", f"availability must be one of {', '.join(Availability.values)}.")
    if profile.availability == availability and profile.availability_chosen == chosen:
        return profile
    changed = profile.availability != availability
    with transaction.atomic():
        _store_availability(profile, availability, chosen=chosen)
        if changed:
            realtime.broadcast([realtime.agents_group()], events.agent_updated(agent_payload(profile)))
        if changed and availability == Availability.ONLINE:
            user_id = profile.user_id
            realtime.after_commit(lambda: route_for_agent(user_id))
    return profile


def _store_availability(profile: AgentProfile, availability: str, *, chosen: bool) -> None:
    """Write the availability and whether the agent chose it (inside the caller's transaction)."""
    fields = {"availability": availability, "availability_chosen": chosen}
    if profile.availability != availability:
        fields["availability_changed_at"] = clock.now()
    AgentProfile.objects.filter(pk=profile.pk).update(**fields)
    for name, value in fields.items():
        setattr(profile, name, value)


def conversation_claim_within_capacity(*, profile: AgentProfile, conversation: Conversation) -> Conversation:
    """Claim for an agent who has a free slot; the profile row lock serialises one agent's claims."""
    with transaction.atomic():
        AgentProfile.objects.select_for_update().filter(pk=profile.pk).first()
        if agent_load(user=profile.user) >= profile.capacity:
            raise ServiceError(
                "over_capacity", f"You already hold {profile.capacity} conversations, your capacity.", status=409
            )
        return chat_services.conversation_claim(conversation=conversation, agent=profile.user)


# --- presence: which agents have a console open ------------------------------------------------


def agent_connected(*, profile: AgentProfile, channel_name: str) -> None:
    """Record one open console socket; the agent is connected while it has any.

    Opening the console means coming to work: an agent who has not chosen an availability
    (``availability_chosen``) comes online. One who chose away or offline stays so.
    """
    now = clock.now()
    came_back = profile.disconnected_at is not None
    with transaction.atomic():
        AgentConnection.objects.update_or_create(
            channel_name=channel_name, defaults={"agent": profile, "connected_at": now, "last_seen_at": now}
        )
        AgentProfile.objects.filter(pk=profile.pk).update(disconnected_at=None)
        profile.disconnected_at = None
        comes_online = availability_on_open(profile) != profile.availability
        if comes_online:
            _store_availability(profile, availability_on_open(profile), chosen=False)
        if came_back or comes_online:  # colleagues saw the agent offline (or with an old availability)
            _broadcast_presence(profile)


def agent_heartbeat(*, channel_name: str) -> None:
    AgentConnection.objects.filter(channel_name=channel_name).update(last_seen_at=clock.now())


def agent_disconnected(*, profile: AgentProfile, channel_name: str) -> bool:
    """Forget one socket; when it was the agent's last, start the offline grace period."""
    now = clock.now()
    with transaction.atomic():
        AgentConnection.objects.filter(channel_name=channel_name).delete()
        if AgentConnection.objects.filter(agent=profile).exists():
            return False
        AgentProfile.objects.filter(pk=profile.pk).update(disconnected_at=now)
        profile.disconnected_at = now
        _broadcast_presence(profile)  # the last console closed: offline to colleagues
    return True


def _broadcast_presence(profile: AgentProfile) -> None:
    """Tell every console the availability colleagues now see for ``profile`` (after commit).

    The stored choice is kept (a reload must not lose it); while no console is open the agent
    shows as offline, and the router skips it (docs/routing.md).
    """
    data = {**agent_payload(profile), "availability": effective_availability(profile)}
    realtime.broadcast([realtime.agents_group()], events.agent_updated(data))


def expire_stale_connections(*, now) -> int:
    """Drop sockets whose process died without closing them, and mark who is now disconnected."""
    cutoff = now - timedelta(seconds=settings.HELPDESK["AGENT_HEARTBEAT_TIMEOUT_SECONDS"])
    stale = AgentConnection.objects.filter(last_seen_at__lt=cutoff)
    agent_ids = set(stale.values_list("agent_id", flat=True))
    removed, _ = stale.delete()
    if agent_ids:
        still = set(AgentConnection.objects.filter(agent_id__in=agent_ids).values_list("agent_id", flat=True))
        gone = list(
            AgentProfile.objects.select_related("user").filter(pk__in=agent_ids - still, disconnected_at__isnull=True)
        )
        AgentProfile.objects.filter(pk__in=[p.pk for p in gone]).update(disconnected_at=now)
        for profile in gone:  # their server process died: offline to colleagues, as if they had closed it
            profile.disconnected_at = now
            _broadcast_presence(profile)
    return removed


def route_for_agent(user_id: int) -> None:
    """Try to give the agent waiting conversations of its inboxes (it just became available)."""
    from agents.routing import route_inboxes_of

    try:
        route_inboxes_of(user_id=user_id)
    except Exception:  # routing is retried by the timer sweep
        import logging

        logging.getLogger(__name__).exception("routing for agent %s failed", user_id)
