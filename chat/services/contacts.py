"""Writes about the person who writes in: the contact, its verified identity, its attributes, the
pre-chat answers, and the page it is on (the conversation's context)."""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction

from chat import clock, events, realtime, scrub, signals
from chat.choices import ACTIVE_STATUSES, ConversationStatus, EventType
from chat.errors import ServiceError, invalid
from chat.models import Contact, Conversation, Inbox
from chat.services._core import broadcast_conversation, locked, record
from chat.tokens import hash_secret, mint_secret
from chat.unicode import printable_line

MAX_ATTRIBUTES = 30


def contact_create(*, inbox: Inbox, name: str = "", email: str = "") -> tuple[Contact, str]:
    """Mint a contact and its secret token; the token is returned once and stored hashed."""
    if not inbox.is_active:
        raise ServiceError("inbox_closed", "This inbox does not take chats.", status=403)
    token = mint_secret()
    contact = Contact.objects.create(inbox=inbox, token_hash=hash_secret(token), name=name[:120], email=email[:254])
    signals.recorded.send(sender=Contact, conversation=None, contact=contact, created=True)
    return contact, token


def contact_touch(*, contact: Contact) -> None:
    """Record when the contact was last connected."""
    Contact.objects.filter(pk=contact.pk).update(last_seen_at=clock.now())


def contact_announce(*, contact: Contact) -> None:
    """Tell the agents of the contact's inbox how the contact now reads, after commit: every
    console updates that contact's conversations and its open contact panel at once."""
    realtime.broadcast([realtime.inbox_group(contact.inbox_id)], events.contact_updated(contact))
    signals.recorded.send(sender=Contact, conversation=None, contact=contact, created=False)


def clean_email(email: Any) -> str:
    """An address as a contact stores it: trimmed, valid or empty."""
    if not isinstance(email, str) or len(email) > 254:
        raise invalid("email must be a string of at most 254 characters.")
    email = email.strip()
    if email:
        try:
            validate_email(email)
        except ValidationError as exc:
            raise invalid("email is not a valid address.") from exc
    return email


def contact_update(*, contact: Contact, name: str | None = None, email: str | None = None) -> Contact:
    fields = []
    if name is not None:
        if not isinstance(name, str) or len(name) > 120:
            raise invalid("name must be a string of at most 120 characters.")
        contact.name = scrub.text(name.strip(), inbox_id=contact.inbox_id)[:120]  # a label may be longer
        fields.append("name")
    if email is not None:
        contact.email = clean_email(email)
        fields.append("email")
    if fields:
        Contact.objects.filter(pk=contact.pk).update(**{f: getattr(contact, f) for f in fields})
    return contact


def contact_identify(*, contact: Contact, user_id: Any, user_hash: Any, name: Any = None, email: Any = None) -> bool:
    """Take a signed-in user's identity from the host site, if its HMAC proves it.

    The site computes ``hash = HMAC-SHA256(inbox.identity_secret, user_id)`` (hex) on its server.
    A missing or wrong hash means the claim is ignored: nothing is stored, and the contact stays
    as it was (anonymous, or what it typed itself). Returns whether the identity was taken.
    """
    if not isinstance(user_id, str) or not 1 <= len(user_id) <= 128:
        raise invalid("id must be a string of 1 to 128 characters.")
    secret = contact.inbox.identity_secret
    expected = hmac.new(secret.encode(), user_id.encode(), hashlib.sha256).hexdigest()
    if not secret or not isinstance(user_hash, str) or not hmac.compare_digest(expected, user_hash.strip().lower()):
        return False
    before = (contact.name, contact.email, contact.external_id)
    with transaction.atomic():
        contact_update(contact=contact, name=name, email=email)
        Contact.objects.filter(pk=contact.pk).update(external_id=user_id)
        contact.external_id = user_id
        for conversation in Conversation.objects.filter(contact=contact, status__in=ACTIVE_STATUSES):
            record(conversation, EventType.IDENTIFIED, actor=contact, payload={"external_id": user_id})
            broadcast_conversation(conversation)
        if (contact.name, contact.email, contact.external_id) != before:  # setUser runs on every page
            contact_announce(contact=contact)
    return True


def _check_value(key: str, value: Any) -> None:
    if isinstance(value, str) and len(value) > 500:
        raise invalid(f"attribute {key[:40]!r} is longer than 500 characters.")
    if not isinstance(value, (str, int, float, bool)):
        raise invalid(f"attribute {key[:40]!r} must be text, a number or true/false.")


def clean_attributes(attributes: Any, *, into: dict[str, Any] | None = None) -> dict[str, Any]:
    """``attributes`` merged into ``into`` (a copy); a ``None`` value removes that attribute.

    Without ``into`` the attributes replace the contact's (an admin's edit): at most twice the
    entries one merge may bring, as a contact can gather that many over several merges.
    """
    replacing = into is None
    limit = MAX_ATTRIBUTES * 2 if replacing else MAX_ATTRIBUTES
    if not isinstance(attributes, dict) or len(attributes) > limit:
        raise invalid(f"attributes must be an object of at most {limit} entries.")
    merged = {} if replacing else dict(into)
    for key, value in attributes.items():
        if not isinstance(key, str) or not 1 <= len(key) <= 64:
            raise invalid("attribute names are strings of 1 to 64 characters.")
        if value is None and not replacing:
            merged.pop(key, None)
            continue
        _check_value(key, value)
        merged[key] = value
    if len(merged) > MAX_ATTRIBUTES * 2:
        raise invalid("This contact has too many attributes.")
    return merged


def scrub_values(values: Any, *, inbox_id: int) -> Any:
    """Text values of a mapping as the inbox's redaction stores them (others unchanged)."""
    if not isinstance(values, dict):
        return values
    return {k: scrub.text(v, inbox_id=inbox_id) if isinstance(v, str) else v for k, v in values.items()}


def contact_set_attributes(*, contact: Contact, attributes: Any) -> Contact:
    """Merge the host site's attributes (``setAttributes``) into the contact's; ``None`` removes one."""
    merged = scrub_values(clean_attributes(attributes, into=contact.attributes or {}), inbox_id=contact.inbox_id)
    Contact.objects.filter(pk=contact.pk).update(attributes=merged)
    contact.attributes = merged
    return contact


def check_contact_edit(*, changes: dict[str, Any]) -> dict[str, Any]:
    """The values ``contact_edit`` would store for ``changes``; raises ``invalid`` for a bad one."""
    unknown = set(changes) - {"name", "email", "attributes", "external_id"}
    if unknown:
        raise invalid(f"These contact fields cannot be edited: {', '.join(sorted(unknown))}.")
    cleaned: dict[str, Any] = {}
    if "name" in changes:
        name = changes["name"]
        if not isinstance(name, str) or len(name) > 120:
            raise invalid("name must be a string of at most 120 characters.")
        cleaned["name"] = name.strip()
    if "email" in changes:
        cleaned["email"] = clean_email(changes["email"])
    if "attributes" in changes:
        cleaned["attributes"] = clean_attributes(changes["attributes"])
    if "external_id" in changes:
        external_id = changes["external_id"]
        if not isinstance(external_id, str) or len(external_id.strip()) > 128:
            raise invalid("external_id must be a string of at most 128 characters.")
        cleaned["external_id"] = external_id.strip()
    return cleaned


def contact_edit(*, contact: Contact, actor: AbstractBaseUser, changes: dict[str, Any]) -> list[str]:
    """A staff member's edit of a contact (the admin): ``name``, ``email``, ``attributes`` (which
    replace the contact's) and ``external_id``, the verified identity (blank: no longer verified).

    Returns the fields that changed. Each change is audited as a ``contact_edited`` event, with
    the new identity when it changed, on the contact's active conversations (else its latest),
    whose agents see the contact as it now is.
    """
    cleaned = check_contact_edit(changes=changes)
    if not cleaned:
        return []
    if "name" in cleaned:
        cleaned["name"] = scrub.text(cleaned["name"], inbox_id=contact.inbox_id)[:120]
    if "attributes" in cleaned:
        cleaned["attributes"] = scrub_values(cleaned["attributes"], inbox_id=contact.inbox_id)
    current = Contact.objects.filter(pk=contact.pk).values(*cleaned).first() or {}
    changed = sorted(k for k, v in cleaned.items() if current.get(k) != v)
    if not changed:
        return []
    with transaction.atomic():
        Contact.objects.filter(pk=contact.pk).update(**{k: cleaned[k] for k in changed})
        for key in changed:
            setattr(contact, key, cleaned[key])
        payload: dict[str, Any] = {"fields": changed}
        if "external_id" in changed:
            payload["external_id"] = cleaned["external_id"]
        conversations = list(Conversation.objects.filter(contact=contact, status__in=ACTIVE_STATUSES))
        if not conversations:
            conversations = list(Conversation.objects.filter(contact=contact).order_by("-created_at")[:1])
        for conversation in conversations:
            record(conversation, EventType.CONTACT_EDITED, actor=actor, payload=payload)
            if conversation.status in ACTIVE_STATUSES:
                broadcast_conversation(conversation)
        contact_announce(contact=contact)
    return changed


def apply_prechat(contact: Contact, answers: Any, *, enforce_required: bool) -> None:
    """Store the pre-chat answers on the contact (inside the caller's atomic)."""
    from chat.prechat import CONTACT_KEYS, clean_answers

    fields = contact.inbox.prechat_fields or []
    if not fields:
        if answers:
            raise invalid("This inbox has no pre-chat form.")
        return
    try:
        cleaned = clean_answers(
            fields,
            answers,
            known={**(contact.attributes or {}), "name": contact.name, "email": contact.email},
            enforce_required=enforce_required,
        )
    except ValidationError as exc:
        raise invalid(" ".join(exc.messages)) from exc
    # The e-mail field holds an address on purpose; every other answer is redacted like a message.
    cleaned = {k: v if k == "email" else scrub_values({k: v}, inbox_id=contact.inbox_id)[k] for k, v in cleaned.items()}
    if "name" in cleaned:
        cleaned["name"] = cleaned["name"][:120]  # a label may be longer than what it replaced
    changes = {k: v for k, v in cleaned.items() if k in CONTACT_KEYS}
    extra = {k: v for k, v in cleaned.items() if k not in CONTACT_KEYS}
    if extra:
        changes["attributes"] = {**(contact.attributes or {}), **extra}
    if changes:
        for key, value in changes.items():
            setattr(contact, key, value)
        Contact.objects.filter(pk=contact.pk).update(**changes)


# --- the page the visitor is on ---------------------------------------------------------------


# Stored as one printable line: agents read these, and they come from pages and headers, not people.
CONTEXT_LIMITS = {"user_agent": 300, "language": 35, "title": 300}


def clean_context(context: Any, *, inbox_id: int | None = None) -> dict[str, str]:
    """Page context from the widget: only known keys, short strings. ``user_agent`` is the one the
    socket's handshake carried (chat.consumers), shown as the browser in the console. With
    ``inbox_id``, as that inbox's privacy settings store it (chat.scrub)."""
    if context is None:
        return {}
    if not isinstance(context, dict):
        raise invalid("context must be an object.")
    cleaned = {}
    for key in ("url", "referrer", "title", "language", "user_agent"):
        value = context.get(key)
        if value is None:
            continue
        if not isinstance(value, str) or len(value) > 2000:
            raise invalid(f"context.{key} must be a string of at most 2000 characters.")
        cleaned[key] = printable_line(value, limit=CONTEXT_LIMITS.get(key, 2000))
    return scrub.context(cleaned, inbox_id=inbox_id) if inbox_id is not None else cleaned


def conversation_update_context(*, conversation: Conversation, contact: Contact, context: Any) -> bool:
    """The visitor moved to another page: agents see the page it is on now. Returns whether it changed."""
    context = clean_context(context, inbox_id=conversation.inbox_id)
    if conversation.contact_id != contact.pk:
        raise ServiceError("forbidden", "This is not your conversation.", status=403)
    with transaction.atomic():
        conversation = locked(conversation)
        if conversation.status == ConversationStatus.RESOLVED:
            return False
        merged = {**(conversation.context or {}), **context}
        if merged == conversation.context:
            return False
        Conversation.objects.filter(pk=conversation.pk).update(context=merged)
        record(conversation, EventType.CONTEXT_UPDATED, actor=contact, payload={"url": merged.get("url", "")})
        broadcast_conversation(conversation)
    return True
