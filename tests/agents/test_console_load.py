"""Loading the console costs a fixed number of SQL queries, however many conversations exist:
the page view, then the socket's connect (groups) and `hello` (every list)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from agents.consumers import AgentConsumer
from agents.models import CannedResponse, Team
from agents.selectors import profile_for_user
from chat import services
from chat.models import Tag
from tests.conftest import new_client_id

pytestmark = pytest.mark.django_db


def populate(count: int, *, make_contact, alice, bob) -> None:
    """``count`` conversations in every state the console lists, with tags, notes and ratings."""
    vip = Tag.objects.get_or_create(name="vip")[0]
    team = Team.objects.get_or_create(name="Support")[0]
    team.members.add(alice)
    CannedResponse.objects.get_or_create(short_code="hi", defaults={"text": "Hi {{contact.name}}"})
    for n in range(count):
        contact = make_contact(f"Visitor {n}").contact
        conversation, _ = services.conversation_start(contact=contact, text=f"hello {n}", client_id=new_client_id())
        kind = (3, 0, 1, 2)[n % 4]  # the first two: one resolved, one waiting (every list's query runs)
        if kind == 0:
            continue  # waits in the queue
        agent = alice if kind in (1, 3) else bob
        services.conversation_claim(conversation=conversation, agent=agent)
        services.conversation_set_tags(conversation=conversation, actor=agent, names=[vip.name])
        services.note_add(conversation=conversation, agent=agent, text="@bob look", client_id=new_client_id())
        if kind == 3:
            services.conversation_resolve(conversation=conversation, actor=agent)
            services.conversation_rate(conversation=conversation, contact=contact, score=4)


def console_load_queries(client, user) -> tuple[int, dict]:
    client.force_login(user)
    with CaptureQueriesContext(connection) as page:
        response = client.get("/console/")
    assert response.status_code == 200
    consumer = AgentConsumer()
    with CaptureQueriesContext(connection) as socket:
        consumer.profile = profile_for_user(user=user)
        consumer.user = consumer.profile.user
        consumer._groups()
        hello = consumer._hello()
    return len(page.captured_queries) + len(socket.captured_queries), hello


@pytest.mark.parametrize("manager", [False, True], ids=["agent", "manager"])
def test_console_load_takes_the_same_queries_for_2_and_30_conversations(
    client, make_contact, make_agent, alice, bob, manager
):
    user = make_agent("maria", manager=True, inboxes=[]) if manager else alice
    populate(2, make_contact=make_contact, alice=alice, bob=bob)
    few, hello_few = console_load_queries(client, user)
    populate(28, make_contact=make_contact, alice=alice, bob=bob)
    many, hello_many = console_load_queries(client, user)
    shown = lambda hello: sum(len(hello[k]) for k in ("queue", "mine", "others", "resolved"))  # noqa: E731
    assert (shown(hello_few), shown(hello_many)) == (2, 30)
    assert few == many, f"{few} queries for 2 conversations, {many} for 30"
    assert many <= 25
