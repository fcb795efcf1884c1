"""One payload shape per entity (rule 6): an article for agents, a search hit for the public."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse

from knowledge.index import Hit
from knowledge.models import Article


def article_path(*, slug: str, locale: str) -> str:
    return reverse("help-article", kwargs={"locale": locale, "slug": slug})


def article_url(*, slug: str, locale: str) -> str:
    """The article's address from outside (for links the bot sends into the widget)."""
    return settings.HELPDESK["PUBLIC_URL"].rstrip("/") + article_path(slug=slug, locale=locale)


def hit_payload(hit: Hit) -> dict:
    """A search result for the widget's Help tab and the help centre: text only, no HTML."""
    article = hit.article
    return {
        "slug": article.slug,
        "locale": article.locale,
        "title": article.title,
        "category": article.category,
        "snippet": article.summary,
        "url": article_url(slug=article.slug, locale=article.locale),
        "score": round(hit.score, 4),
    }


def article_payload(article: Article) -> dict:
    """An article as agents see it (the console's editor, the REST API)."""
    return {
        "id": str(article.public_id),
        "slug": article.slug,
        "locale": article.locale,
        "title": article.title,
        "body": article.body,
        "category": article.category,
        "status": article.status,
        "helpful_count": article.helpful_count,
        "not_helpful_count": article.not_helpful_count,
        "source_conversation": str(article.source_conversation.public_id) if article.source_conversation_id else None,
        "url": article_path(slug=article.slug, locale=article.locale),
        "created_at": article.created_at.isoformat(),
        "updated_at": article.updated_at.isoformat(),
    }
