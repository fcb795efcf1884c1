"""Business hours: is an inbox open at an instant, and how much open time lies between two.

Hours are wall-clock intervals per weekday in the inbox's time zone; holidays close whole local
days. Intervals are turned into UTC per local day with zoneinfo, so a daylight-saving change
shortens or lengthens that day's open time exactly as the wall clock does. An inbox with no
intervals is always open.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

MAX_DAYS_SCANNED = 400  # more than a year of holidays in a row means "never open"


@dataclass(frozen=True)
class Schedule:
    """An inbox's hours, loaded once: ``{weekday: [(opens, closes), ...]}`` plus holidays."""

    zone: ZoneInfo
    intervals: dict[int, list[tuple[time, time]]]
    holidays: frozenset[date]

    @property
    def always_open(self) -> bool:
        return not any(self.intervals.values())

    def _day_windows(self, day: date) -> list[tuple[datetime, datetime]]:
        if day in self.holidays:
            return []
        windows = []
        for opens, closes in self.intervals.get(day.weekday(), []):
            start = datetime.combine(day, opens, tzinfo=self.zone)
            end = (
                datetime.combine(day + timedelta(days=1), time(0), tzinfo=self.zone)
                if closes == time(0)
                else datetime.combine(day, closes, tzinfo=self.zone)
            )
            # Wall-clock times that a DST gap skips normalise through UTC.
            start_utc, end_utc = _to_utc(start), _to_utc(end)
            if end_utc > start_utc:
                windows.append((start_utc, end_utc))
        return sorted(windows)

    def windows_from(self, at: datetime) -> Iterator[tuple[datetime, datetime]]:
        """Open windows (UTC) that end after ``at``, in order; endless for an always-open inbox."""
        if self.always_open:
            yield at, at + timedelta(days=3650)
            return
        day = at.astimezone(self.zone).date() - timedelta(days=1)
        for _ in range(MAX_DAYS_SCANNED):
            for start, end in self._day_windows(day):
                if end > at:
                    yield max(start, at), end
            day += timedelta(days=1)

    def is_open(self, at: datetime) -> bool:
        for start, _end in self.windows_from(at):
            return start <= at
        return False

    def open_seconds_between(self, start: datetime, end: datetime) -> float:
        """Seconds of open time in [start, end)."""
        if end <= start:
            return 0.0
        if self.always_open:
            return (end - start).total_seconds()
        total = 0.0
        for w_start, w_end in self.windows_from(start):
            if w_start >= end:
                break
            total += (min(w_end, end) - w_start).total_seconds()
        return total

    def add_open_seconds(self, start: datetime, seconds: float) -> datetime | None:
        """The instant when ``seconds`` of open time have passed since ``start`` (None: never)."""
        if self.always_open:
            return start + timedelta(seconds=seconds)
        remaining = seconds
        for w_start, w_end in self.windows_from(start):
            length = (w_end - w_start).total_seconds()
            if remaining <= length:
                return w_start + timedelta(seconds=remaining)
            remaining -= length
        return None


def _to_utc(local: datetime) -> datetime:
    return local.astimezone(UTC)


def schedule_for(inbox) -> Schedule:
    """Load an inbox's schedule (two queries)."""
    intervals: dict[int, list[tuple[time, time]]] = {}
    for row in inbox.business_hours.all():
        intervals.setdefault(row.weekday, []).append((row.opens, row.closes))
    holidays = frozenset(inbox.holidays.values_list("date", flat=True))
    return Schedule(zone=ZoneInfo(inbox.timezone or "UTC"), intervals=intervals, holidays=holidays)
