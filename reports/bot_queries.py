"""The bot's figures on the reports page, aggregated in the database with four queries whatever
the amount of data (the tests count them), under the same filter and scope as every other figure
(``reports.queries.conversations``: started in the range, the inbox, team and agent filters; an
agent sees only the conversations assigned to them).

Definitions (also in docs/reports.md):
- the bot took part in a conversation that it holds or that it handed off (``owner=bot`` or a
  ``handoff``); bot-only: it took part and never handed off;
- a bot resolution is a ``bot_resolved`` event: confirmed (the visitor said an answer helped) or
  assumed (the visitor went silent); the rate is bot-resolved / conversations the bot took part in;
- handoffs are counted per conversation by the reason of its handoff;
- helpfulness per article counts the bot's answers (messages) and the visitor's "Did that help?";
- unanswered questions: the visitor's last message before each ``low_confidence`` handoff,
  grouped by its search terms (``chat.segmentation.search_terms``: case, width, punctuation,
  stop words and inflections folded), as a set, so word order does not split a group.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, Max, OuterRef, Q, Subquery
from django.db.models.fields.json import KeyTextTransform
from django.utils.translation import gettext_lazy as _

from chat.choices import SATISFIED_MIN_SCORE, EventType, HandoffReason, Owner, SenderKind
from chat.models import ConversationEvent, Message
from chat.segmentation import search_terms
from reports.filters import ReportFilter
from reports.queries import Proportion, conversations

UNANSWERED_READ = 500  # the latest low-confidence handoffs read for grouping
UNANSWERED_SHOWN = 20  # groups shown
ARTICLES_SHOWN = 50

INVOLVED = Q(owner=Owner.BOT) | Q(handoff__isnull=False)
HANDED_OFF = Q(handoff__isnull=False)
BOT_ONLY = Q(owner=Owner.BOT, handoff__isnull=True)
SATISFIED = Q(rating__score__gte=SATISFIED_MIN_SCORE)

# The reasons as people read them, in the reader's language (chat's labels are not translated).
REASON_LABELS = {
    HandoffReason.ASKED_FOR_HUMAN: _("The visitor asked for a person"),
    HandoffReason.LOW_CONFIDENCE: _("No article answers the question with confidence"),
    HandoffReason.NOT_HELPFUL: _("Two answers in a row did not help"),
    HandoffReason.BOT_ERROR: _("The bot failed"),
    HandoffReason.AGENT_TOOK_OVER: _("An agent took the conversation over"),
}


def _resolved(assumed: bool) -> Exists:
    return Exists(
        ConversationEvent.objects.filter(
            conversation_id=OuterRef("pk"), type=EventType.BOT_RESOLVED, payload__assumed=assumed
        )
    )


def overview(f: ReportFilter) -> dict[str, Any]:
    """Involvement, resolutions and satisfaction bot-only vs handed off, in one scan."""
    row = (
        conversations(f)
        .annotate(confirmed_flag=_resolved(False), assumed_flag=_resolved(True))
        .aggregate(
            total=Count("id"),
            involved=Count("id", filter=INVOLVED),
            bot_only=Count("id", filter=BOT_ONLY),
            handed_off=Count("id", filter=HANDED_OFF),
            confirmed=Count("id", filter=Q(confirmed_flag=True)),
            # A conversation the visitor confirmed counts once, as confirmed.
            assumed=Count("id", filter=Q(assumed_flag=True, confirmed_flag=False)),
            bot_only_rated=Count("rating", filter=BOT_ONLY),
            bot_only_satisfied=Count("rating", filter=BOT_ONLY & SATISFIED),
            handed_off_rated=Count("rating", filter=HANDED_OFF),
            handed_off_satisfied=Count("rating", filter=HANDED_OFF & SATISFIED),
        )
    )
    resolved = row["confirmed"] + row["assumed"]
    return {
        **row,
        "involvement": Proportion(row["involved"], row["total"]),
        "bot_resolved": resolved,
        "resolution": Proportion(resolved, row["involved"]),
        "confirmed_share": Proportion(row["confirmed"], resolved),
        "csat_bot_only": Proportion(row["bot_only_satisfied"], row["bot_only_rated"]),
        "csat_handed_off": Proportion(row["handed_off_satisfied"], row["handed_off_rated"]),
    }


def handoffs(f: ReportFilter) -> list[dict[str, Any]]:
    """Handed-off conversations per reason, most frequent first, with their share (one query)."""
    rows = list(
        conversations(f)
        .filter(HANDED_OFF)
        .annotate(reason=KeyTextTransform("reason", "handoff"))
        .values("reason")
        .annotate(n=Count("id"))
        .order_by("-n", "reason")
    )
    total = sum(r["n"] for r in rows)
    return [
        {
            "reason": r["reason"],
            "label": REASON_LABELS.get(r["reason"], r["reason"]),
            "n": r["n"],
            "share": r["n"] / total,
        }
        for r in rows
    ]


def articles(f: ReportFilter) -> list[dict[str, Any]]:
    """Per article slug: the bot's answers with it, and the visitor's helpful / not helpful (one
    query; translations share a slug, so they count as one article)."""
    answers = Message.objects.filter(
        conversation__in=conversations(f), sender_kind=SenderKind.BOT, bot_answer__isnull=False
    )
    rows = (
        answers.annotate(slug=KeyTextTransform("slug", "bot_answer"))
        .values("slug")
        .annotate(
            title=Max(KeyTextTransform("title", "bot_answer")),
            answers=Count("id"),
            helpful=Count("id", filter=Q(bot_answer__helpful=True)),
            not_helpful=Count("id", filter=Q(bot_answer__helpful=False)),
        )
        .order_by("-answers", "slug")[:ARTICLES_SHOWN]
    )
    out = []
    for row in rows:
        asked = row["helpful"] + row["not_helpful"]
        out.append({**row, "helpful_rate": Proportion(row["helpful"], asked)})
    return out


@dataclass
class QuestionGroup:
    key: str
    count: int
    example: str
    conversation_public_id: str
    conversation_number: int | None


def group_key(text: str) -> str:
    """Texts that differ only in case, spacing, punctuation, stop words, inflections or word order
    share a key; a text of stop words alone keys on itself, case and spacing folded."""
    terms = sorted(set(search_terms(text)))
    return " ".join(terms) if terms else " ".join(text.casefold().split())


def unanswered(f: ReportFilter) -> list[QuestionGroup]:
    """The visitor messages that led to a ``low_confidence`` handoff, grouped (one query reads
    the latest ``UNANSWERED_READ``; grouping by segmented terms is done here, since it needs the
    segmenter). Most frequent first; each group shows its latest text and conversation."""
    question = (
        Message.objects.filter(
            conversation_id=OuterRef("conversation_id"),
            sender_kind=SenderKind.CONTACT,
            is_private=False,
            created_at__lte=OuterRef("created_at"),
        )
        .order_by("-seq")
        .values("text")[:1]
    )
    rows = (
        ConversationEvent.objects.filter(
            type=EventType.HANDED_OFF,
            payload__reason=HandoffReason.LOW_CONFIDENCE,
            conversation__in=conversations(f),
        )
        .annotate(question=Subquery(question))
        .order_by("-created_at", "-id")
        .values_list("question", "conversation__public_id", "conversation__number")[:UNANSWERED_READ]
    )
    groups: dict[str, QuestionGroup] = {}
    for text, public_id, number in rows:  # latest first: the first of a group is its example
        text = " ".join((text or "").split())
        if not text:
            continue
        key = group_key(text)
        if key in groups:
            groups[key].count += 1
        else:
            groups[key] = QuestionGroup(key, 1, text, str(public_id), number)
    ranked = sorted(groups.values(), key=lambda g: -g.count)  # stable: ties stay latest first
    return ranked[:UNANSWERED_SHOWN]


def bot_section(f: ReportFilter) -> dict[str, Any]:
    """Everything the page's Bot section shows (four queries)."""
    return {
        "overview": overview(f),
        "handoffs": handoffs(f),
        "articles": articles(f),
        "unanswered": unanswered(f),
    }
