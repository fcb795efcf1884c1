"""Every write of the conversation domain (rule 1): persist, commit, then broadcast (rule 2).

Callers hand in rows they obtained through ``chat.selectors`` (so access is already scoped);
services enforce the state rules, write in one transaction, record a ConversationEvent for
each change of state, and publish after commit through ``chat.realtime``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, connection, transaction
from django.db.models import Q, Value
from django.db.models.functions import Coalesce
from django.utils.module_loading import import_string

from chat import clock, realtime, signals, sla
from chat.choices import (
    ACTIVE_STATUSES,
    THUMBS_SCORES,
    ActorKind,
    ConversationStatus,
    CsatScale,
    EventType,
    Priority,
    SenderKind,
)
from chat.errors import ServiceError, invalid
from chat.models import (
    Attachment,
    Contact,
    Conversation,
    ConversationEvent,
    Inbox,
    Message,
    SatisfactionRating,
    Tag,
)
from chat.payloads import conversation_payload, message_payload, rating_payload, user_name
from chat.tokens import hash_secret, mint_secret

NUMBER_OFFSET = 1000


@dataclass(frozen=True)
class SendResult:
    message: Message
    created: bool


# --- validation helpers ------------------------------------------------------------------------


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


def _groups_for(conversation: Conversation, *, private: bool) -> list[str]:
    groups = [realtime.inbox_group(conversation.inbox_id)]
    if not private:
        groups.append(realtime.contact_group(conversation.contact.public_id))
    return groups


def _record(
    conversation: Conversation,
    event_type: str,
    *,
    actor: AbstractBaseUser | Contact | None,
    payload: dict[str, Any] | None = None,
) -> ConversationEvent:
    if isinstance(actor, Contact):
        kind, user = ActorKind.CONTACT, None
    elif actor is None:
        kind, user = ActorKind.SYSTEM, None
    else:
        kind, user = ActorKind.AGENT, actor
    return ConversationEvent.objects.create(
        conversation=conversation,
        type=event_type,
        actor_kind=kind,
        actor_user=user,
        payload=payload or {},
        created_at=clock.now(),
    )


def _broadcast_conversation(conversation: Conversation) -> None:
    """After commit, tell agents (full shape) and the contact (public shape) the new state.

    The state is read after commit, so it is what the database holds, and the callback is
    registered before any system message so clients learn of the change first.
    """
    pk = conversation.pk

    def send() -> None:
        fresh = Conversation.objects.select_related("inbox", "contact", "assignee", "team").get(pk=pk)
        realtime.publish(
            [realtime.inbox_group(fresh.inbox_id)],
            realtime.envelope("conversation.updated", {"conversation": conversation_payload(fresh)}),
        )
        realtime.publish(
            [realtime.contact_group(fresh.contact.public_id)],
            realtime.envelope("conversation.updated", {"conversation": conversation_payload(fresh, for_contact=True)}),
        )

    realtime.after_commit(send)


def _broadcast_queue_positions(inbox_id: int) -> None:
    """After commit, tell each waiting contact of the inbox its place in the queue and an
    estimate of the wait (from the estimator configured in HELPDESK["WAIT_ESTIMATOR"])."""

    def send() -> None:
        from chat.selectors import queue_for_inbox

        waiting = list(queue_for_inbox(inbox_id=inbox_id).values_list("public_id", "contact__public_id"))
        if not waiting:
            return
        estimates = estimate_waits(inbox_id=inbox_id, count=len(waiting))
        for position, (conversation_id, contact_id) in enumerate(waiting, start=1):
            realtime.publish(
                [realtime.contact_group(contact_id)],
                realtime.envelope(
                    "queue.position",
                    {
                        "conversation": str(conversation_id),
                        "position": position,
                        "waiting": len(waiting),
                        "estimated_wait_seconds": estimates[position - 1],
                    },
                ),
            )

    realtime.after_commit(send)


def inbox_availability(*, inbox: Inbox) -> dict[str, bool]:
    """Whether the inbox is within business hours and has an agent online to answer now.

    Outside hours, or with nobody online, the widget offers its offline form instead of a live chat.
    """
    from chat.hours import schedule_for

    path = settings.HELPDESK.get("AGENTS_ONLINE_CHECK")
    agents_online = bool(import_string(path)(inbox_id=inbox.pk)) if path else True
    return {"open": schedule_for(inbox).is_open(clock.now()), "agents_online": agents_online}


def estimate_waits(*, inbox_id: int, count: int) -> list[int | None]:
    """Estimated waits for the first ``count`` queue positions; None where nobody can tell."""
    path = settings.HELPDESK.get("WAIT_ESTIMATOR")
    if not path:
        return [None] * count
    return import_string(path)(inbox_id=inbox_id, count=count)


def _announce_waiting(conversation: Conversation, *, chosen_team: bool = False) -> None:
    """After commit, tell the router (if one listens) that a conversation waits for an agent."""
    pk, inbox_id = conversation.pk, conversation.inbox_id
    realtime.after_commit(
        lambda: signals.conversation_waiting.send(
            sender=Conversation, conversation_id=pk, inbox_id=inbox_id, chosen_team=chosen_team
        )
    )


def _announce_released(conversation: Conversation, agent_id: int | None) -> None:
    """After commit, tell the router an agent's slot is free again."""
    if agent_id is None:
        return
    inbox_id = conversation.inbox_id
    realtime.after_commit(
        lambda: signals.capacity_freed.send(sender=Conversation, agent_id=agent_id, inbox_id=inbox_id)
    )


# --- the sequence counter -------------------------------------------------------------------


def _next_seq(
    conversation: Conversation, *, now: datetime, public: bool, first_response: bool, sender_kind: str
) -> tuple[int, int | None, str]:
    """Take the next sequence number(s) and touch the conversation in one locking UPDATE.

    Returns ``(seq, public_seq or None, status)``. The row lock it takes serialises senders
    of one conversation until commit, so both counters stay dense and ordered; RETURNING
    (PostgreSQL, SQLite >= 3.35) saves a query.
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
        cursor.execute(f"UPDATE {table} SET {sets} WHERE id = %s RETURNING last_seq, last_public_seq, status", params)
        row = cursor.fetchone()
    if row is None:
        raise ServiceError("not_found", "The conversation no longer exists.", status=404)
    return row[0], (row[1] if public else None), row[2]


def _append(
    conversation: Conversation,
    *,
    sender_kind: str,
    text: str,
    sender_user: AbstractBaseUser | None = None,
    sender_name: str = "",
    client_id: str | None = None,
    is_private: bool = False,
    now: datetime | None = None,
) -> Message:
    """Store one transcript entry with the next sequence number (inside the caller's atomic)."""
    now = now or clock.now()
    first_response = sender_kind == SenderKind.AGENT and not is_private
    seq, public_seq, status = _next_seq(
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
        is_private=is_private,
        created_at=now,
    )
    message._prefetched_objects_cache = {"attachments": []}  # a new entry carries none yet: no query
    conversation.last_seq = seq
    if public_seq is not None:
        conversation.last_public_seq = public_seq
    conversation.status = status
    conversation.last_message_at = now
    if first_response:
        conversation.last_agent_message_at = now
        if conversation.first_response_at is None:
            conversation.first_response_at = now
    if sender_kind == SenderKind.CONTACT:
        conversation.last_contact_message_at = now
    return message


def _broadcast_message(conversation: Conversation, message: Message) -> None:
    """Agents get the full payload; the contact (public messages only) its own stream's seq."""
    conversation_id = str(conversation.public_id)
    realtime.broadcast(
        [realtime.inbox_group(conversation.inbox_id)],
        realtime.envelope("message.new", {"message": message_payload(message, conversation_id=conversation_id)}),
    )
    if not message.is_private:
        realtime.broadcast(
            [realtime.contact_group(conversation.contact.public_id)],
            realtime.envelope(
                "message.new",
                {"message": message_payload(message, conversation_id=conversation_id, for_contact=True)},
            ),
        )


def _system_message(conversation: Conversation, text: str, now: datetime | None = None) -> Message:
    message = _append(conversation, sender_kind=SenderKind.SYSTEM, text=text, now=now)
    _broadcast_message(conversation, message)
    return message


# --- contacts ---------------------------------------------------------------------------------


def contact_create(*, inbox: Inbox, name: str = "", email: str = "") -> tuple[Contact, str]:
    """Mint a contact and its secret token; the token is returned once and stored hashed."""
    if not inbox.is_active:
        raise ServiceError("inbox_closed", "This inbox does not take chats.", status=403)
    token = mint_secret()
    contact = Contact.objects.create(inbox=inbox, token_hash=hash_secret(token), name=name[:120], email=email[:254])
    return contact, token


def contact_touch(*, contact: Contact) -> None:
    """Record when the contact was last connected."""
    Contact.objects.filter(pk=contact.pk).update(last_seen_at=clock.now())


def contact_update(*, contact: Contact, name: str | None = None, email: str | None = None) -> Contact:
    from django.core.exceptions import ValidationError
    from django.core.validators import validate_email

    fields = []
    if name is not None:
        if not isinstance(name, str) or len(name) > 120:
            raise invalid("name must be a string of at most 120 characters.")
        contact.name = name.strip()
        fields.append("name")
    if email is not None:
        if not isinstance(email, str) or len(email) > 254:
            raise invalid("email must be a string of at most 254 characters.")
        email = email.strip()
        if email:
            try:
                validate_email(email)
            except ValidationError as exc:
                raise invalid("email is not a valid address.") from exc
        contact.email = email
        fields.append("email")
    if fields:
        Contact.objects.filter(pk=contact.pk).update(**{f: getattr(contact, f) for f in fields})
    return contact


# --- conversations ------------------------------------------------------------------------------


def clean_context(context: Any) -> dict[str, str]:
    """Page context from the widget: only known keys, short strings. ``user_agent`` is the one the
    socket's handshake carried (chat.consumers), shown as the browser in the console."""
    if context is None:
        return {}
    if not isinstance(context, dict):
        raise invalid("context must be an object.")
    cleaned = {}
    for key in ("url", "referrer", "title", "language", "user_agent"):
        value = context.get(key)
        if value is None:
            continue
        if not isinstance(value, str) or len(value) > 2000:
            raise invalid(f"context.{key} must be a string of at most 2000 characters.")
        cleaned[key] = value
    return cleaned


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
    context = clean_context(context)
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
            _apply_prechat(contact, prechat, enforce_required=not offline)
            conversation = Conversation.objects.create(
                inbox_id=contact.inbox_id,
                contact=contact,
                status=ConversationStatus.WAITING,
                created_at=now,
                waiting_since=now,
                context=context,
                team_id=team_id,
                offline=offline,
            )
            conversation.number = conversation.pk + NUMBER_OFFSET
            first_due, resolution_due = sla.due_times(conversation, start=now)
            conversation.sla_first_response_due_at, conversation.sla_resolution_due_at = first_due, resolution_due
            Conversation.objects.filter(pk=conversation.pk).update(
                number=conversation.number, sla_first_response_due_at=first_due, sla_resolution_due_at=resolution_due
            )
            created_payload = {"team": team_id} if team_id else {}
            if offline:
                created_payload["offline"] = True
            _record(conversation, EventType.CREATED, actor=contact, payload=created_payload)
            if offline:
                pk = conversation.pk
                realtime.after_commit(lambda: _offline_receipt(pk))
        conversation.contact = contact
        if created:
            _broadcast_conversation(conversation)
            _broadcast_queue_positions(conversation.inbox_id)
            _announce_waiting(conversation, chosen_team=team_id is not None)
        if text is not None:
            message_send(conversation=conversation, sender=contact, text=text, client_id=client_id)
    return conversation, created


def message_send(
    *,
    conversation: Conversation,
    sender: Contact | AbstractBaseUser,
    text: str,
    client_id: str,
    is_private: bool = False,
    attachments: Any = None,
) -> SendResult:
    """Store one message, idempotent on ``client_id``; two SQL queries on the common path.

    A retry with a ``client_id`` already stored in this conversation returns the stored
    message (``created=False``) and broadcasts nothing. ``attachments`` lists the ids of files
    the sender uploaded to this conversation (``attachment_upload``) that no message carries
    yet; with attachments the text may be empty.
    """
    text = clean_text(text, allow_empty=bool(attachments))
    client_id = clean_client_id(client_id)
    attachment_ids = _clean_attachment_ids(attachments)
    is_contact = isinstance(sender, Contact)
    if is_contact and is_private:
        raise ServiceError("forbidden", "Contacts cannot write private notes.", status=403)
    if is_contact and sender.pk != conversation.contact_id:
        raise ServiceError("forbidden", "This is not your conversation.", status=403)

    try:
        if not is_contact and not is_private:
            if conversation.status == ConversationStatus.WAITING:
                raise ServiceError("not_assigned", "Claim the conversation before replying to the contact.")
            if conversation.status == ConversationStatus.RESOLVED:
                raise ServiceError("invalid_state", "Reopen the conversation before replying.")
        files = _claimable_attachments(conversation, sender, attachment_ids) if attachment_ids else []
    except ServiceError:
        # A retry of a message stored before the state changed (or its files were attached)
        # is answered as a retry, not refused.
        existing = _find_by_client_id(conversation, client_id, sender)
        if existing is not None:
            return SendResult(existing, False)
        raise

    # No lookup of client_id first: the unique constraint on (conversation, client_id) finds a
    # retry, and the common path saves that query (docs/performance.md).
    try:
        with transaction.atomic():
            message = _append(
                conversation,
                sender_kind=SenderKind.CONTACT if is_contact else SenderKind.AGENT,
                sender_user=None if is_contact else sender,
                sender_name=(sender.name or "Visitor") if is_contact else user_name(sender),
                text=text,
                client_id=client_id,
                is_private=is_private,
            )
            if files:
                _attach(message, files)
            _broadcast_message(conversation, message)
            if conversation.offline and not is_contact and not is_private:
                pk = message.pk
                realtime.after_commit(lambda: _offline_reply_later(pk))
            if is_private:
                _record(conversation, EventType.NOTE_ADDED, actor=sender, payload={"seq": message.seq})
                _mention(conversation, message, author=sender)
            if is_contact and conversation.status == ConversationStatus.RESOLVED:
                _reopen(conversation, actor=sender)
            elif is_contact and conversation.status == ConversationStatus.PENDING:
                _end_pending(conversation, actor=sender)
    except IntegrityError:
        # Another request stored the same client_id first; answer as a retry would be.
        existing = _find_by_client_id(conversation, client_id, sender)
        if existing is None:
            raise
        return SendResult(existing, False)
    return SendResult(message, True)


def _find_by_client_id(conversation: Conversation, client_id: str, sender) -> Message | None:
    existing = Message.objects.filter(conversation=conversation, client_id=client_id).first()
    if existing is None:
        return None
    same_sender = (
        existing.sender_kind == SenderKind.CONTACT
        if isinstance(sender, Contact)
        else existing.sender_user_id == sender.pk
    )
    if not same_sender:
        raise ServiceError("client_id_conflict", "This client_id is already used by another sender.", status=409)
    return existing


MENTION = re.compile(r"(?<![\w@])@([\w.+-]*\w)")


def mentioned_usernames(text: str) -> list[str]:
    """The ``@username`` handles in a note, in order of first appearance, without repeats."""
    return list(dict.fromkeys(MENTION.findall(text)))


def _mention(conversation: Conversation, message: Message, *, author: AbstractBaseUser) -> list[int]:
    """Record and announce each agent a private note names with ``@username``.

    Only active agents who may see the conversation (they work its inbox, or see every inbox)
    can be mentioned; other handles stay plain text. Each mentioned agent gets a ``mention``
    event on its own group, after commit, and the mention is kept as a ConversationEvent.
    """
    names = mentioned_usernames(message.text)[:20]
    if not names:
        return []
    User = get_user_model()
    may_see = (
        Q(inboxes=conversation.inbox_id)
        | Q(is_superuser=True)
        | Q(user_permissions__codename="view_all_conversations")
        | Q(groups__permissions__codename="view_all_conversations")
    )
    users = list(
        User.objects.filter(username__in=names, is_active=True, agent__isnull=False)
        .filter(may_see)
        .exclude(pk=author.pk)
        .distinct()
    )
    conversation_id = str(conversation.public_id)
    for user in users:
        _record(conversation, EventType.MENTIONED, actor=author, payload={"agent": user.pk, "seq": message.seq})
        realtime.broadcast(
            [realtime.agent_group(user.pk)],
            realtime.envelope(
                "mention",
                {
                    "conversation": conversation_id,
                    "number": conversation.number,
                    "by": user_name(author),
                    "message": message_payload(message, conversation_id=conversation_id),
                },
            ),
        )
    return [u.pk for u in users]


def note_add(
    *, conversation: Conversation, agent: AbstractBaseUser, text: str, client_id: str, attachments: Any = None
) -> SendResult:
    """A private note: stored in the transcript, only ever sent to agents (its files too)."""
    return message_send(
        conversation=conversation,
        sender=agent,
        text=text,
        client_id=client_id,
        is_private=True,
        attachments=attachments,
    )


def typing_set(*, conversation: Conversation, actor: Contact | AbstractBaseUser, is_typing: bool) -> None:
    """Typing is not stored; it may be lost. An agent's typing reaches the contact by name only."""
    conversation_id = str(conversation.public_id)
    data = {"conversation": conversation_id, "is_typing": bool(is_typing)}
    if isinstance(actor, Contact):
        who = {"kind": SenderKind.CONTACT, "name": actor.name or "Visitor"}
        realtime.broadcast(
            [realtime.inbox_group(conversation.inbox_id)], realtime.envelope("typing", {**data, "sender": who})
        )
        return
    who = {"kind": SenderKind.AGENT, "name": user_name(actor)}
    # Agents get the typist's id (to ignore their own echo); the contact gets the name only.
    realtime.broadcast(
        [realtime.inbox_group(conversation.inbox_id)],
        realtime.envelope("typing", {**data, "sender": {**who, "id": actor.pk}}),
    )
    realtime.broadcast(
        [realtime.contact_group(conversation.contact.public_id)], realtime.envelope("typing", {**data, "sender": who})
    )


def conversation_mark_read(*, conversation: Conversation, reader: Contact | AbstractBaseUser, seq: int) -> int:
    """Move the reader's side's read mark forward (never back); returns the mark.

    Marks count public entries (``public_seq``): a contact sends a seq of its own stream;
    an agent sends a ``seq`` of the full stream, which is mapped to the public entries up to it.
    """
    if not isinstance(seq, int) or isinstance(seq, bool) or seq < 0:
        raise invalid("seq must be a non-negative integer.")
    is_contact = isinstance(reader, Contact)
    field = "contact_last_read_seq" if is_contact else "agent_last_read_seq"
    with transaction.atomic():
        conversation = Conversation.objects.select_for_update().select_related("contact").get(pk=conversation.pk)
        if is_contact:
            mark = min(seq, conversation.last_public_seq)
        else:
            mark = (
                Message.objects.filter(conversation=conversation, seq__lte=seq, public_seq__isnull=False)
                .order_by("-seq")
                .values_list("public_seq", flat=True)
                .first()
            ) or 0
        if mark <= getattr(conversation, field):
            return getattr(conversation, field)
        Conversation.objects.filter(pk=conversation.pk).update(**{field: mark})
        data = {
            "conversation": str(conversation.public_id),
            "reader": SenderKind.CONTACT if is_contact else SenderKind.AGENT,
        }
        realtime.broadcast(
            [realtime.inbox_group(conversation.inbox_id)], realtime.envelope("read", {**data, "public_seq": mark})
        )
        realtime.broadcast(
            [realtime.contact_group(conversation.contact.public_id)], realtime.envelope("read", {**data, "seq": mark})
        )
    return mark


def _locked(conversation: Conversation) -> Conversation:
    fresh = (
        Conversation.objects.select_for_update().filter(pk=conversation.pk).select_related("contact", "inbox").first()
    )
    if fresh is None:
        raise ServiceError("not_found", "The conversation no longer exists.", status=404)
    return fresh


def conversation_claim(*, conversation: Conversation, agent: AbstractBaseUser) -> Conversation:
    """Take a waiting conversation. Of two agents claiming at once exactly one wins.

    The guard is in the UPDATE's WHERE clause, so the database decides the race.
    """
    now = clock.now()
    with transaction.atomic():
        won = Conversation.objects.filter(
            pk=conversation.pk, status=ConversationStatus.WAITING, assignee__isnull=True
        ).update(
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
        conversation = _locked(conversation)
        _record(conversation, EventType.CLAIMED, actor=agent)
        _broadcast_conversation(conversation)
        _system_message(conversation, f"{user_name(agent)} joined the conversation.", now=now)
        _broadcast_queue_positions(conversation.inbox_id)
    return conversation


def conversation_assign(
    *, conversation: Conversation, agent: AbstractBaseUser, actor: AbstractBaseUser | None, auto: bool = False
) -> Conversation:
    """Give the conversation to ``agent``: a manager's decision, or the router's (``auto``: only
    while it still waits, and then the agent must accept or reply in time)."""
    now = clock.now()
    with transaction.atomic():
        conversation = _locked(conversation)
        if conversation.status == ConversationStatus.RESOLVED:
            raise ServiceError("invalid_state", "Reopen the conversation before assigning it.", status=409)
        if auto and conversation.status != ConversationStatus.WAITING:
            raise ServiceError("already_claimed", "The conversation no longer waits.", status=409)
        if conversation.assignee_id == agent.pk:
            return conversation
        was_waiting = conversation.status == ConversationStatus.WAITING
        previous = conversation.assignee_id
        Conversation.objects.filter(pk=conversation.pk).update(
            assignee=agent,
            status=ConversationStatus.OPEN,
            assigned_at=now,
            auto_assigned=auto,
            accepted_at=None,
            first_assigned_at=Coalesce("first_assigned_at", Value(now)),
        )
        _record(conversation, EventType.ASSIGNED, actor=actor, payload={"to_agent": agent.pk, "auto": auto})
        _announce_released(conversation, previous)
        _broadcast_conversation(conversation)
        _system_message(conversation, f"{user_name(agent)} joined the conversation.", now=now)
        if was_waiting:
            _broadcast_queue_positions(conversation.inbox_id)
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
        conversation = _locked(conversation)
        if conversation.status == ConversationStatus.RESOLVED:
            raise ServiceError("invalid_state", "Reopen the conversation before transferring it.", status=409)
        if note:
            _append_note = _append(
                conversation,
                sender_kind=SenderKind.AGENT,
                sender_user=actor,
                sender_name=user_name(actor),
                text=note,
                client_id=note_client_id,
                is_private=True,
                now=now,
            )
            _broadcast_message(conversation, _append_note)
            _mention(conversation, _append_note, author=actor)
        _announce_released(conversation, conversation.assignee_id)
        if to_agent is not None:
            Conversation.objects.filter(pk=conversation.pk).update(
                assignee=to_agent,
                status=ConversationStatus.OPEN,
                assigned_at=now,
                auto_assigned=False,
                accepted_at=None,
                first_assigned_at=Coalesce("first_assigned_at", Value(now)),
            )
            payload = {"from_agent": conversation.assignee_id, "to_agent": to_agent.pk, "note": note}
            text = f"Transferred to {user_name(to_agent)}."
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
            _announce_waiting(conversation, chosen_team=True)
            payload = {"from_agent": conversation.assignee_id, "to_team": to_team.pk, "note": note}
            text = f"Transferred to the {to_team.name} team."
        _record(conversation, EventType.TRANSFERRED, actor=actor, payload=payload)
        _broadcast_conversation(conversation)
        _system_message(conversation, text, now=now)
        _broadcast_queue_positions(conversation.inbox_id)
        if to_agent is not None:
            realtime.broadcast(
                [realtime.agent_group(to_agent.pk)],
                realtime.envelope(
                    "conversation.transferred",
                    {"conversation": str(conversation.public_id), "by": user_name(actor), "note": note},
                ),
            )
    return conversation


def conversation_resolve(
    *,
    conversation: Conversation,
    actor: AbstractBaseUser | Contact | None,
    reason: str = "",
    text: str = "",
) -> Conversation:
    now = clock.now()
    with transaction.atomic():
        conversation = _locked(conversation)
        if conversation.status == ConversationStatus.RESOLVED:
            raise ServiceError("invalid_state", "The conversation is already resolved.", status=409)
        was_waiting = conversation.status == ConversationStatus.WAITING
        for missed in sla.breaches_at_resolution(conversation, now=now):
            conversation_flag_sla(conversation=conversation, target=missed.target, due_at=missed.due_at, breached=True)
        Conversation.objects.filter(pk=conversation.pk).update(status=ConversationStatus.RESOLVED, resolved_at=now)
        _record(conversation, EventType.RESOLVED, actor=actor, payload={"reason": reason} if reason else None)
        _broadcast_conversation(conversation)
        _system_message(conversation, text or "The conversation was resolved.", now=now)
        _announce_released(conversation, conversation.assignee_id)
        if conversation.contact.email:
            pk = conversation.pk
            realtime.after_commit(lambda: _request_rating_later(pk))
        if was_waiting:
            _broadcast_queue_positions(conversation.inbox_id)
    return conversation


def _reopen(conversation: Conversation, *, actor) -> None:
    now = clock.now()
    status = ConversationStatus.OPEN if conversation.assignee_id else ConversationStatus.WAITING
    Conversation.objects.filter(pk=conversation.pk).update(
        status=status, resolved_at=None, waiting_since=now if status == ConversationStatus.WAITING else None
    )
    conversation.status = status
    _record(conversation, EventType.REOPENED, actor=actor)
    _broadcast_conversation(conversation)
    _system_message(conversation, "The conversation was reopened.", now=now)
    if status == ConversationStatus.WAITING:
        _broadcast_queue_positions(conversation.inbox_id)
        _announce_waiting(conversation)


def _end_pending(conversation: Conversation, *, actor) -> None:
    Conversation.objects.filter(pk=conversation.pk, status=ConversationStatus.PENDING).update(
        status=ConversationStatus.OPEN
    )
    conversation.status = ConversationStatus.OPEN
    _record(conversation, EventType.PENDING_ENDED, actor=actor)
    _broadcast_conversation(conversation)


def conversation_set_pending(*, conversation: Conversation, actor: AbstractBaseUser, pending: bool) -> Conversation:
    """Mark an open conversation as waiting on the customer, or take it back to open.

    A pending conversation still counts against its assignee's capacity, is never requeued by
    the answer timers, and goes back to open by itself when the contact writes.
    """
    if not isinstance(pending, bool):
        raise invalid("pending must be true or false.")
    with transaction.atomic():
        conversation = _locked(conversation)
        wanted = ConversationStatus.PENDING if pending else ConversationStatus.OPEN
        if conversation.status == wanted:
            return conversation
        if pending and conversation.status != ConversationStatus.OPEN:
            raise ServiceError("invalid_state", "Only an open, assigned conversation can be set pending.", status=409)
        if not pending and conversation.status != ConversationStatus.PENDING:
            raise ServiceError("invalid_state", "The conversation is not pending.", status=409)
        if pending:
            Conversation.objects.filter(pk=conversation.pk).update(status=ConversationStatus.PENDING)
            conversation.status = ConversationStatus.PENDING
            _record(conversation, EventType.PENDING, actor=actor)
            _broadcast_conversation(conversation)
        else:
            _end_pending(conversation, actor=actor)
    return conversation


MAX_TAGS = 20


def conversation_set_tags(*, conversation: Conversation, actor: AbstractBaseUser, names: Any) -> list[str]:
    """Replace the conversation's tags with ``names`` (tags an admin created); returns them sorted.

    Records one ``tags_changed`` event with what was added and removed, and only when
    something changed.
    """
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names) or len(names) > MAX_TAGS:
        raise invalid(f"tags must be a list of at most {MAX_TAGS} tag names.")
    wanted_names = {n.strip().lower() for n in names if n.strip()}
    tags = {t.name: t for t in Tag.objects.filter(name__in=wanted_names)}
    unknown = sorted(wanted_names - tags.keys())
    if unknown:
        raise ServiceError("unknown_tag", f"No such tag: {', '.join(unknown)[:200]}.", status=404)
    with transaction.atomic():
        conversation = _locked(conversation)
        current = set(conversation.tags.values_list("name", flat=True))
        added, removed = sorted(tags.keys() - current), sorted(current - tags.keys())
        if not added and not removed:
            return sorted(current)
        if removed:
            conversation.tags.remove(*Tag.objects.filter(name__in=removed))
        if added:
            conversation.tags.add(*(tags[n] for n in added))
        _record(conversation, EventType.TAGS_CHANGED, actor=actor, payload={"added": added, "removed": removed})
        _broadcast_conversation(conversation)
    return sorted(tags)


def conversation_reopen(*, conversation: Conversation, actor: AbstractBaseUser | Contact) -> Conversation:
    with transaction.atomic():
        conversation = _locked(conversation)
        if conversation.status != ConversationStatus.RESOLVED:
            raise ServiceError("invalid_state", "Only a resolved conversation can be reopened.", status=409)
        _reopen(conversation, actor=actor)
    return conversation


def conversation_rate(
    *, conversation: Conversation, contact: Contact, score: Any, comment: Any = ""
) -> SatisfactionRating:
    """The contact's CSAT answer for a resolved conversation, on the inbox's scale.

    One answer per conversation; the visitor may change it within the inbox's edit window.
    Thumbs scales take 5 (up) or 1 (down). The rating is credited to the final assignee here;
    reports can also split it across every agent who replied.
    """
    inbox = conversation.inbox
    if not isinstance(score, int) or isinstance(score, bool) or not 1 <= score <= 5:
        raise invalid("score must be an integer from 1 to 5.")
    if inbox.csat_scale == CsatScale.THUMBS and score not in THUMBS_SCORES:
        raise invalid("This survey takes a thumbs up (5) or down (1).")
    if comment is None or not inbox.csat_comment:
        comment = "" if comment is None or not inbox.csat_comment else comment
    if not isinstance(comment, str) or len(comment) > 2000:
        raise invalid("comment must be a string of at most 2000 characters.")
    if conversation.contact_id != contact.pk:
        raise ServiceError("forbidden", "This is not your conversation.", status=403)
    now = clock.now()
    with transaction.atomic():
        conversation = _locked(conversation)
        if conversation.status != ConversationStatus.RESOLVED:
            raise ServiceError("not_resolved", "Only a resolved conversation can be rated.", status=409)
        rating = SatisfactionRating.objects.filter(conversation=conversation).first()
        if rating is not None and (now - rating.created_at).total_seconds() > inbox.csat_edit_seconds:
            raise ServiceError("rating_locked", "This rating can no longer be changed.", status=409)
        created = rating is None
        if created:
            rating = SatisfactionRating(conversation=conversation, created_at=now)
        rating.score, rating.comment, rating.agent_id, rating.updated_at = (
            score,
            comment.strip(),
            conversation.assignee_id,
            now,
        )
        rating.save()
        _record(conversation, EventType.RATED, actor=contact, payload={"score": score, "updated": not created})
        data = realtime.envelope(
            "rating", {"rating": rating_payload(rating, conversation_id=str(conversation.public_id))}
        )
        realtime.broadcast(_groups_for(conversation, private=False), data)
    return rating


def _request_rating_later(conversation_pk: int) -> None:
    """Email a rating link if the visitor has not rated in the widget by then (they may have left)."""
    from chat.tasks import send_rating_request

    delay = settings.HELPDESK["RATING_EMAIL_DELAY_SECONDS"]
    send_rating_request.using(run_after=clock.now() + timedelta(seconds=delay)).enqueue(conversation_pk)


# --- routing and timers (decided by the agents app's router and timer sweep) -----------------


def conversation_accept(*, conversation: Conversation, agent: AbstractBaseUser) -> Conversation:
    """The assignee takes an auto-assigned conversation on, which stops its answer timer."""
    now = clock.now()
    with transaction.atomic():
        conversation = _locked(conversation)
        if conversation.assignee_id != agent.pk or conversation.status == ConversationStatus.RESOLVED:
            raise ServiceError("forbidden", "Only the assignee can accept an open conversation.", status=403)
        if conversation.accepted_at is not None:
            return conversation
        Conversation.objects.filter(pk=conversation.pk).update(accepted_at=now)
        _record(conversation, EventType.ACCEPTED, actor=agent)
        _broadcast_conversation(conversation)
    return conversation


def conversation_requeue(*, conversation: Conversation, reason: str, missed: bool) -> Conversation | None:
    """Take the conversation from its assignee back to the queue, keeping its place in line.

    ``missed`` records a missed chat for the agent (assigned, never accepted nor answered).
    Returns None when the conversation changed meanwhile (nothing to do).
    """
    with transaction.atomic():
        conversation = _locked(conversation)
        agent_id = conversation.assignee_id
        if agent_id is None or conversation.status != ConversationStatus.OPEN:
            return None
        Conversation.objects.filter(pk=conversation.pk).update(
            assignee=None, status=ConversationStatus.WAITING, assigned_at=None, auto_assigned=False, accepted_at=None
        )
        if missed:
            _record(conversation, EventType.MISSED, actor=None, payload={"agent": agent_id, "reason": reason})
        _record(conversation, EventType.REQUEUED, actor=None, payload={"from_agent": agent_id, "reason": reason})
        _broadcast_conversation(conversation)
        _system_message(conversation, "We are connecting you with another agent.")
        _broadcast_queue_positions(conversation.inbox_id)
        _announce_released(conversation, agent_id)
        _announce_waiting(conversation)
    return conversation


def conversation_set_team(*, conversation: Conversation, team, actor: AbstractBaseUser | None, fallback: bool = False):
    """Route a waiting conversation to ``team`` (a routing rule, the default, or the fallback)."""
    with transaction.atomic():
        conversation = _locked(conversation)
        if conversation.status != ConversationStatus.WAITING or conversation.team_id == getattr(team, "pk", None):
            return conversation
        Conversation.objects.filter(pk=conversation.pk).update(team=team, team_fallback_done=fallback)
        if fallback:
            payload = {"from_team": conversation.team_id, "to_team": team.pk}
            _record(conversation, EventType.TEAM_FALLBACK, actor=actor, payload=payload)
        _broadcast_conversation(conversation)
    return conversation


def conversation_set_priority(*, conversation: Conversation, priority: Any, actor: AbstractBaseUser) -> Conversation:
    """Change the priority; the queue reorders and SLA targets follow the new priority's policy."""
    if priority not in Priority.values or isinstance(priority, bool):
        raise invalid(f"priority must be one of {Priority.values}.")
    with transaction.atomic():
        conversation = _locked(conversation)
        if conversation.priority == priority:
            return conversation
        previous = conversation.priority
        conversation.priority = priority
        first_due, resolution_due = sla.due_times(conversation, start=conversation.created_at)
        Conversation.objects.filter(pk=conversation.pk).update(
            priority=priority, sla_first_response_due_at=first_due, sla_resolution_due_at=resolution_due
        )
        _record(conversation, EventType.PRIORITY_CHANGED, actor=actor, payload={"from": previous, "to": priority})
        _broadcast_conversation(conversation)
        if conversation.status == ConversationStatus.WAITING:
            _broadcast_queue_positions(conversation.inbox_id)
    return conversation


def conversation_flag_sla(*, conversation: Conversation, target: str, due_at: datetime, breached: bool) -> bool:
    """Record an SLA warning or breach once per (target, due time); agents see it live."""
    key = {"target": target, "due_at": due_at.isoformat()}
    field = "sla_breaches" if breached else "sla_warnings"
    with transaction.atomic():
        conversation = _locked(conversation)
        flags = list(getattr(conversation, field))
        if key in flags:
            return False
        flags.append(key)
        changes = {field: flags}
        if breached:
            changes["sla_breached"] = True
        Conversation.objects.filter(pk=conversation.pk).update(**changes)
        _record(conversation, EventType.SLA_BREACHED if breached else EventType.SLA_WARNING, actor=None, payload=key)
        _broadcast_conversation(conversation)
    return True


def conversation_remind_inactive(*, conversation: Conversation, text: str) -> bool:
    """Nudge a visitor who went silent after an agent's reply (once per silence)."""
    now = clock.now()
    with transaction.atomic():
        conversation = _locked(conversation)
        if conversation.status != ConversationStatus.OPEN:
            return False
        reminded, replied = conversation.inactivity_reminded_at, conversation.last_agent_message_at
        if reminded and replied and reminded >= replied:
            return False  # already reminded during this silence
        Conversation.objects.filter(pk=conversation.pk).update(inactivity_reminded_at=now)
        _record(conversation, EventType.INACTIVITY_REMINDER, actor=None)
        _system_message(conversation, text, now=now)
    return True


# --- the widget: pre-chat form, attachments, identity, page context, transcripts ----------------

MAX_ATTACHMENTS_PER_MESSAGE = 10
MAX_UNSENT_ATTACHMENTS = 20
MAX_ATTRIBUTES = 30


def _apply_prechat(contact: Contact, answers: Any, *, enforce_required: bool) -> None:
    """Store the pre-chat answers on the contact (inside the caller's atomic)."""
    from django.core.exceptions import ValidationError

    from chat.prechat import CONTACT_KEYS, clean_answers

    fields = contact.inbox.prechat_fields or []
    if not fields:
        if answers:
            raise invalid("This inbox has no pre-chat form.")
        return
    try:
        cleaned = clean_answers(
            fields,
            answers,
            known={**(contact.attributes or {}), "name": contact.name, "email": contact.email},
            enforce_required=enforce_required,
        )
    except ValidationError as exc:
        raise invalid(" ".join(exc.messages)) from exc
    changes = {k: v for k, v in cleaned.items() if k in CONTACT_KEYS}
    extra = {k: v for k, v in cleaned.items() if k not in CONTACT_KEYS}
    if extra:
        changes["attributes"] = {**(contact.attributes or {}), **extra}
    if changes:
        for key, value in changes.items():
            setattr(contact, key, value)
        Contact.objects.filter(pk=contact.pk).update(**changes)


def _clean_attachment_ids(attachments: Any) -> list[str]:
    if attachments is None or attachments == []:
        return []
    if not isinstance(attachments, list) or len(attachments) > MAX_ATTACHMENTS_PER_MESSAGE:
        raise invalid(f"attachments must be a list of at most {MAX_ATTACHMENTS_PER_MESSAGE} ids.")
    from chat.selectors import parse_uuid

    ids = [parse_uuid(a) for a in attachments]
    if any(i is None for i in ids) or len(set(ids)) != len(ids):
        raise invalid("attachments must hold distinct attachment ids.")
    return [str(i) for i in ids]


def _claimable_attachments(conversation: Conversation, sender, ids: list[str]) -> list[Attachment]:
    """The sender's own uploads to this conversation that no message carries yet."""
    owner = {"uploaded_by_contact": sender} if isinstance(sender, Contact) else {"uploaded_by_user": sender}
    rows = list(Attachment.objects.filter(conversation=conversation, public_id__in=ids, message__isnull=True, **owner))
    if len(rows) != len(ids):
        raise ServiceError("not_found", "No such attachment, or it was already sent.", status=404)
    order = {pk: i for i, pk in enumerate(ids)}
    return sorted(rows, key=lambda a: order[str(a.public_id)])


def _attach(message: Message, files: list[Attachment]) -> None:
    """Bind the uploads to their message; a concurrent send of the same files loses (rolled back)."""
    done = Attachment.objects.filter(pk__in=[a.pk for a in files], message__isnull=True).update(message=message)
    if done != len(files):
        raise ServiceError("not_found", "No such attachment, or it was already sent.", status=404)
    for a in files:
        a.message = message
    message._prefetched_objects_cache = {"attachments": files}


def attachment_upload(
    *, conversation: Conversation, uploader: Contact | AbstractBaseUser, upload: UploadedFile
) -> Attachment:
    """Check and store one file for ``conversation``; a message then carries it (``message_send``).

    The type comes from the content (chat.attachments), the stored name is random, the shown
    name is the uploaded one made safe. Callers pass a conversation obtained through a selector
    scoped to the uploader (the contact's own, or one the agent may see).
    """
    from chat.attachments import check_upload, safe_name

    is_contact = isinstance(uploader, Contact)
    if is_contact and uploader.pk != conversation.contact_id:
        raise ServiceError("forbidden", "This is not your conversation.", status=403)
    owner = {"uploaded_by_contact": uploader} if is_contact else {"uploaded_by_user": uploader}
    unsent = Attachment.objects.filter(conversation=conversation, message__isnull=True, **owner).count()
    if unsent >= MAX_UNSENT_ATTACHMENTS:
        raise ServiceError("rate_limited", "Send the files already uploaded before adding more.", status=429)
    checked = check_upload(upload)
    attachment = Attachment(
        conversation=conversation,
        name=safe_name(getattr(upload, "name", "") or "", checked.extension),
        content_type=checked.content_type,
        size=upload.size,
        width=checked.width,
        height=checked.height,
        created_at=clock.now(),
        **owner,
    )
    attachment.file.save("upload" + checked.extension, upload, save=False)
    try:
        attachment.save()
    except Exception:
        attachment.file.delete(save=False)
        raise
    return attachment


def contact_identify(*, contact: Contact, user_id: Any, user_hash: Any, name: Any = None, email: Any = None) -> bool:
    """Take a signed-in user's identity from the host site, if its HMAC proves it.

    The site computes ``hash = HMAC-SHA256(inbox.identity_secret, user_id)`` (hex) on its server.
    A missing or wrong hash means the claim is ignored: nothing is stored, and the contact stays
    as it was (anonymous, or what it typed itself). Returns whether the identity was taken.
    """
    import hashlib
    import hmac

    if not isinstance(user_id, str) or not 1 <= len(user_id) <= 128:
        raise invalid("id must be a string of 1 to 128 characters.")
    secret = contact.inbox.identity_secret
    expected = hmac.new(secret.encode(), user_id.encode(), hashlib.sha256).hexdigest()
    if not secret or not isinstance(user_hash, str) or not hmac.compare_digest(expected, user_hash.strip().lower()):
        return False
    with transaction.atomic():
        contact_update(contact=contact, name=name, email=email)
        Contact.objects.filter(pk=contact.pk).update(external_id=user_id)
        contact.external_id = user_id
        for conversation in Conversation.objects.filter(contact=contact, status__in=ACTIVE_STATUSES):
            _record(conversation, EventType.IDENTIFIED, actor=contact, payload={"external_id": user_id})
            _broadcast_conversation(conversation)
    return True


def contact_set_attributes(*, contact: Contact, attributes: Any) -> Contact:
    """Merge the host site's attributes (``setAttributes``) into the contact's; ``None`` removes one."""
    if not isinstance(attributes, dict) or len(attributes) > MAX_ATTRIBUTES:
        raise invalid(f"attributes must be an object of at most {MAX_ATTRIBUTES} entries.")
    merged = dict(contact.attributes or {})
    for key, value in attributes.items():
        if not isinstance(key, str) or not 1 <= len(key) <= 64:
            raise invalid("attribute names are strings of 1 to 64 characters.")
        if value is None:
            merged.pop(key, None)
            continue
        if isinstance(value, str) and len(value) > 500:
            raise invalid(f"attribute {key[:40]!r} is longer than 500 characters.")
        if not isinstance(value, (str, int, float, bool)):
            raise invalid(f"attribute {key[:40]!r} must be text, a number or true/false.")
        merged[key] = value
    if len(merged) > MAX_ATTRIBUTES * 2:
        raise invalid("This contact has too many attributes.")
    Contact.objects.filter(pk=contact.pk).update(attributes=merged)
    contact.attributes = merged
    return contact


def conversation_update_context(*, conversation: Conversation, contact: Contact, context: Any) -> bool:
    """The visitor moved to another page: agents see the page it is on now. Returns whether it changed."""
    context = clean_context(context)
    if conversation.contact_id != contact.pk:
        raise ServiceError("forbidden", "This is not your conversation.", status=403)
    with transaction.atomic():
        conversation = _locked(conversation)
        if conversation.status == ConversationStatus.RESOLVED:
            return False
        merged = {**(conversation.context or {}), **context}
        if merged == conversation.context:
            return False
        Conversation.objects.filter(pk=conversation.pk).update(context=merged)
        _record(conversation, EventType.CONTEXT_UPDATED, actor=contact, payload={"url": merged.get("url", "")})
        _broadcast_conversation(conversation)
    return True


def transcript_email_request(*, conversation: Conversation, contact: Contact, email: Any = None) -> str:
    """Email the conversation's public transcript to the contact ("email me this transcript").

    At most once per conversation per HELPDESK["TRANSCRIPT_EMAIL_INTERVAL_SECONDS"]. An email
    given here is stored on a contact that had none. Returns the address it goes to.
    """
    if conversation.contact_id != contact.pk:
        raise ServiceError("forbidden", "This is not your conversation.", status=403)
    if email not in (None, "") and not contact.email:
        contact_update(contact=contact, email=email)
    address = contact.email
    if email not in (None, ""):
        from django.core.exceptions import ValidationError
        from django.core.validators import validate_email

        try:
            validate_email(email)
        except (ValidationError, TypeError) as exc:
            raise invalid("email is not a valid address.") from exc
        address = email.strip()
    if not address:
        raise invalid("Give an email address to send the transcript to.")
    interval = settings.HELPDESK["TRANSCRIPT_EMAIL_INTERVAL_SECONDS"]
    now = clock.now()
    with transaction.atomic():
        conversation = _locked(conversation)
        recent = ConversationEvent.objects.filter(
            conversation=conversation,
            type=EventType.TRANSCRIPT_EMAILED,
            created_at__gt=now - timedelta(seconds=interval),
        ).exists()
        if recent:
            raise ServiceError(
                "rate_limited", "The transcript was emailed a moment ago; try again in a few minutes.", status=429
            )
        _record(conversation, EventType.TRANSCRIPT_EMAILED, actor=contact)
        pk = conversation.pk
        realtime.after_commit(lambda: _email_transcript(pk, address))
    return address


def _offline_receipt(conversation_pk: int) -> None:
    from chat.tasks import send_offline_receipt

    send_offline_receipt.enqueue(conversation_pk)


def _offline_reply_later(message_pk: int) -> None:
    from chat.tasks import send_offline_reply

    delay = settings.HELPDESK["OFFLINE_REPLY_EMAIL_DELAY_SECONDS"]
    send_offline_reply.using(run_after=clock.now() + timedelta(seconds=delay)).enqueue(message_pk)


def _email_transcript(conversation_pk: int, address: str) -> None:
    from chat.tasks import send_transcript

    send_transcript.enqueue(conversation_pk, address)
