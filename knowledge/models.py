"""The knowledge base's tables. Writes happen only in ``knowledge.services``."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models

from knowledge.choices import ArticleStatus, Locale


class Article(models.Model):
    """One article in one language; the same slug in another locale is its translation.

    The knowledge base is one per installation: every inbox's bot and widget search it, and the
    help centre at ``/help/`` shows it (docs/bot.md says why).
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    slug = models.SlugField(max_length=100, help_text="The address of the article; its translations share it.")
    locale = models.CharField(max_length=8, choices=Locale.choices, default=Locale.EN)
    title = models.CharField(max_length=200)
    body = models.TextField(
        help_text="Plain text or a small Markdown subset: # headings, - lists, **bold**, *italic*, `code`, "
        "[links](https://...). Raw HTML is shown as text. Start with a one-paragraph answer: the bot quotes it."
    )
    category = models.CharField(max_length=80, blank=True)
    status = models.CharField(max_length=16, choices=ArticleStatus.choices, default=ArticleStatus.DRAFT)
    helpful_count = models.PositiveIntegerField(default=0, editable=False)
    not_helpful_count = models.PositiveIntegerField(default=0, editable=False)

    # Retrieval, computed by the service on every save (knowledge/index.py).
    embedding = models.BinaryField(default=b"", editable=False, help_text="Passage vectors, float32 rows.")
    embedding_model = models.CharField(max_length=64, blank=True, editable=False)
    search_terms = models.TextField(blank=True, editable=False, help_text="Segmented words, for keyword search.")

    source_conversation = models.ForeignKey(
        "chat.Conversation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The conversation this article was drafted from.",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["category", "title"]
        constraints = [models.UniqueConstraint(fields=["slug", "locale"], name="article_slug_locale")]
        indexes = [models.Index(fields=["status", "locale"], name="article_status_locale")]

    def __str__(self) -> str:
        return f"{self.title} ({self.locale})"

    @property
    def is_published(self) -> bool:
        return self.status == ArticleStatus.PUBLISHED


class IndexVersion(models.Model):
    """One row whose value changes with every change of the articles: processes rebuild their index.

    A fresh random value rather than a counter, so that a rolled-back change or a restored backup
    can never bring back a value that an index was built at.
    """

    value = models.CharField(max_length=32, default="")

    def __str__(self) -> str:
        return f"knowledge base version {self.value}"
