"""Suggested replies for an agent: the latest visitor message of a conversation, scoped, ranked,
filled in and recorded. Runs on the assistant's own threads (``EXECUTOR``), never on the event
loop nor the database thread that carries live chat (assist.views)."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from django.contrib.auth.models import AbstractBaseUser
from django.db import close_old_connections, connections

from agents.canned import canned_render, canned_variables
from assist.engine import ARTICLE, CANNED
from assist.engine import Suggestion as Found
from assist.models import SuggestionKind
from assist.services import suggestions_record_shown
from assist.sources import index_for_inbox
from assist.tags import live_tag_index, suggest_tags
from chat.choices import SenderKind
from chat.models import Message
from chat.selectors import conversation_for_agent, inbox_ids_for_agent
from knowledge.payloads import article_url

T = TypeVar("T")
TAG = SuggestionKind.TAG.value
TAG_MESSAGES = 5  # the visitor's latest messages read for tags

# One suggestion at a time per process is plenty for a console (the encoder keeps to one thread).
EXECUTOR = ThreadPoolExecutor(max_workers=1, thread_name_prefix="assist")


def latest_visitor_message(conversation_id: int) -> Message | None:
    return (
        Message.objects.filter(conversation_id=conversation_id, sender_kind=SenderKind.CONTACT, is_private=False)
        .order_by("-seq")
        .first()
    )


def suggest_for(*, user: AbstractBaseUser, public_id: object) -> dict:
    """Up to three suggestions for the conversation's latest visitor message, as a payload."""
    conversation = conversation_for_agent(user=user, public_id=public_id, related=("contact",))
    message = latest_visitor_message(conversation.id)
    if message is None or not message.text.strip():
        return {"message": None, "suggestions": [], "tags": []}
    visible = set(inbox_ids_for_agent(user=user))
    index = index_for_inbox(conversation.inbox_id)
    found = index.suggest(message.text, allowed=lambda c: c.inbox_id is None or c.inbox_id in visible)
    rows = suggestions_record_shown(conversation=conversation, message=message, agent=user, found=found)
    variables = canned_variables(conversation=conversation, agent=user)
    suggestions = []
    for s, row in zip(found, rows, strict=True):
        text = s.text
        if s.kind == CANNED:
            text = canned_render(text, variables=variables)
        elif s.kind == ARTICLE:
            slug = s.key.split(":", 1)[1]
            text = f"{s.text}\n{article_url(slug=slug, locale=s.candidate.locale)}"
        suggestions.append({"id": str(row.public_id), "kind": s.kind, "title": s.title, "text": text})
    return {"message": str(message.public_id), "suggestions": suggestions, "tags": _tags(conversation, message, user)}


def _tags(conversation, message: Message, user: AbstractBaseUser) -> list[dict]:
    """Described tags the visitor's messages call for, that the conversation does not have yet."""
    index = live_tag_index()
    if not len(index):
        return []
    texts = (
        Message.objects.filter(conversation_id=conversation.id, sender_kind=SenderKind.CONTACT, is_private=False)
        .order_by("-seq")
        .values_list("text", flat=True)[:TAG_MESSAGES]
    )
    have = set(conversation.tags.values_list("name", flat=True))
    found = [
        Found(f"{TAG}:{name}", TAG, name, name, rank, None)  # type: ignore[arg-type]
        for name, rank in suggest_tags(index, " ".join(reversed(list(texts))))
        if name not in have
    ]
    rows = suggestions_record_shown(conversation=conversation, message=message, agent=user, found=found)
    return [{"id": str(row.public_id), "name": s.title} for s, row in zip(found, rows, strict=True)]


def on_own_thread(job: Callable[..., T], /, **kwargs: Any) -> T:
    """``job(**kwargs)`` with fresh database connections around it, for EXECUTOR: the thread's
    connection is closed after each job, so none outlives the request it served."""
    close_old_connections()
    try:
        return job(**kwargs)
    finally:
        connections.close_all()
