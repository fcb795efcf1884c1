"""The one payload shape of each entity, used by the REST API, the socket events and the tests.

A contact receives the same shapes with agent-only fields left out (``for_contact=True``):
private notes never, an agent's internal id and email never, the team and priority never.
"""

from __future__ import annotations

from typing import Any

from chat.models import Attachment, Contact, Conversation, ConversationEvent, Message, SatisfactionRating, Tag


def iso(value) -> str | None:
    return value.isoformat() if value is not None else None


def user_name(user) -> str:
    """An agent's public name: full name, else username."""
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


def contact_payload(contact: Contact) -> dict[str, Any]:
    return {
        "id": str(contact.public_id),
        "name": contact.name,
        "email": contact.email,
        "display_name": str(contact),
        "verified": bool(contact.external_id),
    }


def message_payload(message: Message, *, conversation_id: str, for_contact: bool = False) -> dict[str, Any]:
    """``seq`` is the position in the reader's stream: all entries for agents, public ones
    for the contact (who never learns that notes exist). Agents also get ``public_seq``."""
    data = {
        "id": str(message.public_id),
        "conversation": conversation_id,
        "seq": message.public_seq if for_contact else message.seq,
        "client_id": message.client_id,
        "sender": {"kind": message.sender_kind, "name": message.sender_name},
        "text": message.text,
        "code": message.code or None,
        "params": message.params,
        "is_private": message.is_private,
        "created_at": iso(message.created_at),
        "attachments": [attachment_payload(a) for a in message_attachments(message)],
        "answer": bot_answer_payload(message.bot_answer),
    }
    if not for_contact:
        data["public_seq"] = message.public_seq
    return data


def bot_answer_payload(answer: dict[str, Any] | None) -> dict[str, Any] | None:
    """A bot's answer: the article it answers from and the visitor's "Did that help?" (``helpful``
    null while unanswered); None on every other message."""
    if not isinstance(answer, dict):
        return None
    return {
        "article": {k: answer.get(k) for k in ("slug", "title", "url", "locale")},
        "asks_feedback": True,
        "helpful": answer.get("helpful"),
    }


def conversation_payload(conversation: Conversation, *, for_contact: bool = False) -> dict[str, Any]:
    """Needs ``inbox``, ``contact``, ``assignee`` and ``team`` loaded (select_related)."""
    assignee = conversation.assignee
    data: dict[str, Any] = {
        "id": str(conversation.public_id),
        "number": conversation.number,
        "status": conversation.status,
        "owner": conversation.owner,
        "offline": conversation.offline,
        "assignee": {"name": user_name(assignee)} if assignee else None,
        "last_seq": conversation.last_public_seq if for_contact else conversation.last_seq,
        "contact_last_read_seq": conversation.contact_last_read_seq,
        "agent_last_read_seq": conversation.agent_last_read_seq,
        "created_at": iso(conversation.created_at),
        "resolved_at": iso(conversation.resolved_at),
    }
    if for_contact:
        return data
    if assignee is not None:
        data["assignee"]["id"] = assignee.pk
    team = conversation.team
    data.update(
        {
            "inbox": {"id": conversation.inbox_id, "name": conversation.inbox.name},
            "contact": contact_payload(conversation.contact),
            "team": {"id": team.pk, "name": team.name} if team else None,
            "last_public_seq": conversation.last_public_seq,
            "priority": conversation.priority,
            "waiting_since": iso(conversation.waiting_since),
            "assigned_at": iso(conversation.assigned_at),
            "first_response_at": iso(conversation.first_response_at),
            "last_message_at": iso(conversation.last_message_at),
            "context": conversation.context,
            # Prefetch ``tags`` for lists (one query for all); a single conversation costs one query.
            "tags": sorted(t.name for t in conversation.tags.all()),
            "auto_assigned": conversation.auto_assigned,
            # The bot's handoff {reason, articles: [{slug, title, url, locale, helpful}], at}, or None.
            "handoff": conversation.handoff,
            "accepted_at": iso(conversation.accepted_at),
            "sla": {
                "first_response_due_at": iso(conversation.sla_first_response_due_at),
                "resolution_due_at": iso(conversation.sla_resolution_due_at),
                "warnings": conversation.sla_warnings,
                "breaches": conversation.sla_breaches,
                "breached": conversation.sla_breached,
            },
        }
    )
    return data


def rating_payload(rating: SatisfactionRating, *, conversation_id: str) -> dict[str, Any]:
    return {
        "conversation": conversation_id,
        "score": rating.score,
        "comment": rating.comment,
        "created_at": iso(rating.created_at),
        "updated_at": iso(rating.updated_at),
    }


def mention_payload(event: ConversationEvent) -> dict[str, Any]:
    """A stored @mention (a ``mentioned`` event with its conversation and actor loaded)."""
    return {
        "conversation": str(event.conversation.public_id),
        "number": event.conversation.number,
        "seq": event.payload.get("seq"),
        "by": user_name(event.actor_user),
        "created_at": iso(event.created_at),
    }


def tag_payload(tag: Tag) -> dict[str, Any]:
    return {"name": tag.name, "color": tag.color}


def highlight_segments(text: str, start: str, stop: str) -> list[dict[str, Any]]:
    """Split a text marked with ``start``/``stop`` sentinels into ``{"text", "match"}`` segments.

    Clients build highlights from the segments with text nodes and ``<mark>`` elements, so a
    message's own markup stays text; no HTML ever travels.
    """
    segments: list[dict[str, Any]] = []
    rest, inside = text, False
    while rest:
        marker = stop if inside else start
        head, found, rest = rest.partition(marker)
        if head:
            segments.append({"text": head, "match": inside})
        if not found:
            break
        inside = not inside
    return segments


def search_hit_payload(message: Message, *, segments: list[dict[str, Any]]) -> dict[str, Any]:
    """A search result: which conversation, which entry, and the highlighted excerpt.

    Needs the message's ``conversation`` with its ``contact`` and ``inbox`` loaded.
    """
    conversation = message.conversation
    return {
        "conversation": {
            "id": str(conversation.public_id),
            "number": conversation.number,
            "status": conversation.status,
            "contact": contact_payload(conversation.contact),
            "inbox": {"id": conversation.inbox_id, "name": conversation.inbox.name},
        },
        "message": {
            "id": str(message.public_id),
            "seq": message.seq,
            "sender": {"kind": message.sender_kind, "name": message.sender_name},
            "is_private": message.is_private,
            "created_at": iso(message.created_at),
        },
        "highlight": segments,
    }


def contact_profile_payload(contact: Contact, *, history: list[Conversation]) -> dict[str, Any]:
    """The console's contact panel: who they are, and their earlier conversations with ratings.

    ``history`` holds the conversations the asking agent may see, with ``rating`` loaded.
    """
    data = contact_payload(contact)
    data.update(
        {
            "attributes": contact.attributes,
            "created_at": iso(contact.created_at),
            "last_seen_at": iso(contact.last_seen_at),
            "conversations": [
                {
                    "id": str(c.public_id),
                    "number": c.number,
                    "status": c.status,
                    "created_at": iso(c.created_at),
                    "resolved_at": iso(c.resolved_at),
                    "rating": _rating_or_none(c),
                }
                for c in history
            ],
        }
    )
    return data


def _rating_or_none(conversation: Conversation) -> dict[str, Any] | None:
    try:
        rating = conversation.rating
    except SatisfactionRating.DoesNotExist:
        return None
    return {"score": rating.score, "comment": rating.comment}


def message_attachments(message: Message) -> list:
    """The files a message carries: from the prefetch (``prefetch_related("attachments")``, or set
    by the service that stored it), else one query."""
    cache = getattr(message, "_prefetched_objects_cache", {})
    if "attachments" in cache:
        return list(cache["attachments"])
    return list(message.attachments.all())


def attachment_payload(attachment: Attachment) -> dict[str, Any]:
    """A file of a message. Download it from ``/api/attachments/<id>/`` (agents, session) or
    ``/api/widget/<inbox key>/attachments/<id>/`` (the contact, bearer token)."""
    return {
        "id": str(attachment.public_id),
        "name": attachment.name,
        "content_type": attachment.content_type,
        "size": attachment.size,
        "is_image": attachment.is_image,
        "width": attachment.width,
        "height": attachment.height,
    }
