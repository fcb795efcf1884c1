"""The private core every service builds on: text checks, the audit record, the row lock, the
sequence numbers, the one place a transcript entry is appended, and the after-commit hooks.

Nothing here opens a transaction: each function runs inside its caller's ``transaction.atomic``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import connection

from chat import clock, events, notices, realtime, scrub, signals
from chat.choices import ActorKind, Owner, SenderKind
from chat.errors import ServiceError, invalid
from chat.models import Contact, Conversation, ConversationEvent, Message
from chat.payloads import user_name
from chat.segmentation import message_search_terms

# --- checks of what clients send ------------------------------------------------------------


def clean_text(text: Any, *, allow_empty: bool = False) -> str:
    """Message text: a non-blank string within the size limit; stored as given, shown as text.

    ``allow_empty``: a message that carries attachments may have no text (``None`` or ``""``).
    """
    if allow_empty and (text is None or (isinstance(text, str) and not text.strip())):
        return ""
    if not isinstance(text, str):
        raise invalid("text must be a string.")
    if not text.strip():
        raise invalid("text must not be empty.")
    limit = settings.HELPDESK["MAX_MESSAGE_CHARS"]
    if len(text) > limit:
        raise ServiceError("too_long", f"text is longer than {limit} characters.")
    if "\x00" in text:
        raise invalid("text must not contain NUL characters.")
    return text


def clean_client_id(client_id: Any) -> str:
    """The idempotency key a client chose for a message: 1-64 printable ASCII characters."""
    if not isinstance(client_id, str) or not (1 <= len(client_id) <= 64):
        raise invalid("client_id must be a string of 1 to 64 characters.")
    if not client_id.isascii() or not client_id.isprintable():
        raise invalid("client_id must be printable ASCII.")
    return client_id


# --- who acts -------------------------------------------------------------------------------


@dataclass(frozen=True)
class BotActor:
    """The inbox's bot as the author of a message or an event (it has no user row)."""

    name: str


def sender_fields(sender: Contact | AbstractBaseUser | BotActor) -> dict[str, Any]:
    """How a message records its author: the one place that maps an actor to a sender kind."""
    if isinstance(sender, Contact):
        return {"sender_kind": SenderKind.CONTACT, "sender_user": None, "sender_name": sender.name or "Visitor"}
    if isinstance(sender, BotActor):
        return {"sender_kind": SenderKind.BOT, "sender_user": None, "sender_name": sender.name}
    return {"sender_kind": SenderKind.AGENT, "sender_user": sender, "sender_name": user_name(sender)}


def record(
    conversation: Conversation,
    event_type: str,
    *,
    actor: AbstractBaseUser | Contact | BotActor | None,
    payload: dict[str, Any] | None = None,
) -> ConversationEvent:
    """Write one audit event (rule 9); ``actor`` None is the system (timers, the router)."""
    if isinstance(actor, Contact):
        kind, user = ActorKind.CONTACT, None
    elif isinstance(actor, BotActor):
        kind, user = ActorKind.BOT, None
    elif actor is None:
        kind, user = ActorKind.SYSTEM, None
    else:
        kind, user = ActorKind.AGENT, actor
    event = ConversationEvent.objects.create(
        conversation=conversation,
        type=event_type,
        actor_kind=kind,
        actor_user=user,
        payload=payload or {},
        created_at=clock.now(),
    )
    signals.recorded.send(sender=ConversationEvent, conversation=conversation, event=event)
    return event


def locked(conversation: Conversation) -> Conversation:
    """The conversation re-read under its row lock: state rules are checked on this copy."""
    fresh = (
        Conversation.objects.select_for_update().filter(pk=conversation.pk).select_related("contact", "inbox").first()
    )
    if fresh is None:
        raise ServiceError("not_found", "The conversation no longer exists.", status=404)
    return fresh


# --- the transcript: sequence numbers and appending -----------------------------------------


def _next_seq(
    conversation: Conversation, *, now: datetime, public: bool, first_response: bool, sender_kind: str
) -> tuple[int, int | None, str, str]:
    """Take the next sequence number(s) and touch the conversation in one locking UPDATE.

    Returns ``(seq, public_seq or None, status, owner)``. The row lock it takes serialises
    senders of one conversation until commit, so both counters stay dense and ordered; RETURNING
    (PostgreSQL, SQLite >= 3.35) saves a query, and tells whether the bot answers this message.
    """
    table = connection.ops.quote_name(Conversation._meta.db_table)
    sets = "last_seq = last_seq + 1, last_message_at = %s"
    params: list[Any] = [now]
    if public:
        sets += ", last_public_seq = last_public_seq + 1"
    if first_response:  # an agent's public reply
        sets += ", first_response_at = COALESCE(first_response_at, %s), last_agent_message_at = %s"
        params += [now, now]
    if sender_kind == SenderKind.CONTACT:
        sets += ", last_contact_message_at = %s"
        params.append(now)
    params.append(conversation.pk)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET {sets} WHERE id = %s RETURNING last_seq, last_public_seq, status, owner", params
        )
        row = cursor.fetchone()
    if row is None:
        raise ServiceError("not_found", "The conversation no longer exists.", status=404)
    return row[0], (row[1] if public else None), row[2], row[3]


def append(
    conversation: Conversation,
    *,
    sender_kind: str,
    text: str,
    sender_user: AbstractBaseUser | None = None,
    sender_name: str = "",
    client_id: str | None = None,
    is_private: bool = False,
    now: datetime | None = None,
    bot_answer: dict[str, Any] | None = None,
    code: str = "",
    params: dict[str, str] | None = None,
) -> Message:
    """Store one transcript entry with the next sequence number (inside the caller's atomic)."""
    now = now or clock.now()
    if sender_kind in (SenderKind.CONTACT, SenderKind.AGENT):  # what people wrote: redacted first
        text = scrub.text(text, inbox_id=conversation.inbox_id)
    first_response = sender_kind == SenderKind.AGENT and not is_private
    seq, public_seq, status, owner = _next_seq(
        conversation, now=now, public=not is_private, first_response=first_response, sender_kind=sender_kind
    )
    message = Message.objects.create(
        conversation=conversation,
        seq=seq,
        public_seq=public_seq,
        client_id=client_id,
        sender_kind=sender_kind,
        sender_user=sender_user,
        sender_name=sender_name,
        text=text,
        search_terms=message_search_terms(text),
        code=code,
        params=params or {},
        is_private=is_private,
        created_at=now,
        bot_answer=bot_answer,
    )
    message._prefetched_objects_cache = {"attachments": []}  # a new entry carries none yet: no query
    conversation.last_seq = seq
    if public_seq is not None:
        conversation.last_public_seq = public_seq
    conversation.status = status
    conversation.owner = owner
    conversation.last_message_at = now
    if first_response:
        conversation.last_agent_message_at = now
        if conversation.first_response_at is None:
            conversation.first_response_at = now
    if sender_kind == SenderKind.CONTACT:
        conversation.last_contact_message_at = now
    signals.recorded.send(sender=Message, conversation=conversation, message=message)
    return message


def append_system_message(
    conversation: Conversation, code: str, params: dict[str, Any] | None = None, *, now: datetime | None = None
) -> Message:
    """The one place a system notice enters a transcript (and is broadcast after commit).

    It is stored as a code of ``chat.notices`` with its parameters, which every reader renders in
    its own language; ``text`` keeps the English rendering for search and older clients.
    """
    params = notices.check(code, params)
    text = notices.english(code, params)
    message = append(conversation, sender_kind=SenderKind.SYSTEM, text=text, code=code, params=params, now=now)
    broadcast_message(conversation, message)
    return message


# --- after commit: what clients and the router learn ----------------------------------------


def broadcast_message(conversation: Conversation, message: Message) -> None:
    """Agents get the full payload; the contact (public messages only) its own stream's seq."""
    conversation_id = str(conversation.public_id)
    realtime.broadcast(
        [realtime.inbox_group(conversation.inbox_id)],
        events.message_new(message, conversation_id=conversation_id),
    )
    if not message.is_private:
        realtime.broadcast(
            [realtime.contact_group(conversation.contact.public_id)],
            events.message_new(message, conversation_id=conversation_id, for_contact=True),
        )


def broadcast_conversation(conversation: Conversation) -> None:
    """After commit, tell agents (full shape) and the contact (public shape) the new state.

    The state is read after commit, so it is what the database holds, and the callback is
    registered before any system message so clients learn of the change first.
    """
    pk = conversation.pk

    def send() -> None:
        fresh = Conversation.objects.select_related("inbox", "contact", "assignee", "team").get(pk=pk)
        realtime.publish([realtime.inbox_group(fresh.inbox_id)], events.conversation_updated(fresh))
        realtime.publish(
            [realtime.contact_group(fresh.contact.public_id)], events.conversation_updated(fresh, for_contact=True)
        )

    realtime.after_commit(send)


def broadcast_queue_positions(inbox_id: int) -> None:
    """After commit, tell each waiting contact of the inbox its place in the queue and an
    estimate of the wait (from the estimator configured in HELPDESK["WAIT_ESTIMATOR"])."""

    def send() -> None:
        from chat.selectors import estimate_waits, queue_for_inbox

        waiting = list(queue_for_inbox(inbox_id=inbox_id).values_list("public_id", "contact__public_id"))
        if not waiting:
            return
        estimates = estimate_waits(inbox_id=inbox_id, count=len(waiting))
        for position, (conversation_id, contact_id) in enumerate(waiting, start=1):
            realtime.publish(
                [realtime.contact_group(contact_id)],
                events.queue_position(
                    conversation_id=str(conversation_id),
                    position=position,
                    waiting=len(waiting),
                    estimated_wait_seconds=estimates[position - 1],
                ),
            )

    realtime.after_commit(send)


def announce_waiting(conversation: Conversation, *, chosen_team: bool = False) -> None:
    """After commit, tell the router (if one listens) that a conversation waits for an agent."""
    pk, inbox_id = conversation.pk, conversation.inbox_id
    realtime.after_commit(
        lambda: signals.conversation_waiting.send(
            sender=Conversation, conversation_id=pk, inbox_id=inbox_id, chosen_team=chosen_team
        )
    )


def announce_bot_turn(conversation: Conversation, message: Message) -> None:
    """After commit, tell the bot (if one listens) that a visitor's message waits for its answer."""
    pk, message_pk = conversation.pk, message.pk
    realtime.after_commit(lambda: signals.bot_turn.send(sender=Conversation, conversation_id=pk, message_id=message_pk))


def bot_owns(conversation: Conversation) -> bool:
    return conversation.owner == Owner.BOT


def announce_released(conversation: Conversation, agent_id: int | None) -> None:
    """After commit, tell the router an agent's slot is free again."""
    if agent_id is None:
        return
    inbox_id = conversation.inbox_id
    realtime.after_commit(
        lambda: signals.capacity_freed.send(sender=Conversation, agent_id=agent_id, inbox_id=inbox_id)
    )
