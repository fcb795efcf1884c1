"""API tokens, idempotency records, webhook endpoints, the outbox and the delivery log.

Rows here are written only by ``integrations`` services (rule 1); the outbox row of a change is
written in the transaction of that change (integrations/webhooks/outbox.py).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from integrations.choices import DeliveryStatus, EndpointRole, Scope


class ApiToken(models.Model):
    """A named, scoped, expiring credential of one user; only a hash of its secret is stored."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    scope = models.CharField(max_length=10, choices=Scope.choices, default=Scope.READ)
    # The first characters of the secret, shown in lists so that people can tell tokens apart.
    prefix = models.CharField(max_length=16, editable=False)
    secret_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(null=True, blank=True, help_text="Empty: never expires.")
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class IdempotencyRecord(models.Model):
    """The answer to one POST with an ``Idempotency-Key``, replayed to a retry with the same key.

    Keys are per token (per user for the console's session); ``response_status`` is None while
    the first request is still running.
    """

    token = models.ForeignKey(ApiToken, null=True, blank=True, on_delete=models.CASCADE)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64)
    response_status = models.PositiveSmallIntegerField(null=True)
    response_body = models.JSONField(null=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["token", "key"], condition=Q(token__isnull=False), name="idem_token_key"),
            models.UniqueConstraint(fields=["user", "key"], condition=Q(token__isnull=True), name="idem_user_key"),
        ]

    def __str__(self) -> str:
        return self.key


class WebhookEndpoint(models.Model):
    """A URL that receives signed events: of one inbox, or of every inbox (``inbox`` empty).

    ``role=bot`` makes it the outside bot of its inbox: it receives ``bot.turn`` and owns the
    inbox's new conversations until it hands off (docs/webhooks.md, "Outside bots").
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(max_length=100)
    url = models.URLField(max_length=500)
    inbox = models.ForeignKey(
        "chat.Inbox", null=True, blank=True, on_delete=models.CASCADE, help_text="Empty: every inbox."
    )
    role = models.CharField(max_length=10, choices=EndpointRole.choices, default=EndpointRole.WEBHOOK)
    events = models.JSONField(default=list, blank=True, help_text="The event types it receives.")
    secret = models.CharField(max_length=100, editable=False)
    previous_secret = models.CharField(max_length=100, blank=True, default="", editable=False)
    previous_secret_until = models.DateTimeField(null=True, blank=True, editable=False)
    is_active = models.BooleanField(default=True)
    disabled_reason = models.CharField(max_length=200, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    # One worker delivers an endpoint's events at a time, in order: it holds this lease.
    lease_until = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class WebhookEvent(models.Model):
    """The outbox: one row per event, written in the transaction of the change it tells of."""

    public_id = models.CharField(max_length=40, unique=True)  # the ``webhook-id`` header: msg_...
    type = models.CharField(max_length=40)
    inbox_id = models.BigIntegerField(null=True)
    conversation_id = models.BigIntegerField(null=True)
    payload = models.JSONField()
    created_at = models.DateTimeField()
    # Set once deliveries to the matching endpoints exist (webhooks/dispatch.py).
    fanned_out = models.BooleanField(default=False)
    # Only to this endpoint (a test event, a bot turn), else to every endpoint that subscribed.
    only_endpoint = models.ForeignKey(WebhookEndpoint, null=True, blank=True, on_delete=models.CASCADE)

    class Meta:
        indexes = [models.Index(fields=["id"], condition=Q(fanned_out=False), name="webhook_event_pending")]

    def __str__(self) -> str:
        return f"{self.type} {self.public_id}"


class WebhookDelivery(models.Model):
    """One event for one endpoint: delivered in id order per endpoint, retried with growing delays."""

    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries")
    event = models.ForeignKey(WebhookEvent, on_delete=models.CASCADE, related_name="deliveries")
    status = models.CharField(max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["endpoint", "event"], name="delivery_once")]
        indexes = [
            models.Index(fields=["endpoint", "id"], condition=Q(status="pending"), name="delivery_pending"),
        ]

    def __str__(self) -> str:
        return f"{self.event} → {self.endpoint}"


class DeliveryAttempt(models.Model):
    """The delivery log: each attempt's request and response, truncated, a bounded number kept."""

    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.CASCADE, related_name="log")
    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="log")
    at = models.DateTimeField()
    request_headers = models.JSONField(default=dict)
    request_body = models.TextField(blank=True, default="")
    response_status = models.PositiveSmallIntegerField(null=True)
    response_body = models.TextField(blank=True, default="")
    error = models.CharField(max_length=300, blank=True, default="")
    duration_ms = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.response_status or self.error[:40]}"
