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
