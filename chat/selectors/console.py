"""Reads of the agent console: its lists, @mentions, tags, the contact panel, and search."""

from __future__ import annotations

import re

from django.contrib.auth.models import AbstractBaseUser
from django.db import connection
from django.db.models import F, QuerySet, TextField, Value
from django.db.models.functions import Concat

from chat.choices import ACTIVE_STATUSES, ConversationStatus, EventType
from chat.errors import invalid
from chat.models import Conversation, ConversationEvent, Message, Tag
from chat.segmentation import search_terms
from chat.selectors.queue import QUEUE_ORDER
from chat.selectors.scope import agent_sees_all, conversations_for_agent

CONSOLE_ACTIVE_LIMIT = 500
CONSOLE_RESOLVED_LIMIT = 50


def console_conversations_for_agent(*, user: AbstractBaseUser) -> tuple[list[Conversation], list[Conversation]]:
    """What the console loads at once: the active conversations the agent may see (serving
    order: priority, then longest waiting) and the latest resolved ones.

    Four queries whatever the number of conversations: each list, and each list's tags.
    """
    base = conversations_for_agent(user=user).prefetch_related("tags")
    active = list(base.filter(status__in=ACTIVE_STATUSES).order_by(*QUEUE_ORDER)[:CONSOLE_ACTIVE_LIMIT])
    resolved = list(
        base.filter(status=ConversationStatus.RESOLVED).order_by("-resolved_at", "-id")[:CONSOLE_RESOLVED_LIMIT]
    )
    return active, resolved


def conversations_by_activity(
    *, user: AbstractBaseUser, status: str | None = None, inbox_id: int | None = None, mine: bool = False
) -> QuerySet[Conversation]:
    """The conversations the agent may see (filtered), most recent activity first, with their tags."""
    return (
        conversations_for_agent(user=user, status=status, inbox_id=inbox_id, mine=mine)
        .order_by(F("last_message_at").desc(nulls_last=True), "-created_at", "-id")  # NULLs last on every database
        .prefetch_related("tags")
    )


def mentions_for_agent(*, user: AbstractBaseUser, since, limit: int = 20) -> list[ConversationEvent]:
    """Recent @mentions of ``user`` in active conversations it may see, newest first (one query),
    so a console opened later still shows who asked for the agent."""
    visible = conversations_for_agent(user=user, related=()).filter(status__in=ACTIVE_STATUSES).values("id")
    return list(
        ConversationEvent.objects.filter(
            type=EventType.MENTIONED, payload__agent=user.pk, created_at__gte=since, conversation_id__in=visible
        )
        .select_related("conversation", "actor_user")
        .order_by("-created_at", "-id")[:limit]
    )


def tags_all() -> list[Tag]:
    """Every tag (they are not private: any agent may put any tag on what it sees)."""
    return list(Tag.objects.order_by("name"))


def contact_history_for_agent(*, user: AbstractBaseUser, conversation: Conversation) -> list[Conversation]:
    """The contact's conversations the agent may see (this one included), newest first, with ratings."""
    return list(
        conversations_for_agent(user=user, related=("rating",))
        .filter(contact_id=conversation.contact_id)
        .order_by("-created_at")[:50]
    )


SEARCH_MIN_CHARS = 2
SEARCH_MAX_CHARS = 200
SEARCH_LIMIT = 30
HIGHLIGHT_START, HIGHLIGHT_STOP = "\u0002", "\u0003"
_CJK = re.compile(r"[\u3000-\u9fff\uac00-\ud7af\uf900-\ufaff]")


def clean_search_query(query: object) -> str:
    if not isinstance(query, str):
        raise invalid("q must be a string.")
    query = " ".join(query.split())
    if not SEARCH_MIN_CHARS <= len(query) <= SEARCH_MAX_CHARS:
        raise invalid(f"q must be {SEARCH_MIN_CHARS} to {SEARCH_MAX_CHARS} characters long.")
    return query.replace(HIGHLIGHT_START, "").replace(HIGHLIGHT_STOP, "")


def search_for_agent(*, user: AbstractBaseUser, query: str, limit: int = SEARCH_LIMIT) -> list[tuple[Message, str]]:
    """Transcript entries matching ``query`` in the conversations the agent may see, best first.

    Returns ``(message, marked excerpt)`` pairs; the excerpt marks matches with
    HIGHLIGHT_START/HIGHLIGHT_STOP (``chat.payloads.highlight_segments`` splits it).
    PostgreSQL matches and ranks with its full-text search (the ``simple`` configuration, so
    any language splits on spaces, with the GIN index of migration 0006, and web-search syntax:
    ``"a phrase"``, ``-without``, ``or``); a query in Chinese matches the entries' segmented
    words (``Message.search_terms``); other scripts written without spaces (Japanese, Korean)
    and other databases match every word as a substring instead. The excerpt is cut
    here rather than by ``ts_headline``, which reads the text as HTML and drops what looks
    like a tag: an agent must see exactly what was written.
    """
    query = clean_search_query(query)
    messages = Message.objects.select_related("conversation__contact", "conversation__inbox")
    if not agent_sees_all(user):
        messages = messages.filter(conversation__inbox__agents=user)
    words = [w.strip('"') for w in query.split() if not w.startswith("-") and w.lower() != "or"]
    words = [w for w in words if w] or [query]
    if connection.vendor == "postgresql" and not _CJK.search(query):
        from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector

        vector = SearchVector("text", config="simple")
        wanted = SearchQuery(query, config="simple", search_type="websearch")
        rows = (
            messages.annotate(document=vector)
            .filter(document=wanted)
            .annotate(rank=SearchRank(vector, wanted))
            .order_by("-rank", "-created_at", "-id")[:limit]
        )
    else:
        terms = chinese_query_terms(query) if _CJK.search(query) else []
        if terms:  # every segmented word of the query among the entry's own (Chinese) words
            messages = _with_segmented_match(messages, terms)
            words = [*words, *terms]
        else:
            for word in words:
                messages = messages.filter(text__icontains=word)
        for word in query.split():
            if word.startswith("-") and len(word) > 1:
                messages = messages.exclude(text__icontains=word[1:].strip('"'))
        rows = messages.order_by("-created_at", "-id")[:limit]
    return [(m, mark_excerpt(m.text, words)) for m in rows]


def chinese_query_terms(query: str) -> list[str]:
    """The segmented words of a query written (partly) in Chinese, its -exclusions left out."""
    kept = " ".join(w.strip('"') for w in query.split() if not w.startswith("-") and w.lower() != "or")
    return list(dict.fromkeys(search_terms(kept)))


def _with_segmented_match(messages: QuerySet, terms: list[str]) -> QuerySet:
    """Entries whose stored Chinese words (``Message.search_terms``) include every term.

    PostgreSQL uses the full-text index of migration 0008 (a partial index: hence the non-empty
    condition); other databases compare whole words in the space-separated column.
    """
    messages = messages.exclude(search_terms="")
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import SearchQuery, SearchVector

        wanted = SearchQuery(" ".join(terms), config="simple", search_type="plain")
        return messages.annotate(terms_document=SearchVector("search_terms", config="simple")).filter(
            terms_document=wanted
        )
    padded = Concat(Value(" "), "search_terms", Value(" "), output_field=TextField())
    messages = messages.annotate(padded_terms=padded)
    for term in terms:
        messages = messages.filter(padded_terms__contains=f" {term} ")
    return messages


def mark_excerpt(text: str, words: list[str], *, around: int = 80) -> str:
    """A window of ``text`` around the first match, every (case-insensitive) match marked."""
    pattern = re.compile("|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)), re.IGNORECASE)
    clean = text.replace(HIGHLIGHT_START, "").replace(HIGHLIGHT_STOP, "")
    first = pattern.search(clean)
    start = max(0, first.start() - around) if first else 0
    end = min(len(clean), (first.end() if first else 0) + around * 2)
    window = clean[start:end]
    marked = pattern.sub(lambda m: f"{HIGHLIGHT_START}{m.group(0)}{HIGHLIGHT_STOP}", window)
    return ("…" if start else "") + marked + ("…" if end < len(clean) else "")
