"""The outbox: every change an endpoint subscribed to becomes a ``WebhookEvent`` row written in
the transaction of the change (``chat.signals.recorded``), so an event is delivered exactly when
its change committed. The payloads come from ``chat.events``, the builders of the socket events.

With no endpoint subscribed this costs nothing on the live path but a dictionary lookup: which
event types have subscribers is remembered per process for ``MEMO_SECONDS`` (and forgotten at
once when this process changes an endpoint), so another process's new endpoint is seen within
that time.
"""

from __future__ import annotations

import secrets
import threading
import time
from typing import Any

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from chat import clock, events, realtime
from chat.choices import EventType, Owner, SenderKind
from chat.models import Contact, Conversation, ConversationEvent, Message, SatisfactionRating
from chat.signals import recorded
from integrations.choices import EndpointRole
from integrations.choices import WebhookEventType as W
from integrations.models import WebhookEndpoint, WebhookEvent

MEMO_SECONDS = 5.0

# Which webhook events an audit event gives. Every resolution (an agent's, the bot's, for
# inactivity) records ``resolved``; ``bot_resolved`` only says who, so it gives nothing of its own.
# Services record an event after the change it tells of: the payload read then is the new state.
FROM_AUDIT: dict[str, tuple[str, ...]] = {
    EventType.CREATED: (W.CONVERSATION_CREATED,),
    EventType.CLAIMED: (W.CONVERSATION_ASSIGNED, W.CONVERSATION_STATUS_CHANGED),
    EventType.ASSIGNED: (W.CONVERSATION_ASSIGNED, W.CONVERSATION_STATUS_CHANGED),
    EventType.TRANSFERRED: (W.CONVERSATION_ASSIGNED,),
    EventType.RESOLVED: (W.CONVERSATION_RESOLVED, W.CONVERSATION_STATUS_CHANGED),
    EventType.REOPENED: (W.CONVERSATION_STATUS_CHANGED,),
    EventType.PENDING: (W.CONVERSATION_STATUS_CHANGED,),
    EventType.PENDING_ENDED: (W.CONVERSATION_STATUS_CHANGED,),
    EventType.REQUEUED: (W.CONVERSATION_STATUS_CHANGED,),
    EventType.HANDED_OFF: (W.BOT_HANDED_OFF, W.CONVERSATION_STATUS_CHANGED),
    EventType.RATED: (W.RATING_SUBMITTED,),
}


class _Subscriptions:
    """Per process: event type -> inbox ids subscribed (None in the set: every inbox)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.loaded_at = -1e9
        self.by_type: dict[str, set[int | None]] = {}
        self.bot_inboxes: dict[int, int] = {}  # inbox id -> its outside bot's endpoint id

    def forget(self) -> None:
        with self.lock:
            self.loaded_at = -1e9

    def current(self) -> _Subscriptions:
        if time.monotonic() - self.loaded_at < MEMO_SECONDS:
            return self
        by_type: dict[str, set[int | None]] = {}
        bots: dict[int, int] = {}
        for pk, inbox_id, types, role in WebhookEndpoint.objects.filter(is_active=True).values_list(
            "pk", "inbox_id", "events", "role"
        ):
            if role == EndpointRole.BOT and inbox_id is not None:
                bots[inbox_id] = pk
                continue
            for event_type in types or []:
                by_type.setdefault(event_type, set()).add(inbox_id)
        with self.lock:
            self.by_type, self.bot_inboxes, self.loaded_at = by_type, bots, time.monotonic()
        return self

    def wanted(self, event_type: str, inbox_id: int | None) -> bool:
        inboxes = self.by_type.get(event_type)
        return bool(inboxes) and (None in inboxes or inbox_id in inboxes)


subscriptions = _Subscriptions()


@receiver([post_save, post_delete], sender=WebhookEndpoint)
def _endpoint_changed(sender, **kwargs) -> None:
    subscriptions.forget()


def outside_bot_endpoint(inbox_id: int) -> int | None:
    """The id of the inbox's outside bot endpoint, if it has an active one."""
    return subscriptions.current().bot_inboxes.get(inbox_id)


def message_id() -> str:
    return "msg_" + secrets.token_urlsafe(18)


def _strip(event: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in event.items() if k != "type"}


def write(
    event_type: str,
    data: dict[str, Any],
    *,
    inbox_id: int | None,
    conversation_id: int | None = None,
    only_endpoint: int | None = None,
) -> WebhookEvent:
    """One outbox row (in the caller's transaction), and a worker woken after commit."""
    row = WebhookEvent.objects.create(
        public_id=message_id(),
        type=event_type,
        inbox_id=inbox_id,
        conversation_id=conversation_id,
        payload=data,
        created_at=clock.now(),
        only_endpoint_id=only_endpoint,
    )
    _wake_after_commit()
    return row


def _wake_after_commit() -> None:
    """One wake-up per transaction however many events it wrote (an INSERT into the task queue)."""
    connection = transaction.get_connection()
    if connection.in_atomic_block and any(entry[1] is wake_worker for entry in connection.run_on_commit):
        return
    realtime.after_commit(wake_worker)


def wake_worker() -> None:
    from integrations.webhooks.tasks import deliver_webhooks

    deliver_webhooks.enqueue()


def _conversation_data(conversation: Conversation) -> dict[str, Any]:
    """The conversation as the transaction now holds it (services update rows, not objects)."""
    fresh = Conversation.objects.select_related("inbox", "contact", "assignee", "team").get(pk=conversation.pk)
    return _strip(events.conversation_updated(fresh))


@receiver(recorded, sender=ConversationEvent)
def _on_audit_event(sender, *, conversation: Conversation, event: ConversationEvent, **kwargs) -> None:
    types = FROM_AUDIT.get(event.type)
    if not types:
        return
    subs = subscriptions.current()
    wanted = [t for t in types if subs.wanted(t, conversation.inbox_id)]
    if not wanted:
        return
    data = _conversation_data(conversation)
    for event_type in wanted:
        extra: dict[str, Any] = {}
        if event_type == W.RATING_SUBMITTED:
            rating = SatisfactionRating.objects.filter(conversation_id=conversation.pk).first()
            if rating is None:
                continue
            extra = _strip(events.rating(rating, conversation_id=str(conversation.public_id)))
        elif event_type == W.BOT_HANDED_OFF:
            extra = {"handoff": {"reason": event.payload.get("reason"), "detail": event.payload.get("detail", "")}}
        elif event_type == W.CONVERSATION_STATUS_CHANGED:
            extra = {"change": event.type}
        write(
            event_type,
            {**data, **extra},
            inbox_id=conversation.inbox_id,
            conversation_id=conversation.pk,
        )


@receiver(recorded, sender=Message)
def _on_message(sender, *, conversation: Conversation, message: Message, **kwargs) -> None:
    subs = subscriptions.current()
    conversation_id = str(conversation.public_id)
    if subs.wanted(W.MESSAGE_CREATED, conversation.inbox_id):
        write(
            W.MESSAGE_CREATED,
            _strip(events.message_new(message, conversation_id=conversation_id)),
            inbox_id=conversation.inbox_id,
            conversation_id=conversation.pk,
        )
    bot = subs.bot_inboxes.get(conversation.inbox_id)
    if bot is not None and message.sender_kind == SenderKind.CONTACT and conversation.owner == Owner.BOT:
        write(
            W.BOT_TURN,
            {"conversation": conversation_id, **_strip(events.message_new(message, conversation_id=conversation_id))},
            inbox_id=conversation.inbox_id,
            conversation_id=conversation.pk,
            only_endpoint=bot,
        )


@receiver(recorded, sender=Contact)
def _on_contact(sender, *, contact: Contact, created: bool, **kwargs) -> None:
    event_type = W.CONTACT_CREATED if created else W.CONTACT_UPDATED
    if subscriptions.current().wanted(event_type, contact.inbox_id):
        write(event_type, _strip(events.contact_updated(contact)), inbox_id=contact.inbox_id)
