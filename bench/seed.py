"""Seed the bench database and write the fixture the load generator reads.

Run by the harness in a subprocess, with ``DATABASE_URL`` pointing at the bench database:

    python -m bench.seed --out fixture.json --conversations 1000 --idle 5000

It creates inboxes of ``agents_per_inbox`` agents, each agent holding
``conversations_per_agent`` open conversations that it has claimed, and one more inbox of idle
contacts (no agents, no conversations) for the memory scenario. The rows are written in bulk,
in the state ``conversation.start`` with a first message followed by ``conversation.claim``
leaves them (status open, assignee, numbers, the contact's "Hello" as seq 1 and the system
"joined" message as seq 2, the created and claimed events): going through the services one
conversation at a time costs some 30 queries each, which would eat a quick run's budget. Agents
are logged in by creating the Django session ``/accounts/login/`` would store; the fixture
carries the session keys and the contacts' secret tokens.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import time


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", required=True)
    parser.add_argument("--conversations", type=int, default=1000)
    parser.add_argument("--agents-per-inbox", type=int, default=2)
    parser.add_argument("--conversations-per-agent", type=int, default=5)
    parser.add_argument("--idle", type=int, default=5000)
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpdesk.settings")
    import django

    django.setup()

    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
    from django.contrib.sessions.backends.db import SessionStore
    from django.db.models import F
    from django.utils import timezone

    from agents.choices import Availability
    from agents.models import AgentProfile
    from bench.common import VISITOR_ORIGIN
    from chat.choices import ActorKind, ConversationStatus, EventType, SenderKind
    from chat.models import Contact, Conversation, ConversationEvent, Inbox, Message
    from chat.payloads import user_name
    from chat.services import NUMBER_OFFSET
    from chat.tokens import hash_secret, mint_secret

    started = time.monotonic()
    User = get_user_model()
    per_inbox = args.agents_per_inbox * args.conversations_per_agent
    n_inboxes = math.ceil(args.conversations / per_inbox)

    def make_contacts(inbox: Inbox, count: int) -> list[tuple[Contact, str]]:
        tokens = [mint_secret() for _ in range(count)]
        contacts = Contact.objects.bulk_create(
            [Contact(inbox=inbox, token_hash=hash_secret(t), name=f"Visitor {i}") for i, t in enumerate(tokens)]
        )
        return list(zip(contacts, tokens, strict=True))

    conversation_fields = {f.name for f in Conversation._meta.get_fields()}
    fixture: dict = {"origin": VISITOR_ORIGIN, "inboxes": [], "idle": None}
    remaining = args.conversations
    agent_number = 0
    for index in range(n_inboxes):
        inbox = Inbox.objects.create(name=f"Bench inbox {index}", allowed_origins=[VISITOR_ORIGIN])
        users = []
        for _ in range(args.agents_per_inbox):
            agent_number += 1
            user = User(username=f"bench-agent-{agent_number}", first_name="Agent", last_name=str(agent_number))
            user.set_unusable_password()
            users.append(user)
        users = User.objects.bulk_create(users)
        AgentProfile.objects.bulk_create(
            [
                AgentProfile(user=u, availability=Availability.ONLINE, capacity=args.conversations_per_agent)
                for u in users
            ]
        )
        inbox.agents.add(*users)
        entry = {"id": inbox.pk, "key": inbox.public_key, "agents": [], "conversations": []}
        for user in users:
            session = SessionStore()
            session[SESSION_KEY] = str(user.pk)
            session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
            session[HASH_SESSION_KEY] = user.get_session_auth_hash()
            session.create()
            entry["agents"].append({"id": user.pk, "session": session.session_key})
        count = min(per_inbox, remaining)
        remaining -= count
        contacts = make_contacts(inbox, count)
        now = timezone.now()
        extra = {"accepted_at": now} if "accepted_at" in conversation_fields else {}
        conversations = Conversation.objects.bulk_create(
            [
                Conversation(
                    inbox=inbox,
                    contact=contact,
                    status=ConversationStatus.OPEN,
                    assignee=users[n % len(users)],
                    waiting_since=now,
                    assigned_at=now,
                    last_message_at=now,
                    last_seq=2,
                    last_public_seq=2,
                    **extra,
                )
                for n, (contact, _token) in enumerate(contacts)
            ]
        )
        Conversation.objects.filter(pk__in=[c.pk for c in conversations]).update(number=F("id") + NUMBER_OFFSET)
        messages, events = [], []
        for n, conversation in enumerate(conversations):
            agent = users[n % len(users)]
            messages += [
                Message(
                    conversation=conversation,
                    seq=1,
                    public_seq=1,
                    client_id="seed-1",
                    created_at=now,
                    sender_kind=SenderKind.CONTACT,
                    sender_name=contacts[n][0].name,
                    text="Hello",
                ),
                Message(
                    conversation=conversation,
                    seq=2,
                    public_seq=2,
                    created_at=now,
                    sender_kind=SenderKind.SYSTEM,
                    text=f"{user_name(agent)} joined the conversation.",
                    code="joined",
                    params={"name": user_name(agent)},
                ),
            ]
            events += [
                ConversationEvent(conversation=conversation, type=EventType.CREATED, actor_kind=ActorKind.CONTACT),
                ConversationEvent(
                    conversation=conversation, type=EventType.CLAIMED, actor_kind=ActorKind.AGENT, actor_user=agent
                ),
            ]
            entry["conversations"].append(
                {"id": str(conversation.public_id), "token": contacts[n][1], "agent": n % len(users)}
            )
        Message.objects.bulk_create(messages)
        ConversationEvent.objects.bulk_create(events)
        fixture["inboxes"].append(entry)

    idle_inbox = Inbox.objects.create(name="Bench idle visitors", allowed_origins=[VISITOR_ORIGIN])
    fixture["idle"] = {
        "id": idle_inbox.pk,
        "key": idle_inbox.public_key,
        "tokens": [token for _, token in make_contacts(idle_inbox, args.idle)],
    }
    with open(args.out, "w") as handle:
        json.dump(fixture, handle)
    print(
        f"seeded {args.conversations} conversations in {n_inboxes} inboxes, {agent_number} agents, "
        f"{args.idle} idle contacts in {time.monotonic() - started:.1f}s"
    )


if __name__ == "__main__":
    main()
