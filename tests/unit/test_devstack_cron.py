"""The local scheduler fires when EventBridge Scheduler would: on the Amsterdam wall clock,
across daylight-saving changes."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from devstack.cron import ScheduleExpression

AMS = ZoneInfo("Europe/Amsterdam")
WEEKLY = ScheduleExpression("cron(0 12 ? * WED *)", "Europe/Amsterdam")


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=dt.UTC)


def test_weekly_cutoff_fires_at_noon_amsterdam_in_winter_and_summer() -> None:
    # Given a Monday in winter (CET, UTC+1) and one in summer (CEST, UTC+2)
    # Then the cut-off is Wednesday 12:00 on the Amsterdam clock in both
    assert WEEKLY.next_after(utc(2026, 1, 5, 9)) == utc(2026, 1, 7, 11)
    assert WEEKLY.next_after(utc(2026, 7, 6, 9)) == utc(2026, 7, 8, 10)


def test_weekly_cutoff_across_the_spring_and_autumn_changes() -> None:
    # Given the Wednesday before the clocks go forward (29 March 2026)
    before = WEEKLY.next_after(utc(2026, 3, 23))
    after = WEEKLY.next_after(before) if before else None
    # Then both cut-offs are at 12:00 local, so one hour apart in UTC
    assert before == utc(2026, 3, 25, 11)
    assert after == utc(2026, 4, 1, 10)
    assert after.astimezone(AMS).hour == 12
    # And around the autumn change (25 October 2026) the other way round
    autumn = WEEKLY.next_after(utc(2026, 10, 22))
    assert autumn == utc(2026, 10, 28, 11)
    assert autumn.astimezone(AMS).hour == 12


def test_the_exact_fire_time_is_not_fired_again() -> None:
    fired = utc(2026, 1, 7, 11)
    assert WEEKLY.next_after(fired) == utc(2026, 1, 14, 11)
    assert WEEKLY.next_after(fired - dt.timedelta(seconds=1)) == fired


def test_a_time_in_the_spring_gap_is_skipped() -> None:
    # Given a daily schedule at 02:30, which does not exist on 29 March 2026 in Amsterdam
    daily = ScheduleExpression("cron(30 2 * * ? *)", "Europe/Amsterdam")
    # Then 28 March fires, 29 March is skipped, 30 March fires (now in summer time)
    first = daily.next_after(utc(2026, 3, 27, 12))
    assert first == utc(2026, 3, 28, 1, 30)
    assert daily.next_after(first) == utc(2026, 3, 30, 0, 30)


def test_a_repeated_autumn_time_fires_once() -> None:
    # Given a daily schedule at 02:30, which happens twice on 25 October 2026
    daily = ScheduleExpression("cron(30 2 * * ? *)", "Europe/Amsterdam")
    first = daily.next_after(utc(2026, 10, 24, 12))
    # Then it fires at the first (summer-time) occurrence only
    assert first == utc(2026, 10, 25, 0, 30)
    assert daily.next_after(first) == utc(2026, 10, 26, 1, 30)


def test_lists_ranges_steps_and_names() -> None:
    working_days = ScheduleExpression("cron(0/30 8-9 ? JAN-DEC MON-FRI *)", "UTC")
    saturday = utc(2026, 1, 10, 12)
    moments = []
    moment = saturday
    for _ in range(5):
        moment = working_days.next_after(moment) or moment
        moments.append(moment)
    assert moments == [
        utc(2026, 1, 12, 8, 0),
        utc(2026, 1, 12, 8, 30),
        utc(2026, 1, 12, 9, 0),
        utc(2026, 1, 12, 9, 30),
        utc(2026, 1, 13, 8, 0),
    ]
    monthly = ScheduleExpression("cron(15 10 1,15 * ? 2026)", "Europe/Amsterdam")
    assert monthly.next_after(utc(2026, 12, 20)) is None
    assert monthly.next_after(utc(2026, 12, 2)) == utc(2026, 12, 15, 9, 15)


def test_rate_and_at_expressions() -> None:
    start = utc(2026, 1, 1, 0, 0)
    hourly = ScheduleExpression("rate(2 hours)", "UTC", start=start)
    assert hourly.next_after(utc(2026, 1, 1, 3, 10)) == utc(2026, 1, 1, 4)
    once = ScheduleExpression("at(2026-06-01T09:00:00)", "Europe/Amsterdam")
    assert once.next_after(utc(2026, 5, 1)) == utc(2026, 6, 1, 7)
    assert once.next_after(utc(2026, 6, 2)) is None


@pytest.mark.parametrize(
    ("expression", "after", "fires"),
    [
        ("cron(0 12 ? * 1 *)", utc(2026, 1, 1), utc(2026, 1, 4, 12)),  # 1 is Sunday
        ("cron(0 12 ? * 2#1 *)", utc(2026, 1, 1), utc(2026, 1, 5, 12)),  # first Monday
        ("cron(0 12 ? * 6L *)", utc(2026, 1, 1), utc(2026, 1, 30, 12)),  # last Friday
        ("cron(0 12 L * ? *)", utc(2026, 2, 1), utc(2026, 2, 28, 12)),  # last day
        ("cron(0 12 15W * ? *)", utc(2026, 8, 1), utc(2026, 8, 14, 12)),  # 15th is a Saturday
    ],
)
def test_day_of_week_numbers_and_the_special_days(
    expression: str, after: dt.datetime, fires: dt.datetime
) -> None:
    assert ScheduleExpression(expression, "UTC").next_after(after) == fires


@pytest.mark.parametrize(
    "expression",
    [
        "cron(0 12 * * WED *)",
        "cron(0 12 ? * ? *)",
        "cron(0 12 ? *)",
        "cron(0 12 ? * 8 *)",
        "cron(0 12 ? * 0 *)",
        "cron(0 12 LW * ? *)",
        "cron(0 25 * * ? *)",
    ],
)
def test_unsupported_or_invalid_expressions_are_refused(expression: str) -> None:
    with pytest.raises(ValueError):
        ScheduleExpression(expression, "UTC").next_after(utc(2026, 1, 1))
