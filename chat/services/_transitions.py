"""State changes that a message can cause as well as a frame: a contact writing in a resolved
conversation reopens it, and in a pending one takes it back to open. Both run inside the
caller's transaction, on a conversation it holds (locked, or just written)."""

from __future__ import annotations

from chat import clock, notices
from chat.choices import ConversationStatus, EventType
from chat.models import Conversation
from chat.services._core import (
    announce_waiting,
    append_system_message,
    broadcast_conversation,
    broadcast_queue_positions,
    record,
)


def reopen(conversation: Conversation, *, actor) -> None:
    now = clock.now()
    status = ConversationStatus.OPEN if conversation.assignee_id else ConversationStatus.WAITING
    Conversation.objects.filter(pk=conversation.pk).update(
        status=status, resolved_at=None, waiting_since=now if status == ConversationStatus.WAITING else None
    )
    conversation.status = status
    record(conversation, EventType.REOPENED, actor=actor)
    broadcast_conversation(conversation)
    append_system_message(conversation, notices.REOPENED, now=now)
    if status == ConversationStatus.WAITING:
        broadcast_queue_positions(conversation.inbox_id)
        announce_waiting(conversation)


def end_pending(conversation: Conversation, *, actor) -> None:
    Conversation.objects.filter(pk=conversation.pk, status=ConversationStatus.PENDING).update(
        status=ConversationStatus.OPEN
    )
    conversation.status = ConversationStatus.OPEN
    record(conversation, EventType.PENDING_ENDED, actor=actor)
    broadcast_conversation(conversation)
