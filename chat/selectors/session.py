"""The visitor socket's session state: what ``auth.ok``, ``conversation`` and ``resume.done``
tell the widget (docs/protocol.md 3.2 and 4.1)."""

from __future__ import annotations

from typing import Any

from django.conf import settings

from chat import scrub
from chat.choices import ConversationStatus
from chat.models import Contact, Conversation, Inbox
from chat.payloads import contact_payload, conversation_payload, rating_payload
from chat.prechat import public_config
from chat.selectors.queue import estimate_waits, inbox_availability, queue_position


def conversation_state(*, conversation: Conversation | None) -> dict[str, Any] | None:
    """The public conversation shape plus the queue place, wait estimate and rating."""
    if conversation is None:
        return None
    data = conversation_payload(conversation, for_contact=True)
    if conversation.status == ConversationStatus.WAITING:
        data["queue_position"], data["queue_length"] = queue_position(conversation=conversation)
        estimates = estimate_waits(inbox_id=conversation.inbox_id, count=data["queue_position"])
        data["estimated_wait_seconds"] = estimates[-1] if estimates else None
    rating = getattr(conversation, "rating", None) if conversation.status == ConversationStatus.RESOLVED else None
    data["rating"] = rating_payload(rating, conversation_id=data["id"]) if rating else None
    return data


def widget_settings(*, inbox: Inbox) -> dict[str, Any]:
    """What the widget shows before a chat: the pre-chat form, the teams to choose from, the
    away message above the offline form, and the largest file it may upload."""
    return {
        "prechat": public_config(inbox.prechat_fields or []),
        "teams": [{"id": t["id"], "name": t["name"]} for t in inbox.teams.order_by("name").values("id", "name")],
        "away_message": inbox.away_message,
        "max_attachment_bytes": settings.HELPDESK["MAX_ATTACHMENT_BYTES"],
    }


def session_state(*, inbox: Inbox, contact: Contact, conversation: Conversation | None) -> dict[str, Any]:
    """Everything ``auth.ok`` carries but the token: the contact, the inbox's greeting, whether
    it can chat live now, its survey, the current conversation and the widget's settings."""
    return {
        "contact": contact_payload(contact),
        "greeting": inbox.greeting,
        "availability": inbox_availability(inbox=inbox),
        "survey": {"scale": inbox.csat_scale, "question": inbox.csat_question, "comment": inbox.csat_comment},
        "conversation": conversation_state(conversation=conversation),
        "widget": widget_settings(inbox=inbox),
        "bot": {"enabled": inbox.bot_enabled, "name": inbox.bot_name},
        "consent": scrub.consent(inbox_id=inbox.pk, contact_id=contact.pk),
    }
