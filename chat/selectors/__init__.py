"""Every read of the conversation domain, scoped to who asks (rule 5).

A contact sees its own conversations and their public messages. An agent sees the
conversations of the inboxes it belongs to; a user with ``chat.view_all_conversations``
(managers, superusers) sees every inbox. Callers use the names below (``selectors.x``):

  scope        who sees what (the one home of that rule), conversations by contact or agent, links
  transcripts  message pages in each reader's stream, whole transcripts, the audit trail, files
  queue        the queue's serving order, positions, the wait estimate, the inbox's availability
  session      the visitor socket's session state (``auth.ok``)
  console      the console's lists, mentions, tags, contact panel and search
  bot          the bot's turn: the conversation it holds and the message to answer
"""

from chat.selectors.bot import bot_turn_input, conversation_held_by_bot
from chat.selectors.console import (
    CONSOLE_ACTIVE_LIMIT,
    CONSOLE_RESOLVED_LIMIT,
    HIGHLIGHT_START,
    HIGHLIGHT_STOP,
    SEARCH_LIMIT,
    SEARCH_MAX_CHARS,
    SEARCH_MIN_CHARS,
    clean_search_query,
    console_conversations_for_agent,
    contact_history_for_agent,
    conversations_by_activity,
    mark_excerpt,
    mentions_for_agent,
    search_for_agent,
    tags_all,
)
from chat.selectors.queue import (
    QUEUE_ORDER,
    estimate_waits,
    inbox_availability,
    queue_for_agent,
    queue_for_inbox,
    queue_position,
)
from chat.selectors.scope import (
    CONVERSATION_RELATED,
    VIEW_ALL,
    agent_sees_all,
    agent_sees_inbox,
    contact_by_token,
    conversation_current_for_contact,
    conversation_for_agent,
    conversation_for_contact,
    conversation_for_link,
    conversations_for_agent,
    conversations_for_contact,
    inbox_by_key,
    inbox_for_demo,
    inbox_ids_for_agent,
    inboxes_for_agent,
    mentionable_agents,
    parse_uuid,
    users_seeing_inbox,
)
from chat.selectors.session import conversation_state, session_state, widget_settings
from chat.selectors.transcripts import (
    attachment_for_agent,
    attachment_for_contact,
    audit_trail,
    full_transcript,
    message_by_client_id,
    messages_for_agent,
    messages_for_contact,
    public_transcript,
    rating_for_conversation,
)

__all__ = [
    "CONSOLE_ACTIVE_LIMIT",
    "CONSOLE_RESOLVED_LIMIT",
    "CONVERSATION_RELATED",
    "HIGHLIGHT_START",
    "HIGHLIGHT_STOP",
    "QUEUE_ORDER",
    "SEARCH_LIMIT",
    "SEARCH_MAX_CHARS",
    "SEARCH_MIN_CHARS",
    "VIEW_ALL",
    "agent_sees_all",
    "agent_sees_inbox",
    "attachment_for_agent",
    "attachment_for_contact",
    "audit_trail",
    "bot_turn_input",
    "clean_search_query",
    "console_conversations_for_agent",
    "contact_by_token",
    "contact_history_for_agent",
    "conversation_current_for_contact",
    "conversation_for_agent",
    "conversation_for_contact",
    "conversation_for_link",
    "conversation_held_by_bot",
    "conversation_state",
    "conversations_by_activity",
    "conversations_for_agent",
    "conversations_for_contact",
    "estimate_waits",
    "full_transcript",
    "inbox_availability",
    "inbox_by_key",
    "inbox_for_demo",
    "inbox_ids_for_agent",
    "inboxes_for_agent",
    "mark_excerpt",
    "mentionable_agents",
    "mentions_for_agent",
    "message_by_client_id",
    "messages_for_agent",
    "messages_for_contact",
    "parse_uuid",
    "public_transcript",
    "queue_for_agent",
    "queue_for_inbox",
    "queue_position",
    "rating_for_conversation",
    "search_for_agent",
    "session_state",
    "tags_all",
    "users_seeing_inbox",
    "widget_settings",
]
