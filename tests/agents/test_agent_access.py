"""An agent's open sockets follow the account at once: signed out, deactivated, password changed or
removed, the socket closes with 4003; a change of inboxes changes what it receives, live."""

from __future__ import annotations

import pytest
from channels.db import database_sync_to_async
from django.contrib.auth.models import Permission
from django.contrib.auth.signals import user_logged_out
from django.test import RequestFactory

from agents.access import CLOSE_ACCESS_REVOKED
from agents.models import AgentProfile
from chat import services
from chat.models import Inbox
from tests.conftest import new_client_id, open_agent

pytestmark = pytest.mark.django_db(transaction=True)


async def connected_agent(user):
    sock, connected = await open_agent(user)
    assert connected
    assert (await sock.recv())["type"] == "hello"
    return sock


async def assert_closed_with_4003(sock) -> None:
    output = await sock.comm.receive_output(timeout=3)
    assert output == {"type": "websocket.close", "code": CLOSE_ACCESS_REVOKED}


def deactivate(user) -> None:
    user.is_active = False
    user.save()


def change_password(user) -> None:
    user.set_password("a-new-password-123")
    user.save()


def sign_out(user) -> None:
    from django.contrib.sessions.backends.db import SessionStore

    request = RequestFactory().get("/accounts/logout/")
    request.session = SessionStore()
    request.session.create()
    user_logged_out.send(sender=type(user), request=request, user=user)


def remove_profile(user) -> None:
    AgentProfile.objects.filter(user=user).delete()


@pytest.mark.parametrize("change", [deactivate, change_password, sign_out, remove_profile])
async def test_a_change_of_access_closes_the_agents_socket(alice, change):
    sock = await connected_agent(alice)
    await database_sync_to_async(change)(alice)
    await assert_closed_with_4003(sock)


async def test_saving_the_user_for_other_reasons_keeps_the_socket(alice):
    sock = await connected_agent(alice)
    alice.first_name = "Alicia"
    await database_sync_to_async(alice.save)()
    assert (await sock.request({"type": "ping"}))["type"] == "pong"
    await sock.close()


async def test_the_ping_closes_a_socket_whose_session_is_gone(alice, monkeypatch):
    """The safety net for an access event the layer lost."""
    sock = await connected_agent(alice)
    await database_sync_to_async(AgentProfile.objects.filter(user=alice).update)(capacity=0)  # no event
    await database_sync_to_async(type(alice).objects.filter(pk=alice.pk).update)(is_active=False)  # no signal
    await sock.send({"type": "ping"})
    await assert_closed_with_4003(sock)


async def test_inbox_membership_changes_what_the_socket_receives(alice, inbox, make_contact):
    other = await database_sync_to_async(Inbox.objects.create)(name="Second shop")
    sock = await connected_agent(alice)

    def start_in(target: Inbox):
        contact = make_contact("Vera", target=target).contact
        return services.conversation_start(contact=contact, text="hello", client_id=new_client_id())[0]

    await database_sync_to_async(other.agents.add)(alice)
    await sock.drain(0.3)
    started = await database_sync_to_async(start_in)(other)
    update = await sock.recv_until("conversation.updated")
    assert update["conversation"]["id"] == str(started.public_id)

    await database_sync_to_async(other.agents.remove)(alice)
    await sock.drain(0.3)
    await database_sync_to_async(start_in)(other)
    assert await sock.drain(0.5) == []  # nothing from an inbox she left
    assert (await sock.request({"type": "ping"}))["type"] == "pong"  # and the socket lives
    await sock.close()


async def test_being_made_a_manager_joins_every_inbox(alice, make_contact):
    other = await database_sync_to_async(Inbox.objects.create)(name="Third shop")
    sock = await connected_agent(alice)
    permission = await database_sync_to_async(Permission.objects.get)(codename="view_all_conversations")
    await database_sync_to_async(alice.user_permissions.add)(permission)
    await sock.drain(0.3)

    def start():
        contact = make_contact("Vera", target=other).contact
        return services.conversation_start(contact=contact, text="hello", client_id=new_client_id())[0]

    started = await database_sync_to_async(start)()
    update = await sock.recv_until("conversation.updated")
    assert update["conversation"]["id"] == str(started.public_id)
    await sock.close()


async def test_signing_out_closes_only_that_sessions_sockets(alice):
    from channels.routing import URLRouter
    from channels.testing import WebsocketCommunicator
    from django.contrib.sessions.backends.db import SessionStore
    from django.urls import path

    from agents.consumers import AgentConsumer
    from tests.conftest import Socket

    def session() -> SessionStore:
        store = SessionStore()
        store.create()
        return store

    mine, other = await database_sync_to_async(session)(), await database_sync_to_async(session)()
    app = URLRouter([path("ws/agent/", AgentConsumer.as_asgi())])
    comm = WebsocketCommunicator(app, "/ws/agent/", headers=[(b"origin", b"http://127.0.0.1")])
    comm.scope["user"], comm.scope["session"] = alice, mine
    assert (await comm.connect())[0]
    sock = Socket(comm)
    await sock.recv_until("hello")

    def sign_out_of(store) -> None:
        request = RequestFactory().get("/accounts/logout/")
        request.session = store
        user_logged_out.send(sender=type(alice), request=request, user=alice)

    await database_sync_to_async(sign_out_of)(other)  # another browser signs out
    assert (await sock.request({"type": "ping"}))["type"] == "pong"
    await database_sync_to_async(sign_out_of)(mine)
    await assert_closed_with_4003(sock)
