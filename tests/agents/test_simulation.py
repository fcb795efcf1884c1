"""A queue simulation on the real router and services with a controlled clock.

N agents, M arrivals at random times, handling times drawn at random: at every step no agent
holds more than its capacity, conversations are assigned in queue order, and each visitor's
wait estimate (taken when it joined the queue) is compared with the wait it really had. The
mean error is written to test-artifacts/wait-estimate.txt.
"""

from __future__ import annotations

import heapq
import random
from datetime import timedelta
from pathlib import Path
from statistics import mean

import pytest

from agents.models import AgentProfile
from agents.routing import estimate_waits
from chat import selectors, services
from chat.choices import ConversationStatus, RoutingPolicy
from chat.models import Conversation

pytestmark = pytest.mark.django_db(transaction=True)

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@pytest.mark.parametrize("policy", [RoutingPolicy.LEAST_BUSY, RoutingPolicy.ROUND_ROBIN])
def test_simulated_day_respects_capacity_and_order_and_measures_the_estimate(inbox, online, arrive, clock, policy):
    rng = random.Random(20261123)
    inbox.routing_policy = policy
    inbox.accept_timeout_seconds = 10**6  # agents in the simulation always answer
    inbox.save()
    agents = [online(f"agent{i}", capacity=c) for i, c in enumerate([2, 2, 3])]
    capacity = {p.user_id: p.capacity for p in agents}
    arrivals = 120
    mean_handle = 240.0

    # Warm the handling-time history the estimator learns from.
    for _ in range(10):
        warm = arrive()
        warm.refresh_from_db()
        if warm.assignee_id is None:
            services.conversation_claim(conversation=warm, agent=agents[0].user)
        clock.advance(mean_handle)
        services.conversation_resolve(conversation=Conversation.objects.get(pk=warm.pk), actor=None)

    start = clock.current
    events: list[tuple[float, int, str, int]] = []  # (time, tiebreak, kind, conversation id)
    t = 0.0
    for n in range(arrivals):
        t += rng.expovariate(1 / 45.0)  # a visitor every 45 s on average: a busy queue
        heapq.heappush(events, (t, n, "arrive", 0))
    joined_at: dict[int, float] = {}
    estimate: dict[int, float] = {}
    waited: dict[int, float] = {}
    order_violations = 0
    tiebreak = arrivals
    max_load_seen = 0

    def note_assignments(now_s: float) -> None:
        nonlocal order_violations, tiebreak, max_load_seen
        open_ids = Conversation.objects.filter(
            pk__in=[k for k in joined_at if k not in waited], status=ConversationStatus.OPEN
        ).values_list("pk", flat=True)
        newly = sorted(open_ids, key=lambda k: joined_at[k])
        still_waiting = set(selectors.queue_for_inbox(inbox_id=inbox.pk).values_list("pk", flat=True))
        for pk in newly:
            waited[pk] = now_s - joined_at[pk]
            # Nobody who joined earlier (same priority, no team) may still be waiting.
            order_violations += sum(1 for w in still_waiting if joined_at.get(w, 1e18) < joined_at[pk])
            tiebreak += 1
            heapq.heappush(events, (now_s + rng.expovariate(1 / mean_handle), tiebreak, "resolve", pk))
        for profile in AgentProfile.objects.filter(pk__in=[a.pk for a in agents]):
            load = Conversation.objects.filter(assignee_id=profile.user_id, status=ConversationStatus.OPEN).count()
            assert load <= capacity[profile.user_id], "an agent was given more than its capacity"
            max_load_seen = max(max_load_seen, load)

    while events:
        at, _, kind, pk = heapq.heappop(events)
        clock.set(start + timedelta(seconds=at))
        if kind == "arrive":
            conversation = arrive()
            joined_at[conversation.pk] = at
            if conversation.status == ConversationStatus.WAITING:
                position, _length = selectors.queue_position(conversation=conversation)
                estimate[conversation.pk] = estimate_waits(inbox_id=inbox.pk, count=position)[-1]
            else:
                estimate[conversation.pk] = 0
        else:
            services.conversation_resolve(conversation=Conversation.objects.get(pk=pk), actor=None)
        note_assignments(at)

    assert len(waited) == arrivals, "every visitor was served in the end"
    assert order_violations == 0
    assert max_load_seen == max(capacity.values())  # the queue really was busy
    errors = [abs(estimate[k] - waited[k]) for k in waited if estimate[k] is not None]
    mean_wait = mean(waited.values())
    mean_error = mean(errors)
    queued = [k for k in waited if waited[k] > 0]
    ARTIFACTS.mkdir(exist_ok=True)
    with (ARTIFACTS / "wait-estimate.txt").open("a") as report:
        report.write(
            f"{policy}: {arrivals} arrivals, 3 agents (capacity 7), mean handling {mean_handle:.0f}s: "
            f"mean wait {mean_wait:.1f}s, {len(queued)} waited; "
            f"mean absolute estimate error {mean_error:.1f}s\n"
        )
    # The estimate must be informative: far better than always guessing the mean wait.
    naive = mean(abs(mean_wait - waited[k]) for k in waited)
    assert mean_error < naive, (mean_error, naive)
