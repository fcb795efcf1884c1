"""Writes of what the contact takes away or gives back: the satisfaction rating and the
transcript by email."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction

from chat import clock, events, realtime, scrub
from chat.choices import THUMBS_SCORES, ConversationStatus, CsatScale, EventType
from chat.errors import ServiceError, invalid
from chat.models import Contact, Conversation, ConversationEvent, SatisfactionRating
from chat.services._core import locked, record
from chat.services.contacts import contact_update


def conversation_rate(
    *, conversation: Conversation, contact: Contact, score: Any, comment: Any = ""
) -> SatisfactionRating:
    """The contact's CSAT answer for a resolved conversation, on the inbox's scale.

    One answer per conversation; the visitor may change it within the inbox's edit window.
    Thumbs scales take 5 (up) or 1 (down). The rating is credited to the final assignee here;
    reports can also split it across every agent who replied.
    """
    inbox = conversation.inbox
    if not isinstance(score, int) or isinstance(score, bool) or not 1 <= score <= 5:
        raise invalid("score must be an integer from 1 to 5.")
    if inbox.csat_scale == CsatScale.THUMBS and score not in THUMBS_SCORES:
        raise invalid("This survey takes a thumbs up (5) or down (1).")
    if comment is None or not inbox.csat_comment:
        comment = "" if comment is None or not inbox.csat_comment else comment
    if not isinstance(comment, str) or len(comment) > 2000:
        raise invalid("comment must be a string of at most 2000 characters.")
    if conversation.contact_id != contact.pk:
        raise ServiceError("forbidden", "This is not your conversation.", status=403)
    now = clock.now()
    with transaction.atomic():
        conversation = locked(conversation)
        if conversation.status != ConversationStatus.RESOLVED:
            raise ServiceError("not_resolved", "Only a resolved conversation can be rated.", status=409)
        rating = SatisfactionRating.objects.filter(conversation=conversation).first()
        if rating is not None and (now - rating.created_at).total_seconds() > inbox.csat_edit_seconds:
            raise ServiceError("rating_locked", "This rating can no longer be changed.", status=409)
        created = rating is None
        if created:
            rating = SatisfactionRating(conversation=conversation, created_at=now)
        rating.score, rating.comment, rating.agent_id, rating.updated_at = (
            score,
            scrub.text(comment.strip(), inbox_id=conversation.inbox_id),
            conversation.assignee_id,
            now,
        )
        rating.save()
        record(conversation, EventType.RATED, actor=contact, payload={"score": score, "updated": not created})
        realtime.broadcast(
            [realtime.inbox_group(conversation.inbox_id), realtime.contact_group(conversation.contact.public_id)],
            events.rating(rating, conversation_id=str(conversation.public_id)),
        )
    return rating


def request_rating_later(conversation_pk: int) -> None:
    """Email a rating link if the visitor has not rated in the widget by then (they may have left)."""
    from chat.tasks import send_rating_request

    delay = settings.HELPDESK["RATING_EMAIL_DELAY_SECONDS"]
    send_rating_request.using(run_after=clock.now() + timedelta(seconds=delay)).enqueue(conversation_pk)


def transcript_email_request(*, conversation: Conversation, contact: Contact, email: Any = None) -> str:
    """Email the conversation's public transcript to the contact ("email me this transcript").

    At most once per conversation per HELPDESK["TRANSCRIPT_EMAIL_INTERVAL_SECONDS"]. An email
    given here is stored on a contact that had none. Returns the address it goes to.
    """
    if conversation.contact_id != contact.pk:
        raise ServiceError("forbidden", "This is not your conversation.", status=403)
    if email not in (None, "") and not contact.email:
        contact_update(contact=contact, email=email)
    address = contact.email
    if email not in (None, ""):
        try:
            validate_email(email)
        except (ValidationError, TypeError) as exc:
            raise invalid("email is not a valid address.") from exc
        address = email.strip()
    if not address:
        raise invalid("Give an email address to send the transcript to.")
    interval = settings.HELPDESK["TRANSCRIPT_EMAIL_INTERVAL_SECONDS"]
    now = clock.now()
    with transaction.atomic():
        conversation = locked(conversation)
        recent = ConversationEvent.objects.filter(
            conversation=conversation,
            type=EventType.TRANSCRIPT_EMAILED,
            created_at__gt=now - timedelta(seconds=interval),
        ).exists()
        if recent:
            raise ServiceError(
                "rate_limited", "The transcript was emailed a moment ago; try again in a few minutes.", status=429
            )
        record(conversation, EventType.TRANSCRIPT_EMAILED, actor=contact)
        pk = conversation.pk
        realtime.after_commit(lambda: _email_transcript(pk, address))
    return address


def _email_transcript(conversation_pk: int, address: str) -> None:
    from chat.tasks import send_transcript

    send_transcript.enqueue(conversation_pk, address)
