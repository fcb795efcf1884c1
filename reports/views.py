"""The reports pages and exports: `/reports/`, its drill-downs and CSV files.

Managers see every figure; an agent sees only their own (the filter forces it).
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from datetime import datetime

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from agents.selectors import profile_for_user
from chat.choices import SATISFIED_MIN_SCORE, ConversationStatus
from chat.csv_cells import safe_row
from chat.selectors import agent_sees_all
from reports import assist_queries, bot_queries, charts, queries, selectors
from reports.filters import FilterError, ReportFilter, parse_filter


def _allowed(request: HttpRequest) -> bool:
    return agent_sees_all(request.user) or profile_for_user(user=request.user) is not None


def _filter_or_error(request: HttpRequest) -> tuple[ReportFilter | None, HttpResponse | None]:
    if not _allowed(request):
        return None, render(request, "agents/not_agent.html", status=403)
    try:
        today = timezone.localdate(timezone=None)
        return parse_filter(request.GET, user=request.user, today=today), None
    except FilterError as error:
        return None, render(request, "reports/bad_filter.html", {"error": str(error)}, status=400)


@login_required
@require_GET
def reports_page(request: HttpRequest) -> HttpResponse:
    f, error = _filter_or_error(request)
    if error:
        return error
    teams = queries.team_counts(f)
    summary = queries.summary(f, teams)
    dist = queries.distribution(f)
    days = queries.calendar(f)
    trend = queries.trend(f, days)
    heatmap = queries.heatmap(f, days)
    speed = queries.speed(f)
    weekdays = [_("Mon"), _("Tue"), _("Wed"), _("Thu"), _("Fri"), _("Sat"), _("Sun")]
    context = {
        "f": f,
        "query": f.query(),
        "summary": summary,
        "distribution": dist,
        "distribution_chart": charts.bars([(str(score), n) for score, n in dist.items()]),
        "trend": trend,
        "trend_chart": charts.line([(row["day"].isoformat(), row["rate"]) for row in trend]),
        "comments": queries.comments(f),
        "speed": speed,
        "missed": queries.missed_count(f),
        "heatmap": heatmap,
        "heatmap_chart": charts.heat(heatmap, weekdays),
        "heatmap_rows": list(zip(weekdays, heatmap, strict=True)),
        "agents_table": queries.per_agent(f),
        "teams_table": queries.per_team(f, teams) if f.manager else [],
        "min_ranked": queries.MIN_RANKED_SAMPLE,
        "bot": bot_queries.bot_section(f),
        "suggested": assist_queries.suggestion_figures(f),
        "reasons": assist_queries.reason_rows(f),
        "reason_targets": assist_queries.merge_targets() if f.manager else [],
        **selectors.filter_choices(user=request.user, manager=f.manager),
    }
    return render(request, "reports/reports.html", context)


@login_required
@require_GET
def drilldown_page(request: HttpRequest, metric: str) -> HttpResponse:
    f, error = _filter_or_error(request)
    if error:
        return error
    if metric not in {*queries.DRILLDOWNS, "missed", "score", "cell", "rated_by", "reason"}:
        return render(request, "reports/bad_filter.html", {"error": _("Unknown figure.")}, status=404)
    try:
        title, qs = queries.drilldown(f, metric, request.GET)
    except ValueError:
        return render(request, "reports/bad_filter.html", {"error": _("Bad drill-down parameters.")}, status=400)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "reports/drilldown.html", {"f": f, "title": title, "page": page, "query": f.query()})


# --- CSV ------------------------------------------------------------------------------------

CONVERSATION_COLUMNS = [
    "number",
    "id",
    "inbox",
    "team",
    "assignee",
    "status",
    "priority",
    "created_at",
    "first_assigned_at",
    "first_response_at",
    "resolved_at",
    "queue_wait_seconds",
    "first_response_seconds",
    "resolution_seconds",
    "agent_replies",
    "visitor_messages",
    "rating",
    "satisfied",
    "comment",
    "abandoned",
    "sla_breached",
    "missed",
]


class Echo:
    """A file-like object whose write returns the line, for streaming csv.writer output."""

    def write(self, value: str) -> str:
        return value


def _seconds_between(end: datetime | None, start: datetime | None) -> str:
    return f"{(end - start).total_seconds():.0f}" if end and start else ""


EXPORT_CHUNK = 2000


def conversation_rows(f: ReportFilter) -> Iterator[list]:
    """One row per conversation, read and counted a chunk at a time, so any number exports in
    constant memory with three queries per chunk."""
    qs = (
        queries.conversations(f)
        .order_by("created_at", "id")
        .values_list(
            "id",
            "number",
            "public_id",
            "inbox__name",
            "team__name",
            "assignee__username",
            "status",
            "priority",
            "created_at",
            "first_assigned_at",
            "first_response_at",
            "resolved_at",
            "rating__score",
            "rating__comment",
            "sla_breached",
        )
    )
    chunk: list[tuple] = []
    for row in qs.iterator(chunk_size=EXPORT_CHUNK):
        chunk.append(row)
        if len(chunk) == EXPORT_CHUNK:
            yield from _export_chunk(chunk)
            chunk = []
    if chunk:
        yield from _export_chunk(chunk)


def _export_chunk(chunk: list[tuple]) -> Iterator[list]:
    replies, visitor, missed = selectors.export_counts([row[0] for row in chunk])
    for row in chunk:
        (pk, number, public_id, inbox, team, assignee, status, priority, created, assigned, answered, resolved) = row[
            :12
        ]
        score, comment, breached = row[12:]
        yield [
            number,
            public_id,
            inbox,
            team or "",
            assignee or "",
            status,
            priority,
            created.isoformat(),
            assigned.isoformat() if assigned else "",
            answered.isoformat() if answered else "",
            resolved.isoformat() if resolved else "",
            _seconds_between(assigned, created),
            _seconds_between(answered, created),
            _seconds_between(resolved, created),
            replies.get(pk, 0),
            visitor.get(pk, 0),
            score if score is not None else "",
            "" if score is None else int(score >= SATISFIED_MIN_SCORE),
            comment or "",
            int(status == ConversationStatus.RESOLVED and answered is None),
            int(breached),
            missed.get(pk, 0),
        ]


def _stream_csv(filename: str, header: list[str], rows: Iterator[list]) -> StreamingHttpResponse:
    writer = csv.writer(Echo())

    def lines() -> Iterator[str]:
        yield writer.writerow(header)
        for row in rows:
            yield writer.writerow(safe_row(row))

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_GET
def export_conversations(request: HttpRequest) -> HttpResponse:
    f, error = _filter_or_error(request)
    if error:
        return error
    name = f"conversations-{f.first_day.isoformat()}-{f.last_day.isoformat()}.csv"
    return _stream_csv(name, CONVERSATION_COLUMNS, conversation_rows(f))


AGENT_COLUMNS = [
    "agent_id",
    "agent",
    "assigned",
    "resolved",
    "avg_first_response_seconds",
    "avg_resolution_seconds",
    "missed",
    "ratings",
    "satisfied",
    "satisfied_rate",
    "ci95_low",
    "ci95_high",
    "rank",
]


def _fmt(value: float | None, digits: int = 4) -> str:
    return "" if value is None else f"{value:.{digits}f}".rstrip("0").rstrip(".")


@login_required
@require_GET
def export_agents(request: HttpRequest) -> HttpResponse:
    f, error = _filter_or_error(request)
    if error:
        return error

    def rows() -> Iterator[list]:
        for row in queries.per_agent(f):
            csat = row["csat"]
            low, high = csat.interval or (None, None)
            yield [
                row["id"],
                row["name"],
                row["assigned"],
                row["resolved"],
                _fmt(row["avg_first_response"], 1),
                _fmt(row["avg_resolution"], 1),
                row["missed"],
                _fmt(csat.n),
                _fmt(csat.successes),
                _fmt(csat.rate),
                _fmt(low),
                _fmt(high),
                row.get("rank", ""),
            ]

    name = f"agents-{f.credit}-{f.first_day.isoformat()}-{f.last_day.isoformat()}.csv"
    return _stream_csv(name, AGENT_COLUMNS, rows())
