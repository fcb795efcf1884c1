"""The assistant's figures on the reports page, under the page's filter and scope
(``reports.queries.conversations``): suggested replies (shown, used, sent as suggested or
edited, and the acceptance rate), and contact reasons (volume, trend against the previous range
of the same length, median resolution time, satisfaction, bot resolution rate).

Definitions (also in docs/assist.md):
- a suggestion set is the suggestions shown to one agent for one visitor message; it is accepted
  when the agent put one of them into the composer; the acceptance rate is accepted sets / sets;
- tag suggestions are right when the resolved conversation ends up with the suggested tag;
- a reason's trend compares its conversations in the range with those in the range just before;
- bot resolution rate: conversations with a ``bot_resolved`` event / the reason's conversations.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace

from django.db.models import Count, Exists, OuterRef, Q, Subquery

from assist.models import ContactReason, ConversationReason, Suggestion, SuggestionKind
from chat.choices import SATISFIED_MIN_SCORE, ConversationStatus, EventType
from chat.models import Conversation, ConversationEvent
from reports.filters import ReportFilter
from reports.queries import Proportion, conversations
from reports.stats import nearest_rank


def suggestion_figures(f: ReportFilter) -> dict:
    every = Suggestion.objects.filter(conversation__in=conversations(f).values("pk"))
    if f.agent_id is not None:
        every = every.filter(agent_id=f.agent_id)
    rows = every.exclude(kind=SuggestionKind.TAG)
    sets = rows.values("message_id", "agent_id").annotate(used=Count("id", filter=Q(used_at__isnull=False)))
    total = sets.count()
    accepted = sets.filter(used__gt=0).count()
    counts = rows.aggregate(
        shown=Count("id"),
        used=Count("id", filter=Q(used_at__isnull=False)),
        sent=Count("id", filter=Q(sent_at__isnull=False)),
        edited=Count("id", filter=Q(sent_at__isnull=False, edited=True)),
    )
    by_kind = {
        r["kind"]: Proportion(r["used"], r["shown"])
        for r in rows.values("kind").annotate(shown=Count("id"), used=Count("id", filter=Q(used_at__isnull=False)))
    }
    return {
        "sets": total,
        "acceptance": Proportion(accepted, total),
        "by_kind": by_kind,
        "tags": tag_accuracy(every.filter(kind=SuggestionKind.TAG)),
        **counts,
    }


def tag_accuracy(rows) -> Proportion:
    """Suggested tags of resolved conversations that the conversation has in the end (what the
    agents finally chose), out of the tags suggested; each (conversation, tag) once."""
    suggested = set(
        rows.filter(conversation__status=ConversationStatus.RESOLVED).values_list("conversation_id", "source")
    )
    if not suggested:
        return Proportion(0, 0)
    final = set(
        Conversation.tags.through.objects.filter(conversation_id__in={c for c, _ in suggested}).values_list(
            "conversation_id", "tag__name"
        )
    )
    hits = sum(1 for c, source in suggested if (c, source.split(":", 1)[1]) in final)
    return Proportion(hits, len(suggested))


def _reason_of():
    return Subquery(ConversationReason.objects.filter(conversation=OuterRef("pk")).values("reason_id")[:1])


def reason_rows(f: ReportFilter) -> list[dict]:
    """One row per reason with conversations in the range, most conversations first."""
    bot_resolved = ConversationEvent.objects.filter(conversation=OuterRef("pk"), type=EventType.BOT_RESOLVED)
    rows = (
        conversations(f)
        .annotate(reason_id=_reason_of(), bot_resolved=Exists(bot_resolved))
        .filter(reason_id__isnull=False)
        .values_list("reason_id", "created_at", "resolved_at", "rating__score", "bot_resolved")
    )
    length = f.end - f.start
    before = replace(f, start=f.start - length, end=f.start)
    previous = dict(
        conversations(before)
        .annotate(reason_id=_reason_of())
        .filter(reason_id__isnull=False)
        .values("reason_id")
        .annotate(n=Count("id"))
        .values_list("reason_id", "n")
    )
    grouped: dict[int, list] = defaultdict(list)
    for reason_id, *rest in rows:
        grouped[reason_id].append(rest)
    reasons = ContactReason.objects.in_bulk(list(grouped))
    out = []
    for reason_id, items in grouped.items():
        reason = reasons.get(reason_id)
        if reason is None:
            continue
        durations = sorted((r - c).total_seconds() for c, r, _, _ in items if r is not None)
        scores = [s for _, _, s, _ in items if s is not None]
        was = previous.get(reason_id, 0)
        out.append(
            {
                "reason": reason,
                "n": len(items),
                "previous": was,
                "trend": (len(items) - was) / was if was else None,
                "median_resolution": durations[nearest_rank(0.5, len(durations))] if durations else None,
                "csat": Proportion(sum(1 for s in scores if s >= SATISFIED_MIN_SCORE), len(scores)),
                "bot_resolution": Proportion(sum(1 for *_, b in items if b), len(items)),
            }
        )
    out.sort(key=lambda row: (not row["reason"].pinned, -row["n"], row["reason"].name))
    return out


def reason_conversations(qs, reason_id: int):
    """The drill-down: conversations of ``qs`` in the reason (or merged into it)."""
    ids = ContactReason.objects.filter(Q(pk=reason_id) | Q(merged_into_id=reason_id)).values("pk")
    return qs.filter(pk__in=ConversationReason.objects.filter(reason_id__in=ids).values("conversation_id"))


def merge_targets() -> list[ContactReason]:
    return list(ContactReason.objects.filter(merged_into__isnull=True).order_by("name"))
