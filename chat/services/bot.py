"""Writes of the bot's side of a conversation: its answers, the visitor's "Did that help?", the
handoff to the human queue, an agent taking over, and the bot's resolutions.

While the bot owns a conversation (``owner=bot``) it is open with no assignee: not waiting, so
the queue, the router, agents' load and the wait estimate never see it, and its SLA clocks have
not started. A handoff makes it an ordinary conversation that starts waiting, on intake's path:
SLA due times from now, the queue positions, and the router told after commit.

chat never imports the bot: the bot app listens to ``chat.signals.bot_turn`` and
``bot_feedback`` and answers through these services (docs/bot.md).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import F, Q, QuerySet

from chat import clock, notices, realtime, signals, sla
from chat.choices import ConversationStatus, EventType, HandoffReason, Owner, SenderKind
from chat.errors import ServiceError, invalid, not_found
from chat.models import Contact, Conversation, Inbox, Message
from chat.services._core import (
    BotActor,
    announce_waiting,
    append,
    broadcast_conversation,
    broadcast_message,
    broadcast_queue_positions,
    clean_text,
    locked,
    record,
    sender_fields,
)
from chat.services.conversations import conversation_resolve

ARTICLE_KEYS = ("slug", "title", "url", "locale")
MAX_OFFERED = 5


def bot_actor(conversation: Conversation) -> BotActor:
    return BotActor(conversation.inbox.bot_name or "Assistant")


def _article(article: Any) -> dict[str, str]:
    if not isinstance(article, dict) or not all(isinstance(article.get(k), str) for k in ARTICLE_KEYS):
        raise invalid("article must hold slug, title, url and locale as strings.")
    return {k: article[k][:500] for k in ARTICLE_KEYS}


def bot_reply(
    *, conversation: Conversation, text: str, article: dict[str, str] | None, score: float | None = None
) -> Message | None:
    """The bot's answer: its text, the article it comes from, and "Did that help?". An outside
    bot (integrations) may answer without an article: a plain message from the bot.

    Returns None, storing nothing, when the bot no longer holds the conversation (it was handed
    off or taken over while the bot was thinking): a late answer is dropped, never shown.
    """
    text = clean_text(text)
    article = _article(article) if article is not None else None
    now = clock.now()
    with transaction.atomic():
        conversation = locked(conversation)
        if conversation.owner != Owner.BOT or conversation.status != ConversationStatus.OPEN:
            return None
        bot = bot_actor(conversation)
        message = append(
            conversation,
            **sender_fields(bot),
            text=text,
            now=now,
            bot_answer={**article, "helpful": None} if article else None,
        )
        # From the column append just wrote, so that it compares exactly with the visitor's
        # last message (the watchdog): both written by the same statement's kind.
        Conversation.objects.filter(pk=conversation.pk).update(bot_replied_at=F("last_message_at"))
        payload: dict[str, Any] = {"seq": message.seq, "article": article} if article else {"seq": message.seq}
        if score is not None:
            payload["score"] = round(float(score), 4)
        record(conversation, EventType.BOT_ANSWERED, actor=bot, payload=payload)
        broadcast_message(conversation, message)
    return message


def offered_articles(conversation: Conversation) -> list[dict[str, Any]]:
    """The articles the bot answered with in this conversation, latest last, each once."""
    answers = (
        Message.objects.filter(conversation=conversation, sender_kind=SenderKind.BOT, bot_answer__isnull=False)
        .order_by("seq")
        .values_list("bot_answer", flat=True)
    )
    by_slug: dict[str, dict[str, Any]] = {}
    for answer in answers:
        if isinstance(answer, dict) and answer.get("slug"):
            by_slug.pop(answer["slug"], None)
            by_slug[answer["slug"]] = {k: answer.get(k) for k in (*ARTICLE_KEYS, "helpful")}
    return list(by_slug.values())[-MAX_OFFERED:]


def _handoff_record(
    conversation: Conversation,
    *,
    reason: str,
    actor,
    now: datetime,
    detail: str = "",
    also: dict[str, Any] | None = None,
) -> None:
    """Store what every handoff changes (with ``also``, the caller's own changes), then its audit
    event: recorded after the change, so that what reads the state then sees it changed."""
    articles = offered_articles(conversation)
    payload: dict[str, Any] = {"reason": reason, "articles": articles}
    if detail:
        payload["detail"] = detail
    first_due, resolution_due = sla.due_times(conversation, start=now)
    changes = {
        "owner": Owner.HUMAN,
        "handoff": {"reason": reason, "articles": articles, "at": now.isoformat()},
        "sla_first_response_due_at": first_due,
        "sla_resolution_due_at": resolution_due,
        **(also or {}),
    }
    Conversation.objects.filter(pk=conversation.pk).update(**changes)
    for field, value in changes.items():
        setattr(conversation, field, value)
    record(conversation, EventType.HANDED_OFF, actor=actor, payload=payload)


def conversation_hand_off(
    *, conversation: Conversation, reason: str, actor: Contact | None = None, detail: str = ""
) -> bool:
    """Give a conversation the bot holds to the human queue, in one transaction: owner human,
    waiting from now, SLA due times from now, the handoff (reason, articles offered) recorded;
    then, after commit, the queue positions and the router, as for any conversation that starts
    waiting. ``actor``: the contact who pressed "Talk to a person"; None is the bot itself.

    With the inbox closed or nobody online, the conversation becomes ``offline``, as one from the
    offline form: agents' replies the visitor has not read are emailed once they leave an address
    (the widget asks for one then).

    Returns False when there was nothing to do (already handed off, taken over, or resolved),
    so a double click, a late turn and the watchdog are all harmless.
    """
    if reason not in HandoffReason.values or reason == HandoffReason.AGENT_TOOK_OVER:
        raise invalid(f"Unknown handoff reason {str(reason)[:40]!r}.")
    now = clock.now()
    with transaction.atomic():
        conversation = locked(conversation)
        if conversation.owner != Owner.BOT or conversation.status == ConversationStatus.RESOLVED:
            return False
        if isinstance(actor, Contact) and actor.pk != conversation.contact_id:
            raise ServiceError("forbidden", "This is not your conversation.", status=403)
        also = {"status": ConversationStatus.WAITING, "waiting_since": now, "assigned_at": None, "auto_assigned": False}
        if not conversation.offline:
            from chat.selectors import inbox_availability

            available = inbox_availability(inbox=conversation.inbox)
            if not (available["open"] and available["agents_online"]):
                also["offline"] = True
        _handoff_record(
            conversation, reason=reason, actor=actor or bot_actor(conversation), now=now, detail=detail, also=also
        )
        broadcast_conversation(conversation)
        broadcast_queue_positions(conversation.inbox_id)
        announce_waiting(conversation, chosen_team=conversation.team_id is not None)
    return True


def take_over(conversation: Conversation, *, agent: AbstractBaseUser | None, now: datetime) -> None:
    """An agent claims, is assigned or transfers a conversation the bot holds (inside the caller's
    transaction, on a locked copy): the bot lets go with the reason ``agent_took_over``."""
    _handoff_record(conversation, reason=HandoffReason.AGENT_TOOK_OVER, actor=agent, now=now)


def bot_feedback(*, conversation: Conversation, contact: Contact, message_id: Any, helpful: Any) -> Message:
    """The visitor's "Did that help?" on one of the bot's answers: stored on the answer, counted
    (unhelpful answers in a row; a "Yes" resets), recorded, and handed to the bot after commit,
    which resolves on a "Yes" and hands off at the second "No" in a row. Answering twice keeps the
    first answer."""
    from chat.selectors import parse_uuid

    if not isinstance(helpful, bool):
        raise invalid("helpful must be true or false.")
    public_id = parse_uuid(message_id)
    if public_id is None:
        raise invalid("message must be a message id.")
    with transaction.atomic():
        conversation = locked(conversation)
        if contact.pk != conversation.contact_id:
            raise ServiceError("forbidden", "This is not your conversation.", status=403)
        message = (
            Message.objects.select_for_update()
            .filter(conversation=conversation, public_id=public_id, sender_kind=SenderKind.BOT)
            .first()
        )
        if message is None or not isinstance(message.bot_answer, dict):
            raise not_found("answer")
        if message.bot_answer.get("helpful") is not None:
            return message
        if conversation.owner != Owner.BOT or conversation.status != ConversationStatus.OPEN:
            raise ServiceError("invalid_state", "The bot no longer holds this conversation.", status=409)
        message.bot_answer = {**message.bot_answer, "helpful": helpful}
        Message.objects.filter(pk=message.pk).update(bot_answer=message.bot_answer)
        previous = conversation.bot_unhelpful
        Conversation.objects.filter(pk=conversation.pk).update(bot_unhelpful=0 if helpful else previous + 1)
        record(
            conversation,
            EventType.BOT_HELPFUL if helpful else EventType.BOT_NOT_HELPFUL,
            actor=contact,
            payload={"seq": message.seq, "slug": message.bot_answer.get("slug")},
        )
        pk = conversation.pk
        realtime.after_commit(
            lambda: signals.bot_feedback.send(
                sender=Conversation, conversation_id=pk, helpful=helpful, not_helpful_in_row=previous
            )
        )
    message._prefetched_objects_cache = {"attachments": []}
    return message


def conversation_bot_resolve(*, conversation: Conversation, assumed: bool) -> bool:
    """The bot resolves a conversation it holds: the visitor confirmed an answer helped, or
    (``assumed``) went silent after the bot's last word. False when the bot no longer holds it."""
    with transaction.atomic():
        conversation = locked(conversation)
        if conversation.owner != Owner.BOT or conversation.status != ConversationStatus.OPEN:
            return False
        bot = bot_actor(conversation)
        record(conversation, EventType.BOT_RESOLVED, actor=bot, payload={"assumed": assumed})
        conversation_resolve(
            conversation=conversation,
            actor=bot,
            reason="inactivity" if assumed else "bot",
            notice=notices.INACTIVITY_CLOSED if assumed else notices.RESOLVED,
        )
    return True


# --- what time sets off: the watchdog and the idle close (run by the timer sweep) -------------

# The bot has not answered the visitor's last message (never answered, or only before it).
UNANSWERED_BY_BOT = Q(bot_replied_at__isnull=True) | Q(bot_replied_at__lt=F("last_contact_message_at"))


def _held_by_bot() -> QuerySet[Conversation]:
    return Conversation.objects.filter(owner=Owner.BOT, status=ConversationStatus.OPEN)


def conversations_hand_off_stalled(*, now: datetime, after_seconds: float) -> int:
    """The watchdog: hand off every conversation whose visitor has waited ``after_seconds`` for
    the bot's answer (a crashed process, a lost turn), so that nobody is left in silence."""
    cutoff = now - timedelta(seconds=after_seconds)
    due = _held_by_bot().filter(last_contact_message_at__lt=cutoff).filter(UNANSWERED_BY_BOT)
    return sum(
        conversation_hand_off(conversation=c, reason=HandoffReason.BOT_ERROR, detail="no_answer_in_time")
        for c in due.select_related("contact", "inbox")
    )


def conversations_close_idle_bot(*, inbox: Inbox, now: datetime) -> int:
    """Resolve the conversations the bot holds in ``inbox`` where the visitor has said nothing
    since the bot's last word for the inbox's ``bot_close_after_seconds`` (an assumed resolution).
    A question the bot left unanswered was handed off long before, by the watchdog."""
    if not inbox.bot_close_after_seconds:
        return 0
    cutoff = now - timedelta(seconds=inbox.bot_close_after_seconds)
    due = (
        _held_by_bot()
        .filter(inbox=inbox)
        .filter(Q(last_message_at__lt=cutoff) | Q(last_message_at__isnull=True, created_at__lt=cutoff))
    )
    return sum(conversation_bot_resolve(conversation=c, assumed=True) for c in due)
