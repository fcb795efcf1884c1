"""Every read of the conversation domain, scoped to who asks (rule 5).

A contact sees its own conversations and their public messages. An agent sees the
conversations of the inboxes it belongs to; a user with ``chat.view_all_conversations``
(managers, superusers) sees every inbox.
"""

from __future__ import annotations

from uuid import UUID

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import QuerySet

from chat.choices import ACTIVE_STATUSES, ConversationStatus
from chat.errors import not_found
from chat.models import Contact, Conversation, Inbox, Message
from chat.tokens import hash_secret

CONVERSATION_RELATED = ("inbox", "contact", "assignee", "team")


def parse_uuid(value: object) -> UUID | None:
    if not isinstance(value, str):
        return None
    try:
        return UUID(value)
    except ValueError:
        return None


def inbox_by_key(*, public_key: str) -> Inbox | None:
    if not isinstance(public_key, str) or len(public_key) > 64:
        return None
    return Inbox.objects.filter(public_key=public_key, is_active=True).first()


def contact_by_token(*, inbox: Inbox, token: object) -> Contact | None:
    """The contact owning ``token`` in ``inbox``; tokens of another inbox do not match."""
    if not isinstance(token, str) or not 20 <= len(token) <= 128:
        return None
    return Contact.objects.filter(inbox=inbox, token_hash=hash_secret(token)).first()


# --- contact scope ----------------------------------------------------------------------------


def conversation_for_contact(*, contact: Contact, public_id: object) -> Conversation:
    uid = parse_uuid(public_id)
    conversation = (
        Conversation.objects.select_related(*CONVERSATION_RELATED).filter(contact=contact, public_id=uid).first()
        if uid
        else None
    )
    if conversation is None:
        raise not_found()
    return conversation


def conversation_current_for_contact(*, contact: Contact) -> Conversation | None:
    """The active conversation, else the latest one (so a resolved chat can still be rated)."""
    conversations = Conversation.objects.select_related(*CONVERSATION_RELATED).filter(contact=contact)
    return (
        conversations.filter(status__in=ACTIVE_STATUSES).order_by("-created_at").first()
        or conversations.order_by("-created_at").first()
    )


def message_by_client_id(*, conversation: Conversation, client_id: object) -> Message | None:
    if not isinstance(client_id, str):
        return None
    return conversation.messages.filter(client_id=client_id).first()


def conversations_for_contact(*, contact: Contact) -> QuerySet[Conversation]:
    return Conversation.objects.select_related(*CONVERSATION_RELATED).filter(contact=contact).order_by("-created_at")


def messages_for_contact(
    *, conversation: Conversation, after_seq: int = 0, before_seq: int | None = None, limit: int = 100
) -> list[Message]:
    """Public messages only, numbered in the contact's stream (``public_seq``)."""
    return _page(conversation.messages.filter(is_private=False), after_seq, before_seq, limit, field="public_seq")


# --- agent scope ------------------------------------------------------------------------------


def agent_sees_all(user: AbstractBaseUser) -> bool:
    return bool(user.is_superuser or user.has_perm("chat.view_all_conversations"))


def inbox_ids_for_agent(*, user: AbstractBaseUser) -> list[int]:
    if agent_sees_all(user):
        return list(Inbox.objects.values_list("id", flat=True))
    return list(user.inboxes.values_list("id", flat=True))


def conversations_for_agent(
    *,
    user: AbstractBaseUser,
    status: str | None = None,
    inbox_id: int | None = None,
    mine: bool = False,
    related: tuple[str, ...] = CONVERSATION_RELATED,
) -> QuerySet[Conversation]:
    qs = Conversation.objects.select_related(*related)
    if not agent_sees_all(user):
        qs = qs.filter(inbox__agents=user)
    if status:
        qs = qs.filter(status=status)
    if inbox_id is not None:
        qs = qs.filter(inbox_id=inbox_id)
    if mine:
        qs = qs.filter(assignee=user)
    return qs


def conversation_for_agent(
    *, user: AbstractBaseUser, public_id: object, related: tuple[str, ...] = CONVERSATION_RELATED
) -> Conversation:
    """One conversation the agent may see. ``related=("contact",)`` suits the frames that only
    need the contact (a message, typing, a read mark): planning and loading the full join of
    inbox, contact, assignee and team cost several times the query itself (docs/performance.md).
    """
    uid = parse_uuid(public_id)
    qs = conversations_for_agent(user=user, related=related)
    conversation = qs.filter(public_id=uid).order_by().first() if uid else None
    if conversation is None:
        raise not_found()
    return conversation


def messages_for_agent(
    *, conversation: Conversation, after_seq: int = 0, before_seq: int | None = None, limit: int = 100
) -> list[Message]:
    return _page(conversation.messages.all(), after_seq, before_seq, limit)


def queue_for_inbox(*, inbox_id: int) -> QuerySet[Conversation]:
    """Waiting conversations in serving order: priority first, then who waited longest."""
    return Conversation.objects.filter(inbox_id=inbox_id, status=ConversationStatus.WAITING).order_by(
        "-priority", "waiting_since", "id"
    )


def queue_for_agent(*, user: AbstractBaseUser) -> QuerySet[Conversation]:
    return conversations_for_agent(user=user, status=ConversationStatus.WAITING).order_by(
        "-priority", "waiting_since", "id"
    )


def queue_position(*, conversation: Conversation) -> tuple[int, int]:
    """(1-based position, queue length) of a waiting conversation; (0, length) otherwise."""
    ids = list(queue_for_inbox(inbox_id=conversation.inbox_id).values_list("id", flat=True))
    position = ids.index(conversation.pk) + 1 if conversation.pk in ids else 0
    return position, len(ids)


def _page(
    qs: QuerySet[Message], after_seq: int, before_seq: int | None, limit: int, field: str = "seq"
) -> list[Message]:
    """Messages after ``after_seq`` in order, or the last ``limit`` before ``before_seq``."""
    qs = qs.filter(**{f"{field}__gt": after_seq})
    if before_seq is not None:
        rows = list(qs.filter(**{f"{field}__lt": before_seq}).order_by(f"-{field}")[:limit])
        rows.reverse()
        return rows
    return list(qs.order_by(field)[:limit])
