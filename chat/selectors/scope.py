"""Who sees what: the one home of the visibility rules, and the conversations they let through.

A contact sees its own conversations. An agent sees the conversations of the inboxes it works;
a user with ``chat.view_all_conversations`` (managers) or a superuser sees every inbox.
"""

from __future__ import annotations

from uuid import UUID

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.signing import BadSignature, SignatureExpired, TimestampSigner
from django.db.models import Q, QuerySet

from chat.choices import ACTIVE_STATUSES
from chat.errors import not_found
from chat.models import Contact, Conversation, Inbox
from chat.tokens import hash_secret

CONVERSATION_RELATED = ("inbox", "contact", "assignee", "team")
VIEW_ALL = "view_all_conversations"  # the manager's permission (chat.Conversation's Meta)


def parse_uuid(value: object) -> UUID | None:
    if not isinstance(value, str):
        return None
    try:
        return UUID(value)
    except ValueError:
        return None


# --- the rule: who sees an inbox ------------------------------------------------------------


def agent_sees_all(user: AbstractBaseUser) -> bool:
    """Does ``user`` see every inbox (a superuser, or a manager)?"""
    return bool(user.is_superuser or user.has_perm(f"chat.{VIEW_ALL}"))


def agent_sees_inbox(user: AbstractBaseUser, inbox_id: int) -> bool:
    return agent_sees_all(user) or user.inboxes.filter(pk=inbox_id).exists()


def users_seeing_inbox(inbox_id: int) -> Q:
    """The same rule as a filter on users, for queries over many (one query, no per-user check)."""
    return (
        Q(inboxes=inbox_id)
        | Q(is_superuser=True)
        | Q(user_permissions__codename=VIEW_ALL)
        | Q(groups__permissions__codename=VIEW_ALL)
    )


def mentionable_agents(*, inbox_id: int, usernames: list[str], exclude: AbstractBaseUser) -> list[AbstractBaseUser]:
    """Active agents named in ``usernames`` who may see the inbox's conversations, but ``exclude``."""
    return list(
        get_user_model()
        .objects.filter(username__in=usernames, is_active=True, agent__isnull=False)
        .filter(users_seeing_inbox(inbox_id))
        .exclude(pk=exclude.pk)
        .distinct()
    )


def inbox_ids_for_agent(*, user: AbstractBaseUser) -> list[int]:
    if agent_sees_all(user):
        return list(Inbox.objects.values_list("id", flat=True))
    return list(user.inboxes.values_list("id", flat=True))


def inboxes_for_agent(*, user: AbstractBaseUser) -> QuerySet[Inbox]:
    """The inboxes the agent works (every one for a manager), by name, for pickers and filters."""
    return Inbox.objects.filter(pk__in=inbox_ids_for_agent(user=user)).order_by("name")


def conversations_for_agent(
    *,
    user: AbstractBaseUser,
    status: str | None = None,
    inbox_id: int | None = None,
    mine: bool = False,
    related: tuple[str, ...] = CONVERSATION_RELATED,
) -> QuerySet[Conversation]:
    qs = Conversation.objects.select_related(*related)
    if not agent_sees_all(user):
        qs = qs.filter(inbox__agents=user)
    if status:
        qs = qs.filter(status=status)
    if inbox_id is not None:
        qs = qs.filter(inbox_id=inbox_id)
    if mine:
        qs = qs.filter(assignee=user)
    return qs


def conversation_for_agent(
    *, user: AbstractBaseUser, public_id: object, related: tuple[str, ...] = CONVERSATION_RELATED
) -> Conversation:
    """One conversation the agent may see. ``related=("contact",)`` suits the frames that only
    need the contact (a message, typing, a read mark): planning and loading the full join of
    inbox, contact, assignee and team cost several times the query itself (docs/performance.md).
    """
    uid = parse_uuid(public_id)
    qs = conversations_for_agent(user=user, related=related)
    conversation = qs.filter(public_id=uid).order_by().first() if uid else None
    if conversation is None:
        raise not_found()
    return conversation


# --- contacts and inboxes -----------------------------------------------------------------------


def inbox_by_key(*, public_key: str) -> Inbox | None:
    if not isinstance(public_key, str) or len(public_key) > 64:
        return None
    return Inbox.objects.filter(public_key=public_key, is_active=True).first()


def inbox_for_demo(*, public_key: str | None) -> Inbox | None:
    """The demo page's inbox: the active one ``public_key`` names, else the first active one."""
    inboxes = Inbox.objects.filter(is_active=True)
    return inboxes.filter(public_key=public_key).first() if public_key else inboxes.order_by("id").first()


def contact_by_token(*, inbox: Inbox, token: object) -> Contact | None:
    """The contact owning ``token`` in ``inbox``; tokens of another inbox do not match."""
    if not isinstance(token, str) or not 20 <= len(token) <= 128:
        return None
    return Contact.objects.filter(inbox=inbox, token_hash=hash_secret(token)).first()


def conversation_for_contact(*, contact: Contact, public_id: object) -> Conversation:
    uid = parse_uuid(public_id)
    conversation = (
        Conversation.objects.select_related(*CONVERSATION_RELATED).filter(contact=contact, public_id=uid).first()
        if uid
        else None
    )
    if conversation is None:
        raise not_found()
    return conversation


def conversation_current_for_contact(*, contact: Contact) -> Conversation | None:
    """The active conversation, else the latest one (so a resolved chat can still be rated)."""
    conversations = Conversation.objects.select_related(*CONVERSATION_RELATED).filter(contact=contact)
    return (
        conversations.filter(status__in=ACTIVE_STATUSES).order_by("-created_at").first()
        or conversations.order_by("-created_at").first()
    )


def conversations_for_contact(*, contact: Contact) -> QuerySet[Conversation]:
    return Conversation.objects.select_related(*CONVERSATION_RELATED).filter(contact=contact).order_by("-created_at")


def conversation_for_link(*, token: str, salt: str, max_age: int) -> Conversation | None:
    """The conversation an emailed link's signed token names (the survey, the way back to the
    chat); None for a bad signature or an unknown conversation. An expired link raises
    ``SignatureExpired``, so that the page can say it expired."""
    try:
        public_id = TimestampSigner(salt=salt).unsign(token, max_age=max_age)
    except SignatureExpired:
        raise
    except BadSignature:
        return None
    return Conversation.objects.select_related("inbox", "contact").filter(public_id=public_id).first()
