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
from datetime import date, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Q, QuerySet
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import ExtractHour, ExtractIsoWeekDay, TruncDate

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


TEAM_COUNTS = {
    "total": Count("id"),
    "resolved": Count("id", filter=Q(status=ConversationStatus.RESOLVED)),
    "rated": Count("rating"),
    "satisfied": Count("rating", filter=SATISFIED),
    "abandoned": Count("id", filter=ABANDONED),
    "sla_total": Count("id", filter=HAS_SLA),
    "sla_met": Count("id", filter=HAS_SLA & Q(sla_breached=False)),
}


def team_counts(f: ReportFilter) -> list[dict[str, Any]]:
    """Every headline count, per team, in one scan (the summary is their sum)."""
    return list(
        conversations(f)
        .values("team_id")
        .annotate(**TEAM_COUNTS, avg_first_response=Avg(duration("first_response_at", "created_at")))
        .order_by("team_id")
    )


def summary(f: ReportFilter, rows: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """The headline counts: the per-team counts added up (no query when ``rows`` are given)."""
    rows = team_counts(f) if rows is None else rows
    row = {key: sum(r[key] for r in rows) for key in TEAM_COUNTS}
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


def calendar(f: ReportFilter) -> list[dict[str, Any]]:
    """Conversations, ratings and satisfied ones per local day and hour, in one scan; the trend
    and the heatmap are both folded from it."""
    return list(
        conversations(f)
        .annotate(day=TruncDate("created_at", tzinfo=f.zone), hour=ExtractHour("created_at", tzinfo=f.zone))
        .values("day", "hour")
        .annotate(total=Count("id"), rated=Count("rating"), satisfied=Count("rating", filter=SATISFIED))
        .order_by("day", "hour")
    )


def trend(f: ReportFilter, rows: list[dict[str, Any]] | None = None) -> list[dict[str, Any]]:
    """Conversations and satisfaction per day (per ISO week, from its Monday, beyond 62 days)."""
    rows = calendar(f) if rows is None else rows
    weekly = (f.end - f.start).days > 62
    buckets: dict[date, dict[str, int]] = {}
    for row in rows:
        day = row["day"] - timedelta(days=row["day"].weekday()) if weekly else row["day"]
        bucket = buckets.setdefault(day, {"total": 0, "rated": 0, "satisfied": 0})
        for key in bucket:
            bucket[key] += row[key]
    return [
        {**b, "day": day, "rate": b["satisfied"] / b["rated"] if b["rated"] else None}
        for day, b in sorted(buckets.items())
    ]


def comments(f: ReportFilter) -> list[SatisfactionRating]:
    return list(
        SatisfactionRating.objects.filter(conversation__in=conversations(f))
        .exclude(comment="")
        .select_related("conversation")
        .order_by("-updated_at")[:COMMENTS_SHOWN]
    )


def _credit_by_replies(f: ReportFilter) -> dict[int, Proportion]:
    """Each rating split across the agents who replied, by their share of the agent replies."""
    base, params = conversations(f).filter(rating__isnull=False).order_by().values("id").query.sql_with_params()
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


PERCENTILES = (0.5, 0.9)


def speed(f: ReportFilter) -> dict[str, dict[str, Any]]:
    """Nearest-rank median and p90 of every duration, in seconds.

    PostgreSQL computes them all in one scan (``percentile_disc`` is nearest-rank); elsewhere a
    count and one ordered look-up per percentile, still a fixed number of queries.
    """
    if connection.vendor == "postgresql":
        return _speed_postgresql(f)
    return {metric: percentiles(f, metric) for metric in SPEED_METRICS}


def _speed_postgresql(f: ReportFilter) -> dict[str, dict[str, Any]]:
    fields = sorted({field for pair in SPEED_METRICS.values() for field in pair})
    base, params = conversations(f).order_by().values(*fields).query.sql_with_params()
    ps = ", ".join(str(p) for p in PERCENTILES)
    columns = []
    for end_field, start_field in SPEED_METRICS.values():
        seconds = f"EXTRACT(EPOCH FROM (sub.{end_field} - sub.{start_field}))"
        columns.append(f"COUNT(sub.{end_field})")
        columns.append(f"percentile_disc(ARRAY[{ps}]) WITHIN GROUP (ORDER BY {seconds})")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(columns)} FROM ({base}) sub", params)
        row = cursor.fetchone()
    out = {}
    for i, metric in enumerate(SPEED_METRICS):
        n, values = row[2 * i], row[2 * i + 1]
        out[metric] = {"n": n}
        for j, p in enumerate(PERCENTILES):
            out[metric][f"p{round(p * 100)}"] = float(values[j]) if n and values else None
    return out


def percentiles(f: ReportFilter, metric: str, ps: tuple[float, ...] = PERCENTILES) -> dict[str, Any]:
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


def heatmap(f: ReportFilter, rows: list[dict[str, Any]] | None = None) -> list[list[int]]:
    """Conversations started per ISO weekday (rows, Monday first) and hour (columns), in the zone."""
    rows = calendar(f) if rows is None else rows
    grid = [[0] * 24 for _ in range(7)]
    for row in rows:
        grid[row["day"].weekday()][row["hour"]] += row["total"]
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


def per_team(f: ReportFilter, rows: list[dict[str, Any]] | None = None) -> list[dict[str, Any]]:
    rows = team_counts(f) if rows is None else rows
    names = dict(Team.objects.filter(pk__in=[r["team_id"] for r in rows if r["team_id"]]).values_list("id", "name"))
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
    elif metric == "reason":
        from reports.assist_queries import reason_conversations

        qs = reason_conversations(conversations(f), int(params.get("reason", "0") or 0))
        title = "Contact reason"
    elif metric == "rated_by":
        qs = conversations(_unassigned(f)).filter(rating__isnull=False, messages__sender_user_id=f.agent_id)
        title = "Rated conversations the agent replied in"
    else:
        title, condition = DRILLDOWNS[metric]
        qs = conversations(f).filter(condition)
    return title, qs.select_related("inbox", "contact", "assignee", "team", "rating").distinct().order_by("-created_at")
