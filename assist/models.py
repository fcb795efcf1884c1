"""What the assistant records: suggestions shown to agents and what became of them, and the
contact reasons of the nightly grouping."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone


class SuggestionKind(models.TextChoices):
    CANNED = "canned", "Canned response"
    ARTICLE = "article", "Article"
    REPLY = "reply", "Past reply"
    TAG = "tag", "Tag"


class Suggestion(models.Model):
    """One suggestion shown to one agent for one visitor message; ``used_at`` when it went into
    the composer, ``sent_at`` and ``edited`` when the agent sent it (changed or not)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    conversation = models.ForeignKey("chat.Conversation", on_delete=models.CASCADE, related_name="+")
    message = models.ForeignKey("chat.Message", on_delete=models.CASCADE, related_name="+")
    agent = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    kind = models.CharField(max_length=8, choices=SuggestionKind.choices)
    source = models.CharField(max_length=80, help_text="kind:identifier of what was suggested.")
    position = models.PositiveSmallIntegerField()
    rank = models.FloatField()
    shown_at = models.DateTimeField(default=timezone.now)
    used_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    edited = models.BooleanField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["message", "agent", "source"], name="assist_suggestion_once"),
        ]
        indexes = [models.Index(fields=["shown_at"], name="assist_suggestion_shown")]

    def __str__(self) -> str:
        return f"{self.source} for message {self.message_id}"


class ContactReason(models.Model):
    """A group of conversations that start alike. ``name`` is the manager's (or the words that
    tell the group apart); a pinned reason keeps its centre from one run to the next; a merged
    one points to the reason it was merged into and takes no new conversations."""

    name = models.CharField(max_length=120)
    words = models.JSONField(default=list, blank=True, help_text="The group's most telling words.")
    renamed = models.BooleanField(default=False, help_text="Named by a manager: runs keep the name.")
    pinned = models.BooleanField(default=False)
    merged_into = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True, related_name="merged")
    centroid = models.BinaryField(blank=True, default=b"")
    encoder = models.CharField(max_length=120, blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.name


class ConversationReason(models.Model):
    """Which reason a conversation's first visitor message belongs to (latest run)."""

    conversation = models.OneToOneField("chat.Conversation", on_delete=models.CASCADE, related_name="+")
    reason = models.ForeignKey(ContactReason, on_delete=models.CASCADE, related_name="assignments")
    similarity = models.FloatField(default=0.0)
    assigned_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.conversation_id}: {self.reason_id}"


class TagDescription(models.Model):
    """A manager's sentence saying what a tag is for: the console suggests tags by comparing a
    conversation's visitor messages with these sentences."""

    tag = models.OneToOneField("chat.Tag", on_delete=models.CASCADE, related_name="description")
    sentence = models.CharField(max_length=300)

    def __str__(self) -> str:
        return f"{self.tag}: {self.sentence}"
