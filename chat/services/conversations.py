"""Writes of a conversation's life: start, claim, assign, accept, transfer, requeue, pending,
resolve, reopen, and the SLA flags. Who holds a conversation and in what state changes here only.
"""

from __future__ import annotations

from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Q, Value
from django.db.models.functions import Coalesce

from chat import clock, events, notices, realtime, sla
from chat.choices import ConversationStatus, EventType, Owner
from chat.errors import ServiceError, invalid
from chat.models import Contact, Conversation
from chat.payloads import user_name
from chat.services._core import (
    announce_released,
    announce_waiting,
    append,
    append_system_message,
    broadcast_conversation,
    broadcast_message,
    broadcast_queue_positions,
    clean_text,
    locked,
    record,
    sender_fields,
)
from chat.services._transitions import end_pending, reopen
from chat.services.feedback import request_rating_later
from chat.services.messages import mention


def _joined(conversation: Conversation, agent: AbstractBaseUser, *, now: datetime) -> None:
    append_system_message(conversation, notices.JOINED, {"name": user_name(agent)}, now=now)


def _bot_lets_go(conversation: Conversation, agent: AbstractBaseUser | None, *, now: datetime) -> None:
    """An agent takes a conversation the bot holds (claim, assign, transfer): the handoff is
    recorded with the reason ``agent_took_over`` (chat.services.bot)."""
    if conversation.owner == Owner.BOT:
        from chat.services.bot import take_over

        take_over(conversation, agent=agent, now=now)


# Claimable: waiting in the queue, or held by the bot (an agent taking it over).
CLAIMABLE = Q(status=ConversationStatus.WAITING) | Q(status=ConversationStatus.OPEN, owner=Owner.BOT)


def conversation_claim(*, conversation: Conversation, agent: AbstractBaseUser) -> Conversation:
    """Take a waiting conversation, or take one over from the bot. Of two agents claiming at
    once exactly one wins.

    The guard is in the UPDATE's WHERE clause, so the database decides the race.
    """
    now = clock.now()
    with transaction.atomic():
        won = Conversation.objects.filter(CLAIMABLE, pk=conversation.pk, assignee__isnull=True).update(
            status=ConversationStatus.OPEN,
            assignee=agent,
            assigned_at=now,
            accepted_at=now,
            auto_assigned=False,
            first_assigned_at=Coalesce("first_assigned_at", Value(now)),
        )
        if not won:
            current = Conversation.objects.filter(pk=conversation.pk).values_list("status", flat=True).first()
            if current == ConversationStatus.RESOLVED:
                raise ServiceError("invalid_state", "The conversation is resolved.", status=409)
            raise ServiceError("already_claimed", "Another agent already took this conversation.", status=409)
        conversation = locked(conversation)
        _bot_lets_go(conversation, agent, now=now)  # the update left the owner: read under the lock
        record(conversation, EventType.CLAIMED, actor=agent)
        broadcast_conversation(conversation)
        _joined(conversation, agent, now=now)
        broadcast_queue_positions(conversation.inbox_id)
    return conversation


def _hand_to(conversation: Conversation, agent: AbstractBaseUser, *, now: datetime, auto: bool) -> None:
    """Make ``agent`` the assignee of an open conversation, to accept or answer in time."""
    Conversation.objects.filter(pk=conversation.pk).update(
        assignee=agent,
        status=ConversationStatus.OPEN,
        assigned_at=now,
        auto_assigned=auto,
        accepted_at=None,
        first_assigned_at=Coalesce("first_assigned_at", Value(now)),
    )


def conversation_assign(
    *, conversation: Conversation, agent: AbstractBaseUser, actor: AbstractBaseUser | None, auto: bool = False
) -> Conversation:
    """Give the conversation to ``agent``: a manager's decision, or the router's (``auto``: only
    while it still waits, and then the agent must accept or reply in time)."""
    now = clock.now()
    with transaction.atomic():
        conversation = locked(conversation)
        if conversation.status == ConversationStatus.RESOLVED:
            raise ServiceError("invalid_state", "Reopen the conversation before assigning it.", status=409)
        if auto and conversation.status != ConversationStatus.WAITING:
            raise ServiceError("already_claimed", "The conversation no longer waits.", status=409)
        if conversation.assignee_id == agent.pk:
            return conversation
        was_waiting = conversation.status == ConversationStatus.WAITING
        previous = conversation.assignee_id
        _bot_lets_go(conversation, actor, now=now)
        _hand_to(conversation, agent, now=now, auto=auto)
        record(conversation, EventType.ASSIGNED, actor=actor, payload={"to_agent": agent.pk, "auto": auto})
        announce_released(conversation, previous)
        broadcast_conversation(conversation)
        _joined(conversation, agent, now=now)
        if was_waiting:
            broadcast_queue_positions(conversation.inbox_id)
    return conversation


def conversation_accept(*, conversation: Conversation, agent: AbstractBaseUser) -> Conversation:
    """The assignee takes an auto-assigned conversation on, which stops its answer timer."""
    now = clock.now()
    with transaction.atomic():
        conversation = locked(conversation)
        if conversation.assignee_id != agent.pk or conversation.status == ConversationStatus.RESOLVED:
            raise ServiceError("forbidden", "Only the assignee can accept an open conversation.", status=403)
        if conversation.accepted_at is not None:
            return conversation
        Conversation.objects.filter(pk=conversation.pk).update(accepted_at=now)
        record(conversation, EventType.ACCEPTED, actor=agent)
        broadcast_conversation(conversation)
    return conversation


def conversation_transfer(
    *,
    conversation: Conversation,
    actor: AbstractBaseUser,
    to_agent: AbstractBaseUser | None = None,
    to_team=None,
    note: str = "",
    note_client_id: str | None = None,
) -> Conversation:
    """Hand the conversation to another agent, or back to the queue of a team, with a note.

    The note is a private note; the contact only sees that it was transferred.
    """
    if (to_agent is None) == (to_team is None):
        raise invalid("Transfer to exactly one of an agent or a team.")
    if note:
        note = clean_text(note)
    now = clock.now()
    with transaction.atomic():
        conversation = locked(conversation)
        if conversation.status == ConversationStatus.RESOLVED:
            raise ServiceError("invalid_state", "Reopen the conversation before transferring it.", status=409)
        if note:
            note_message = append(
                conversation, **sender_fields(actor), text=note, client_id=note_client_id, is_private=True, now=now
            )
            broadcast_message(conversation, note_message)
            mention(conversation, note_message, author=actor)
        announce_released(conversation, conversation.assignee_id)
        _bot_lets_go(conversation, actor, now=now)
        if to_agent is not None:
            _hand_to(conversation, to_agent, now=now, auto=False)
            payload = {"from_agent": conversation.assignee_id, "to_agent": to_agent.pk, "note": note}
            notice = (notices.TRANSFERRED_TO_AGENT, {"name": user_name(to_agent)})
        else:
            Conversation.objects.filter(pk=conversation.pk).update(
                assignee=None,
                team=to_team,
                status=ConversationStatus.WAITING,
                waiting_since=now,
                assigned_at=None,
                auto_assigned=False,
                team_fallback_done=False,
            )
            announce_waiting(conversation, chosen_team=True)
            payload = {"from_agent": conversation.assignee_id, "to_team": to_team.pk, "note": note}
            notice = (notices.TRANSFERRED_TO_TEAM, {"team": to_team.name})
        record(conversation, EventType.TRANSFERRED, actor=actor, payload=payload)
        broadcast_conversation(conversation)
        append_system_message(conversation, *notice, now=now)
        broadcast_queue_positions(conversation.inbox_id)
        if to_agent is not None:
            realtime.broadcast(
                [realtime.agent_group(to_agent.pk)],
                events.conversation_transferred(
                    conversation_id=str(conversation.public_id), by=user_name(actor), note=note
                ),
            )
    return conversation


def conversation_requeue(*, conversation: Conversation, reason: str, missed: bool) -> Conversation | None:
    """Take the conversation from its assignee back to the queue, keeping its place in line.

    ``missed`` records a missed chat for the agent (assigned, never accepted nor answered).
    Returns None when the conversation changed meanwhile (nothing to do).
    """
    with transaction.atomic():
        conversation = locked(conversation)
        agent_id = conversation.assignee_id
        if agent_id is None or conversation.status != ConversationStatus.OPEN:
            return None
        Conversation.objects.filter(pk=conversation.pk).update(
            assignee=None, status=ConversationStatus.WAITING, assigned_at=None, auto_assigned=False, accepted_at=None
        )
        if missed:
            record(conversation, EventType.MISSED, actor=None, payload={"agent": agent_id, "reason": reason})
        record(conversation, EventType.REQUEUED, actor=None, payload={"from_agent": agent_id, "reason": reason})
        broadcast_conversation(conversation)
        append_system_message(conversation, notices.REQUEUED)
        broadcast_queue_positions(conversation.inbox_id)
        announce_released(conversation, agent_id)
        announce_waiting(conversation)
    return conversation


def conversation_set_pending(*, conversation: Conversation, actor: AbstractBaseUser, pending: bool) -> Conversation:
    """Mark an open conversation as waiting on the customer, or take it back to open.

    A pending conversation still counts against its assignee's capacity, is never requeued by
    the answer timers, and goes back to open by itself when the contact writes.
    """
    if not isinstance(pending, bool):
        raise invalid("pending must be true or false.")
    with transaction.atomic():
        conversation = locked(conversation)
        wanted = ConversationStatus.PENDING if pending else ConversationStatus.OPEN
        if conversation.status == wanted:
            return conversation
        if pending and (conversation.status != ConversationStatus.OPEN or conversation.owner == Owner.BOT):
            raise ServiceError("invalid_state", "Only an open, assigned conversation can be set pending.", status=409)
        if not pending and conversation.status != ConversationStatus.PENDING:
            raise ServiceError("invalid_state", "The conversation is not pending.", status=409)
        if pending:
            Conversation.objects.filter(pk=conversation.pk).update(status=ConversationStatus.PENDING)
            conversation.status = ConversationStatus.PENDING
            record(conversation, EventType.PENDING, actor=actor)
            broadcast_conversation(conversation)
        else:
            end_pending(conversation, actor=actor)
    return conversation


def conversation_resolve(
    *,
    conversation: Conversation,
    actor: AbstractBaseUser | Contact | None,
    reason: str = "",
    notice: str = notices.RESOLVED,
) -> Conversation:
    """Close the conversation; ``notice`` is the code of the system message that says so."""
    now = clock.now()
    with transaction.atomic():
        conversation = locked(conversation)
        if conversation.status == ConversationStatus.RESOLVED:
            raise ServiceError("invalid_state", "The conversation is already resolved.", status=409)
        was_waiting = conversation.status == ConversationStatus.WAITING
        for missed in sla.breaches_at_resolution(conversation, now=now):
            conversation_flag_sla(conversation=conversation, target=missed.target, due_at=missed.due_at, breached=True)
        Conversation.objects.filter(pk=conversation.pk).update(status=ConversationStatus.RESOLVED, resolved_at=now)
        record(conversation, EventType.RESOLVED, actor=actor, payload={"reason": reason} if reason else None)
        broadcast_conversation(conversation)
        append_system_message(conversation, notice, now=now)
        announce_released(conversation, conversation.assignee_id)
        if conversation.contact.email:
            pk = conversation.pk
            realtime.after_commit(lambda: request_rating_later(pk))
        if was_waiting:
            broadcast_queue_positions(conversation.inbox_id)
    return conversation


def conversation_reopen(*, conversation: Conversation, actor: AbstractBaseUser | Contact) -> Conversation:
    with transaction.atomic():
        conversation = locked(conversation)
        if conversation.status != ConversationStatus.RESOLVED:
            raise ServiceError("invalid_state", "Only a resolved conversation can be reopened.", status=409)
        reopen(conversation, actor=actor)
    return conversation


def conversation_flag_sla(*, conversation: Conversation, target: str, due_at: datetime, breached: bool) -> bool:
    """Record an SLA warning or breach once per (target, due time); agents see it live."""
    key = {"target": target, "due_at": due_at.isoformat()}
    field = "sla_breaches" if breached else "sla_warnings"
    with transaction.atomic():
        conversation = locked(conversation)
        flags = list(getattr(conversation, field))
        if key in flags:
            return False
        flags.append(key)
        changes = {field: flags}
        if breached:
            changes["sla_breached"] = True
        Conversation.objects.filter(pk=conversation.pk).update(**changes)
        record(conversation, EventType.SLA_BREACHED if breached else EventType.SLA_WARNING, actor=None, payload=key)
        broadcast_conversation(conversation)
    return True
