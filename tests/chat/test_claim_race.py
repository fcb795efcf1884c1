"""Two agents claim the same waiting conversation at the same moment: exactly one wins.

Each claimer is a thread with its own database connection, released at the barrier so both
UPDATEs reach the database together. The shared pass runs it on PostgreSQL (row locks); the
embedded pass on SQLite (one writer at a time). Either way the database decides.
"""

from __future__ import annotations

import threading

import pytest
from django.db import connections

from chat import selectors, services
from chat.choices import ConversationStatus, EventType, SenderKind
from chat.errors import ServiceError
from chat.models import ConversationEvent, Message
from tests.conftest import new_client_id
from tests.servers import require_shared_backends

ROUNDS = 20


def claim_at_once(public_id: str, agents: list) -> dict[str, object]:
    """Each agent claims ``public_id`` from its own thread; returns username -> result or error."""
    barrier = threading.Barrier(len(agents))
    results: dict[str, object] = {}

    def claimer(agent) -> None:
        try:
            # Read the way a socket does: through the agent's own scope, on this thread's connection.
            conversation = selectors.conversation_for_agent(user=agent, public_id=public_id)
            barrier.wait(timeout=10)
            results[agent.username] = services.conversation_claim(conversation=conversation, agent=agent)
        except ServiceError as error:
            results[agent.username] = error
        except BaseException as error:  # surfaced by the assertions below
            results[agent.username] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=claimer, args=(agent,)) for agent in agents]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
        assert not thread.is_alive(), "a claimer hung"
    return results


def race(make_contact, agents: list) -> dict[str, int]:
    wins = {agent.username: 0 for agent in agents}
    for round_number in range(ROUNDS):
        who = make_contact(f"Racer {round_number}")
        conversation, _ = services.conversation_start(contact=who.contact, text="first!", client_id=new_client_id())
        results = claim_at_once(str(conversation.public_id), agents)

        winners = [name for name, result in results.items() if not isinstance(result, BaseException)]
        losers = [result for result in results.values() if isinstance(result, BaseException)]
        assert len(winners) == 1, results
        assert len(losers) == len(agents) - 1
        for error in losers:
            assert isinstance(error, ServiceError), repr(error)
            assert error.code == "already_claimed" and error.status == 409
        winner = next(agent for agent in agents if agent.username == winners[0])
        wins[winner.username] += 1

        conversation.refresh_from_db()
        assert conversation.status == ConversationStatus.OPEN
        assert conversation.assignee_id == winner.pk
        claimed = ConversationEvent.objects.filter(conversation=conversation, type=EventType.CLAIMED)
        assert claimed.count() == 1
        assert claimed.get().actor_user_id == winner.pk
        joined = Message.objects.filter(conversation=conversation, sender_kind=SenderKind.SYSTEM)
        assert list(joined.values_list("text", flat=True)) == [f"{winner.first_name} joined the conversation."]
        assert list(conversation.messages.order_by("seq").values_list("seq", flat=True)) == [1, 2]
    return wins


@pytest.mark.django_db(transaction=True)
def test_claim_race_on_the_configured_database(make_contact, alice, bob):
    """SQLite in the embedded pass: writers queue, and the second sees the claim already made."""
    wins = race(make_contact, [alice, bob])
    assert sum(wins.values()) == ROUNDS


@pytest.mark.shared
@pytest.mark.django_db(transaction=True)
def test_claim_race_on_postgresql(make_contact, alice, bob, make_agent):
    require_shared_backends()
    wins = race(make_contact, [alice, bob])
    assert sum(wins.values()) == ROUNDS
    # Three at once, too.
    carol = make_agent("carol")
    wins = race(make_contact, [alice, bob, carol])
    assert sum(wins.values()) == ROUNDS
