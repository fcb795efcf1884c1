"""Export of one contact's data (the right of access): one zip with ``data.json`` (the contact,
its attributes and consents, every conversation with its messages, events and rating) and the
attachment files under ``files/``.

The visitor's own export (the widget's "Download my data") holds what the visitor may see:
public messages only, and the audit trail as types and times without internal details. An
admin's export also holds private notes and the events' details.
"""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

from django.core.files.storage import default_storage

from chat.models import Attachment, Contact, Conversation, ConversationEvent, Message, SatisfactionRating
from privacy.models import Consent

FORMAT_VERSION = 1


def _when(value) -> str | None:
    return value.isoformat() if value else None


def contact_export_data(*, contact: Contact, for_contact: bool) -> tuple[dict[str, Any], list[Attachment]]:
    """The export's JSON document and the attachments whose files go beside it."""
    conversations = list(
        Conversation.objects.filter(contact=contact).select_related("inbox", "team").order_by("created_at")
    )
    ids = [c.pk for c in conversations]
    messages = Message.objects.filter(conversation_id__in=ids).order_by("conversation_id", "seq")
    if for_contact:
        messages = messages.filter(is_private=False)
    attachments = list(Attachment.objects.filter(conversation_id__in=ids).order_by("created_at", "pk"))
    if for_contact:  # never a note's file, nor an agent's upload not yet sent
        private = set(Message.objects.filter(conversation_id__in=ids, is_private=True).values_list("pk", flat=True))
        attachments = [
            a for a in attachments if a.message_id not in private and (a.message_id or a.uploaded_by_contact_id)
        ]
    by_message: dict[int, list[Attachment]] = {}
    for a in attachments:
        by_message.setdefault(a.message_id, []).append(a)
    by_conversation: dict[int, list[dict[str, Any]]] = {pk: [] for pk in ids}
    for m in messages:
        by_conversation[m.conversation_id].append(
            {
                "id": str(m.public_id),
                "seq": m.public_seq if for_contact else m.seq,
                "sender": m.sender_kind,
                "sender_name": m.sender_name,
                "text": m.display_text,
                "private": m.is_private,
                "created_at": _when(m.created_at),
                "attachments": [_file_name(a) for a in by_message.get(m.pk, [])],
            }
        )
    events: dict[int, list[dict[str, Any]]] = {pk: [] for pk in ids}
    for e in ConversationEvent.objects.filter(conversation_id__in=ids).order_by("created_at", "pk"):
        row = {"type": e.type, "actor": e.actor_kind, "at": _when(e.created_at)}
        if not for_contact:
            row["payload"] = e.payload
        events[e.conversation_id].append(row)
    ratings = {r.conversation_id: r for r in SatisfactionRating.objects.filter(conversation_id__in=ids)}
    document = {
        "format": FORMAT_VERSION,
        "contact": {
            "id": str(contact.public_id),
            "name": contact.name,
            "email": contact.email,
            "external_id": contact.external_id,
            "attributes": contact.attributes,
            "created_at": _when(contact.created_at),
            "last_seen_at": _when(contact.last_seen_at),
            "consents": [
                {"version": c.version, "accepted_at": _when(c.accepted_at)}
                for c in Consent.objects.filter(contact=contact).order_by("accepted_at")
            ],
        },
        "conversations": [
            {
                "id": str(c.public_id),
                "number": c.number,
                "inbox": c.inbox.name,
                "status": c.status,
                "created_at": _when(c.created_at),
                "resolved_at": _when(c.resolved_at),
                "context": c.context,
                "messages": by_conversation[c.pk],
                "events": events[c.pk],
                "rating": (
                    {
                        "score": ratings[c.pk].score,
                        "comment": ratings[c.pk].comment,
                        "at": _when(ratings[c.pk].updated_at),
                    }
                    if c.pk in ratings
                    else None
                ),
            }
            for c in conversations
        ],
        "files": [
            {"path": _file_name(a), "name": a.name, "content_type": a.content_type, "size": a.size} for a in attachments
        ],
    }
    return document, attachments


def _file_name(attachment: Attachment) -> str:
    extension = attachment.file.name.rsplit(".", 1)[-1] if "." in attachment.file.name else "bin"
    return f"files/{attachment.public_id}.{extension}"


def contact_export_zip(*, contact: Contact, for_contact: bool = False) -> bytes:
    """The zip's bytes (exports are one person's data: small enough to build in memory)."""
    document, attachments = contact_export_data(contact=contact, for_contact=for_contact)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("data.json", json.dumps(document, ensure_ascii=False, indent=2))
        for a in attachments:
            if a.file and default_storage.exists(a.file.name):
                with default_storage.open(a.file.name, "rb") as handle:
                    archive.writestr(_file_name(a), handle.read())
    return buffer.getvalue()
