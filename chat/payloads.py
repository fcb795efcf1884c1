"""The one payload shape of each entity, used by the REST API, the socket events and the tests.

A contact receives the same shapes with agent-only fields left out (``for_contact=True``):
private notes never, an agent's internal id and email never, the team and priority never.
"""

from __future__ import annotations

from typing import Any

from chat.models import Contact, Conversation, Message, SatisfactionRating


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
        "is_private": message.is_private,
        "created_at": iso(message.created_at),
    }
    if not for_contact:
        data["public_seq"] = message.public_seq
    return data


def conversation_payload(conversation: Conversation, *, for_contact: bool = False) -> dict[str, Any]:
    """Needs ``inbox``, ``contact``, ``assignee`` and ``team`` loaded (select_related)."""
    assignee = conversation.assignee
    data: dict[str, Any] = {
        "id": str(conversation.public_id),
        "number": conversation.number,
        "status": conversation.status,
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
            "auto_assigned": conversation.auto_assigned,
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
