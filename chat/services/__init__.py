"""Every write of the conversation domain (rule 1): persist, commit, then broadcast (rule 2).

Callers hand in rows they obtained through ``chat.selectors`` (so access is already scoped);
services enforce the state rules, write in one transaction, record a ConversationEvent for
each change of state, and publish after commit through ``chat.realtime`` the events that
``chat.events`` builds. One module per concern; callers use the names below
(``services.message_send``), which are the package's whole public surface:

  intake         start (the widget's start with its offline and pre-chat forms)
  conversations  claim, assign, accept, transfer, requeue, pending, resolve, reopen, SLA flags
  triage         tags, priority, team
  deadlines      the rules time sets off: SLA checks, inactivity reminder and close
  messages       messages and notes (files, @mentions), typing, read marks, uploads
  contacts       the contact, its identity and attributes, pre-chat answers, page context
  feedback       the rating and the transcript by email
  bot            the bot's answers, "Did that help?", the handoff and takeover, the bot's resolutions
  _core          private: text checks, the audit record, the row lock, sequence numbers, the one
                 place a transcript entry (and a system message) is appended, after-commit hooks
"""

from chat.services._core import BotActor, clean_client_id, clean_text
from chat.services.bot import (
    bot_feedback,
    bot_reply,
    conversation_bot_resolve,
    conversation_hand_off,
    conversations_close_idle_bot,
    conversations_hand_off_stalled,
    offered_articles,
)
from chat.services.contacts import (
    MAX_ATTRIBUTES,
    check_contact_edit,
    clean_context,
    contact_announce,
    contact_create,
    contact_edit,
    contact_identify,
    contact_set_attributes,
    contact_touch,
    contact_update,
    conversation_update_context,
)
from chat.services.conversations import (
    conversation_accept,
    conversation_assign,
    conversation_claim,
    conversation_flag_sla,
    conversation_reopen,
    conversation_requeue,
    conversation_resolve,
    conversation_set_pending,
    conversation_transfer,
)
from chat.services.deadlines import (
    conversation_remind_inactive,
    conversations_check_sla,
    conversations_close_silent,
    conversations_remind_silent,
)
from chat.services.feedback import conversation_rate, transcript_email_request
from chat.services.intake import NUMBER_OFFSET, Started, conversation_start, conversation_start_for_widget
from chat.services.messages import (
    MAX_ATTACHMENTS_PER_MESSAGE,
    MAX_UNSENT_ATTACHMENTS,
    SendResult,
    attachment_upload,
    conversation_mark_read,
    mentioned_usernames,
    message_send,
    note_add,
    typing_set,
)
from chat.services.triage import MAX_TAGS, conversation_set_priority, conversation_set_tags, conversation_set_team

__all__ = [
    "MAX_ATTACHMENTS_PER_MESSAGE",
    "MAX_ATTRIBUTES",
    "MAX_TAGS",
    "MAX_UNSENT_ATTACHMENTS",
    "NUMBER_OFFSET",
    "BotActor",
    "SendResult",
    "Started",
    "attachment_upload",
    "bot_feedback",
    "bot_reply",
    "check_contact_edit",
    "clean_client_id",
    "clean_context",
    "clean_text",
    "contact_announce",
    "contact_create",
    "contact_edit",
    "contact_identify",
    "contact_set_attributes",
    "contact_touch",
    "contact_update",
    "conversation_accept",
    "conversation_assign",
    "conversation_bot_resolve",
    "conversation_claim",
    "conversation_flag_sla",
    "conversation_hand_off",
    "conversation_mark_read",
    "conversation_rate",
    "conversation_remind_inactive",
    "conversation_reopen",
    "conversation_requeue",
    "conversation_resolve",
    "conversation_set_pending",
    "conversation_set_priority",
    "conversation_set_tags",
    "conversation_set_team",
    "conversation_start",
    "conversation_start_for_widget",
    "conversation_transfer",
    "conversation_update_context",
    "conversations_check_sla",
    "conversations_close_idle_bot",
    "conversations_close_silent",
    "conversations_hand_off_stalled",
    "conversations_remind_silent",
    "mentioned_usernames",
    "message_send",
    "note_add",
    "offered_articles",
    "transcript_email_request",
    "typing_set",
]
