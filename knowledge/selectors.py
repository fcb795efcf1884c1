"""Every read of the knowledge base, scoped to who asks.

The public (help centre, widget search, the bot) sees published articles only; agents see
drafts as well. The knowledge base is one per installation, so an agent's scope is "is an agent".
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import QuerySet

from chat.errors import not_found
from knowledge.choices import ArticleStatus, Locale
from knowledge.index import Hit, live_index
from knowledge.models import Article, IndexVersion

SEARCH_MAX_CHARS = 300
# A search lists looser matches than the bot answers with (a person picks from the list), but
# not unrelated ones: below these the list is empty (semantic rank, keyword-only coverage).
SEARCH_MIN_SCORE = 0.25
SEARCH_MIN_SCORE_KEYWORDS = 0.3


def index_version() -> str:
    return IndexVersion.objects.filter(pk=1).values_list("value", flat=True).first() or ""


def articles_for_index() -> QuerySet[Article]:
    return Article.objects.filter(status=ArticleStatus.PUBLISHED).only(
        "id", "slug", "locale", "title", "body", "category", "embedding", "embedding_model"
    )


# --- public ----------------------------------------------------------------------------------


def published_articles(*, locale: str) -> list[Article]:
    """The help centre's list in ``locale``: each article once, in the reader's language if it exists.

    An article with no translation in ``locale`` appears in the language it has (English first).
    """
    rows = Article.objects.filter(status=ArticleStatus.PUBLISHED).defer("embedding", "search_terms")
    chosen: dict[str, Article] = {}
    for article in rows.order_by("slug", "locale"):
        current = chosen.get(article.slug)
        if current is None or article.locale == locale or (current.locale != locale and article.locale == Locale.EN):
            chosen[article.slug] = article
    return sorted(chosen.values(), key=lambda a: (a.category.lower(), a.title.lower()))


def published_article(*, slug: str, locale: str) -> Article:
    article = Article.objects.filter(status=ArticleStatus.PUBLISHED, slug=slug, locale=locale).first()
    if article is None:
        raise not_found("article")
    return article


def article_translations(*, article: Article) -> list[Article]:
    """The other published locales of the same article."""
    return list(
        Article.objects.filter(status=ArticleStatus.PUBLISHED, slug=article.slug)
        .exclude(pk=article.pk)
        .only("slug", "locale", "title")
    )


def search_public(*, query: str, locale: str, limit: int = 8) -> list[Hit]:
    """Published articles for a visitor's search, best first (meaning and keywords, both languages)."""
    query = " ".join((query or "").split())[:SEARCH_MAX_CHARS]
    if not query or (query.isascii() and len(query) < 2):
        return []
    index = live_index()
    floor = SEARCH_MIN_SCORE if index.semantic else SEARCH_MIN_SCORE_KEYWORDS
    return [h for h in index.search(query, locale=locale, limit=limit) if h.score >= floor]


def article_by_public_id(*, public_id: object) -> Article | None:
    """A published article by its public handle (feedback from visitors)."""
    from chat.selectors import parse_uuid

    uid = parse_uuid(public_id)
    if uid is None:
        return None
    return Article.objects.filter(public_id=uid, status=ArticleStatus.PUBLISHED).first()


# --- agents ----------------------------------------------------------------------------------


def is_agent(user: AbstractBaseUser | None) -> bool:
    return bool(user and user.is_authenticated and user.is_staff)


def articles_for_agent(*, user: AbstractBaseUser) -> QuerySet[Article]:
    if not is_agent(user):
        return Article.objects.none()
    return Article.objects.defer("embedding", "search_terms").order_by("category", "title", "locale")


def article_for_agent(*, user: AbstractBaseUser, public_id: object) -> Article:
    from chat.selectors import parse_uuid

    uid = parse_uuid(public_id)
    article = articles_for_agent(user=user).filter(public_id=uid).first() if uid else None
    if article is None:
        raise not_found("article")
    return article
