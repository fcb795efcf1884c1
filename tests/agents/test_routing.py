"""Routing with a controlled clock: policies, capacity, teams, timeouts, absence, priority."""

from __future__ import annotations

import pytest

from agents import services as agent_services
from agents.choices import Availability
from agents.models import AgentProfile, RoutingRule, Team
from agents.routing import estimate_waits
from agents.timers import sweep
from chat import services
from chat.choices import ConversationStatus, EventType, Priority, RoutingPolicy
from chat.models import Conversation, ConversationEvent

pytestmark = pytest.mark.django_db(transaction=True)


def assignee_names(conversations) -> list[str | None]:
    out = []
    for c in conversations:
        c.refresh_from_db()
        out.append(c.assignee.username if c.assignee else None)
    return out


def set_policy(inbox, policy, **fields):
    inbox.routing_policy = policy
    for key, value in fields.items():
        setattr(inbox, key, value)
    inbox.save()


def test_round_robin_takes_turns(inbox, online, arrive, clock):
    set_policy(inbox, RoutingPolicy.ROUND_ROBIN)
    for name in ("ann", "ben", "cat"):
        online(name)
    chats = []
    for _ in range(6):
        chats.append(arrive())
        clock.advance(5)
    assert assignee_names(chats) == ["ann", "ben", "cat", "ann", "ben", "cat"]
    assert all(c.auto_assigned and c.status == ConversationStatus.OPEN for c in chats)


def test_least_busy_respects_capacity_and_queues_the_rest(inbox, online, arrive, clock):
    set_policy(inbox, RoutingPolicy.LEAST_BUSY)
    online("small", capacity=1)
    online("big", capacity=3)
    chats = [arrive() for _ in range(5)]
    names = assignee_names(chats)
    assert names[:4].count("small") == 1 and names[:4].count("big") == 3
    assert names[4] is None and chats[4].status == ConversationStatus.WAITING
    # A freed slot goes to the waiting conversation at once.
    services.conversation_resolve(conversation=Conversation.objects.get(pk=chats[0].pk), actor=None)
    assert assignee_names([chats[4]]) == [names[0]]


def test_away_offline_and_disconnected_agents_get_nothing(inbox, online, arrive):
    set_policy(inbox, RoutingPolicy.ROUND_ROBIN)
    away = online("away")
    agent_services.agent_set_availability(profile=away, availability=Availability.AWAY)
    offline = online("off")
    agent_services.agent_set_availability(profile=offline, availability=Availability.OFFLINE)
    gone = online("gone")
    agent_services.agent_disconnected(profile=gone, channel_name="test.gone")
    chat = arrive()
    assert assignee_names([chat]) == [None]
    # The moment one comes back online, the queue is served.
    agent_services.agent_set_availability(profile=AgentProfile.objects.get(pk=away.pk), availability="online")
    assert assignee_names([chat]) == ["away"]


def test_team_restriction_and_fallback_after_the_wait(inbox, online, arrive, clock):
    billing = Team.objects.create(name="Billing")
    general = Team.objects.create(name="General")
    set_policy(inbox, RoutingPolicy.ROUND_ROBIN, fallback_team=general, fallback_after_seconds=300)
    inbox.teams.add(billing)
    online("gen", teams=[general])
    billing_agent = online("bill", teams=[billing])
    agent_services.agent_set_availability(profile=billing_agent, availability="away")

    chat = arrive(team_id=billing.pk)
    assert chat.team == billing and assignee_names([chat]) == [None]  # only billing may take it
    clock.advance(299)
    sweep()
    assert assignee_names([chat]) == [None]
    clock.advance(2)
    assert sweep()["team_fallbacks"] == 1
    chat.refresh_from_db()
    assert chat.team == general and chat.team_fallback_done
    assert assignee_names([chat]) == ["gen"]
    assert ConversationEvent.objects.filter(conversation=chat, type=EventType.TEAM_FALLBACK).exists()


def test_routing_rules_and_default_team(inbox, online, arrive):
    sales = Team.objects.create(name="Sales")
    support = Team.objects.create(name="Support")
    set_policy(inbox, RoutingPolicy.MANUAL, default_team=support)
    RoutingRule.objects.create(inbox=inbox, field="url", operator="contains", value="/pricing", team=sales)
    RoutingRule.objects.create(inbox=inbox, field="language", operator="starts_with", value="de", team=support)
    priced = arrive(context={"url": "https://shop.example/pricing?plan=pro", "language": "en-GB"})
    other = arrive(context={"url": "https://shop.example/help"})
    assert priced.team == sales and other.team == support
    with pytest.raises(Exception) as error:
        arrive(team_id=sales.pk)  # not offered by the inbox's pre-chat form
    assert getattr(error.value, "code", None) == "not_found"


def test_unanswered_assignment_returns_and_goes_to_the_next_agent(inbox, online, arrive, clock):
    set_policy(inbox, RoutingPolicy.ROUND_ROBIN, accept_timeout_seconds=60)
    online("ann")
    online("ben")
    first = arrive()
    assert assignee_names([first]) == ["ann"]
    clock.advance(59)
    assert sweep()["requeued_unanswered"] == 0
    clock.advance(2)
    assert sweep()["requeued_unanswered"] == 1
    assert assignee_names([first]) == ["ben"]
    missed = ConversationEvent.objects.get(conversation=first, type=EventType.MISSED)
    assert missed.payload["agent"] == AgentProfile.objects.get(user__username="ann").user_id
    # ben does not answer either: nobody else is left, so it waits (ann already missed it).
    clock.advance(61)
    sweep()
    first.refresh_from_db()
    assert first.status == ConversationStatus.WAITING and first.assignee is None


def test_accepting_or_replying_stops_the_answer_timer(inbox, online, arrive, clock):
    set_policy(inbox, RoutingPolicy.ROUND_ROBIN, accept_timeout_seconds=60)
    ann = online("ann")
    ben = online("ben")
    accepted, replied = arrive(), arrive()
    services.conversation_accept(conversation=accepted, agent=ann.user)
    services.message_send(conversation=replied, sender=ben.user, text="Hi!", client_id="r")
    clock.advance(120)
    assert sweep()["requeued_unanswered"] == 0
    assert assignee_names([accepted, replied]) == ["ann", "ben"]


@pytest.mark.parametrize("how", ["offline", "disconnect"])
def test_an_absent_agent_keeps_answered_chats_and_returns_the_rest(inbox, online, arrive, clock, how):
    set_policy(inbox, RoutingPolicy.LEAST_BUSY, offline_grace_seconds=120, accept_timeout_seconds=3600)
    ann = online("ann", capacity=2)
    answered, unanswered = arrive(), arrive()
    assert assignee_names([answered, unanswered]) == ["ann", "ann"]
    services.message_send(conversation=answered, sender=ann.user, text="On it", client_id="a")
    if how == "offline":
        agent_services.agent_set_availability(profile=ann, availability="offline")
    else:
        agent_services.agent_disconnected(profile=ann, channel_name="test.ann")
    online("ben")
    clock.advance(119)
    assert sweep()["requeued_offline"] == 0
    clock.advance(2)
    assert sweep()["requeued_offline"] == 1
    assert assignee_names([answered, unanswered]) == ["ann", "ben"]
    assert not ConversationEvent.objects.filter(type=EventType.MISSED).exists()


def test_a_quick_reconnect_within_the_grace_period_keeps_everything(inbox, online, arrive, clock):
    set_policy(inbox, RoutingPolicy.ROUND_ROBIN, offline_grace_seconds=120, accept_timeout_seconds=3600)
    ann = online("ann")
    chat = arrive()
    agent_services.agent_disconnected(profile=ann, channel_name="test.ann")
    clock.advance(60)
    agent_services.agent_connected(profile=ann, channel_name="test.ann.2")
    clock.advance(120)
    assert sweep()["requeued_offline"] == 0
    assert assignee_names([chat]) == ["ann"]


def test_stale_connections_expire_by_heartbeat(inbox, online, clock, settings):
    settings.HELPDESK = {**settings.HELPDESK, "AGENT_HEARTBEAT_TIMEOUT_SECONDS": 90}
    ann = online("ann")
    clock.advance(91)
    assert sweep()["stale_connections"] == 1
    ann.refresh_from_db()
    assert ann.disconnected_at == clock.current


def test_queue_is_served_by_priority_then_waiting_time(inbox, online, arrive, clock):
    set_policy(inbox, RoutingPolicy.ROUND_ROBIN)
    first, second, third = arrive(), arrive(), arrive()
    clock.advance(1)
    services.conversation_set_priority(
        conversation=third, priority=Priority.URGENT, actor=online("boss", inboxes=[]).user
    )
    online("solo", capacity=1)
    assert assignee_names([first, second, third]) == [None, None, "solo"]
    services.conversation_resolve(conversation=Conversation.objects.get(pk=third.pk), actor=None)
    assert assignee_names([first, second]) == ["solo", None]


def test_wait_estimates_follow_free_capacity_and_handling_time(inbox, online, arrive, clock):
    assert estimate_waits(inbox_id=inbox.pk, count=2) == [None, None]  # nobody online
    ann = online("ann", capacity=2)
    for _ in range(2):  # history: two chats handled in 10 minutes each
        chat = arrive()
        services.conversation_claim(conversation=chat, agent=ann.user)
        clock.advance(600)
        services.conversation_resolve(conversation=Conversation.objects.get(pk=chat.pk), actor=ann.user)
    assert estimate_waits(inbox_id=inbox.pk, count=3) == [0, 0, 600]
    busy = arrive()
    services.conversation_claim(conversation=busy, agent=ann.user)
    # One free slot; after it, one busy slot finishing every 600 s.
    assert estimate_waits(inbox_id=inbox.pk, count=3) == [0, 600, 1200]


@pytest.mark.parametrize("waiting", [3, 25])
def test_deciding_who_gets_what_takes_a_fixed_number_of_queries(
    inbox, online, arrive, waiting, django_assert_num_queries
):
    from agents.routing import route_inbox

    nobody_in_it = Team.objects.create(name="Nobody")
    for _ in range(waiting):
        arrive(team_id=None)
    Conversation.objects.update(team=nobody_in_it)  # every conversation needs a team nobody is in
    set_policy(inbox, RoutingPolicy.ROUND_ROBIN)
    online("ann")
    with django_assert_num_queries(5):  # policy, agents, their teams, the queue, missed chats
        assert route_inbox(inbox_id=inbox.pk) == []
