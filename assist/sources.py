"""The candidates of one inbox, read from the database, and the process's suggestion indexes.

An inbox's candidates: its canned responses (and the global ones), the published articles (the
knowledge base's live index, vectors reused), and the agent replies of the inbox's latest
resolved conversations rated 4 or 5. A past reply is paired with the visitor message it answered;
private notes, bot and system messages are never read; names, e-mail addresses and numbers are
replaced by placeholders (bot.redaction) before anything is embedded or kept.

Past replies come from the conversation's own inbox only: an agent always sees the inbox of the
conversation it answers, so nothing from an inbox it cannot see is ever suggested.

One index per inbox and process, rebuilt when its sources change (checked at most every
``REFRESH_SECONDS``); the encoder remembers rows by text, so a rebuild encodes only what is new.
"""

from __future__ import annotations

import threading
import time

from django.db.models import Count, Max, Q

from agents.models import CannedResponse
from assist.engine import CANNED, REPLY, Candidate, SuggestionIndex, text_locale
from bot.redaction import redact
from chat.choices import ConversationStatus, SenderKind
from chat.models import Conversation, Message
from knowledge.encoder import get_encoder
from knowledge.index import live_index

REFRESH_SECONDS = 60
MAX_CONVERSATIONS = 400  # the latest well-rated conversations an inbox learns from
MIN_SCORE = 4


def _rated(inbox_id: int):
    return Conversation.objects.filter(
        inbox_id=inbox_id, status=ConversationStatus.RESOLVED, rating__score__gte=MIN_SCORE
    )


def canned_candidates(inbox_id: int) -> list[Candidate]:
    rows = CannedResponse.objects.filter(Q(inbox__isnull=True) | Q(inbox_id=inbox_id))
    return [
        Candidate(
            key=f"{CANNED}:{r.short_code}",
            kind=CANNED,
            title=r.title or f"/{r.short_code}",
            text=r.text,
            locale=text_locale(f"{r.title} {r.text}"),
            inbox_id=r.inbox_id,
        )
        for r in rows
    ]


def reply_candidates(inbox_id: int, *, limit: int = MAX_CONVERSATIONS) -> list[Candidate]:
    """Each first public agent reply after a visitor message, in the latest well-rated conversations."""
    ids = list(_rated(inbox_id).order_by("-resolved_at").values_list("id", flat=True)[:limit])
    messages = (
        Message.objects.filter(conversation_id__in=ids, is_private=False, code="")
        .filter(sender_kind__in=(SenderKind.CONTACT, SenderKind.AGENT))
        .select_related("conversation__contact")
        .order_by("conversation_id", "seq")
    )
    found: list[Candidate] = []
    question: Message | None = None
    for m in messages:
        if question is not None and m.conversation_id != question.conversation_id:
            question = None
        if m.sender_kind == SenderKind.CONTACT:
            question = m
        elif question is not None and m.text.strip():
            contact = m.conversation.contact
            names = [n for n in (contact.name, m.sender_name) if n]
            text = redact(m.text, names=names)
            if contact.email:
                text = text.replace(contact.email, "[email]")
            found.append(
                Candidate(
                    key=f"{REPLY}:{m.public_id}",
                    kind=REPLY,
                    title="",
                    text=text,
                    locale=text_locale(m.text),
                    inbox_id=inbox_id,
                    question=redact(question.text, names=names),
                )
            )
            question = None
    return found


def _signature(inbox_id: int) -> tuple:
    from knowledge import selectors

    rows = CannedResponse.objects.filter(Q(inbox__isnull=True) | Q(inbox_id=inbox_id))
    canned = rows.aggregate(n=Count("id"), last=Max("id"))
    rated = _rated(inbox_id).aggregate(n=Count("id"), last=Max("resolved_at"))
    texts = hash(
        tuple(
            CannedResponse.objects.filter(Q(inbox__isnull=True) | Q(inbox_id=inbox_id)).values_list("text", flat=True)
        )
    )
    return (selectors.index_version(), canned["n"], canned["last"], texts, rated["n"], rated["last"])


_lock = threading.Lock()
_indexes: dict[int, tuple[float, tuple, SuggestionIndex]] = {}


def index_for_inbox(inbox_id: int) -> SuggestionIndex:
    """The inbox's suggestion index, rebuilt when its sources changed (checked every minute)."""
    now = time.monotonic()
    held = _indexes.get(inbox_id)
    if held is not None and now - held[0] < REFRESH_SECONDS:
        return held[2]
    with _lock:
        held = _indexes.get(inbox_id)
        if held is not None and now - held[0] < REFRESH_SECONDS:
            return held[2]
        signature = _signature(inbox_id)
        if held is not None and held[1] == signature:
            _indexes[inbox_id] = (now, signature, held[2])
            return held[2]
        kb = live_index()
        index = SuggestionIndex(
            [*canned_candidates(inbox_id), *reply_candidates(inbox_id)], get_encoder(), articles=kb.articles
        )
        _indexes[inbox_id] = (now, signature, index)
        return index


def forget() -> None:
    with _lock:
        _indexes.clear()
