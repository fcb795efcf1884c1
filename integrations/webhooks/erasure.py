"""The webhook outbox forgets erased people: its events carry conversations, messages and
contacts as the sockets saw them, so an erasure (privacy) deletes the events about the erased
conversations and contacts, with their deliveries and delivery log (CASCADE)."""

from __future__ import annotations

from django.dispatch import receiver

from chat.signals import erasing
from integrations.models import WebhookEvent


@receiver(erasing, dispatch_uid="integrations.webhooks.erasure")
def forget_erased(sender, *, conversation_ids=(), contact_ids=(), **kwargs) -> dict[str, int]:
    about = WebhookEvent.objects.none()
    if conversation_ids:
        about = about | WebhookEvent.objects.filter(conversation_id__in=list(conversation_ids))
    if contact_ids:
        about = about | WebhookEvent.objects.filter(payload__contact__id__in=[str(c) for c in contact_ids])
    events = WebhookEvent.objects.filter(pk__in=list(about.values_list("pk", flat=True)))
    return {"webhook_events": events.delete()[1].get("integrations.WebhookEvent", 0)}
