"""From insight to action: a canned response or a knowledge-base article drafted from a contact
reason, prefilled with the best-rated agent answers of its conversations.

The draft opens in the admin's add form (its fields prefilled from the address, as the admin
does), so a manager edits and saves it through the usual path; nothing is created here. Answers
are read as suggested replies read them (assist.sources: the first public agent reply after a
visitor message, never a note) and carry placeholders instead of personal data.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.urls import reverse
from django.utils.text import slugify

from assist.models import ContactReason, ConversationReason
from bot.redaction import redact
from chat.choices import SenderKind
from chat.models import Message

ANSWERS = 3


def best_answers(reason: ContactReason, *, limit: int = ANSWERS) -> list[str]:
    """The first agent reply of the reason's best-rated conversations (4-5, best and latest first)."""
    conversation_ids = list(
        ConversationReason.objects.filter(reason=reason, conversation__rating__score__gte=4)
        .order_by("-conversation__rating__score", "-conversation__resolved_at")
        .values_list("conversation_id", flat=True)[: limit * 4]
    )
    replies: dict[int, str] = {}
    messages = (
        Message.objects.filter(conversation_id__in=conversation_ids, is_private=False, code="")
        .filter(sender_kind=SenderKind.AGENT)
        .select_related("conversation__contact")
        .order_by("conversation_id", "seq")
    )
    for m in messages:
        if m.conversation_id not in replies and m.text.strip():
            names = [n for n in (m.conversation.contact.name, m.sender_name) if n]
            replies[m.conversation_id] = redact(m.text, names=names)
    ordered = [replies[c] for c in conversation_ids if c in replies]
    return list(dict.fromkeys(ordered))[:limit]


def draft_url(reason: ContactReason, kind: str) -> str:
    """The admin's add form for a canned response (``canned``) or an article (``article``), prefilled."""
    answers = best_answers(reason)
    slug = slugify(reason.name)[:32].strip("-") or f"reason-{reason.pk}"
    if kind == "canned":
        fields = {"short_code": slug, "title": reason.name[:120], "text": answers[0] if answers else ""}
        return reverse("admin:agents_cannedresponse_add") + "?" + urlencode(fields)
    body = "\n\n".join(answers)
    fields = {"slug": slug, "title": reason.name, "body": body, "category": ""}
    return reverse("admin:knowledge_article_add") + "?" + urlencode(fields)
