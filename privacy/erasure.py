"""Erasure: the right to be forgotten, and the one way conversations leave the helpdesk (the
admin's delete, the visitor's "Delete my data", and retention all come here).

What goes: the contact's row and consents, every message's text and search terms, private notes
and system notices, attachments and their files, rating comments, page context, the personal
values in the audit trail, pending and finished background tasks about these conversations,
the admin's log lines naming them; the contact's open sockets are closed.

What stays, so that the reports' totals do not change: each conversation reduced to an anonymous
stub (times, status, priority, team, assignee, tags, rating score, the audit trail's types and
codes, and the message rows the reports count, without text), under a new id and held by the
inbox's placeholder contact. Old ids answer 404. One ``ErasureRecord`` says who erased what kind of
data and when, with counts and a keyed hash of the contact's id: no content.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import uuid
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import AbstractBaseUser
from django.contrib.contenttypes.models import ContentType
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Q

from chat import realtime, services, signals
from chat.choices import ACTIVE_STATUSES, SenderKind
from chat.errors import ServiceError
from chat.models import Attachment, Contact, Conversation, ConversationEvent, Inbox, Message, SatisfactionRating
from chat.tokens import hash_secret, mint_secret
from privacy.models import ErasureActor, ErasureKind, ErasureRecord, PlaceholderContact

BATCH = 500
# Background tasks whose first argument names a conversation, or a message.
CONVERSATION_TASKS = (
    "chat.tasks.send_rating_request",
    "chat.tasks.send_offline_receipt",
    "chat.tasks.send_transcript",
)
MESSAGE_TASKS = ("chat.tasks.send_offline_reply",)


def subject_hash(contact_public_id: Any) -> str:
    """A keyed hash of a contact's id: the same person matches, nobody can reverse it."""
    return hmac.new(settings.SECRET_KEY.encode(), f"contact:{contact_public_id}".encode(), hashlib.sha256).hexdigest()


# --- what an erasure would remove (the admin's preview) ----------------------------------------


def erasure_preview(*, contacts: Iterable[Contact] = (), conversations: Iterable[Conversation] = ()) -> dict[str, int]:
    """How many rows and files of each kind the erasure of these would remove."""
    contact_ids = [c.pk for c in contacts]
    conversation_ids = {c.pk for c in conversations}
    conversation_ids |= set(Conversation.objects.filter(contact_id__in=contact_ids).values_list("pk", flat=True))
    messages = Message.objects.filter(conversation_id__in=conversation_ids)
    return {
        "contacts": len(contact_ids),
        "conversations": len(conversation_ids),
        "messages": messages.count(),
        "private_notes": messages.filter(is_private=True).count(),
        "attachments": Attachment.objects.filter(conversation_id__in=conversation_ids).count(),
        "events": ConversationEvent.objects.filter(conversation_id__in=conversation_ids).count(),
        "ratings": SatisfactionRating.objects.filter(conversation_id__in=conversation_ids).count(),
    }


# --- the services ------------------------------------------------------------------------------


def contact_erase(
    *, contact: Contact, actor: AbstractBaseUser | None = None, by_visitor: bool = False
) -> ErasureRecord:
    """Erase a contact and everything about it; its conversations are reduced to stubs."""
    if PlaceholderContact.objects.filter(contact_id=contact.pk).exists():
        raise ServiceError("invalid", "The placeholder of erased conversations cannot be erased.", status=400)
    public_id = contact.public_id
    with transaction.atomic():
        contact = Contact.objects.select_for_update().filter(pk=contact.pk).first()
        if contact is None:
            raise ServiceError("not_found", "No such contact.", status=404)
        ids = list(Conversation.objects.filter(contact=contact).values_list("pk", flat=True))
        counts = _reduce(ids, inbox=contact.inbox, actor=actor)
        _scrub_admin_log(Contact, [contact.pk])
        contact.delete()  # its consents go with it (CASCADE)
        counts["contacts"] = 1
        _erase_copies(counts, contact_ids=[str(public_id)])
        record = ErasureRecord.objects.create(
            kind=ErasureKind.CONTACT,
            actor_kind=ErasureActor.VISITOR if by_visitor else ErasureActor.STAFF,
            actor_user=actor if actor is not None and not by_visitor else None,
            inbox=contact.inbox,
            subject=subject_hash(public_id),
            counts=counts,
        )
        # Its open widget tabs close at once (chat.consumers acts on this and relays nothing).
        realtime.broadcast([realtime.contact_group(public_id)], {"type": realtime.CONTACT_ERASED})
    return record


def conversations_erase(
    *, conversations: Iterable[Conversation], actor: AbstractBaseUser | None, kind: str = ErasureKind.CONVERSATION
) -> list[ErasureRecord]:
    """Reduce these conversations to stubs (the admin's delete, retention); one record per inbox."""
    by_inbox: dict[int, list[int]] = {}
    for conversation in conversations:
        by_inbox.setdefault(conversation.inbox_id, []).append(conversation.pk)
    records = []
    for inbox_id, ids in by_inbox.items():
        with transaction.atomic():
            inbox = Inbox.objects.get(pk=inbox_id)
            holder = _placeholder(inbox)
            ids = list(Conversation.objects.filter(pk__in=ids).exclude(contact=holder).values_list("pk", flat=True))
            if not ids:
                continue
            counts = _reduce(ids, inbox=inbox, actor=actor)
            records.append(
                ErasureRecord.objects.create(
                    kind=kind,
                    actor_kind=ErasureActor.SYSTEM if kind == ErasureKind.RETENTION else ErasureActor.STAFF,
                    actor_user=actor,
                    inbox=inbox,
                    counts=counts,
                )
            )
    return records


def is_stub(conversation: Conversation) -> bool:
    return PlaceholderContact.objects.filter(contact_id=conversation.contact_id).exists()


# --- the work ----------------------------------------------------------------------------------


def _placeholder(inbox: Inbox) -> Contact:
    row = PlaceholderContact.objects.select_related("contact").filter(inbox=inbox).first()
    if row is not None:
        return row.contact
    contact = Contact.objects.create(inbox=inbox, token_hash=hash_secret(mint_secret()))
    PlaceholderContact.objects.create(inbox=inbox, contact=contact)
    return contact


def _reduce(ids: list[int], *, inbox: Inbox, actor: AbstractBaseUser | None) -> dict[str, int]:
    """Reduce conversations ``ids`` to anonymous stubs (inside the caller's atomic)."""
    counts = {"conversations": len(ids)}
    # An active conversation ends first, through chat's own service (agents' consoles follow).
    for conversation in Conversation.objects.filter(pk__in=ids, status__in=ACTIVE_STATUSES).select_related("contact"):
        services.conversation_resolve(conversation=conversation, actor=actor)
    holder = _placeholder(inbox)

    # Files: rows now, files once the deletion is committed (a rollback keeps both).
    attachments = Attachment.objects.filter(conversation_id__in=ids)
    names = [n for n in attachments.values_list("file", flat=True) if n]
    counts["attachments"] = attachments.count()
    attachments.delete()
    counts["files"] = len(names)
    transaction.on_commit(lambda: _delete_files(names))

    # Messages: private notes and system notices go; what reports count stays, without text.
    message_ids = list(Message.objects.filter(conversation_id__in=ids).values_list("pk", flat=True))
    gone = Message.objects.filter(conversation_id__in=ids).filter(Q(is_private=True) | Q(sender_kind=SenderKind.SYSTEM))
    counts["messages_deleted"] = gone.delete()[0]
    kept = Message.objects.filter(conversation_id__in=ids)
    counts["messages_emptied"] = kept.update(text="", search_terms="", client_id=None, params={})
    kept.filter(sender_kind=SenderKind.CONTACT).update(sender_name="")
    _new_public_ids(Message, kept.values_list("pk", flat=True))

    # Audit trail: types and actors stay (reports read them); personal values go.
    events = list(ConversationEvent.objects.filter(conversation_id__in=ids).only("pk", "payload"))
    for event in events:
        event.payload = scrub_payload(event.payload)
    ConversationEvent.objects.bulk_update(events, ["payload"], batch_size=BATCH)
    counts["events_scrubbed"] = len(events)
    counts["rating_comments"] = (
        SatisfactionRating.objects.filter(conversation_id__in=ids).exclude(comment="").update(comment="")
    )

    conversations = list(Conversation.objects.filter(pk__in=ids).only("pk", "handoff", "public_id"))
    for conversation in conversations:
        conversation.public_id = uuid.uuid4()
        conversation.handoff = scrub_payload(conversation.handoff) if conversation.handoff else None
        conversation.context = {}
        conversation.contact = holder
    Conversation.objects.bulk_update(conversations, ["public_id", "handoff", "context", "contact"], batch_size=BATCH)
    counts["tasks"] = _delete_tasks(ids, message_ids)
    _erase_copies(counts, conversation_ids=ids)
    _scrub_admin_log(Conversation, ids)
    _scrub_admin_log(Message, message_ids)
    return counts


def _erase_copies(counts: dict[str, int], **about: list) -> None:
    """Other apps' copies of personal data (the webhook outbox), through chat's ``erasing``
    signal, so that privacy needs to know none of them."""
    for _receiver, found in signals.erasing.send(sender=Conversation, **about):
        for key, n in (found or {}).items():
            counts[key] = counts.get(key, 0) + n


def _new_public_ids(model, pks: Iterable[int]) -> None:
    rows = [model(pk=pk, public_id=uuid.uuid4()) for pk in pks]
    model.objects.bulk_update(rows, ["public_id"], batch_size=BATCH)


def _delete_files(names: list[str]) -> None:
    for name in names:
        default_storage.delete(name)


def _delete_tasks(conversation_ids: list[int], message_ids: list[int]) -> int:
    """Queued and finished background tasks about these rows (their arguments may hold an
    address, and their results what was sent)."""
    from django_tasks_db.models import DBTaskResult

    done = 0
    for paths, ids in ((CONVERSATION_TASKS, conversation_ids), (MESSAGE_TASKS, message_ids)):
        for start in range(0, len(ids), BATCH):
            chunk = ids[start : start + BATCH]
            done += DBTaskResult.objects.filter(task_path__in=paths, args_kwargs__args__0__in=chunk).delete()[0]
    return done


def _scrub_admin_log(model, pks: list[int]) -> None:
    """The admin's history names the object as it read then (a name, say): keep the line, not the name."""
    if not pks:
        return
    content_type = ContentType.objects.get_for_model(model)
    LogEntry.objects.filter(content_type=content_type, object_id__in=[str(pk) for pk in pks]).update(
        object_repr="(erased)", change_message=""
    )


# Codes (``reason: "low_confidence"``), numbers and flags are not personal; free text may be.
_CODE = re.compile(r"^[a-z][a-z0-9_.-]{0,39}$")
_CODE_KEYS = {
    "reason",
    "target",
    "status",
    "owner",
    "kind",
    "policy",
    "from",
    "to",
    "notice",
    "code",
    "added",
    "removed",
}


def scrub_payload(value: Any, key: str = "") -> Any:
    """A copy of an audit payload with only numbers, flags and known codes kept."""
    if isinstance(value, dict):
        return {k: v for k, v in ((k, scrub_payload(v, k)) for k, v in value.items()) if v is not _DROP}
    if isinstance(value, list):
        items = [scrub_payload(v, key) for v in value]
        return [v for v in items if v is not _DROP]
    if value is None or isinstance(value, (bool, int, float)):
        return value
    if isinstance(value, str) and key in _CODE_KEYS and _CODE.match(value):
        return value
    return _DROP


_DROP = object()
