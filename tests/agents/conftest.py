"""Fixtures for routing and timers: a controlled clock and agents who are online and connected."""

from __future__ import annotations

import pytest

from agents import services as agent_services
from agents.choices import Availability
from agents.models import AgentProfile
from chat import services


@pytest.fixture(autouse=True)
def patient_heartbeats(settings):
    """Test agents send no pings; keep their sockets alive unless a test says otherwise."""
    settings.HELPDESK = {**settings.HELPDESK, "AGENT_HEARTBEAT_TIMEOUT_SECONDS": 10**7}


@pytest.fixture
def online(make_agent):
    """An agent who is online and has a console open (so the router may pick it)."""

    def make(username: str, *, capacity: int = 5, inboxes=None, teams=()) -> AgentProfile:
        user = make_agent(username, capacity=capacity, inboxes=inboxes)
        profile = AgentProfile.objects.get(user=user)
        profile.availability = Availability.ONLINE
        agent_services.agent_connected(profile=profile, channel_name=f"test.{username}")
        for team in teams:
            team.members.add(user)
        agent_services.route_for_agent(user.pk)  # as the console socket does on connect
        return AgentProfile.objects.select_related("user").get(pk=profile.pk)

    return make


@pytest.fixture
def arrive(make_contact):
    """A new visitor starts a conversation (routing runs on commit, as in production)."""
    counter = iter(range(10_000))

    def start(text: str = "hello", **kwargs):
        n = next(counter)
        contact = make_contact(f"Visitor {n}").contact
        conversation, _ = services.conversation_start(contact=contact, text=text, client_id=f"c{n}", **kwargs)
        conversation.refresh_from_db()
        return conversation

    return start
