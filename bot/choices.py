"""Why the bot handed a conversation to the human queue (rule 9: one place for the vocabulary)."""

from django.db import models


class HandoffReason(models.TextChoices):
    ASKED_FOR_HUMAN = "asked_for_human", "The visitor asked for a person"
    LOW_CONFIDENCE = "low_confidence", "No article answers the question with confidence"
    NOT_HELPFUL = "not_helpful", "Two answers in a row did not help"
    BOT_ERROR = "bot_error", "The bot failed"
