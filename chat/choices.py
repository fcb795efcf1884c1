"""States and event types of the conversation domain, in one place (rule 9)."""

from django.db import models


class ConversationStatus(models.TextChoices):
    WAITING = "waiting", "Waiting in queue"
    OPEN = "open", "Open"
    PENDING = "pending", "Pending on customer"
    RESOLVED = "resolved", "Resolved"


ACTIVE_STATUSES = (ConversationStatus.WAITING, ConversationStatus.OPEN, ConversationStatus.PENDING)


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


class ActorKind(models.TextChoices):
    CONTACT = "contact", "Contact"
    AGENT = "agent", "Agent"
    SYSTEM = "system", "System"
