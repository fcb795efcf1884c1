"""Opening one conversation by its address, /console/c/<id>/ (issue 12, item 3): the reports link
there; what it opens is scoped like every read; a manager without an agent profile reads it
read-only; the activity endpoint gives its audit trail and its rating."""

from __future__ import annotations

import json
import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission

from chat import services
from chat.models import Inbox

pytestmark = pytest.mark.django_db


@pytest.fixture
def rated(visitor, alice):
    conversation, _ = services.conversation_start(contact=visitor.contact, text="Hello", client_id="v1")
    conversation = services.conversation_claim(conversation=conversation, agent=alice)
    conversation = services.conversation_resolve(conversation=conversation, actor=alice)
    services.conversation_rate(conversation=conversation, contact=visitor.contact, score=2, comment="Slow")
    return conversation


@pytest.fixture
def reader(db):
    """A manager who is not an agent (no AgentProfile)."""
    user = get_user_model().objects.create_user(username="rita", password="x", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_all_conversations"))
    return get_user_model().objects.get(pk=user.pk)


def page_data(html: str, name: str):
    return json.loads(re.search(rf'id="{name}" type="application/json">(.*?)</script>', html).group(1))


def test_an_agent_opens_a_conversation_by_its_address(client, alice, rated):
    client.force_login(alice)
    html = client.get(f"/console/c/{rated.public_id}/").content.decode()
    assert page_data(html, "hd-open") == str(rated.public_id)
    assert page_data(html, "hd-read-only") is False and 'id="composer"' in html
    assert page_data(client.get("/console/").content.decode(), "hd-open") == ""


def test_the_address_is_scoped_like_every_read(client, alice, make_agent, rated):
    outsider = make_agent("olga", inboxes=[Inbox.objects.create(name="Elsewhere")])
    client.force_login(outsider)
    assert client.get(f"/console/c/{rated.public_id}/").status_code == 404
    client.force_login(alice)
    assert client.get("/console/c/not-a-uuid/").status_code == 404
    assert client.get("/console/c/00000000-0000-4000-8000-000000000000/").status_code == 404
    client.force_login(get_user_model().objects.create_user(username="carl", password="x"))
    assert client.get(f"/console/c/{rated.public_id}/").status_code == 403


def test_a_manager_who_is_not_an_agent_reads_it_read_only(client, reader, rated):
    client.force_login(reader)
    assert client.get("/console/").status_code == 403  # the live console is for agents
    response = client.get(f"/console/c/{rated.public_id}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert page_data(html, "hd-read-only") is True and page_data(html, "hd-open") == str(rated.public_id)
    assert 'id="read-only"' in html and 'class="app read-only"' in html
    activity = client.get(f"/api/conversations/{rated.public_id}/activity/").json()
    assert [e["type"] for e in activity["events"]] == ["created", "claimed", "resolved", "rated"]
    assert activity["events"][1]["label"] == "Claimed" and activity["events"][1]["actor"] == "Alice"
    assert activity["rating"]["score"] == 2 and activity["rating"]["comment"] == "Slow"
    assert client.get(f"/api/conversations/{rated.public_id}/messages/").json()["results"]


def test_the_activity_is_scoped_and_says_when_there_is_no_rating(client, alice, make_agent, visitor):
    conversation, _ = services.conversation_start(contact=visitor.contact, text="Hi", client_id="v2")
    client.force_login(alice)
    activity = client.get(f"/api/conversations/{conversation.public_id}/activity/").json()
    assert activity["rating"] is None and [e["type"] for e in activity["events"]] == ["created"]
    client.force_login(make_agent("olga", inboxes=[Inbox.objects.create(name="Elsewhere")]))
    assert client.get(f"/api/conversations/{conversation.public_id}/activity/").status_code == 404


def test_the_reports_link_to_the_console_not_the_admin(client, make_agent, rated):
    maria = make_agent("maria", manager=True)
    client.force_login(maria)
    html = client.get("/reports/conversations/rated/").content.decode()
    assert f'href="/console/c/{rated.public_id}/"' in html and "/admin/" not in html
    assert f'href="/console/c/{rated.public_id}/"' in client.get("/reports/").content.decode()  # the comments
