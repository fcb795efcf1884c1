"""Every read of the conversation domain, scoped to who asks (rule 5).

A contact sees its own conversations and their public messages. An agent sees the
conversations of the inboxes it belongs to; a user with ``chat.view_all_conversations``
(managers, superusers) sees every inbox.
"""

from __future__ import annotations

import re
from uuid import UUID

from django.contrib.auth.models import AbstractBaseUser
from django.core.signing import BadSignature, SignatureExpired, TimestampSigner
from django.db import connection
from django.db.models import Q, QuerySet

from chat.choices import ACTIVE_STATUSES, ConversationStatus, EventType
from chat.errors import invalid, not_found
from chat.models import Attachment, Contact, Conversation, ConversationEvent, Inbox, Message, Tag
from chat.tokens import hash_secret

CONVERSATION_RELATED = ("inbox", "contact", "assignee", "team")


def parse_uuid(value: object) -> UUID | None:
    if not isinstance(value, str):
        return None
    try:
        return UUID(value)
    except ValueError:
        return None


def inbox_by_key(*, public_key: str) -> Inbox | None:
    if not isinstance(public_key, str) or len(public_key) > 64:
        return None
    return Inbox.objects.filter(public_key=public_key, is_active=True).first()


def contact_by_token(*, inbox: Inbox, token: object) -> Contact | None:
    """The contact owning ``token`` in ``inbox``; tokens of another inbox do not match."""
    if not isinstance(token, str) or not 20 <= len(token) <= 128:
        return None
    return Contact.objects.filter(inbox=inbox, token_hash=hash_secret(token)).first()


# --- contact scope ----------------------------------------------------------------------------


def conversation_for_contact(*, contact: Contact, public_id: object) -> Conversation:
    uid = parse_uuid(public_id)
    conversation = (
        Conversation.objects.select_related(*CONVERSATION_RELATED).filter(contact=contact, public_id=uid).first()
        if uid
        else None
    )
    if conversation is None:
        raise not_found()
    return conversation


def conversation_current_for_contact(*, contact: Contact) -> Conversation | None:
    """The active conversation, else the latest one (so a resolved chat can still be rated)."""
    conversations = Conversation.objects.select_related(*CONVERSATION_RELATED).filter(contact=contact)
    return (
        conversations.filter(status__in=ACTIVE_STATUSES).order_by("-created_at").first()
        or conversations.order_by("-created_at").first()
    )


def message_by_client_id(*, conversation: Conversation, client_id: object) -> Message | None:
    if not isinstance(client_id, str):
        return None
    return conversation.messages.filter(client_id=client_id).first()


def attachment_for_contact(*, contact: Contact, public_id: object) -> Attachment:
    """A file of one of the contact's conversations that a public message carries, or one the
    contact uploaded itself (not sent yet). Files of private notes are never the contact's."""
    uid = parse_uuid(public_id)
    attachment = (
        Attachment.objects.filter(public_id=uid, conversation__contact=contact)
        .filter(Q(message__is_private=False) | Q(message__isnull=True, uploaded_by_contact=contact))
        .first()
        if uid
        else None
    )
    if attachment is None:
        raise not_found("attachment")
    return attachment


def attachment_for_agent(*, user: AbstractBaseUser, public_id: object) -> Attachment:
    """A file of a conversation the agent may see (its own unsent uploads included)."""
    uid = parse_uuid(public_id)
    visible = conversations_for_agent(user=user, related=())
    attachment = (
        Attachment.objects.filter(public_id=uid, conversation__in=visible)
        .filter(Q(message__isnull=False) | Q(uploaded_by_user=user))
        .first()
        if uid
        else None
    )
    if attachment is None:
        raise not_found("attachment")
    return attachment


def public_transcript(*, conversation: Conversation) -> list[Message]:
    """Every public entry of a conversation, with its files, for the contact's transcript."""
    return list(conversation.messages.filter(is_private=False).prefetch_related("attachments").order_by("public_seq"))


def conversations_for_contact(*, contact: Contact) -> QuerySet[Conversation]:
    return Conversation.objects.select_related(*CONVERSATION_RELATED).filter(contact=contact).order_by("-created_at")


def messages_for_contact(
    *, conversation: Conversation, after_seq: int = 0, before_seq: int | None = None, limit: int = 100
) -> list[Message]:
    """Public messages only, numbered in the contact's stream (``public_seq``)."""
    return _page(conversation.messages.filter(is_private=False), after_seq, before_seq, limit, field="public_seq")


# --- agent scope ------------------------------------------------------------------------------


def agent_sees_all(user: AbstractBaseUser) -> bool:
    return bool(user.is_superuser or user.has_perm("chat.view_all_conversations"))


def inbox_ids_for_agent(*, user: AbstractBaseUser) -> list[int]:
    if agent_sees_all(user):
        return list(Inbox.objects.values_list("id", flat=True))
    return list(user.inboxes.values_list("id", flat=True))


def conversations_for_agent(
    *,
    user: AbstractBaseUser,
    status: str | None = None,
    inbox_id: int | None = None,
    mine: bool = False,
    related: tuple[str, ...] = CONVERSATION_RELATED,
) -> QuerySet[Conversation]:
    qs = Conversation.objects.select_related(*related)
    if not agent_sees_all(user):
        qs = qs.filter(inbox__agents=user)
    if status:
        qs = qs.filter(status=status)
    if inbox_id is not None:
        qs = qs.filter(inbox_id=inbox_id)
    if mine:
        qs = qs.filter(assignee=user)
    return qs


def conversation_for_agent(
    *, user: AbstractBaseUser, public_id: object, related: tuple[str, ...] = CONVERSATION_RELATED
) -> Conversation:
    """One conversation the agent may see. ``related=("contact",)`` suits the frames that only
    need the contact (a message, typing, a read mark): planning and loading the full join of
    inbox, contact, assignee and team cost several times the query itself (docs/performance.md).
    """
    uid = parse_uuid(public_id)
    qs = conversations_for_agent(user=user, related=related)
    conversation = qs.filter(public_id=uid).order_by().first() if uid else None
    if conversation is None:
        raise not_found()
    return conversation


def messages_for_agent(
    *, conversation: Conversation, after_seq: int = 0, before_seq: int | None = None, limit: int = 100
) -> list[Message]:
    return _page(conversation.messages.all(), after_seq, before_seq, limit)


def queue_for_inbox(*, inbox_id: int) -> QuerySet[Conversation]:
    """Waiting conversations in serving order: priority first, then who waited longest."""
    return Conversation.objects.filter(inbox_id=inbox_id, status=ConversationStatus.WAITING).order_by(
        "-priority", "waiting_since", "id"
    )


def queue_for_agent(*, user: AbstractBaseUser) -> QuerySet[Conversation]:
    return conversations_for_agent(user=user, status=ConversationStatus.WAITING).order_by(
        "-priority", "waiting_since", "id"
    )


def queue_position(*, conversation: Conversation) -> tuple[int, int]:
    """(1-based position, queue length) of a waiting conversation; (0, length) otherwise."""
    ids = list(queue_for_inbox(inbox_id=conversation.inbox_id).values_list("id", flat=True))
    position = ids.index(conversation.pk) + 1 if conversation.pk in ids else 0
    return position, len(ids)


def _page(
    qs: QuerySet[Message], after_seq: int, before_seq: int | None, limit: int, field: str = "seq"
) -> list[Message]:
    """Messages after ``after_seq`` in order, or the last ``limit`` before ``before_seq``."""
    qs = qs.filter(**{f"{field}__gt": after_seq}).prefetch_related("attachments")
    if before_seq is not None:
        rows = list(qs.filter(**{f"{field}__lt": before_seq}).order_by(f"-{field}")[:limit])
        rows.reverse()
        return rows
    return list(qs.order_by(field)[:limit])


# --- the console: its lists, search and the contact panel -------------------------------------

CONSOLE_ACTIVE_LIMIT = 500
CONSOLE_RESOLVED_LIMIT = 50


def console_conversations_for_agent(*, user: AbstractBaseUser) -> tuple[list[Conversation], list[Conversation]]:
    """What the console loads at once: the active conversations the agent may see (serving
    order: priority, then longest waiting) and the latest resolved ones.

    Four queries whatever the number of conversations: each list, and each list's tags.
    """
    base = conversations_for_agent(user=user).prefetch_related("tags")
    active = list(
        base.filter(status__in=ACTIVE_STATUSES).order_by("-priority", "waiting_since", "id")[:CONSOLE_ACTIVE_LIMIT]
    )
    resolved = list(
        base.filter(status=ConversationStatus.RESOLVED).order_by("-resolved_at", "-id")[:CONSOLE_RESOLVED_LIMIT]
    )
    return active, resolved


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
    ``"a phrase"``, ``-without``, ``or``); scripts written without spaces (Chinese, Japanese,
    Korean) and other databases match every word as a substring instead. The excerpt is cut
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
        for word in words:
            messages = messages.filter(text__icontains=word)
        for word in query.split():
            if word.startswith("-") and len(word) > 1:
                messages = messages.exclude(text__icontains=word[1:].strip('"'))
        rows = messages.order_by("-created_at", "-id")[:limit]
    return [(m, mark_excerpt(m.text, words)) for m in rows]


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


def conversation_for_link(*, token: str, salt: str, max_age: int) -> Conversation | None:
    """The conversation an emailed link's signed token names (the survey, the way back to the
    chat); None for a bad signature or an unknown conversation. An expired link raises
    ``SignatureExpired``, so that the page can say it expired."""
    try:
        public_id = TimestampSigner(salt=salt).unsign(token, max_age=max_age)
    except SignatureExpired:
        raise
    except BadSignature:
        return None
    return Conversation.objects.select_related("inbox", "contact").filter(public_id=public_id).first()
