"""The assistant's one write path: recording suggestions shown, used and sent."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.utils import timezone

from assist.engine import Suggestion as Found
from assist.models import Suggestion
from chat.errors import not_found
from chat.models import Conversation, Message
from chat.selectors import conversations_for_agent


def suggestions_record_shown(
    *, conversation: Conversation, message: Message, agent: AbstractBaseUser, found: list[Found]
) -> list[Suggestion]:
    """One row per suggestion shown; showing the same one again for the same message reuses it."""
    rows = []
    for position, s in enumerate(found, start=1):
        try:
            with transaction.atomic():
                row, _ = Suggestion.objects.get_or_create(
                    message=message,
                    agent=agent,
                    source=s.key,
                    defaults={"conversation": conversation, "kind": s.kind, "position": position, "rank": s.rank},
                )
        except IntegrityError:  # shown twice at once: the other request stored it
            row = Suggestion.objects.get(message=message, agent=agent, source=s.key)
        rows.append(row)
    return rows


def suggestion_mark(*, agent: AbstractBaseUser, public_id: object, event: str, edited: bool = False) -> Suggestion:
    """``used``: inserted into the composer; ``sent``: sent, ``edited`` or as suggested."""
    row = (
        Suggestion.objects.filter(public_id=public_id, agent=agent)
        .filter(conversation__in=conversations_for_agent(user=agent, related=()))
        .first()
    )
    if row is None:
        raise not_found()
    now = timezone.now()
    if event == "used" and row.used_at is None:
        Suggestion.objects.filter(pk=row.pk).update(used_at=now)
        row.used_at = now
    elif event == "sent" and row.sent_at is None:
        Suggestion.objects.filter(pk=row.pk).update(sent_at=now, edited=edited, used_at=row.used_at or now)
        row.sent_at, row.edited = now, edited
    return row
