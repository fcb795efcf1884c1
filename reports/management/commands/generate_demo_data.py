"""Generate realistic history for the reports: N days of conversations with their transcripts,
assignments, transfers, missed chats, SLA targets and ratings, spread over business hours.

This writes history in bulk (not through services, which would take minutes for 100,000
conversations and broadcast to nobody): it is demo and benchmark data, never live traffic.
Run `seed_demo` first for the agents and the inbox.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import F

from agents.models import AgentProfile, Team
from chat.choices import ActorKind, ConversationStatus, EventType, SenderKind
from chat.models import Contact, Conversation, ConversationEvent, Inbox, Message, SatisfactionRating
from chat.tokens import hash_secret, mint_secret

FIRST_NAMES = ["Ana", "Ben", "Chen", "Dana", "Eli", "Fatima", "Goran", "Hana", "Ivan", "Jun", "Kofi", "Lea", "Mia"]
QUESTIONS = [
    "Where is my order?",
    "I was charged twice this month.",
    "How do I change my plan?",
    "The app does not load on my phone.",
    "Can I get an invoice with my company name?",
    "I'd like to cancel my subscription.",
]
REPLIES = [
    "Let me check that for you.",
    "Thanks for waiting!",
    "That's done now.",
    "Could you share your order number?",
]
COMMENTS = ["Quick and helpful", "Took a while", "Great service, thanks!", "Did not solve my problem", "Friendly agent"]
HOUR_WEIGHTS = [1, 1, 1, 1, 1, 2, 3, 5, 8, 10, 11, 11, 9, 10, 11, 10, 9, 7, 5, 4, 3, 2, 2, 1]


class Command(BaseCommand):
    help = "Generate days of realistic conversations, transcripts and ratings for the reports."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--days", type=int, default=90)
        parser.add_argument("--total", type=int, default=None, help="Conversations in all (default: ~40 a day).")
        parser.add_argument("--seed", type=int, default=7)
        parser.add_argument("--if-empty", action="store_true", help="Do nothing when conversations exist.")
        parser.add_argument("--batch", type=int, default=2000)

    def handle(self, *args, days: int, total: int | None, seed: int, if_empty: bool, batch: int, **options):
        if if_empty and Conversation.objects.exists():
            self.stdout.write("Conversations exist; no demo history generated.")
            return
        inbox = Inbox.objects.order_by("id").first()
        agents = list(
            get_user_model().objects.filter(agent__isnull=False, is_active=True, inboxes=inbox).order_by("id")
        )
        if inbox is None or not agents:
            raise CommandError("Run `python manage.py seed_demo` first: no inbox with agents.")
        teams = list(Team.objects.all()) or [None]
        rng = random.Random(seed)
        total = total or days * 40
        end = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
        skill = {a.pk: rng.uniform(0.55, 0.9) for a in agents}  # each agent's chance of a happy visitor
        made = 0
        while made < total:
            size = min(batch, total - made)
            self._batch(rng, inbox, agents, teams, skill, end, days, size)
            made += size
            self.stdout.write(f"  {made}/{total} conversations")
        AgentProfile.objects.filter(user__in=agents).update(last_assigned_at=end)
        self.stdout.write(self.style.SUCCESS(f"Generated {total} conversations over {days} days."))

    def _moment(self, rng: random.Random, end: datetime, days: int) -> datetime:
        day = end - timedelta(days=rng.randrange(days))
        while day.weekday() >= 5 and rng.random() < 0.7:  # weekends are quieter
            day = end - timedelta(days=rng.randrange(days))
        hour = rng.choices(range(24), weights=HOUR_WEIGHTS)[0]
        start = day.replace(hour=hour) + timedelta(seconds=rng.randrange(3600))
        return min(start, end - timedelta(hours=2))

    @transaction.atomic
    def _batch(self, rng, inbox, agents, teams, skill, end, days, size) -> None:
        names = {a.pk: a.get_full_name() or a.username for a in agents}
        contacts = Contact.objects.bulk_create(
            [
                Contact(
                    inbox=inbox,
                    token_hash=hash_secret(mint_secret()),
                    name=rng.choice(FIRST_NAMES),
                    email=f"visitor{rng.randrange(10**9)}@example.com" if rng.random() < 0.5 else "",
                )
                for _ in range(size)
            ]
        )
        plans = []
        for contact in contacts:
            created = self._moment(rng, end, days)
            abandoned = rng.random() < 0.06
            agent = rng.choice(agents)
            second = rng.choice(agents) if rng.random() < 0.1 else None  # a transfer
            wait = rng.expovariate(1 / 70)
            first_reply = wait + rng.expovariate(1 / 40)
            handle = first_reply + rng.expovariate(1 / 600) + 60
            entries = [(created, SenderKind.CONTACT, None, rng.choice(QUESTIONS), False)]
            transferred_at = None
            if not abandoned:
                at = created + timedelta(seconds=first_reply)
                for n in range(rng.randint(1, 4)):
                    entries.append((at, SenderKind.AGENT, agent, rng.choice(REPLIES), False))
                    entries.append((at + timedelta(seconds=20), SenderKind.CONTACT, None, "Thanks.", False))
                    at += timedelta(seconds=60 + n * 30)
                if second is not None:
                    entries.append((at, SenderKind.AGENT, agent, "Passing you to a colleague.", True))
                    transferred_at = at
                    for _ in range(rng.randint(1, 3)):
                        at += timedelta(seconds=45)
                        entries.append((at, SenderKind.AGENT, second, rng.choice(REPLIES), False))
            plans.append(
                (contact, created, abandoned, agent, second, wait, first_reply, handle, entries, transferred_at)
            )
        conversations = Conversation.objects.bulk_create(
            [
                Conversation(
                    inbox=inbox,
                    contact=contact,
                    team=rng.choice(teams),
                    priority=rng.choices([0, 1, 2, 3], weights=[2, 12, 3, 1])[0],
                    status=ConversationStatus.RESOLVED,
                    created_at=created,
                    waiting_since=created,
                    assignee=None if abandoned else (second or agent),
                    first_assigned_at=None if abandoned else created + timedelta(seconds=wait),
                    assigned_at=None if abandoned else created + timedelta(seconds=wait),
                    accepted_at=None if abandoned else created + timedelta(seconds=wait),
                    first_response_at=None if abandoned else created + timedelta(seconds=first_reply),
                    resolved_at=created + timedelta(seconds=300 if abandoned else handle),
                    last_seq=len(entries),
                    last_public_seq=sum(1 for e in entries if not e[4]),
                    sla_first_response_due_at=created + timedelta(seconds=300),
                    sla_breached=abandoned or first_reply > 300,
                    context={"url": "https://shop.example/" + rng.choice(["", "pricing", "help", "checkout"])},
                )
                for contact, created, abandoned, agent, second, wait, first_reply, handle, entries, _t in plans
            ]
        )
        messages, events, ratings = [], [], []
        for conversation, plan in zip(conversations, plans, strict=True):
            contact, created, abandoned, agent, second, wait, _first, _handle, entries, transferred_at = plan
            events.append(
                ConversationEvent(
                    conversation=conversation, type=EventType.CREATED, actor_kind=ActorKind.CONTACT, created_at=created
                )
            )
            if rng.random() < 0.03 and not abandoned:
                events.append(
                    ConversationEvent(
                        conversation=conversation,
                        type=EventType.MISSED,
                        actor_kind=ActorKind.SYSTEM,
                        payload={"agent": rng.choice(agents).pk, "reason": "not_answered"},
                        created_at=created + timedelta(seconds=wait / 2),
                    )
                )
            if transferred_at is not None:
                events.append(
                    ConversationEvent(
                        conversation=conversation,
                        type=EventType.TRANSFERRED,
                        actor_kind=ActorKind.AGENT,
                        actor_user=agent,
                        payload={"from_agent": agent.pk, "to_agent": second.pk},
                        created_at=transferred_at,
                    )
                )
            public = 0
            for seq, (at, kind, user, text, private) in enumerate(entries, start=1):
                public += 0 if private else 1
                messages.append(
                    Message(
                        conversation=conversation,
                        seq=seq,
                        public_seq=None if private else public,
                        sender_kind=kind,
                        sender_user=user,
                        sender_name=names[user.pk] if user else contact.name,
                        text=text,
                        is_private=private,
                        created_at=at,
                    )
                )
            events.append(
                ConversationEvent(
                    conversation=conversation,
                    type=EventType.RESOLVED,
                    actor_kind=ActorKind.SYSTEM,
                    created_at=conversation.resolved_at,
                )
            )
            if not abandoned and rng.random() < 0.6:
                happy = rng.random() < skill[(second or agent).pk]
                score = rng.choice([4, 5, 5]) if happy else rng.choice([1, 2, 3])
                ratings.append(
                    SatisfactionRating(
                        conversation=conversation,
                        score=score,
                        comment=rng.choice(COMMENTS) if rng.random() < 0.3 else "",
                        agent=second or agent,
                        created_at=conversation.resolved_at,
                        updated_at=conversation.resolved_at,
                    )
                )
        Message.objects.bulk_create(messages, batch_size=5000)
        ConversationEvent.objects.bulk_create(events, batch_size=5000)
        SatisfactionRating.objects.bulk_create(ratings, batch_size=5000)
        Conversation.objects.filter(pk__in=[c.pk for c in conversations]).update(number=F("id") + 1000)
