"""Opening the console brings an agent online unless it chose otherwise (issue 12, item 2).

A new agent (and every demo agent) starts offline; the first visitor must not meet the offline
form because nobody said "go online". The agent's own choice of away or offline is remembered
across consoles; the console's own changes (away for inactivity, and back) are not a choice.
"""

from __future__ import annotations

import pytest
from channels.db import database_sync_to_async

from agents.choices import Availability
from agents.models import AgentProfile
from chat.selectors import inbox_availability
from tests.agents.test_agent_socket import agent_session

pytestmark = pytest.mark.django_db(transaction=True)


def set_profile(user, **fields) -> None:
    AgentProfile.objects.filter(user=user).update(**fields)


def profile_of(user) -> AgentProfile:
    return AgentProfile.objects.get(user=user)


async def test_a_new_agent_comes_online_when_the_console_opens(inbox, alice, bob):
    await database_sync_to_async(set_profile)(alice, availability=Availability.OFFLINE, availability_chosen=False)
    assert not (await database_sync_to_async(inbox_availability)(inbox=inbox))["agents_online"]
    watcher, _ = await agent_session(bob)
    sock, hello = await agent_session(alice)
    assert hello["agent"]["availability"] == "online"
    seen = await watcher.recv_until("agent.updated")
    assert seen["agent"] == {"id": alice.pk, "name": "Alice", "availability": "online", "capacity": 5}
    profile = await database_sync_to_async(profile_of)(alice)
    assert profile.availability == "online" and profile.availability_changed_at is not None
    assert profile.availability_chosen is False  # coming online by opening the console is no choice
    assert (await database_sync_to_async(inbox_availability)(inbox=inbox))["agents_online"]
    await sock.close()
    await watcher.close()


@pytest.mark.parametrize("choice", ["away", "offline"])
async def test_a_chosen_availability_is_kept_for_the_next_console(alice, choice):
    sock, _ = await agent_session(alice)
    ack = await sock.request({"type": "availability.set", "availability": choice})
    assert ack["agent"]["availability"] == choice
    await sock.close()
    profile = await database_sync_to_async(profile_of)(alice)
    assert profile.availability == choice and profile.availability_chosen is True
    again, hello = await agent_session(alice)
    assert hello["agent"]["availability"] == choice
    await again.close()


async def test_choosing_online_again_is_remembered_too(alice):
    await database_sync_to_async(set_profile)(alice, availability=Availability.AWAY, availability_chosen=True)
    sock, hello = await agent_session(alice)
    assert hello["agent"]["availability"] == "away"
    await sock.request({"type": "availability.set", "availability": "online"})
    await sock.close()
    profile = await database_sync_to_async(profile_of)(alice)
    assert profile.availability == "online" and profile.availability_chosen is True


async def test_away_for_inactivity_is_not_a_choice(alice):
    sock, _ = await agent_session(alice)
    await sock.request({"type": "availability.set", "availability": "online"})  # chose online
    ack = await sock.request({"type": "availability.set", "availability": "away", "auto": True})
    assert ack["agent"]["availability"] == "away"
    await sock.close()
    profile = await database_sync_to_async(profile_of)(alice)
    assert profile.availability == "away" and profile.availability_chosen is False
    again, hello = await agent_session(alice)  # the next console: back at work
    assert hello["agent"]["availability"] == "online"
    bad = await again.request({"type": "availability.set", "availability": "away", "auto": "yes"})
    assert bad["type"] == "error" and bad["code"] == "invalid"
    await again.close()
