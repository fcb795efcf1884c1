"""Why the bot hands a conversation to the human queue.

The vocabulary lives with the conversations (``chat.choices.HandoffReason``, rule 9), because a
handoff is a change of a conversation's state and chat records it; the bot decides among the
reasons that are its own (asked for a person, low confidence, not helpful, its own failure).
"""

from chat.choices import HandoffReason

__all__ = ["HandoffReason"]
