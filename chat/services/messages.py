"""Writes of the transcript: messages and private notes (with their files and @mentions),
typing and read marks. ``message_send`` is the hot path: two SQL statements for a visitor's
message (docs/performance.md); keep it that way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction

from chat import clock, events, realtime, scrub
from chat.choices import ConversationStatus, EventType, Owner, SenderKind
from chat.errors import ServiceError, invalid
from chat.models import Attachment, Contact, Conversation, Message
from chat.payloads import user_name
from chat.services._core import (
    announce_bot_turn,
    append,
    broadcast_message,
    clean_client_id,
    clean_text,
    record,
    sender_fields,
)
from chat.services._transitions import end_pending, reopen

MAX_ATTACHMENTS_PER_MESSAGE = 10
MAX_UNSENT_ATTACHMENTS = 20


@dataclass(frozen=True)
class SendResult:
    message: Message
    created: bool


def message_send(
    *,
    conversation: Conversation,
    sender: Contact | AbstractBaseUser,
    text: str,
    client_id: str,
    is_private: bool = False,
    attachments: Any = None,
) -> SendResult:
    """Store one message, idempotent on ``client_id``; two SQL queries on the common path.

    A retry with a ``client_id`` already stored in this conversation returns the stored
    message (``created=False``) and broadcasts nothing. ``attachments`` lists the ids of files
    the sender uploaded to this conversation (``attachment_upload``) that no message carries
    yet; with attachments the text may be empty.
    """
    text = clean_text(text, allow_empty=bool(attachments))
    client_id = clean_client_id(client_id)
    attachment_ids = _clean_attachment_ids(attachments)
    is_contact = isinstance(sender, Contact)
    if is_contact and is_private:
        raise ServiceError("forbidden", "Contacts cannot write private notes.", status=403)
    if is_contact and sender.pk != conversation.contact_id:
        raise ServiceError("forbidden", "This is not your conversation.", status=403)

    try:
        if not is_contact and not is_private:
            if conversation.status == ConversationStatus.WAITING:
                raise ServiceError("not_assigned", "Claim the conversation before replying to the contact.")
            if conversation.status == ConversationStatus.RESOLVED:
                raise ServiceError("invalid_state", "Reopen the conversation before replying.")
            if conversation.owner == Owner.BOT:
                raise ServiceError("not_assigned", "The bot holds this conversation: take it over to reply.")
        files = _claimable_attachments(conversation, sender, attachment_ids) if attachment_ids else []
    except ServiceError:
        # A retry of a message stored before the state changed (or its files were attached)
        # is answered as a retry, not refused.
        existing = _find_by_client_id(conversation, client_id, sender)
        if existing is not None:
            return SendResult(existing, False)
        raise

    # No lookup of client_id first: the unique constraint on (conversation, client_id) finds a
    # retry, and the common path saves that query (docs/performance.md).
    try:
        with transaction.atomic():
            message = append(
                conversation, **sender_fields(sender), text=text, client_id=client_id, is_private=is_private
            )
            if files:
                _attach(message, files)
            broadcast_message(conversation, message)
            if conversation.offline and not is_contact and not is_private:
                pk = message.pk
                realtime.after_commit(lambda: _offline_reply_later(pk))
            if is_private:
                record(conversation, EventType.NOTE_ADDED, actor=sender, payload={"seq": message.seq})
                mention(conversation, message, author=sender)
            if is_contact and conversation.status == ConversationStatus.RESOLVED:
                reopen(conversation, actor=sender)
            elif is_contact and conversation.status == ConversationStatus.PENDING:
                end_pending(conversation, actor=sender)
            if is_contact and conversation.owner == Owner.BOT and conversation.status == ConversationStatus.OPEN:
                announce_bot_turn(conversation, message)  # the bot answers on a thread of its own
    except IntegrityError:
        # Another request stored the same client_id first; answer as a retry would be.
        existing = _find_by_client_id(conversation, client_id, sender)
        if existing is None:
            raise
        return SendResult(existing, False)
    return SendResult(message, True)


def _find_by_client_id(conversation: Conversation, client_id: str, sender) -> Message | None:
    existing = Message.objects.filter(conversation=conversation, client_id=client_id).first()
    if existing is None:
        return None
    same_sender = (
        existing.sender_kind == SenderKind.CONTACT
        if isinstance(sender, Contact)
        else existing.sender_user_id == sender.pk
    )
    if not same_sender:
        raise ServiceError("client_id_conflict", "This client_id is already used by another sender.", status=409)
    return existing


def note_add(
    *, conversation: Conversation, agent: AbstractBaseUser, text: str, client_id: str, attachments: Any = None
) -> SendResult:
    """A private note: stored in the transcript, only ever sent to agents (its files too)."""
    return message_send(
        conversation=conversation,
        sender=agent,
        text=text,
        client_id=client_id,
        is_private=True,
        attachments=attachments,
    )


def _offline_reply_later(message_pk: int) -> None:
    """Email an agent's reply in an offline conversation if the visitor has not read it by then."""
    from chat.tasks import send_offline_reply

    delay = settings.HELPDESK["OFFLINE_REPLY_EMAIL_DELAY_SECONDS"]
    send_offline_reply.using(run_after=clock.now() + timedelta(seconds=delay)).enqueue(message_pk)


# --- @mentions in private notes -------------------------------------------------------------

MENTION = re.compile(r"(?<![\w@])@([\w.+-]*\w)")


def mentioned_usernames(text: str) -> list[str]:
    """The ``@username`` handles in a note, in order of first appearance, without repeats."""
    return list(dict.fromkeys(MENTION.findall(text)))


def mention(conversation: Conversation, message: Message, *, author: AbstractBaseUser) -> list[int]:
    """Record and announce each agent a private note names with ``@username``.

    Only active agents who may see the conversation (they work its inbox, or see every inbox)
    can be mentioned; other handles stay plain text. Each mentioned agent gets a ``mention``
    event on its own group, after commit, and the mention is kept as a ConversationEvent.
    """
    from chat.selectors import mentionable_agents

    names = mentioned_usernames(message.text)[:20]
    if not names:
        return []
    users = mentionable_agents(inbox_id=conversation.inbox_id, usernames=names, exclude=author)
    by = user_name(author)
    for user in users:
        record(conversation, EventType.MENTIONED, actor=author, payload={"agent": user.pk, "seq": message.seq})
        realtime.broadcast([realtime.agent_group(user.pk)], events.mention(message, conversation=conversation, by=by))
    return [u.pk for u in users]


# --- typing and read marks --------------------------------------------------------------------


def typing_set(*, conversation: Conversation, actor: Contact | AbstractBaseUser, is_typing: bool) -> None:
    """Typing is not stored; it may be lost. An agent's typing reaches the contact by name only."""
    conversation_id = str(conversation.public_id)
    inbox = [realtime.inbox_group(conversation.inbox_id)]
    if isinstance(actor, Contact):
        realtime.broadcast(
            inbox,
            events.typing(
                conversation_id=conversation_id,
                is_typing=is_typing,
                kind=SenderKind.CONTACT,
                name=actor.name or "Visitor",
            ),
        )
        return
    name = user_name(actor)
    # Agents get the typist's id (to ignore their own echo); the contact gets the name only.
    realtime.broadcast(
        inbox,
        events.typing(
            conversation_id=conversation_id, is_typing=is_typing, kind=SenderKind.AGENT, name=name, agent_id=actor.pk
        ),
    )
    realtime.broadcast(
        [realtime.contact_group(conversation.contact.public_id)],
        events.typing(conversation_id=conversation_id, is_typing=is_typing, kind=SenderKind.AGENT, name=name),
    )


def conversation_mark_read(*, conversation: Conversation, reader: Contact | AbstractBaseUser, seq: int) -> int:
    """Move the reader's side's read mark forward (never back); returns the mark.

    Marks count public entries (``public_seq``): a contact sends a seq of its own stream;
    an agent sends a ``seq`` of the full stream, which is mapped to the public entries up to it.
    """
    if not isinstance(seq, int) or isinstance(seq, bool) or seq < 0:
        raise invalid("seq must be a non-negative integer.")
    is_contact = isinstance(reader, Contact)
    field = "contact_last_read_seq" if is_contact else "agent_last_read_seq"
    with transaction.atomic():
        conversation = Conversation.objects.select_for_update().select_related("contact").get(pk=conversation.pk)
        if is_contact:
            mark = min(seq, conversation.last_public_seq)
        else:
            mark = (
                Message.objects.filter(conversation=conversation, seq__lte=seq, public_seq__isnull=False)
                .order_by("-seq")
                .values_list("public_seq", flat=True)
                .first()
            ) or 0
        if mark <= getattr(conversation, field):
            return getattr(conversation, field)
        Conversation.objects.filter(pk=conversation.pk).update(**{field: mark})
        conversation_id = str(conversation.public_id)
        for group, for_contact in (
            (realtime.inbox_group(conversation.inbox_id), False),
            (realtime.contact_group(conversation.contact.public_id), True),
        ):
            realtime.broadcast(
                [group],
                events.read(conversation_id=conversation_id, by_contact=is_contact, mark=mark, for_contact=for_contact),
            )
    return mark


# --- files ----------------------------------------------------------------------------------


def _clean_attachment_ids(attachments: Any) -> list[str]:
    if attachments is None or attachments == []:
        return []
    if not isinstance(attachments, list) or len(attachments) > MAX_ATTACHMENTS_PER_MESSAGE:
        raise invalid(f"attachments must be a list of at most {MAX_ATTACHMENTS_PER_MESSAGE} ids.")
    from chat.selectors import parse_uuid

    ids = [parse_uuid(a) for a in attachments]
    if any(i is None for i in ids) or len(set(ids)) != len(ids):
        raise invalid("attachments must hold distinct attachment ids.")
    return [str(i) for i in ids]


def _uploader(sender: Contact | AbstractBaseUser) -> dict[str, Any]:
    return {"uploaded_by_contact": sender} if isinstance(sender, Contact) else {"uploaded_by_user": sender}


def _claimable_attachments(conversation: Conversation, sender, ids: list[str]) -> list[Attachment]:
    """The sender's own uploads to this conversation that no message carries yet."""
    rows = list(
        Attachment.objects.filter(
            conversation=conversation, public_id__in=ids, message__isnull=True, **_uploader(sender)
        )
    )
    if len(rows) != len(ids):
        raise ServiceError("not_found", "No such attachment, or it was already sent.", status=404)
    order = {pk: i for i, pk in enumerate(ids)}
    return sorted(rows, key=lambda a: order[str(a.public_id)])


def _attach(message: Message, files: list[Attachment]) -> None:
    """Bind the uploads to their message; a concurrent send of the same files loses (rolled back)."""
    done = Attachment.objects.filter(pk__in=[a.pk for a in files], message__isnull=True).update(message=message)
    if done != len(files):
        raise ServiceError("not_found", "No such attachment, or it was already sent.", status=404)
    for a in files:
        a.message = message
    message._prefetched_objects_cache = {"attachments": files}


def attachment_upload(
    *, conversation: Conversation, uploader: Contact | AbstractBaseUser, upload: UploadedFile
) -> Attachment:
    """Check and store one file for ``conversation``; a message then carries it (``message_send``).

    The type comes from the content (chat.attachments), the stored name is random, the shown
    name is the uploaded one made safe. Callers pass a conversation obtained through a selector
    scoped to the uploader (the contact's own, or one the agent may see).
    """
    from chat.attachments import check_upload, safe_name

    if isinstance(uploader, Contact) and uploader.pk != conversation.contact_id:
        raise ServiceError("forbidden", "This is not your conversation.", status=403)
    owner = _uploader(uploader)
    unsent = Attachment.objects.filter(conversation=conversation, message__isnull=True, **owner).count()
    if unsent >= MAX_UNSENT_ATTACHMENTS:
        raise ServiceError("rate_limited", "Send the files already uploaded before adding more.", status=429)
    checked = check_upload(upload)
    attachment = Attachment(
        conversation=conversation,
        name=safe_name(
            scrub.text(getattr(upload, "name", "") or "", inbox_id=conversation.inbox_id), checked.extension
        ),
        content_type=checked.content_type,
        size=upload.size,
        width=checked.width,
        height=checked.height,
        created_at=clock.now(),
        **owner,
    )
    attachment.file.save("upload" + checked.extension, upload, save=False)
    try:
        attachment.save()
    except Exception:
        attachment.file.delete(save=False)
        raise
    return attachment
