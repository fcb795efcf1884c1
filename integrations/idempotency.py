"""``Idempotency-Key`` on every POST of the write API: a retry gets the first answer again.

The first request with a key claims it (a row, unique per token, or per user for the console's
session); its answer is stored when it is not a server error, and a later request with the same
key and the same method, path and body gets that answer again, with ``Idempotent-Replayed: true``.
The same key with another request is refused (422); while the first is still running, 409.
Records are kept for ``KEEP``; older ones are deleted as new ones are written.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta

from django.db import IntegrityError, transaction
from rest_framework.request import Request
from rest_framework.response import Response

from chat import clock
from chat.errors import ServiceError, invalid
from integrations.models import ApiToken, IdempotencyRecord

HEADER = "Idempotency-Key"
KEEP = timedelta(hours=24)


class Replay(Exception):
    """Raised from ``claim`` to answer with the stored response instead of running the view."""

    def __init__(self, response: Response) -> None:
        self.response = response


def _fingerprint(request: Request) -> str:
    digest = hashlib.sha256()
    digest.update(request.method.encode() + b" " + request.path.encode() + b"\n")
    digest.update(request._request.body)
    return digest.hexdigest()


def claim(request: Request) -> IdempotencyRecord | None:
    """Claim the request's key (None without one); raises ``Replay`` for a finished retry."""
    key = request.headers.get(HEADER)
    if key is None:
        return None
    if not (1 <= len(key) <= 255) or not key.isascii() or not key.isprintable():
        raise invalid(f"{HEADER} must be 1 to 255 printable ASCII characters.")
    token = request.auth if isinstance(request.auth, ApiToken) else None
    fingerprint = _fingerprint(request)
    owner = {"token": token} if token else {"token__isnull": True, "user": request.user}
    IdempotencyRecord.objects.filter(created_at__lt=clock.now() - KEEP).delete()  # indexed: cheap
    try:
        with transaction.atomic():
            return IdempotencyRecord.objects.create(
                token=token, user=request.user, key=key, fingerprint=fingerprint, created_at=clock.now()
            )
    except IntegrityError:
        pass
    existing = IdempotencyRecord.objects.filter(key=key, **owner).first()
    if existing is None:  # deleted meanwhile (its request failed): the client may try again
        raise ServiceError("idempotency_conflict", "A request with this key just failed; retry.", status=409)
    if existing.fingerprint != fingerprint:
        raise ServiceError("idempotency_key_reused", f"This {HEADER} was used for another request.", status=422)
    if existing.response_status is None:
        raise ServiceError("idempotency_conflict", "A request with this key is still running.", status=409)
    response = Response(existing.response_body, status=existing.response_status)
    response["Idempotent-Replayed"] = "true"
    raise Replay(response)


def forget(record: IdempotencyRecord) -> None:
    IdempotencyRecord.objects.filter(pk=record.pk).delete()


def settle(record: IdempotencyRecord, response: Response) -> None:
    """Store the answer for retries; a server error frees the key instead."""
    if response.status_code >= 500 or not isinstance(response, Response):
        forget(record)
        return
    IdempotencyRecord.objects.filter(pk=record.pk).update(
        response_status=response.status_code, response_body=response.data
    )
