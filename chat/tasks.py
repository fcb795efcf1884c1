"""Background tasks of the conversation domain (django-tasks)."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.core.signing import TimestampSigner
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django_tasks import task

from chat.choices import ConversationStatus
from chat.models import Conversation, Message, SatisfactionRating
from chat.selectors import public_transcript
from chat.transcripts import transcript_text

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


CHAT_LINK_SALT = "chat.conversation-link"
CHAT_LINK_MAX_AGE = 30 * 86400


def chat_link_token(conversation: Conversation) -> str:
    """A signed, expiring handle on one conversation, for the "back to the chat" link in emails.

    It lets whoever holds the email read that conversation and write in it, nothing else: the
    same trust as the mailbox it was sent to.
    """
    return TimestampSigner(salt=CHAT_LINK_SALT).sign(str(conversation.public_id))


def chat_link(conversation: Conversation) -> str:
    path = reverse("chat-link", args=[chat_link_token(conversation)])
    return settings.HELPDESK["PUBLIC_URL"].rstrip("/") + path


def _language(conversation: Conversation) -> str:
    """Write to the visitor in the language its browser asked for (English unless Chinese)."""
    language = str((conversation.context or {}).get("language", "")).lower()
    return "zh-hans" if language.startswith("zh") else "en"


@task()
def send_offline_receipt(conversation_pk: int) -> bool:
    """Confirm an offline question by email, with the link to follow the conversation."""
    conversation = Conversation.objects.select_related("contact", "inbox").filter(pk=conversation_pk).first()
    if conversation is None or not conversation.contact.email:
        return False
    with translation.override(_language(conversation)):
        send_mail(
            subject=_("%(inbox)s: we received your question") % {"inbox": conversation.inbox.name},
            message=_(
                "Hello %(name)s,\n\nThank you for your message to %(inbox)s. We will answer as soon as we can, "
                "and send the answer to this address.\n\nFollow the conversation here:\n%(link)s\n"
            )
            % {"name": conversation.contact.name, "inbox": conversation.inbox.name, "link": chat_link(conversation)},
            from_email=None,
            recipient_list=[conversation.contact.email],
        )
    return True


@task()
def send_offline_reply(message_pk: int) -> bool:
    """Email an agent's reply in an offline conversation, unless the visitor already read it."""
    message = (
        Message.objects.select_related("conversation__contact", "conversation__inbox").filter(pk=message_pk).first()
    )
    if message is None or message.is_private:
        return False
    conversation = message.conversation
    if not conversation.contact.email or conversation.contact_last_read_seq >= (message.public_seq or 0):
        return False
    with translation.override(_language(conversation)):
        send_mail(
            subject=_("%(inbox)s answered your question") % {"inbox": conversation.inbox.name},
            message=_("%(agent)s wrote:\n\n%(text)s\n\nReply or read the whole conversation here:\n%(link)s\n")
            % {"agent": message.sender_name, "text": message.text, "link": chat_link(conversation)},
            from_email=None,
            recipient_list=[conversation.contact.email],
        )
    return True


@task()
def send_transcript(conversation_pk: int, address: str) -> bool:
    """The visitor's "email me this transcript": the public entries only, never private notes."""
    conversation = Conversation.objects.select_related("contact", "inbox").filter(pk=conversation_pk).first()
    if conversation is None:
        return False
    messages = public_transcript(conversation=conversation)
    with translation.override(_language(conversation)):
        send_mail(
            subject=_("%(inbox)s: transcript of conversation #%(number)s")
            % {"inbox": conversation.inbox.name, "number": conversation.number},
            message=transcript_text(conversation, messages) + "\n" + chat_link(conversation) + "\n",
            from_email=None,
            recipient_list=[address],
        )
    return True
