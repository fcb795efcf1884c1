"""The intake: a contact starts a conversation (from the widget, its pre-chat form or its offline
form), which enters the inbox's queue with a human number and its SLA due times."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction

from chat import clock, realtime, sla
from chat.choices import ACTIVE_STATUSES, ConversationStatus, EventType, Owner
from chat.errors import ServiceError, invalid
from chat.models import Contact, Conversation, Message
from chat.services._core import (
    announce_waiting,
    broadcast_conversation,
    broadcast_queue_positions,
    clean_client_id,
    clean_text,
    record,
)
from chat.services.contacts import apply_prechat, clean_context, contact_update
from chat.services.messages import message_send

NUMBER_OFFSET = 1000


def conversation_start(
    *,
    contact: Contact,
    text: str | None = None,
    client_id: str | None = None,
    context: dict | None = None,
    team_id: int | None = None,
    prechat: Any = None,
    offline: bool = False,
) -> tuple[Conversation, bool]:
    """Open a conversation in the contact's inbox queue, or return its active one (``_start``)."""
    conversation, created, _ = _start(contact, text, client_id, context, team_id, prechat, offline)
    return conversation, created


@dataclass(frozen=True)
class Started:
    conversation: Conversation  # read after commit, with its inbox, contact, assignee and team
    created: bool
    message: Message | None  # the stored first message, when a text was given


def conversation_start_for_widget(
    *,
    contact: Contact,
    text: str | None = None,
    client_id: str | None = None,
    context: dict | None = None,
    team_id: int | None = None,
    prechat: Any = None,
    offline: bool = False,
    name: Any = None,
    email: Any = None,
) -> Started:
    """The widget's ``conversation.start`` in one transaction: the offline form's name and email
    (``offline``: the question in ``text`` is required), the conversation and its first message.

    The conversation is read again after commit, so that the reply shows what the router may
    have done on commit (an agent assigned at once).
    """
    if offline and text is None:
        raise invalid("The offline form needs the question in 'text'.")
    before = (contact.name, contact.email)
    try:
        with transaction.atomic():
            if offline:
                contact_update(contact=contact, name=name, email=email)
            conversation, created, message = _start(contact, text, client_id, context, team_id, prechat, offline)
    except Exception:
        contact.name, contact.email = before  # rolled back: the socket's copy must say so too
        raise
    from chat.selectors import conversation_for_contact

    fresh = conversation_for_contact(contact=contact, public_id=str(conversation.public_id))
    return Started(fresh, created, message)


def _start(
    contact: Contact,
    text: str | None,
    client_id: str | None,
    context: dict | None,
    team_id: int | None,
    prechat: Any,
    offline: bool,
) -> tuple[Conversation, bool, Message | None]:
    """Open a conversation in the contact's inbox queue, or return its active one.

    Returns ``(conversation, created)``. One active conversation per contact: a second tab
    that starts at the same moment gets the same conversation (the contact row is locked).
    ``team_id`` is the visitor's choice among the inbox's offered teams; without one the
    router picks a team by its rules or the inbox's default team.
    ``prechat`` holds the answers to the inbox's pre-chat form (chat.prechat); its required
    fields are enforced only when a conversation is created, and not for the offline form
    (``offline``: the contact's email is required instead, and agents' replies are emailed).
    """
    if text is not None:
        text = clean_text(text)
        client_id = clean_client_id(client_id)
    context = clean_context(context, inbox_id=contact.inbox_id)
    if offline and not contact.email:
        raise invalid("Leave an email address so that we can answer you.")
    if team_id is not None:
        if not isinstance(team_id, int) or isinstance(team_id, bool):
            raise invalid("team must be a team's numeric id.")
        if not contact.inbox.teams.filter(pk=team_id).exists():
            raise ServiceError("not_found", "This inbox offers no such team.", status=404)
    now = clock.now()
    with transaction.atomic():
        Contact.objects.select_for_update().filter(pk=contact.pk).first()
        existing = (
            Conversation.objects.filter(contact=contact, status__in=ACTIVE_STATUSES).order_by("-created_at").first()
        )
        if existing is not None:
            created = False
            conversation = existing
        else:
            created = True
            apply_prechat(contact, prechat, enforce_required=not offline)
            # With the inbox's bot on, a live chat starts with the bot: open, unassigned, outside
            # the queue, its SLA clocks not started (they start at the handoff, chat.services.bot).
            bot = contact.inbox.bot_enabled and not offline
            conversation = Conversation.objects.create(
                inbox_id=contact.inbox_id,
                contact=contact,
                status=ConversationStatus.OPEN if bot else ConversationStatus.WAITING,
                owner=Owner.BOT if bot else Owner.HUMAN,
                created_at=now,
                waiting_since=None if bot else now,
                context=context,
                team_id=team_id,
                offline=offline,
            )
            conversation.number = conversation.pk + NUMBER_OFFSET
            first_due, resolution_due = (None, None) if bot else sla.due_times(conversation, start=now)
            conversation.sla_first_response_due_at, conversation.sla_resolution_due_at = first_due, resolution_due
            Conversation.objects.filter(pk=conversation.pk).update(
                number=conversation.number, sla_first_response_due_at=first_due, sla_resolution_due_at=resolution_due
            )
            created_payload = {"team": team_id} if team_id else {}
            if offline:
                created_payload["offline"] = True
            if bot:
                created_payload["owner"] = Owner.BOT
            record(conversation, EventType.CREATED, actor=contact, payload=created_payload)
            if offline:
                pk = conversation.pk
                realtime.after_commit(lambda: _offline_receipt(pk))
        conversation.contact = contact
        if created:
            broadcast_conversation(conversation)
            if conversation.owner == Owner.HUMAN:
                broadcast_queue_positions(conversation.inbox_id)
                announce_waiting(conversation, chosen_team=team_id is not None)
        message = None
        if text is not None:
            message = message_send(conversation=conversation, sender=contact, text=text, client_id=client_id).message
    return conversation, created, message


def _offline_receipt(conversation_pk: int) -> None:
    from chat.tasks import send_offline_receipt

    send_offline_receipt.enqueue(conversation_pk)
