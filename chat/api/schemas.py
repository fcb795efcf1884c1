"""Serializers that describe the payload shapes of ``chat.payloads`` for the OpenAPI schema.

Views return the payload functions' dicts; these classes only document them. A test checks
that the fields here and the keys there stay the same.
"""

from rest_framework import serializers


class SenderSchema(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["contact", "agent", "bot", "system"])
    name = serializers.CharField(allow_blank=True, help_text="Empty for system messages.")


class AttachmentSchema(serializers.Serializer):
    id = serializers.UUIDField()
    name = serializers.CharField(help_text="The uploaded name made safe; its extension matches the content.")
    content_type = serializers.CharField(help_text="Decided from the file's content, not its name.")
    size = serializers.IntegerField(help_text="Bytes.")
    is_image = serializers.BooleanField()
    width = serializers.IntegerField(allow_null=True, help_text="Images only.")
    height = serializers.IntegerField(allow_null=True, help_text="Images only.")


class ArticleRefSchema(serializers.Serializer):
    slug = serializers.CharField()
    title = serializers.CharField()
    url = serializers.CharField(help_text="The article in the help centre.")
    locale = serializers.CharField()


class BotAnswerSchema(serializers.Serializer):
    article = ArticleRefSchema()
    asks_feedback = serializers.BooleanField(help_text='The answer asks "Did that help?".')
    helpful = serializers.BooleanField(allow_null=True, help_text="The visitor's answer; null until given.")


class MessageSchema(serializers.Serializer):
    id = serializers.UUIDField()
    conversation = serializers.UUIDField()
    seq = serializers.IntegerField(
        help_text="Position in the reader's stream, dense from 1: every entry for agents, public ones for contacts."
    )
    client_id = serializers.CharField(allow_null=True, help_text="The sender's idempotency key.")
    sender = SenderSchema()
    text = serializers.CharField(
        help_text="Plain text; render as text, never as HTML. A system message's English rendering."
    )
    code = serializers.CharField(
        allow_null=True,
        help_text="A system message's code (joined, resolved, ...): render it with its params in the reader's "
        "language; null for other messages.",
    )
    params = serializers.DictField(
        child=serializers.CharField(), help_text="The parameters of the code (e.g. name, team); {} otherwise."
    )
    is_private = serializers.BooleanField(help_text="A private note: agents only.")
    created_at = serializers.DateTimeField()
    attachments = AttachmentSchema(many=True, help_text="Files the message carries (its text may then be empty).")
    answer = BotAnswerSchema(allow_null=True, help_text="A bot's answer: its article; null on other messages.")
    public_seq = serializers.IntegerField(
        allow_null=True, required=False, help_text="Agents only: the entry's position in the contact's stream."
    )


class AssigneeSchema(serializers.Serializer):
    name = serializers.CharField()
    id = serializers.IntegerField(required=False, help_text="Agents' view only.")


class ContactSchema(serializers.Serializer):
    id = serializers.UUIDField()
    name = serializers.CharField(allow_blank=True)
    email = serializers.CharField(allow_blank=True)
    display_name = serializers.CharField()
    verified = serializers.BooleanField(help_text="Identified by the host site with a valid HMAC (setUser).")


class NamedRefSchema(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class PublicConversationSchema(serializers.Serializer):
    id = serializers.UUIDField()
    number = serializers.IntegerField(help_text="Human number, e.g. 1042 for #1042.")
    status = serializers.ChoiceField(choices=["waiting", "open", "pending", "resolved"])
    owner = serializers.ChoiceField(
        choices=["human", "bot"],
        help_text="bot: the bot answers (open, unassigned, not in the queue) until it hands off.",
    )
    offline = serializers.BooleanField(
        help_text="Nobody was available: from the offline form, or handed off by the bot with nobody online. "
        "Unread agent replies are emailed to the contact."
    )
    assignee = AssigneeSchema(allow_null=True)
    last_seq = serializers.IntegerField(help_text="The last seq of the reader's stream.")
    contact_last_read_seq = serializers.IntegerField(help_text="Read mark of the contact, in public entries.")
    agent_last_read_seq = serializers.IntegerField(help_text="Read mark of the agents, in public entries.")
    created_at = serializers.DateTimeField()
    resolved_at = serializers.DateTimeField(allow_null=True)


class ContextSchema(serializers.Serializer):
    url = serializers.CharField(required=False)
    referrer = serializers.CharField(required=False)
    title = serializers.CharField(required=False)
    language = serializers.CharField(required=False)


class SlaFlagSchema(serializers.Serializer):
    target = serializers.ChoiceField(choices=["first_response", "next_response", "resolution"])
    due_at = serializers.DateTimeField()


class SlaSchema(serializers.Serializer):
    first_response_due_at = serializers.DateTimeField(allow_null=True)
    resolution_due_at = serializers.DateTimeField(allow_null=True)
    warnings = SlaFlagSchema(many=True)
    breaches = SlaFlagSchema(many=True)
    breached = serializers.BooleanField()


class OfferedArticleSchema(ArticleRefSchema):
    helpful = serializers.BooleanField(allow_null=True, help_text='The visitor\'s answer to "Did that help?".')


class HandoffSchema(serializers.Serializer):
    reason = serializers.ChoiceField(
        choices=["asked_for_human", "low_confidence", "not_helpful", "bot_error", "agent_took_over"]
    )
    articles = OfferedArticleSchema(many=True, help_text="The articles the bot answered with, latest last.")
    at = serializers.DateTimeField()


class ConversationSchema(PublicConversationSchema):
    inbox = NamedRefSchema()
    contact = ContactSchema()
    team = NamedRefSchema(allow_null=True)
    last_public_seq = serializers.IntegerField(help_text="The last seq of the contact's stream.")
    priority = serializers.IntegerField(help_text="0 low, 1 normal, 2 high, 3 urgent.")
    waiting_since = serializers.DateTimeField(allow_null=True)
    assigned_at = serializers.DateTimeField(allow_null=True)
    first_response_at = serializers.DateTimeField(allow_null=True)
    last_message_at = serializers.DateTimeField(allow_null=True)
    context = ContextSchema()
    auto_assigned = serializers.BooleanField(help_text="Given by the router; must be accepted or answered in time.")
    handoff = HandoffSchema(allow_null=True, help_text="How the bot handed it over; null if it never held it.")
    accepted_at = serializers.DateTimeField(allow_null=True)
    sla = SlaSchema()
    tags = serializers.ListField(child=serializers.CharField(), help_text="Tag names, sorted.")


class EventSchema(serializers.Serializer):
    type = serializers.CharField()
    label = serializers.CharField(help_text="The event type's name, for people.")
    actor_kind = serializers.CharField()
    actor = serializers.CharField(allow_null=True)
    payload = serializers.DictField()
    created_at = serializers.DateTimeField()


class RatingSchema(serializers.Serializer):
    conversation = serializers.UUIDField()
    score = serializers.IntegerField(min_value=1, max_value=5)
    comment = serializers.CharField(allow_blank=True)
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class ActivitySchema(serializers.Serializer):
    events = EventSchema(many=True)
    rating = RatingSchema(allow_null=True)


class ConversationPageSchema(serializers.Serializer):
    count = serializers.IntegerField()
    next = serializers.CharField(allow_null=True)
    previous = serializers.CharField(allow_null=True)
    results = ConversationSchema(many=True)


class PublicConversationListSchema(serializers.Serializer):
    results = PublicConversationSchema(many=True)


class MessagePageSchema(serializers.Serializer):
    results = MessageSchema(many=True)
    has_more = serializers.BooleanField()


class TranscriptSchema(serializers.Serializer):
    conversation = ConversationSchema()
    messages = MessageSchema(many=True)
    events = EventSchema(many=True)


class ErrorBodySchema(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()
    fields = serializers.DictField(required=False, help_text="Per-field messages of an 'invalid' error.")


class ErrorSchema(serializers.Serializer):
    error = ErrorBodySchema()


class HighlightSegmentSchema(serializers.Serializer):
    text = serializers.CharField()
    match = serializers.BooleanField(help_text="Part of a match: show it marked (build the mark; never parse HTML).")


class SearchConversationSchema(serializers.Serializer):
    id = serializers.UUIDField()
    number = serializers.IntegerField()
    status = serializers.CharField()
    contact = ContactSchema()
    inbox = serializers.DictField()


class SearchMessageSchema(serializers.Serializer):
    id = serializers.UUIDField()
    seq = serializers.IntegerField()
    sender = SenderSchema()
    is_private = serializers.BooleanField()
    created_at = serializers.DateTimeField()


class SearchHitSchema(serializers.Serializer):
    conversation = SearchConversationSchema()
    message = SearchMessageSchema()
    highlight = HighlightSegmentSchema(many=True)


class SearchResultsSchema(serializers.Serializer):
    query = serializers.CharField()
    results = SearchHitSchema(many=True)


class ContactHistoryItemSchema(serializers.Serializer):
    id = serializers.UUIDField()
    number = serializers.IntegerField()
    status = serializers.CharField()
    created_at = serializers.DateTimeField()
    resolved_at = serializers.DateTimeField(allow_null=True)
    rating = serializers.DictField(allow_null=True, help_text="score (1-5) and comment, or null.")


class ContactProfileSchema(ContactSchema):
    attributes = serializers.DictField()
    created_at = serializers.DateTimeField()
    last_seen_at = serializers.DateTimeField(allow_null=True)
    conversations = ContactHistoryItemSchema(many=True)
