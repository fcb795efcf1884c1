"""The states and kinds of the integrations app (rule 9: one choices module per app)."""

from django.db import models


class Scope(models.TextChoices):
    """What a token may do; each includes the one before it."""

    READ = "read", "Read"
    WRITE = "write", "Read and write"
    ADMIN = "admin", "Read, write and manage tokens"


SCOPE_RANK = {Scope.READ: 0, Scope.WRITE: 1, Scope.ADMIN: 2}


class WebhookEventType(models.TextChoices):
    CONVERSATION_CREATED = "conversation.created", "Conversation created"
    CONVERSATION_ASSIGNED = "conversation.assigned", "Conversation assigned"
    CONVERSATION_STATUS_CHANGED = "conversation.status_changed", "Conversation status changed"
    CONVERSATION_RESOLVED = "conversation.resolved", "Conversation resolved"
    MESSAGE_CREATED = "message.created", "Message created"
    CONTACT_CREATED = "contact.created", "Contact created"
    CONTACT_UPDATED = "contact.updated", "Contact updated"
    RATING_SUBMITTED = "rating.submitted", "Rating submitted"
    BOT_HANDED_OFF = "bot.handed_off", "Bot handed off"
    # Only to an inbox's outside bot: a visitor's message waits for the bot's answer.
    BOT_TURN = "bot.turn", "Bot's turn (outside bots only)"
    TEST = "webhook.test", "Test event"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    DELIVERED = "delivered", "Delivered"
    FAILED = "failed", "Failed (retries exhausted)"
    CANCELLED = "cancelled", "Cancelled (endpoint disabled)"


class EndpointRole(models.TextChoices):
    WEBHOOK = "webhook", "Webhook"
    BOT = "bot", "Outside bot of its inbox"
