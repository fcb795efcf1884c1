"""Generate realistic history for the reports: N days of conversations with their transcripts,
assignments, transfers, missed chats, SLA targets and ratings, spread over business hours, and,
when the inbox's bot is on, the bot's answers, resolutions and handoffs (reports/demo_bot.py).

This writes history in bulk (not through services, which would take minutes for 100,000
conversations and broadcast to nobody): it is demo and benchmark data, never live traffic.
Run `seed_demo` first for the agents and the inbox.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import F

from agents.models import AgentProfile, Team
from chat.choices import ActorKind, ConversationStatus, EventType, Owner, SenderKind
from chat.models import Contact, Conversation, ConversationEvent, Inbox, Message, SatisfactionRating
from chat.tokens import hash_secret, mint_secret
from reports.demo_bot import BotPart, bot_entries, bot_events, bot_part, handoff_field
from reports.demo_content import comment_for, pick_topic, visitor_name


@dataclass
class Plan:
    """One conversation of the history before it is written: who, when, and its transcript."""

    contact: Contact
    start: datetime  # when it reached the queue (after the bot, if the bot held it first)
    abandoned: bool
    agent: Any  # None: the bot resolved it
    second: Any  # the agent it was transferred to, if any
    wait: float
    first_reply: float
    handle: float
    entries: list[tuple]  # (at, sender kind, user, text, private, bot answer)
    transferred_at: datetime | None = None
    part: BotPart | None = None
    ended: datetime | None = None  # when the bot resolved it


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
        """A moment in the last ``days`` days, at least two hours ago, shaped by hour and weekday.

        Drawn again rather than clamped: clamping piled every late draw onto one instant.
        """
        while True:
            day = end - timedelta(days=rng.randrange(days))
            if day.weekday() >= 5 and rng.random() < 0.7:  # weekends are quieter
                continue
            hour = rng.choices(range(24), weights=HOUR_WEIGHTS)[0]
            start = day.replace(hour=hour) + timedelta(seconds=rng.randrange(3600))
            if start <= end - timedelta(hours=2):
                return start

    def _conversation(self, rng: random.Random, inbox: Inbox, teams: list, plan: Plan) -> Conversation:
        """One resolved conversation of the history."""
        contact, start, abandoned, agent, second = plan.contact, plan.start, plan.abandoned, plan.agent, plan.second
        wait, first_reply, handle, entries, part = plan.wait, plan.first_reply, plan.handle, plan.entries, plan.part
        common = {
            "inbox": inbox,
            "contact": contact,
            "team": rng.choice(teams),
            "priority": rng.choices([0, 1, 2, 3], weights=[2, 12, 3, 1])[0],
            "status": ConversationStatus.RESOLVED,
            "created_at": entries[0][0],
            "last_seq": len(entries),
            "last_public_seq": sum(1 for e in entries if not e[4]),
            "context": {"url": "https://shop.example/" + rng.choice(["", "pricing", "help", "checkout"])},
        }
        if agent is None:  # the bot resolved it
            return Conversation(**common, owner=Owner.BOT, resolved_at=plan.ended)
        return Conversation(
            **common,
            handoff=handoff_field(part, entries, start) if part is not None else None,
            waiting_since=start,
            assignee=None if abandoned else (second or agent),
            first_assigned_at=None if abandoned else start + timedelta(seconds=wait),
            assigned_at=None if abandoned else start + timedelta(seconds=wait),
            accepted_at=None if abandoned else start + timedelta(seconds=wait),
            first_response_at=None if abandoned else start + timedelta(seconds=first_reply),
            resolved_at=start + timedelta(seconds=300 if abandoned else handle),
            sla_first_response_due_at=start + timedelta(seconds=300),
            sla_breached=abandoned or first_reply > 300,
        )

    @transaction.atomic
    def _batch(self, rng, inbox, agents, teams, skill, end, days, size) -> None:
        names = {a.pk: a.get_full_name() or a.username for a in agents}
        chinese = [rng.random() < 0.12 for _ in range(size)]
        contacts = Contact.objects.bulk_create(
            [
                Contact(
                    inbox=inbox,
                    token_hash=hash_secret(mint_secret()),
                    name=visitor_name(rng, chinese=zh),
                    email=f"visitor{rng.randrange(10**9)}@example.com" if rng.random() < 0.5 else "",
                )
                for zh in chinese
            ]
        )
        plans = []
        public_url = settings.HELPDESK["PUBLIC_URL"]
        for contact, zh in zip(contacts, chinese, strict=True):
            created = self._moment(rng, end, days)
            topic = pick_topic(rng, chinese=zh)
            question = rng.choice(topic.questions)
            part = bot_part(rng, chinese=zh, topic_question=question) if inbox.bot_enabled else None
            if part is not None:
                opening, start = bot_entries(part, created=created, chinese=zh, public_url=public_url, rng=rng)
                if part.reason is None:  # the bot resolved it: no agent, no queue
                    ended = start + timedelta(seconds=1800 if part.assumed else rng.randint(30, 240))
                    plans.append(Plan(contact, start, False, None, None, 0, 0, 0, opening, part=part, ended=ended))
                    continue
            else:
                opening, start = [(created, SenderKind.CONTACT, None, question, False, None)], created
            abandoned = rng.random() < 0.06
            agent = rng.choice(agents)
            second = rng.choice(agents) if rng.random() < 0.1 else None  # a transfer
            # Lunchtime and Monday mornings are busy: visitors wait longer then.
            busy = 1.8 if created.hour in (11, 12, 13) or (created.weekday() == 0 and created.hour < 12) else 1.0
            wait = rng.expovariate(1 / (60 * busy))
            first_reply = wait + rng.expovariate(1 / 35)
            handle = first_reply + rng.expovariate(1 / (topic.handle_minutes * 60)) + 60
            entries = list(opening)
            transferred_at = None
            if not abandoned:
                at = start + timedelta(seconds=first_reply)
                turns = rng.randint(1, len(topic.replies))
                for n, reply in enumerate(topic.replies[:turns]):
                    entries.append((at, SenderKind.AGENT, agent, reply, False, None))
                    if n < turns - 1 or rng.random() < 0.6:
                        answer = topic.follow_ups[min(n, len(topic.follow_ups) - 1)]
                        later = at + timedelta(seconds=rng.randint(15, 90))
                        entries.append((later, SenderKind.CONTACT, None, answer, False, None))
                    at += timedelta(seconds=rng.randint(60, 240))
                if second is not None:
                    note = "Passing this to a colleague who handles it."
                    entries.append((at, SenderKind.AGENT, agent, note, True, None))
                    transferred_at = at
                    at += timedelta(seconds=rng.randint(30, 120))
                    entries.append((at, SenderKind.AGENT, second, topic.replies[-1], False, None))
            plans.append(
                Plan(contact, start, abandoned, agent, second, wait, first_reply, handle, entries, transferred_at, part)
            )
        conversations = Conversation.objects.bulk_create(
            [self._conversation(rng, inbox, teams, plan) for plan in plans]
        )
        messages, events, ratings = [], [], []
        bot_name = inbox.bot_name or "Assistant"
        for conversation, plan in zip(conversations, plans, strict=True):
            contact, start, abandoned, agent, second = plan.contact, plan.start, plan.abandoned, plan.agent, plan.second
            wait, entries, transferred_at, part = plan.wait, plan.entries, plan.transferred_at, plan.part
            created = entries[0][0]
            events.append(
                ConversationEvent(
                    conversation=conversation, type=EventType.CREATED, actor_kind=ActorKind.CONTACT, created_at=created
                )
            )
            if part is not None:
                ended = conversation.resolved_at if part.reason is None else start
                events.extend(bot_events(conversation, part, entries, ended=ended, agent=agent))
            if rng.random() < 0.03 and not abandoned and agent is not None:
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
            for seq, (at, kind, user, text, private, answer) in enumerate(entries, start=1):
                public += 0 if private else 1
                author = bot_name if kind == SenderKind.BOT else contact.name or "Visitor"
                messages.append(
                    Message(
                        conversation=conversation,
                        seq=seq,
                        public_seq=None if private else public,
                        sender_kind=kind,
                        sender_user=user,
                        sender_name=names[user.pk] if user else author,
                        text=text,
                        is_private=private,
                        created_at=at,
                        bot_answer=answer,
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
            if agent is None:  # resolved by the bot: fewer ratings, mostly happy when confirmed
                if rng.random() < 0.4:
                    happy = rng.random() < (0.6 if part.assumed else 0.85)
                    score = rng.choice([4, 5, 5]) if happy else rng.choice([1, 2, 3])
                    ratings.append(
                        SatisfactionRating(
                            conversation=conversation,
                            score=score,
                            comment=comment_for(rng, score),
                            agent=None,
                            created_at=conversation.resolved_at,
                            updated_at=conversation.resolved_at,
                        )
                    )
            elif not abandoned and rng.random() < 0.6:
                happy = rng.random() < skill[(second or agent).pk] * (0.7 if wait > 180 else 1.0)
                score = rng.choice([4, 5, 5]) if happy else rng.choice([1, 2, 3])
                ratings.append(
                    SatisfactionRating(
                        conversation=conversation,
                        score=score,
                        comment=comment_for(rng, score),
                        agent=second or agent,
                        created_at=conversation.resolved_at,
                        updated_at=conversation.resolved_at,
                    )
                )
        Message.objects.bulk_create(messages, batch_size=5000)
        ConversationEvent.objects.bulk_create(events, batch_size=5000)
        SatisfactionRating.objects.bulk_create(ratings, batch_size=5000)
        Conversation.objects.filter(pk__in=[c.pk for c in conversations]).update(number=F("id") + 1000)
