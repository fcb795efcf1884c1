"""States and event types of the conversation domain, in one place (rule 9)."""

from django.db import models


class ConversationStatus(models.TextChoices):
    WAITING = "waiting", "Waiting in queue"
    OPEN = "open", "Open"
    PENDING = "pending", "Pending on customer"
    RESOLVED = "resolved", "Resolved"


ACTIVE_STATUSES = (ConversationStatus.WAITING, ConversationStatus.OPEN, ConversationStatus.PENDING)
# What an assignee holds against its capacity: its load (the router, claims, the console).
HELD_STATUSES = (ConversationStatus.OPEN, ConversationStatus.PENDING)


class Owner(models.TextChoices):
    """Who answers a conversation: the inbox's bot until it hands off, then the humans."""

    HUMAN = "human", "Human agents"
    BOT = "bot", "Bot"


class HandoffReason(models.TextChoices):
    """Why a conversation left the bot for the human queue (the bot's reasons and chat's own)."""

    ASKED_FOR_HUMAN = "asked_for_human", "The visitor asked for a person"
    LOW_CONFIDENCE = "low_confidence", "No article answers the question with confidence"
    NOT_HELPFUL = "not_helpful", "Two answers in a row did not help"
    BOT_ERROR = "bot_error", "The bot failed"
    AGENT_TOOK_OVER = "agent_took_over", "An agent took the conversation over"


class Priority(models.IntegerChoices):
    LOW = 0, "Low"
    NORMAL = 1, "Normal"
    HIGH = 2, "High"
    URGENT = 3, "Urgent"


class SenderKind(models.TextChoices):
    CONTACT = "contact", "Contact"
    AGENT = "agent", "Agent"
    BOT = "bot", "Bot"
    SYSTEM = "system", "System"


class EventType(models.TextChoices):
    CREATED = "created", "Created"
    CLAIMED = "claimed", "Claimed"
    ASSIGNED = "assigned", "Assigned"
    TRANSFERRED = "transferred", "Transferred"
    RESOLVED = "resolved", "Resolved"
    REOPENED = "reopened", "Reopened"
    RATED = "rated", "Rated"
    PRIORITY_CHANGED = "priority_changed", "Priority changed"
    NOTE_ADDED = "note_added", "Private note added"
    ACCEPTED = "accepted", "Accepted"
    MISSED = "missed", "Missed (not answered in time)"
    REQUEUED = "requeued", "Returned to the queue"
    TEAM_FALLBACK = "team_fallback", "Moved to the fallback team"
    SLA_WARNING = "sla_warning", "SLA breach ahead"
    SLA_BREACHED = "sla_breached", "SLA breached"
    INACTIVITY_REMINDER = "inactivity_reminder", "Inactivity reminder sent"
    INACTIVITY_RESOLVED = "inactivity_resolved", "Resolved for inactivity"
    IDENTIFIED = "identified", "Contact identity verified"
    CONTEXT_UPDATED = "context_updated", "Visitor moved to another page"
    TRANSCRIPT_EMAILED = "transcript_emailed", "Transcript emailed to the contact"
    PENDING = "pending", "Set pending (waiting on the customer)"
    PENDING_ENDED = "pending_ended", "Back to open from pending"
    TAGS_CHANGED = "tags_changed", "Tags changed"
    MENTIONED = "mentioned", "Agent mentioned in a private note"
    CONTACT_EDITED = "contact_edited", "Contact edited by staff"
    BOT_ANSWERED = "bot_answered", "The bot answered with an article"
    BOT_HELPFUL = "bot_helpful", "The visitor found the bot's answer helpful"
    BOT_NOT_HELPFUL = "bot_not_helpful", "The visitor found the bot's answer not helpful"
    HANDED_OFF = "handed_off", "Handed off by the bot to the human queue"
    BOT_RESOLVED = "bot_resolved", "Resolved by the bot"


class ActorKind(models.TextChoices):
    CONTACT = "contact", "Contact"
    AGENT = "agent", "Agent"
    BOT = "bot", "Bot"
    SYSTEM = "system", "System"


class RoutingPolicy(models.TextChoices):
    MANUAL = "manual", "Manual (agents claim from the queue)"
    ROUND_ROBIN = "round_robin", "Round-robin"
    LEAST_BUSY = "least_busy", "Least busy"


class SlaTarget(models.TextChoices):
    FIRST_RESPONSE = "first_response", "First response"
    NEXT_RESPONSE = "next_response", "Next response"
    RESOLUTION = "resolution", "Resolution"


class CsatScale(models.TextChoices):
    EMOJI = "emoji", "1-5 with emoji"
    STARS = "stars", "1-5 stars"
    THUMBS = "thumbs", "Thumbs up or down"


# A rating counts as satisfied at 4 or 5; thumbs are stored as 5 (up) and 1 (down).
SATISFIED_MIN_SCORE = 4
THUMBS_SCORES = (1, 5)
