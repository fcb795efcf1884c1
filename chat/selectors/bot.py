"""Reads for the bot's turn: the conversation it holds and the visitor's message to answer.

The bot is a system actor: it reads only the conversation a signal named, and only while it
still holds it."""

from __future__ import annotations

from chat.choices import ConversationStatus, Owner, SenderKind
from chat.models import Conversation, Message


def bot_turn_input(*, conversation_id: int, message_id: int) -> tuple[Conversation, Message] | None:
    """The conversation (with its inbox and contact) and the visitor's message, while the bot
    holds the conversation; None once it was handed off, taken over or resolved."""
    conversation = (
        Conversation.objects.select_related("inbox", "contact")
        .filter(pk=conversation_id, owner=Owner.BOT, status=ConversationStatus.OPEN)
        .first()
    )
    if conversation is None:
        return None
    message = Message.objects.filter(
        pk=message_id, conversation=conversation, sender_kind=SenderKind.CONTACT, is_private=False
    ).first()
    return (conversation, message) if message is not None else None


def conversation_held_by_bot(*, conversation_id: int) -> Conversation | None:
    return (
        Conversation.objects.select_related("inbox", "contact")
        .filter(pk=conversation_id, owner=Owner.BOT, status=ConversationStatus.OPEN)
        .first()
    )
