"""Each inbox's privacy settings, read on the hot path of every message: kept in this process
for ``TTL_SECONDS`` (a saved change clears this process's copy at once, and reaches the other
server processes within that time), so that a message costs no extra query (docs/performance.md).
"""

from __future__ import annotations

import threading
import time

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from privacy.models import AddressMode, InboxPrivacy
from privacy.redaction import Policy, redact

TTL_SECONDS = 30.0

_lock = threading.Lock()
_cache: dict[int, tuple[float, InboxPrivacy | None]] = {}


def settings_for(inbox_id: int) -> InboxPrivacy | None:
    """The inbox's row, or None for the defaults (unsaved: never written by the caller)."""
    now = time.monotonic()
    hit = _cache.get(inbox_id)
    if hit is not None and now - hit[0] < TTL_SECONDS:
        return hit[1]
    row = InboxPrivacy.objects.filter(inbox_id=inbox_id).first()
    with _lock:
        _cache[inbox_id] = (now, row)
    return row


def settings_or_default(inbox_id: int) -> InboxPrivacy:
    return settings_for(inbox_id) or InboxPrivacy(inbox_id=inbox_id)


def clear() -> None:
    with _lock:
        _cache.clear()


@receiver(post_save, sender=InboxPrivacy)
@receiver(post_delete, sender=InboxPrivacy)
def _forget(sender, instance: InboxPrivacy, **kwargs) -> None:
    with _lock:
        _cache.pop(instance.inbox_id, None)


def policy_for(inbox_id: int) -> Policy:
    row = settings_for(inbox_id)
    if row is None:
        return Policy()
    return Policy(
        cards=row.redact_cards,
        emails=row.redact_emails,
        phones=row.redact_phones,
        phone_region=row.phone_region,
        cn_ids=row.redact_cn_ids,
        ibans=row.redact_ibans,
        custom=tuple(p for p in row.custom_patterns or [] if isinstance(p, str)),
    )


def scrub(text: str, inbox_id: int) -> tuple[str, list[str]]:
    """The filter installed into ``chat.scrub``."""
    result = redact(text, policy_for(inbox_id))
    return result.text, result.kinds


def minimise_context(context: dict[str, str], inbox_id: int) -> dict[str, str]:
    """The page context as the inbox stores it: without the browser if so set, texts redacted."""
    row = settings_or_default(inbox_id)
    context = {k: v for k, v in context.items() if k != "user_agent" or row.store_user_agent}
    return {k: scrub(v, inbox_id)[0] if k in ("url", "referrer", "title") else v for k, v in context.items()}


def minimise_address(address: str | None, inbox_id: int) -> str | None:
    """The visitor's IP address as the inbox stores it: whole, truncated, or not at all."""
    if not address:
        return address
    mode = settings_or_default(inbox_id).address_mode
    if mode == AddressMode.DROP:
        return None
    if mode == AddressMode.TRUNCATE:
        import ipaddress

        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return None
        prefix = 24 if ip.version == 4 else 48
        return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False).network_address)
    return address


@receiver(post_save, sender=InboxPrivacy)
def _start_retention(sender, instance: InboxPrivacy, **kwargs) -> None:
    """A retention period set: make sure the retention chain runs in the worker."""
    if instance.retention_days is not None:
        from privacy.tasks import ensure_retention_scheduled

        ensure_retention_scheduled()


def consent_state(inbox_id: int, contact_id: int) -> dict | None:
    """What ``auth.ok`` says of the consent notice: none, or its text, version and acceptance."""
    row = settings_for(inbox_id)
    if row is None or not row.consent_notice:
        return None
    from privacy.models import Consent

    accepted = Consent.objects.filter(contact_id=contact_id, version=row.consent_version).exists()
    return {"notice": row.consent_notice, "version": row.consent_version, "accepted": accepted}
