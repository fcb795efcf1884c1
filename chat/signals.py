"""Signals the conversation domain sends after commit, for the router to act on (and one it sends
inside the transaction, ``recorded``, for the webhook outbox).

chat never imports agents; the agents app listens here (see agents/receivers.py).
"""

from django.dispatch import Signal

# A conversation waits for an agent: conversation_id, inbox_id, chosen_team (the visitor picked it).
conversation_waiting = Signal()
# An agent holds one conversation fewer: agent_id, inbox_id.
capacity_freed = Signal()
# A visitor's message landed in a conversation the bot holds: conversation_id, message_id.
# The bot app answers it on a thread of its own (bot/live.py); nobody listening means no bot.
bot_turn = Signal()
# The visitor answered "Did that help?": conversation_id, helpful, not_helpful_in_row (before it).
bot_feedback = Signal()
# A change was stored, sent INSIDE its transaction (so a receiver's writes commit or roll back
# with it): an audit event (event=ConversationEvent), a transcript entry (message=Message), or a
# contact created or updated (contact=Contact, created=bool); always with conversation (or None).
# The integrations app writes its webhook outbox here; a receiver must be cheap when idle.
recorded = Signal()
# Personal data is being erased (privacy), sent INSIDE the erasure's transaction once chat's own
# rows are reduced: conversation_ids (their pks, which the anonymous stubs keep) and
# contact_ids (public ids, as strings, of contacts erased). An app that keeps its own copies of
# personal data (the webhook outbox) deletes them and returns {what: how many} for the record.
erasing = Signal()
