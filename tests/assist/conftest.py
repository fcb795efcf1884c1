"""Past conversations made through chat's services (so the transcripts are real), and the
knowledge fixtures of tests/knowledge."""

from __future__ import annotations

import uuid

import pytest

from assist import sources
from chat import services
from chat.models import Inbox
from tests.knowledge.conftest import kb  # noqa: F401  (a fixture, shared)


@pytest.fixture(autouse=True)
def fresh_indexes():
    sources.forget()
    yield
    sources.forget()


def cid() -> str:
    return uuid.uuid4().hex


@pytest.fixture
def past(make_contact):
    """A resolved conversation in ``inbox``: the visitor's question, the agent's reply, a rating."""

    def make(inbox: Inbox, agent, question: str, reply: str, *, score: int = 5, note: str = "", name: str = ""):
        who = make_contact(name=name or "Maria Jansen", target=inbox)
        conversation, _ = services.conversation_start(contact=who.contact, text=question, client_id=cid())
        conversation = services.conversation_claim(conversation=conversation, agent=agent)
        if note:
            services.note_add(conversation=conversation, agent=agent, text=note, client_id=cid())
        services.message_send(conversation=conversation, sender=agent, text=reply, client_id=cid())
        services.conversation_resolve(conversation=conversation, actor=agent)
        conversation.refresh_from_db()
        services.conversation_rate(conversation=conversation, contact=who.contact, score=score)
        return conversation

    return make
