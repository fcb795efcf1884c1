"""Writes about webhook endpoints (the admin calls these): create, rotate the secret, enable,
send a test event, redeliver."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db import transaction

from chat import clock
from chat.errors import invalid
from chat.models import Inbox
from integrations.choices import DeliveryStatus, EndpointRole, WebhookEventType
from integrations.models import WebhookDelivery, WebhookEndpoint
from integrations.webhooks import addresses, outbox, signing

SUBSCRIBABLE = [t for t in WebhookEventType.values if t not in {WebhookEventType.BOT_TURN, WebhookEventType.TEST}]
ROTATION_OVERLAP = timedelta(hours=24)


def clean_events(events: Any) -> list[str]:
    if not isinstance(events, list) or not all(isinstance(e, str) for e in events):
        raise invalid("events must be a list of event types.")
    unknown = sorted(set(events) - set(SUBSCRIBABLE))
    if unknown:
        raise invalid(f"Unknown event types: {', '.join(unknown)[:200]}.")
    return sorted(set(events))


def check_url(url: str) -> None:
    try:
        addresses.check_endpoint_url(url)
    except addresses.RefusedAddress as exc:
        raise invalid(str(exc)) from exc


def endpoint_create(
    *, name: str, url: str, events: Any, inbox: Inbox | None = None, role: str = EndpointRole.WEBHOOK
) -> WebhookEndpoint:
    check_url(url)
    if role == EndpointRole.BOT and inbox is None:
        raise invalid("An outside bot belongs to one inbox.")
    return WebhookEndpoint.objects.create(
        name=name,
        url=url,
        inbox=inbox,
        role=role,
        events=[] if role == EndpointRole.BOT else clean_events(events),
        secret=signing.new_secret(),
    )


def endpoint_rotate_secret(*, endpoint: WebhookEndpoint) -> str:
    """A new secret; the old one keeps signing beside it for ``ROTATION_OVERLAP``."""
    endpoint.previous_secret = endpoint.secret
    endpoint.previous_secret_until = clock.now() + ROTATION_OVERLAP
    endpoint.secret = signing.new_secret()
    endpoint.save(update_fields=["secret", "previous_secret", "previous_secret_until"])
    return endpoint.secret


def endpoint_enable(*, endpoint: WebhookEndpoint) -> None:
    endpoint.is_active = True
    endpoint.disabled_reason = ""
    endpoint.save(update_fields=["is_active", "disabled_reason"])


def endpoint_send_test(*, endpoint: WebhookEndpoint) -> None:
    """A ``webhook.test`` event to this endpoint only."""
    with transaction.atomic():
        outbox.write(
            WebhookEventType.TEST,
            {"endpoint": str(endpoint.public_id), "message": "A test event from the helpdesk."},
            inbox_id=endpoint.inbox_id,
            only_endpoint=endpoint.pk,
        )


def delivery_redeliver(*, delivery: WebhookDelivery) -> None:
    """Send a delivery again (a failed or cancelled one, or once more a delivered one)."""
    with transaction.atomic():
        WebhookDelivery.objects.filter(pk=delivery.pk).update(
            status=DeliveryStatus.PENDING, attempts=0, next_attempt_at=clock.now(), delivered_at=None
        )
        from chat import realtime

        realtime.after_commit(outbox.wake_worker)
