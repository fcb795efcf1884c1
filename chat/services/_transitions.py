"""State changes that a message can cause as well as a frame: a contact writing in a resolved
conversation reopens it, and in a pending one takes it back to open. Both run inside the
caller's transaction, on a conversation it holds (locked, or just written)."""

from __future__ import annotations

from chat import clock, notices
from chat.choices import ConversationStatus, EventType, Owner
from chat.models import Conversation
from chat.services._core import (
    announce_waiting,
    append_system_message,
    broadcast_conversation,
    broadcast_queue_positions,
    record,
)


def reopen(conversation: Conversation, *, actor) -> None:
    """Back to its assignee, else to the bot that resolved it (if the inbox's bot is still on),
    else to the queue."""
    now = clock.now()
    bot = conversation.owner == Owner.BOT and not conversation.assignee_id and conversation.inbox.bot_enabled
    status = ConversationStatus.OPEN if conversation.assignee_id or bot else ConversationStatus.WAITING
    owner = Owner.BOT if bot else Owner.HUMAN
    Conversation.objects.filter(pk=conversation.pk).update(
        status=status,
        owner=owner,
        resolved_at=None,
        waiting_since=now if status == ConversationStatus.WAITING else None,
        bot_unhelpful=0,
    )
    conversation.status, conversation.owner = status, owner
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
