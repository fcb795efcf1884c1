"""Every write of the knowledge base (rule 1).

Saving an article computes what retrieval needs (its passage embeddings and its segmented terms)
before the transaction, stores them with the article, and moves the knowledge base's version in
the same transaction, so every process's index rebuilds on its next search. Nothing here is on
the live chat path; nothing is broadcast (no socket shows articles yet).
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.text import slugify

from chat.choices import SenderKind
from chat.errors import ServiceError, invalid
from chat.models import Conversation, Message
from chat.segmentation import search_document
from knowledge.choices import ArticleStatus, Locale, locale_for
from knowledge.encoder import get_encoder
from knowledge.index import article_vectors, pack, vectors_name
from knowledge.markdown import plain_text
from knowledge.models import Article, IndexVersion

EDITABLE = ("slug", "locale", "title", "body", "category", "status")
_SLUG = re.compile(r"^[-a-zA-Z0-9_]+$")
MAX_BODY_CHARS = 50_000


def _clean(fields: dict) -> dict:
    """Validated, trimmed article fields (only those given)."""
    out = {}
    for name, value in fields.items():
        if name not in EDITABLE:
            raise invalid(f"Unknown article field {name!r}.")
        if not isinstance(value, str):
            raise invalid(f"{name} must be a string.")
        value = value.strip() if name != "body" else value.replace("\r\n", "\n").strip()
        out[name] = value
    if "slug" in out and not (0 < len(out["slug"]) <= 100 and _SLUG.match(out["slug"])):
        raise invalid("slug must be 1-100 letters, digits, hyphens or underscores.")
    if "locale" in out and out["locale"] not in Locale.values:
        raise invalid(f"locale must be one of {', '.join(Locale.values)}.")
    if "title" in out and not 0 < len(out["title"]) <= 200:
        raise invalid("title must be 1-200 characters.")
    if "body" in out and not 0 < len(out["body"]) <= MAX_BODY_CHARS:
        raise invalid(f"body must be 1-{MAX_BODY_CHARS} characters.")
    if "category" in out and len(out["category"]) > 80:
        raise invalid("category must be at most 80 characters.")
    if "status" in out and out["status"] not in ArticleStatus.values:
        raise invalid(f"status must be one of {', '.join(ArticleStatus.values)}.")
    return out


def _retrieval_fields(*, title: str, body: str, category: str) -> dict:
    """What retrieval stores with an article; computed outside any transaction (encoding takes ms)."""
    encoder = get_encoder()
    fields = {
        "search_terms": search_document([title, title, category, plain_text(body)]),
        "embedding": b"",
        "embedding_model": "",
    }
    if encoder is not None:
        fields["embedding"] = pack(article_vectors(encoder, title, body))
        fields["embedding_model"] = vectors_name(encoder)
    return fields


def _bump_version() -> None:
    value = uuid.uuid4().hex
    if not IndexVersion.objects.filter(pk=1).update(value=value):
        IndexVersion.objects.update_or_create(pk=1, defaults={"value": value})


def article_create(
    *,
    slug: str,
    locale: str,
    title: str,
    body: str,
    category: str = "",
    status: str = ArticleStatus.DRAFT,
    author: AbstractBaseUser | None = None,
    source_conversation: Conversation | None = None,
) -> Article:
    fields = _clean(
        {"slug": slug, "locale": locale, "title": title, "body": body, "category": category, "status": status}
    )
    fields.update(_retrieval_fields(title=fields["title"], body=fields["body"], category=fields["category"]))
    try:
        with transaction.atomic():
            article = Article.objects.create(
                **fields, created_by=author, updated_by=author, source_conversation=source_conversation
            )
            _bump_version()
    except IntegrityError:
        raise ServiceError("article_exists", f"An article {slug!r} in {locale} exists already.", status=409)
    return article


def article_update(*, article: Article, author: AbstractBaseUser | None = None, **changes: str) -> Article:
    """Change some of an article's fields; its embeddings follow its title and body."""
    changes = _clean(changes)
    for name, value in changes.items():
        setattr(article, name, value)
    article.updated_by = author
    for name, value in _retrieval_fields(title=article.title, body=article.body, category=article.category).items():
        setattr(article, name, value)
    try:
        with transaction.atomic():
            article.save()
            _bump_version()
    except IntegrityError:
        raise ServiceError("article_exists", "Another article has this slug in this locale.", status=409)
    return article


def article_delete(*, article: Article) -> None:
    with transaction.atomic():
        article.delete()
        _bump_version()


def article_feedback(*, article: Article, helpful: bool) -> None:
    """Count one reader's (or the bot's visitor's) answer to "Did that help?"."""
    counter = "helpful_count" if helpful else "not_helpful_count"
    Article.objects.filter(pk=article.pk).update(**{counter: F(counter) + 1})


def _unique_slug(base: str, locale: str) -> str:
    base = (base or "article")[:90].strip("-") or "article"
    slug, n = base, 2
    while Article.objects.filter(slug=slug, locale=locale).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def _shorten(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"


def article_draft_from_conversation(
    *,
    conversation: Conversation,
    agent: AbstractBaseUser,
    message: Message | None = None,
    title: str = "",
    locale: str = "",
    category: str = "",
) -> Article:
    """A draft article from an agent's answer in a conversation, for the agent to edit and publish.

    The body is ``message`` (an agent's public reply in this conversation) or, without one, the
    agent replies' last; the title is the visitor's first question unless given; the locale is
    the conversation's language. Callers pass a conversation from ``chat.selectors`` (scoped).
    """
    replies = conversation.messages.filter(sender_kind=SenderKind.AGENT, is_private=False)
    if message is None:
        message = replies.order_by("-seq").first()
    elif not replies.filter(pk=message.pk).exists():
        raise invalid("The answer must be an agent's public reply in this conversation.")
    if message is None:
        raise invalid("This conversation has no agent reply to turn into an article.")
    if not title:
        question = (
            conversation.messages.filter(sender_kind=SenderKind.CONTACT, is_private=False).order_by("seq").first()
        )
        title = _shorten(question.text if question else f"Answer from conversation #{conversation.number}", 200)
    locale = locale or locale_for((conversation.context or {}).get("language"))
    slug = _unique_slug(slugify(title) or f"conversation-{conversation.number or 'draft'}", locale)
    return article_create(
        slug=slug,
        locale=locale,
        title=title,
        body=message.text,
        category=category,
        status=ArticleStatus.DRAFT,
        author=agent,
        source_conversation=conversation,
    )


# --- JSON Lines import -----------------------------------------------------------------------


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


def parse_jsonl(lines: Iterable[str]) -> list[dict]:
    """Rows of {"slug", "locale", "title", "body", "category"}; a bad line is an error naming it."""
    rows = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise invalid(f"Line {number}: not JSON ({exc.msg}).")
        if not isinstance(row, dict) or not all(isinstance(row.get(k), str) for k in ("slug", "title", "body")):
            raise invalid(f"Line {number}: needs string fields slug, title and body.")
        row.setdefault("locale", Locale.EN)
        row.setdefault("category", "")
        rows.append({k: row[k] for k in ("slug", "locale", "title", "body", "category")})
    return rows


def articles_import(
    *, lines: Iterable[str], author: AbstractBaseUser | None = None, status: str = ArticleStatus.PUBLISHED
) -> ImportResult:
    """Create or update an article per line, matched by (slug, locale); all or nothing."""
    rows = parse_jsonl(lines)
    result = ImportResult()
    with transaction.atomic():
        for row in rows:
            existing = Article.objects.filter(slug=row["slug"], locale=row["locale"]).first()
            if existing is None:
                article_create(**row, status=status, author=author)
                result.created += 1
            elif any(getattr(existing, k) != v.strip() for k, v in row.items() if k != "body") or (
                existing.body != row["body"].replace("\r\n", "\n").strip() or existing.status != status
            ):
                article_update(article=existing, author=author, **{**row, "status": status})
                result.updated += 1
            else:
                result.unchanged += 1
    return result
