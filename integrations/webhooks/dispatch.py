"""The worker's side of webhooks: fan the outbox out to endpoints, then deliver each endpoint's
events one at a time, in order, retrying with growing delays.

Order: an endpoint's deliveries go out by id, and a delivery waiting for its retry holds back the
ones after it, so a receiver sees a conversation's events in the order they happened. One worker
at a time delivers an endpoint (a lease on its row), however many workers run; a worker that dies
mid-delivery leaves the lease to expire and the event to be sent again (receivers deduplicate on
``webhook-id``, as the specification asks).

Failure: the retry schedule spans about a day; after the last attempt fails the event is given up
and the endpoint disabled, and the admins get an e-mail. A 410 answer disables it at once. For an
outside bot, failing twice hands the conversation to humans instead (docs/webhooks.md).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import mail_admins
from django.db import transaction
from django.db.models import Q

from chat import clock
from chat.choices import HandoffReason
from integrations.choices import DeliveryStatus, EndpointRole
from integrations.choices import WebhookEventType as W
from integrations.models import WebhookDelivery, WebhookEndpoint, WebhookEvent
from integrations.webhooks import delivery as http_delivery

logger = logging.getLogger(__name__)

# Seconds after the first attempt's failure, then after each next one (Standard Webhooks' own).
RETRY_DELAYS = (5, 300, 1800, 7200, 18000, 36000, 36000)
BOT_RETRY_DELAYS = (5,)
FAN_OUT_BATCH = 500
# Events (with their deliveries and log) are kept this long once nothing waits for them.
KEEP_EVENTS = timedelta(days=7)
PRUNE_BATCH = 1000


def fan_out() -> int:
    """Deliveries for the outbox's new events, to every active endpoint that wants each."""
    done = 0
    with transaction.atomic():
        batch = list(
            WebhookEvent.objects.select_for_update(skip_locked=True)
            .filter(fanned_out=False)
            .order_by("id")[:FAN_OUT_BATCH]
        )
        if not batch:
            return 0
        endpoints = list(WebhookEndpoint.objects.filter(is_active=True))
        now = clock.now()
        rows = []
        for event in batch:
            for endpoint in endpoints:
                if event.only_endpoint_id is not None:
                    wanted = endpoint.pk == event.only_endpoint_id
                else:
                    wanted = (
                        endpoint.role == EndpointRole.WEBHOOK
                        and event.type in (endpoint.events or [])
                        and (endpoint.inbox_id is None or endpoint.inbox_id == event.inbox_id)
                    )
                if wanted:
                    rows.append(WebhookDelivery(endpoint=endpoint, event=event, next_attempt_at=now))
        WebhookDelivery.objects.bulk_create(rows, ignore_conflicts=True)
        WebhookEvent.objects.filter(pk__in=[e.pk for e in batch]).update(fanned_out=True)
        done = len(batch)
    return done


def lease() -> timedelta:
    """How long a worker holds an endpoint without renewing (it renews before each attempt, whose
    timeout is far shorter); a worker that died leaves it to expire."""
    return timedelta(seconds=settings.HELPDESK.get("WEBHOOK_LEASE_SECONDS", 120))


def _take_lease(endpoint_id: int, now: datetime) -> bool:
    return bool(
        WebhookEndpoint.objects.filter(pk=endpoint_id, is_active=True)
        .filter(Q(lease_until__isnull=True) | Q(lease_until__lt=now))
        .update(lease_until=now + lease())
    )


def deliver_endpoint(endpoint_id: int) -> datetime | None:
    """Deliver the endpoint's due events in order; returns when to come back, if anything waits."""
    if not _take_lease(endpoint_id, clock.now()):
        # Another worker holds it, or held it and died: look again when its lease runs out.
        return (
            WebhookEndpoint.objects.filter(pk=endpoint_id, is_active=True).values_list("lease_until", flat=True).first()
        )
    try:
        while True:
            endpoint = WebhookEndpoint.objects.filter(pk=endpoint_id).first()
            if endpoint is None or not endpoint.is_active:
                return None
            head = (
                WebhookDelivery.objects.select_related("event", "endpoint")
                .filter(endpoint_id=endpoint_id, status=DeliveryStatus.PENDING)
                .order_by("id")
                .first()
            )
            if head is None:
                return None
            now = clock.now()
            if head.next_attempt_at > now:
                return head.next_attempt_at
            WebhookEndpoint.objects.filter(pk=endpoint_id).update(lease_until=now + lease())
            outcome = http_delivery.attempt(head)
            _settle(head, outcome)
    finally:
        WebhookEndpoint.objects.filter(pk=endpoint_id).update(lease_until=None)


def _settle(head: WebhookDelivery, outcome: http_delivery.Outcome) -> None:
    now = clock.now()
    endpoint = head.endpoint
    attempts = head.attempts + 1
    if outcome.ok:
        WebhookDelivery.objects.filter(pk=head.pk).update(
            status=DeliveryStatus.DELIVERED, attempts=attempts, delivered_at=now
        )
        return
    if outcome.gone:
        WebhookDelivery.objects.filter(pk=head.pk).update(status=DeliveryStatus.FAILED, attempts=attempts)
        endpoint_disable(endpoint, reason="The receiver answered 410 Gone.")
        return
    delays = BOT_RETRY_DELAYS if endpoint.role == EndpointRole.BOT else RETRY_DELAYS
    if attempts <= len(delays):
        WebhookDelivery.objects.filter(pk=head.pk).update(
            attempts=attempts, next_attempt_at=now + timedelta(seconds=delays[attempts - 1])
        )
        return
    WebhookDelivery.objects.filter(pk=head.pk).update(status=DeliveryStatus.FAILED, attempts=attempts)
    if endpoint.role == EndpointRole.BOT:
        _bot_failed(head)
        return
    endpoint_disable(
        endpoint,
        reason=f"Failing since {head.event.created_at:%Y-%m-%d %H:%M} UTC ({outcome.error or outcome.status}).",
    )
    mail_admins(
        subject=f"Webhook endpoint disabled: {endpoint.name}",
        message=(
            f"The webhook endpoint {endpoint.name} ({endpoint.url}) failed every attempt to deliver an event "
            f"for about a day (last: {outcome.error or f'HTTP {outcome.status}'}), so it was disabled.\n"
            "Enable it again in the admin once the receiver works; its undelivered events can be redelivered there."
        ),
    )


def _bot_failed(head: WebhookDelivery) -> None:
    """The outside bot did not take its turn: the conversation goes to humans."""
    if head.event.type == W.BOT_TURN and head.event.conversation_id is not None:
        _hand_to_humans(head.event.conversation_id)


def _hand_to_humans(conversation_id: int) -> None:
    from chat import selectors, services

    conversation = selectors.conversation_held_by_bot(conversation_id=conversation_id)
    if conversation is not None:
        services.conversation_hand_off(
            conversation=conversation, reason=HandoffReason.BOT_ERROR, detail="The outside bot's endpoint failed."
        )


def endpoint_disable(endpoint: WebhookEndpoint, *, reason: str) -> None:
    """Stop delivering to the endpoint; its pending deliveries are cancelled (redeliver them later)."""
    with transaction.atomic():
        WebhookEndpoint.objects.filter(pk=endpoint.pk).update(is_active=False, disabled_reason=reason[:200])
        WebhookDelivery.objects.filter(endpoint=endpoint, status=DeliveryStatus.PENDING).update(
            status=DeliveryStatus.CANCELLED
        )
    endpoint.is_active = False
    endpoint.disabled_reason = reason[:200]
    from integrations.webhooks.outbox import subscriptions

    subscriptions.forget()
    if endpoint.role == EndpointRole.BOT:  # nobody answers them now: humans take its conversations
        for conversation_id in _bot_conversations(endpoint):
            _hand_to_humans(conversation_id)


def _bot_conversations(endpoint: WebhookEndpoint) -> list[int]:
    """The conversations the bot of the endpoint's inbox holds (those its events were about)."""
    return list(
        WebhookEvent.objects.filter(type=W.BOT_TURN, only_endpoint=endpoint, conversation_id__isnull=False)
        .values_list("conversation_id", flat=True)
        .distinct()
    )


def prune(*, now: datetime) -> int:
    """Forget events older than ``KEEP_EVENTS`` that wait for no delivery (with their log)."""
    old = WebhookEvent.objects.filter(created_at__lt=now - KEEP_EVENTS, fanned_out=True).exclude(
        deliveries__status=DeliveryStatus.PENDING
    )
    ids = list(old.values_list("id", flat=True)[:PRUNE_BATCH])
    if ids:
        WebhookEvent.objects.filter(id__in=ids).delete()
    return len(ids)


def run_once() -> datetime | None:
    """One pass of the worker: fan out, then every endpoint with pending deliveries. Returns the
    earliest time a waiting retry is due (the task schedules itself again for then)."""
    prune(now=clock.now())
    while fan_out():
        pass
    due: list[datetime] = []
    endpoint_ids = (
        WebhookDelivery.objects.filter(status=DeliveryStatus.PENDING, endpoint__is_active=True)
        .values_list("endpoint_id", flat=True)
        .distinct()
    )
    for endpoint_id in list(endpoint_ids):
        wake = deliver_endpoint(endpoint_id)
        if wake is not None:
            due.append(wake)
    return min(due) if due else None
