"""One HTTP attempt of one delivery: the signed request, to the checked address, logged.

Runs in the background worker only (never on the live path). The request is a POST of the event
as JSON with the Standard Webhooks headers; any 2xx is success, 410 disables the endpoint, and
everything else (other statuses, timeouts, refused addresses) is a failure to retry.
"""

from __future__ import annotations

import http.client
import json
import socket
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.utils import timezone

from chat import clock
from integrations.models import DeliveryAttempt, WebhookDelivery, WebhookEndpoint
from integrations.webhooks import addresses, signing

TIMEOUT_SECONDS = 10
KEEP_BODY = 4096  # characters of the request and the response kept in the log
USER_AGENT = "helpdesk-webhooks/1"


@dataclass(frozen=True)
class Outcome:
    status: int | None
    error: str = ""

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300

    @property
    def gone(self) -> bool:
        return self.status == 410


def body_of(delivery: WebhookDelivery) -> str:
    event = delivery.event
    document = {"type": event.type, "timestamp": event.created_at.isoformat(), "data": event.payload}
    return json.dumps(document, separators=(",", ":"), ensure_ascii=False)


def endpoint_secrets(endpoint: WebhookEndpoint) -> list[str]:
    keys = [endpoint.secret]
    if endpoint.previous_secret and endpoint.previous_secret_until and endpoint.previous_secret_until > clock.now():
        keys.append(endpoint.previous_secret)
    return keys


def _post(url: str, body: bytes, headers: dict[str, str]) -> tuple[int, str]:
    """POST to the address the check resolved (the Host header and TLS name stay the URL's)."""
    scheme, host, port = addresses.check_url(url)
    ip = addresses.resolve(host, port)
    parts = urlsplit(url)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    connection_class = http.client.HTTPSConnection if scheme == "https" else http.client.HTTPConnection
    connection = connection_class(host, port, timeout=TIMEOUT_SECONDS)
    connection._create_connection = lambda address, *args, **kwargs: socket.create_connection(
        (ip, address[1]), *args, **kwargs
    )
    try:
        connection.request("POST", path, body=body, headers=headers)
        response = connection.getresponse()
        text = response.read(KEEP_BODY * 4).decode("utf-8", "replace")
        return response.status, text
    finally:
        connection.close()


def attempt(delivery: WebhookDelivery) -> Outcome:
    """Send once and log it; the caller decides what the outcome means for the delivery."""
    endpoint = delivery.endpoint
    now = clock.now()
    sent_at = timezone.now()  # the wall clock: receivers check the timestamp against theirs
    body = body_of(delivery)
    headers = {
        "content-type": "application/json",
        "user-agent": USER_AGENT,
        "webhook-id": delivery.event.public_id,
        "webhook-timestamp": str(int(sent_at.timestamp())),
        "webhook-signature": signing.signature_header(
            secrets_=endpoint_secrets(endpoint), msg_id=delivery.event.public_id, timestamp=sent_at, body=body
        ),
    }
    started = time.monotonic()
    status, text, error = None, "", ""
    try:
        status, text = _post(endpoint.url, body.encode("utf-8"), headers)
    except addresses.RefusedAddress as exc:
        error = f"refused: {exc}"
    except (OSError, http.client.HTTPException) as exc:
        error = f"{type(exc).__name__}: {exc}"
    logged = {k: v for k, v in headers.items() if k != "webhook-signature"}
    DeliveryAttempt.objects.create(
        delivery=delivery,
        endpoint=endpoint,
        at=now,
        request_headers=logged,
        request_body=body[:KEEP_BODY],
        response_status=status,
        response_body=text[:KEEP_BODY],
        error=error[:300],
        duration_ms=int((time.monotonic() - started) * 1000),
    )
    _trim_log(endpoint)
    return Outcome(status, error)


def _trim_log(endpoint: WebhookEndpoint) -> None:
    """Keep the newest ``WEBHOOK_LOG_KEEP`` attempts of the endpoint."""
    keep = settings.HELPDESK.get("WEBHOOK_LOG_KEEP", 500)
    cutoff = (
        DeliveryAttempt.objects.filter(endpoint=endpoint).order_by("-id").values_list("id", flat=True)[keep : keep + 1]
    )
    cutoff = list(cutoff)
    if cutoff:
        DeliveryAttempt.objects.filter(endpoint=endpoint, id__lte=cutoff[0]).delete()
