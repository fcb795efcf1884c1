"""Business hours: boundaries, time zones, holidays and daylight-saving changes."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from chat.hours import Schedule, schedule_for
from chat.models import BusinessHours, Holiday

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
WEEKDAYS_9_TO_17 = {d: [(time(9), time(17))] for d in range(5)}


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_boundaries_are_open_at_opening_and_closed_at_closing():
    berlin = Schedule(zone=BERLIN, intervals=WEEKDAYS_9_TO_17, holidays=frozenset())
    # Monday 2026-01-05, Berlin is UTC+1 in winter: 09:00 local is 08:00 UTC.
    assert not berlin.is_open(utc(2026, 1, 5, 7, 59, 59))
    assert berlin.is_open(utc(2026, 1, 5, 8, 0))
    assert berlin.is_open(utc(2026, 1, 5, 15, 59, 59))
    assert not berlin.is_open(utc(2026, 1, 5, 16, 0))
    assert not berlin.is_open(utc(2026, 1, 10, 12, 0))  # Saturday


def test_the_same_instant_differs_across_time_zones():
    instant = utc(2026, 1, 5, 15, 0)  # 16:00 in Berlin, 10:00 in New York
    berlin = Schedule(zone=BERLIN, intervals={0: [(time(9), time(16))]}, holidays=frozenset())
    new_york = Schedule(zone=NEW_YORK, intervals={0: [(time(9), time(16))]}, holidays=frozenset())
    assert not berlin.is_open(instant)
    assert new_york.is_open(instant)


def test_daylight_saving_change_moves_opening_in_utc_and_shortens_the_night():
    berlin = Schedule(zone=BERLIN, intervals={d: [(time(9), time(17))] for d in range(7)}, holidays=frozenset())
    # Berlin switches to summer time on Sunday 2026-03-29: 09:00 local is 08:00 UTC before, 07:00 after.
    assert berlin.is_open(utc(2026, 3, 28, 8, 0)) and not berlin.is_open(utc(2026, 3, 28, 7, 30))
    assert berlin.is_open(utc(2026, 3, 29, 7, 0)) and not berlin.is_open(utc(2026, 3, 29, 6, 59))
    # Open time across the change: two full 8-hour days, whatever the offset did.
    assert berlin.open_seconds_between(utc(2026, 3, 28, 0), utc(2026, 3, 30, 0)) == 16 * 3600


def test_an_interval_through_the_skipped_hour_is_an_hour_shorter():
    night = Schedule(zone=BERLIN, intervals={6: [(time(1), time(4))]}, holidays=frozenset())
    # 01:00-04:00 on the night clocks jump from 02:00 to 03:00 lasts two real hours.
    assert night.open_seconds_between(utc(2026, 3, 28, 0), utc(2026, 3, 30, 0)) == 2 * 3600


def test_holidays_close_the_whole_local_day():
    berlin = Schedule(zone=BERLIN, intervals=WEEKDAYS_9_TO_17, holidays=frozenset({date(2026, 1, 6)}))
    assert not berlin.is_open(utc(2026, 1, 6, 10, 0))
    assert berlin.is_open(utc(2026, 1, 7, 10, 0))


def test_adding_open_seconds_skips_nights_weekends_and_holidays():
    berlin = Schedule(zone=BERLIN, intervals=WEEKDAYS_9_TO_17, holidays=frozenset({date(2026, 1, 12)}))
    # Friday 2026-01-09 16:30 local (15:30 UTC) + 1 open hour: 30 min on Friday, then Tuesday
    # 09:30 local, because Monday is a holiday.
    assert berlin.add_open_seconds(utc(2026, 1, 9, 15, 30), 3600) == utc(2026, 1, 13, 8, 30)
    # Starting at night counts from the next opening.
    assert berlin.add_open_seconds(utc(2026, 1, 7, 22, 0), 600) == utc(2026, 1, 8, 8, 10)


def test_midnight_closing_and_always_open():
    late = Schedule(zone=UTC, intervals={0: [(time(20), time(0))]}, holidays=frozenset())
    assert late.is_open(utc(2026, 1, 5, 23, 59)) and not late.is_open(utc(2026, 1, 6, 0, 0))
    always = Schedule(zone=UTC, intervals={}, holidays=frozenset())
    assert always.is_open(utc(2026, 1, 10, 3, 0))
    assert always.add_open_seconds(utc(2026, 1, 10, 3, 0), 60) == utc(2026, 1, 10, 3, 1)


def test_a_due_time_beyond_the_scanned_year_is_none():
    hour_a_week = Schedule(zone=UTC, intervals={0: [(time(9), time(10))]}, holidays=frozenset())
    assert hour_a_week.add_open_seconds(utc(2026, 1, 5), 10**9) is None


@pytest.mark.django_db
def test_schedule_is_loaded_from_the_inbox(inbox):
    inbox.timezone = "Europe/Berlin"
    inbox.save()
    BusinessHours.objects.create(inbox=inbox, weekday=0, opens=time(9), closes=time(17))
    Holiday.objects.create(inbox=inbox, date=date(2026, 1, 12), name="Closed")
    schedule = schedule_for(inbox)
    assert schedule.zone == BERLIN
    assert schedule.is_open(utc(2026, 1, 5, 8, 0)) and not schedule.is_open(utc(2026, 1, 12, 8, 0))
