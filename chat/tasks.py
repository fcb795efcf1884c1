"""Background tasks of the conversation domain (django-tasks)."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.core.signing import TimestampSigner
from django.urls import reverse
from django_tasks import task

from chat.choices import ConversationStatus
from chat.models import Conversation, SatisfactionRating

RATING_SALT = "chat.rating-link"
RATING_LINK_MAX_AGE = 14 * 86400


def rating_link_token(conversation: Conversation) -> str:
    """A signed, expiring handle on one conversation's survey; nothing else can be done with it."""
    return TimestampSigner(salt=RATING_SALT).sign(str(conversation.public_id))


def rating_link(conversation: Conversation) -> str:
    path = reverse("rate", args=[rating_link_token(conversation)])
    return settings.HELPDESK["PUBLIC_URL"].rstrip("/") + path


@task()
def send_rating_request(conversation_pk: int) -> bool:
    """Email the survey link, unless the visitor already rated in the widget (or has no email)."""
    conversation = Conversation.objects.select_related("contact", "inbox").filter(pk=conversation_pk).first()
    if conversation is None or conversation.status != ConversationStatus.RESOLVED:
        return False
    if not conversation.contact.email or SatisfactionRating.objects.filter(conversation=conversation).exists():
        return False
    send_mail(
        subject=f"{conversation.inbox.name}: {conversation.inbox.csat_question}",
        message=(
            f"Hello {conversation.contact.name or ''},\n\n"
            f"Your conversation #{conversation.number} with {conversation.inbox.name} was resolved.\n"
            f"{conversation.inbox.csat_question}\n\n{rating_link(conversation)}\n\n"
            "The link works for 14 days.\n"
        ),
        from_email=None,
        recipient_list=[conversation.contact.email],
    )
    return True
