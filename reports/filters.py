"""What a report covers: a date range in a time zone, and optionally an inbox, a team and an agent.

Parsed from the query string with clear errors; scoped to the asking user: a manager sees every
figure, an agent only their own (the agent filter is forced to themselves).
"""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from urllib.parse import urlencode

from django.contrib.auth.models import AbstractBaseUser
from django.http import QueryDict

from chat.selectors import agent_sees_all

DEFAULT_DAYS = 30
MAX_DAYS = 3 * 366
CREDIT_MODES = ("assignee", "replies")


class FilterError(ValueError):
    """A filter the report cannot use; the message says which and why."""


@dataclass(frozen=True)
class ReportFilter:
    start: datetime  # inclusive, aware
    end: datetime  # exclusive, aware
    zone: zoneinfo.ZoneInfo
    inbox_id: int | None = None
    team_id: int | None = None
    agent_id: int | None = None
    credit: str = "assignee"
    manager: bool = False
    extra: dict = field(default_factory=dict)

    @property
    def first_day(self) -> date:
        return self.start.astimezone(self.zone).date()

    @property
    def last_day(self) -> date:
        return (self.end - timedelta(seconds=1)).astimezone(self.zone).date()

    def query(self, **overrides) -> str:
        """The query string of this filter (plus ``overrides``), for links and exports."""
        params = {
            "from": self.first_day.isoformat(),
            "to": self.last_day.isoformat(),
            "tz": self.zone.key,
            "credit": self.credit,
        }
        for key, value in (("inbox", self.inbox_id), ("team", self.team_id), ("agent", self.agent_id)):
            if value is not None:
                params[key] = value
        params.update({k: v for k, v in overrides.items() if v is not None})
        return urlencode(params)


def _int(params: QueryDict, name: str) -> int | None:
    raw = params.get(name, "").strip()
    if not raw:
        return None
    if not raw.isdigit():
        raise FilterError(f"'{name}' must be a number.")
    return int(raw)


def _day(params: QueryDict, name: str, default: date) -> date:
    raw = params.get(name, "").strip()
    if not raw:
        return default
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise FilterError(f"'{name}' must be a date like 2026-01-31.") from None


def parse_filter(params: QueryDict, *, user: AbstractBaseUser, today: date) -> ReportFilter:
    tz_name = params.get("tz", "").strip() or "UTC"
    if tz_name not in zoneinfo.available_timezones():
        raise FilterError("'tz' must be a time zone name such as Europe/Berlin.")
    zone = zoneinfo.ZoneInfo(tz_name)
    last = _day(params, "to", today)
    first = _day(params, "from", last - timedelta(days=DEFAULT_DAYS - 1))
    if first > last:
        raise FilterError("'from' must not be after 'to'.")
    if (last - first).days >= MAX_DAYS:
        raise FilterError(f"A report covers at most {MAX_DAYS} days.")
    credit = params.get("credit", "").strip() or "assignee"
    if credit not in CREDIT_MODES:
        raise FilterError("'credit' must be 'assignee' or 'replies'.")
    manager = agent_sees_all(user)
    agent_id = _int(params, "agent") if manager else user.pk
    return ReportFilter(
        start=datetime.combine(first, time(0), tzinfo=zone),
        end=datetime.combine(last + timedelta(days=1), time(0), tzinfo=zone),
        zone=zone,
        inbox_id=_int(params, "inbox"),
        team_id=_int(params, "team"),
        agent_id=agent_id,
        credit=credit,
        manager=manager,
    )
