"""Reads of transcripts: pages of messages in each reader's stream, whole transcripts, files."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Q, QuerySet

from chat.errors import not_found
from chat.models import Attachment, Contact, Conversation, ConversationEvent, Message, SatisfactionRating
from chat.selectors.scope import conversations_for_agent, parse_uuid


def _page(
    qs: QuerySet[Message], after_seq: int, before_seq: int | None, limit: int, field: str = "seq"
) -> list[Message]:
    """Messages after ``after_seq`` in order, or the last ``limit`` before ``before_seq``."""
    qs = qs.filter(**{f"{field}__gt": after_seq}).prefetch_related("attachments")
    if before_seq is not None:
        rows = list(qs.filter(**{f"{field}__lt": before_seq}).order_by(f"-{field}")[:limit])
        rows.reverse()
        return rows
    return list(qs.order_by(field)[:limit])


def messages_for_contact(
    *, conversation: Conversation, after_seq: int = 0, before_seq: int | None = None, limit: int = 100
) -> list[Message]:
    """Public messages only, numbered in the contact's stream (``public_seq``)."""
    return _page(conversation.messages.filter(is_private=False), after_seq, before_seq, limit, field="public_seq")


def messages_for_agent(
    *, conversation: Conversation, after_seq: int = 0, before_seq: int | None = None, limit: int = 100
) -> list[Message]:
    return _page(conversation.messages.all(), after_seq, before_seq, limit)


def message_by_client_id(*, conversation: Conversation, client_id: object) -> Message | None:
    if not isinstance(client_id, str):
        return None
    return conversation.messages.filter(client_id=client_id).first()


def public_transcript(*, conversation: Conversation) -> list[Message]:
    """Every public entry of a conversation, with its files, for the contact's transcript."""
    return list(conversation.messages.filter(is_private=False).prefetch_related("attachments").order_by("public_seq"))


def full_transcript(*, conversation: Conversation, with_files: bool = True) -> list[Message]:
    """Every entry of a conversation an agent may see, private notes included, in order."""
    messages = conversation.messages.order_by("seq")
    return list(messages.prefetch_related("attachments") if with_files else messages)


def audit_trail(*, conversation: Conversation) -> list[ConversationEvent]:
    """The conversation's events, oldest first, with who made them (agents only)."""
    return list(conversation.events.select_related("actor_user").order_by("created_at", "id"))


def rating_for_conversation(*, conversation: Conversation) -> SatisfactionRating | None:
    return SatisfactionRating.objects.filter(conversation=conversation).first()


def attachment_for_contact(*, contact: Contact, public_id: object) -> Attachment:
    """A file of one of the contact's conversations that a public message carries, or one the
    contact uploaded itself (not sent yet). Files of private notes are never the contact's."""
    return _one_attachment(
        public_id,
        Q(conversation__contact=contact)
        & (Q(message__is_private=False) | Q(message__isnull=True, uploaded_by_contact=contact)),
    )


def attachment_for_agent(*, user: AbstractBaseUser, public_id: object) -> Attachment:
    """A file of a conversation the agent may see (its own unsent uploads included)."""
    visible = conversations_for_agent(user=user, related=())
    return _one_attachment(
        public_id, Q(conversation__in=visible) & (Q(message__isnull=False) | Q(uploaded_by_user=user))
    )


def _one_attachment(public_id: object, allowed: Q) -> Attachment:
    uid = parse_uuid(public_id)
    attachment = Attachment.objects.filter(allowed, public_id=uid).first() if uid else None
    if attachment is None:
        raise not_found("attachment")
    return attachment
