"""Every figure of the reports, aggregated in the database with a fixed number of queries
whatever the amount of data (the tests count them).

Definitions (also on the reports page):
- a conversation belongs to a report when it was *created* in the range (and matches the inbox,
  team and agent filters; the agent filter means "assigned to that agent");
- satisfied: a rating of 4 or 5 (thumbs up counts as 5, down as 1);
- response rate: rated conversations / resolved conversations;
- first response time: created to the first public agent reply; resolution time: created to
  resolved; queue wait: created to the first assignment. Medians and p90s are nearest-rank;
- abandoned: resolved without any agent reply (the visitor left before anyone answered);
- missed: a router assignment the agent neither accepted nor answered in time;
- SLA met: resolved conversations that had SLA targets and breached none.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Q, QuerySet
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import ExtractHour, ExtractIsoWeekDay, TruncDate, TruncWeek

from agents.models import Team
from chat.choices import SATISFIED_MIN_SCORE, ConversationStatus, EventType, SenderKind
from chat.models import Conversation, ConversationEvent, Message, SatisfactionRating
from reports.filters import ReportFilter
from reports.stats import nearest_rank, wilson_interval

MIN_RANKED_SAMPLE = 10  # agents with fewer (effective) ratings are listed but not ranked
COMMENTS_SHOWN = 20

SPEED_METRICS = {
    "first_response": ("first_response_at", "created_at"),
    "resolution": ("resolved_at", "created_at"),
    "queue_wait": ("first_assigned_at", "created_at"),
}


def conversations(f: ReportFilter) -> QuerySet[Conversation]:
    qs = Conversation.objects.filter(created_at__gte=f.start, created_at__lt=f.end)
    if f.inbox_id is not None:
        qs = qs.filter(inbox_id=f.inbox_id)
    if f.team_id is not None:
        qs = qs.filter(team_id=f.team_id)
    if f.agent_id is not None:
        qs = qs.filter(assignee_id=f.agent_id)
    return qs


def duration(end_field: str, start_field: str) -> ExpressionWrapper:
    return ExpressionWrapper(F(end_field) - F(start_field), output_field=DurationField())


SATISFIED = Q(rating__score__gte=SATISFIED_MIN_SCORE)
ABANDONED = Q(status=ConversationStatus.RESOLVED, first_response_at__isnull=True)
HAS_SLA = Q(status=ConversationStatus.RESOLVED) & (
    Q(sla_first_response_due_at__isnull=False) | Q(sla_resolution_due_at__isnull=False)
)


# --- satisfaction ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Proportion:
    successes: float
    n: float

    @property
    def rate(self) -> float | None:
        return self.successes / self.n if self.n else None

    @property
    def interval(self) -> tuple[float, float] | None:
        return wilson_interval(self.successes, self.n)


def summary(f: ReportFilter) -> dict[str, Any]:
    """The headline counts in one query."""
    row = conversations(f).aggregate(
        total=Count("id"),
        resolved=Count("id", filter=Q(status=ConversationStatus.RESOLVED)),
        rated=Count("rating"),
        satisfied=Count("rating", filter=SATISFIED),
        abandoned=Count("id", filter=ABANDONED),
        sla_total=Count("id", filter=HAS_SLA),
        sla_met=Count("id", filter=HAS_SLA & Q(sla_breached=False)),
    )
    row["satisfaction"] = Proportion(row["satisfied"], row["rated"])
    row["response_rate"] = row["rated"] / row["resolved"] if row["resolved"] else None
    row["sla"] = Proportion(row["sla_met"], row["sla_total"])
    return row


def distribution(f: ReportFilter) -> dict[int, int]:
    counts = dict(
        SatisfactionRating.objects.filter(conversation__in=conversations(f))
        .values_list("score")
        .annotate(n=Count("id"))
        .values_list("score", "n")
    )
    return {score: counts.get(score, 0) for score in range(1, 6)}


def trend(f: ReportFilter) -> list[dict[str, Any]]:
    """Conversations and satisfaction per day (per week beyond 62 days), in the report's zone."""
    days = (f.end - f.start).days
    trunc = TruncWeek if days > 62 else TruncDate
    rows = (
        conversations(f)
        .annotate(bucket=trunc("created_at", tzinfo=f.zone))
        .values("bucket")
        .annotate(total=Count("id"), rated=Count("rating"), satisfied=Count("rating", filter=SATISFIED))
        .order_by("bucket")
    )
    out = []
    for row in rows:
        bucket = row["bucket"]
        out.append(
            {
                "day": bucket.date() if isinstance(bucket, datetime) else bucket,
                "total": row["total"],
                "rated": row["rated"],
                "satisfied": row["satisfied"],
                "rate": row["satisfied"] / row["rated"] if row["rated"] else None,
            }
        )
    return out


def comments(f: ReportFilter) -> list[SatisfactionRating]:
    return list(
        SatisfactionRating.objects.filter(conversation__in=conversations(f))
        .exclude(comment="")
        .select_related("conversation")
        .order_by("-updated_at")[:COMMENTS_SHOWN]
    )


def _credit_by_replies(f: ReportFilter) -> dict[int, Proportion]:
    """Each rating split across the agents who replied, by their share of the agent replies."""
    base, params = conversations(f).filter(rating__isnull=False).values("id").query.sql_with_params()
    rating = connection.ops.quote_name(SatisfactionRating._meta.db_table)
    message = connection.ops.quote_name(Message._meta.db_table)
    sql = f"""
        WITH conv AS ({base}),
        per AS (
            SELECT m.conversation_id AS conversation_id, m.sender_user_id AS agent_id, COUNT(*) AS cnt
            FROM {message} m JOIN conv ON conv.id = m.conversation_id
            WHERE m.sender_kind = %s AND m.is_private = %s AND m.sender_user_id IS NOT NULL
            GROUP BY m.conversation_id, m.sender_user_id
        ),
        tot AS (SELECT conversation_id, SUM(cnt) AS total FROM per GROUP BY conversation_id)
        SELECT per.agent_id,
               SUM(per.cnt * 1.0 / tot.total),
               SUM(CASE WHEN r.score >= %s THEN per.cnt * 1.0 / tot.total ELSE 0 END)
        FROM per
        JOIN tot ON tot.conversation_id = per.conversation_id
        JOIN {rating} r ON r.conversation_id = per.conversation_id
        GROUP BY per.agent_id
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, SenderKind.AGENT, False, SATISFIED_MIN_SCORE])
        return {agent_id: Proportion(float(sat), float(n)) for agent_id, n, sat in cursor.fetchall()}


def _credit_by_assignee(f: ReportFilter) -> dict[int, Proportion]:
    rows = (
        SatisfactionRating.objects.filter(conversation__in=conversations(f), agent__isnull=False)
        .values("agent_id")
        .annotate(n=Count("id"), satisfied=Count("id", filter=Q(score__gte=SATISFIED_MIN_SCORE)))
    )
    return {row["agent_id"]: Proportion(row["satisfied"], row["n"]) for row in rows}


def satisfaction_by_agent(f: ReportFilter) -> dict[int, Proportion]:
    """Per agent, under the filter's credit mode (one query). With the agent filter set, the
    conversations are the agent's under "assignee" credit and every conversation they replied in
    under "replies" credit."""
    if f.credit == "replies":
        credit = _credit_by_replies(_unassigned(f))
        return {k: v for k, v in credit.items() if f.agent_id is None or k == f.agent_id}
    return _credit_by_assignee(f)


# --- speed ------------------------------------------------------------------------------------


def percentiles(f: ReportFilter, metric: str, ps: tuple[float, ...] = (0.5, 0.9)) -> dict[str, Any]:
    """Nearest-rank percentiles of one duration, in seconds: a count, then one query per percentile."""
    end_field, start_field = SPEED_METRICS[metric]
    qs = conversations(f).filter(**{f"{end_field}__isnull": False})
    n = qs.count()
    out: dict[str, Any] = {"n": n}
    ordered = qs.annotate(d=duration(end_field, start_field)).order_by("d").values_list("d", flat=True)
    for p in ps:
        out[f"p{round(p * 100)}"] = ordered[nearest_rank(p, n)].total_seconds() if n else None
    return out


def missed_count(f: ReportFilter) -> int:
    events = ConversationEvent.objects.filter(type=EventType.MISSED, conversation__in=conversations(_unassigned(f)))
    if f.agent_id is not None:
        events = events.filter(**{"payload__agent": f.agent_id})
    return events.count()


def _unassigned(f: ReportFilter) -> ReportFilter:
    """The same filter without the agent (missed chats belong to whoever missed them)."""
    return replace(f, agent_id=None)


# --- load -------------------------------------------------------------------------------------


def heatmap(f: ReportFilter) -> list[list[int]]:
    """Conversations started per ISO weekday (rows, Monday first) and hour (columns), in the zone."""
    grid = [[0] * 24 for _ in range(7)]
    rows = (
        conversations(f)
        .annotate(weekday=ExtractIsoWeekDay("created_at", tzinfo=f.zone), hour=ExtractHour("created_at", tzinfo=f.zone))
        .values("weekday", "hour")
        .annotate(n=Count("id"))
    )
    for row in rows:
        grid[row["weekday"] - 1][row["hour"]] = row["n"]
    return grid


def per_agent(f: ReportFilter) -> list[dict[str, Any]]:
    """One row per agent: load, speed, missed chats and satisfaction (four queries)."""
    load = {
        row["assignee_id"]: row
        for row in conversations(f)
        .filter(assignee__isnull=False)
        .values("assignee_id")
        .annotate(
            assigned=Count("id"),
            resolved=Count("id", filter=Q(status=ConversationStatus.RESOLVED)),
            avg_first_response=Avg(duration("first_response_at", "created_at")),
            avg_resolution=Avg(duration("resolved_at", "created_at")),
        )
    }
    missed_rows = (
        ConversationEvent.objects.filter(type=EventType.MISSED, conversation__in=conversations(_unassigned(f)))
        .annotate(agent=KeyTextTransform("agent", "payload"))
        .values("agent")
        .annotate(n=Count("id"))
    )
    missed = {int(row["agent"]): row["n"] for row in missed_rows if row["agent"] is not None}
    csat = satisfaction_by_agent(f)
    ids = set(load) | set(missed) | set(csat)
    if f.agent_id is not None:
        ids &= {f.agent_id}
    users = {u.pk: u for u in get_user_model().objects.filter(pk__in=ids)}
    rows = []
    for agent_id in ids:
        user = users.get(agent_id)
        stats = load.get(agent_id, {})
        proportion = csat.get(agent_id, Proportion(0, 0))
        rows.append(
            {
                "id": agent_id,
                "name": (user.get_full_name() or user.get_username()) if user else f"#{agent_id}",
                "assigned": stats.get("assigned", 0),
                "resolved": stats.get("resolved", 0),
                "avg_first_response": _seconds(stats.get("avg_first_response")),
                "avg_resolution": _seconds(stats.get("avg_resolution")),
                "missed": missed.get(agent_id, 0),
                "csat": proportion,
                "ranked": proportion.n >= MIN_RANKED_SAMPLE,
            }
        )
    ranked = sorted((r for r in rows if r["ranked"]), key=lambda r: (-r["csat"].rate, r["name"]))
    for position, row in enumerate(ranked, start=1):
        row["rank"] = position
    return ranked + sorted((r for r in rows if not r["ranked"]), key=lambda r: r["name"])


def per_team(f: ReportFilter) -> list[dict[str, Any]]:
    rows = (
        conversations(f)
        .values("team_id")
        .annotate(
            total=Count("id"),
            resolved=Count("id", filter=Q(status=ConversationStatus.RESOLVED)),
            abandoned=Count("id", filter=ABANDONED),
            rated=Count("rating"),
            satisfied=Count("rating", filter=SATISFIED),
            avg_first_response=Avg(duration("first_response_at", "created_at")),
        )
        .order_by("team_id")
    )
    names = dict(Team.objects.values_list("id", "name"))
    return [
        {
            "id": row["team_id"],
            "name": names.get(row["team_id"], "No team") if row["team_id"] else "No team",
            "total": row["total"],
            "resolved": row["resolved"],
            "abandoned": row["abandoned"],
            "csat": Proportion(row["satisfied"], row["rated"]),
            "avg_first_response": _seconds(row["avg_first_response"]),
        }
        for row in rows
    ]


def _seconds(value) -> float | None:
    return value.total_seconds() if value is not None else None


# --- drill-down -----------------------------------------------------------------------------

DRILLDOWNS: dict[str, tuple[str, Q]] = {
    "all": ("All conversations", Q()),
    "resolved": ("Resolved", Q(status=ConversationStatus.RESOLVED)),
    "rated": ("Rated", Q(rating__isnull=False)),
    "satisfied": ("Satisfied (4-5)", SATISFIED),
    "dissatisfied": ("Not satisfied (1-3)", Q(rating__score__lt=SATISFIED_MIN_SCORE)),
    "abandoned": ("Abandoned", ABANDONED),
    "sla_met": ("SLA met", HAS_SLA & Q(sla_breached=False)),
    "sla_breached": ("SLA breached", Q(sla_breached=True)),
    "answered": ("Answered", Q(first_response_at__isnull=False)),
    "assigned": ("Assigned", Q(first_assigned_at__isnull=False)),
}


def drilldown(f: ReportFilter, metric: str, params) -> tuple[str, QuerySet[Conversation]]:
    """The conversations behind one figure of the page."""
    if metric == "missed":
        events = ConversationEvent.objects.filter(type=EventType.MISSED)
        if f.agent_id is not None:
            events = events.filter(payload__agent=f.agent_id)
        qs = conversations(_unassigned(f)).filter(pk__in=events.values("conversation_id"))
        title = "Missed"
    elif metric == "score":
        score = int(params.get("score", "0") or 0)
        qs = conversations(f).filter(rating__score=score)
        title = f"Rated {score}"
    elif metric == "cell":
        weekday, hour = int(params.get("weekday", "1")), int(params.get("hour", "0"))
        qs = (
            conversations(f)
            .annotate(
                weekday=ExtractIsoWeekDay("created_at", tzinfo=f.zone), hour=ExtractHour("created_at", tzinfo=f.zone)
            )
            .filter(weekday=weekday, hour=hour)
        )
        title = f"Started on weekday {weekday} at {hour:02d}:00"
    elif metric == "rated_by":
        qs = conversations(_unassigned(f)).filter(rating__isnull=False, messages__sender_user_id=f.agent_id)
        title = "Rated conversations the agent replied in"
    else:
        title, condition = DRILLDOWNS[metric]
        qs = conversations(f).filter(condition)
    return title, qs.select_related("inbox", "contact", "assignee", "team", "rating").distinct().order_by("-created_at")
