"""The agent side's tables: who answers, how many chats at once, and in which teams."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from agents.choices import Availability


class AgentProfile(models.Model):
    """Makes a staff user an agent: availability and capacity (max concurrent chats)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="agent")
    availability = models.CharField(max_length=16, choices=Availability.choices, default=Availability.OFFLINE)
    capacity = models.PositiveSmallIntegerField(default=5)
    availability_changed_at = models.DateTimeField(null=True, blank=True)
    availability_chosen = models.BooleanField(
        default=False,
        help_text="Whether the agent chose the current availability in the console. An agent who did not "
        "(a new agent, or one set away for inactivity) comes online when the console opens.",
    )
    last_assigned_at = models.DateTimeField(null=True, blank=True, help_text="For round-robin order.")
    disconnected_at = models.DateTimeField(
        null=True, blank=True, help_text="When the agent's last console socket closed (None while connected)."
    )

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.user.get_full_name() or self.user.get_username()


class Team(models.Model):
    """A group of agents a conversation can be routed to."""

    name = models.CharField(max_length=80, unique=True)
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="teams", blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class AgentConnection(models.Model):
    """One open console socket; an agent with none is disconnected. Stale rows (a process that
    died without closing its sockets) expire by heartbeat."""

    agent = models.ForeignKey(AgentProfile, on_delete=models.CASCADE, related_name="connections")
    channel_name = models.CharField(max_length=200, unique=True)
    connected_at = models.DateTimeField()
    last_seen_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.agent} via {self.channel_name}"


class RoutingRule(models.Model):
    """Send a new conversation of an inbox to a team when its context matches (first match wins)."""

    class Field(models.TextChoices):
        URL = "url", "Page URL"
        LANGUAGE = "language", "Browser language"
        ATTRIBUTE = "attribute", "Contact attribute"

    class Operator(models.TextChoices):
        CONTAINS = "contains", "contains"
        EQUALS = "equals", "equals"
        STARTS_WITH = "starts_with", "starts with"

    inbox = models.ForeignKey("chat.Inbox", on_delete=models.CASCADE, related_name="routing_rules")
    position = models.PositiveSmallIntegerField(default=0)
    field = models.CharField(max_length=16, choices=Field.choices)
    attribute = models.CharField(max_length=64, blank=True, help_text="The attribute's name, for attribute rules.")
    operator = models.CharField(max_length=16, choices=Operator.choices, default=Operator.CONTAINS)
    value = models.CharField(max_length=200)
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="routing_rules")

    class Meta:
        ordering = ["inbox", "position", "id"]

    def __str__(self) -> str:
        subject = f"attribute {self.attribute}" if self.field == self.Field.ATTRIBUTE else self.get_field_display()
        return f"{subject} {self.get_operator_display()} {self.value!r} -> {self.team}"

    def matches(self, *, context: dict, attributes: dict) -> bool:
        if self.field == self.Field.ATTRIBUTE:
            actual = attributes.get(self.attribute)
        else:
            actual = context.get(self.field)
        if actual is None:
            return False
        actual, wanted = str(actual).lower(), self.value.lower()
        if self.operator == self.Operator.EQUALS:
            return actual == wanted
        if self.operator == self.Operator.STARTS_WITH:
            return actual.startswith(wanted)
        return wanted in actual


class TimerSchedule(models.Model):
    """A single row: when the next timer sweep is due, so exactly one sweep chain exists."""

    next_run_at = models.DateTimeField(null=True, blank=True)
    last_run_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"next sweep at {self.next_run_at}"


class CannedResponse(models.Model):
    """A saved reply an agent inserts by typing ``/short_code`` in the composer.

    The text may hold variables filled in for the conversation at hand: ``{{contact.name}}``,
    ``{{contact.email}}``, ``{{agent.name}}`` and ``{{conversation.number}}`` (agents.canned).
    """

    short_code = models.SlugField(max_length=32, unique=True, help_text="Typed as /short_code in the composer.")
    title = models.CharField(max_length=120, blank=True)
    text = models.TextField(max_length=5000)
    inbox = models.ForeignKey(
        "chat.Inbox",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="canned_responses",
        help_text="Empty: offered in every inbox.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["short_code"]

    def __str__(self) -> str:
        return f"/{self.short_code}"
