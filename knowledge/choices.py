"""States and languages of articles, in one place (rule 9)."""

from django.db import models


class ArticleStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"


class Locale(models.TextChoices):
    """The languages an article is written in; one slug in two locales is one article translated."""

    EN = "en", "English"
    ZH_HANS = "zh-hans", "简体中文"


DEFAULT_LOCALE = Locale.EN


def locale_for(language: str | None) -> str:
    """The article locale closest to a language tag (``zh-CN``, ``zh_Hans``, ``en-GB``...)."""
    tag = (language or "").strip().lower().replace("_", "-")
    if tag.startswith("zh"):
        return Locale.ZH_HANS
    return DEFAULT_LOCALE
