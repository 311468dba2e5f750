"""Retention: when a registration's data is deleted, from the house's periods."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.unit.logic.support import AMS
from vhcore.house import current_house
from vhcore.logic.retention import add_months, expires_at


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (utc(2026, 1, 15, 9, 30), 1, utc(2026, 2, 15, 9, 30)),
        (utc(2026, 1, 31, 9, 30), 1, utc(2026, 2, 28, 9, 30)),
        (utc(2028, 1, 31, 9, 30), 1, utc(2028, 2, 29, 9, 30)),
        (utc(2026, 3, 31), 1, utc(2026, 4, 30)),
        (utc(2026, 12, 31), 1, utc(2027, 1, 31)),
        (utc(2026, 11, 30), 2, utc(2027, 1, 30)),
        (utc(2028, 2, 29), 12, utc(2029, 2, 28)),
        (utc(2028, 2, 29), 48, utc(2032, 2, 29)),
        (utc(2099, 2, 28), 12, utc(2100, 2, 28)),
        (utc(2099, 3, 31), 11, utc(2100, 2, 28)),
        (utc(1999, 3, 31), 11, utc(2000, 2, 29)),
        (utc(2026, 5, 31), 0, utc(2026, 5, 31)),
        (utc(2026, 1, 31), 60, utc(2031, 1, 31)),
        (utc(2026, 8, 31), 240, utc(2046, 8, 31)),
    ],
    ids=lambda value: value.date().isoformat() if isinstance(value, dt.datetime) else str(value),
)
def test_adding_months_keeps_the_day_and_time_or_clamps_to_the_months_last_day(
    start: dt.datetime, months: int, expected: dt.datetime
) -> None:
    # Given a moment
    # When months are added
    later = add_months(start, months)

    # Then the same day and time follow that many months later, or the month's last day
    assert later == expected


def test_adding_months_keeps_the_wall_clock_across_daylight_saving_time() -> None:
    # Given a moment in winter time in Amsterdam
    winter = dt.datetime(2026, 1, 15, 10, 0, tzinfo=AMS)

    # When six months are added
    summer = add_months(winter, 6)

    # Then it is the same wall-clock time, in summer time
    assert summer == dt.datetime(2026, 7, 15, 10, 0, tzinfo=AMS)
    assert summer.utcoffset() == dt.timedelta(hours=2)


@pytest.mark.parametrize(
    ("taken_on", "years"),
    [(None, 5), (True, 5), (False, 1)],
    ids=["no-decision-yet", "taken-on", "not-taken-on"],
)
def test_data_expires_after_the_houses_period_for_the_decision(
    taken_on: bool | None, years: int
) -> None:
    # Given the default house: 12 months when not taken on, 60 when taken on
    house = current_house()
    since = dt.datetime(2026, 1, 31, 10, tzinfo=dt.UTC)

    # When the expiry is computed
    until = expires_at(house, since, taken_on=taken_on)

    # Then it is that period later, in epoch seconds
    assert until == int(since.replace(year=2026 + years).timestamp())


def test_an_open_case_uses_the_longer_period_even_when_not_taking_on_is_kept_longer() -> None:
    # Given a house that keeps cases not taken on longer than those taken on
    house = current_house().model_copy(
        update={
            "retention": current_house().retention.model_copy(
                update={"not_taken_on_months": 24, "taken_on_months": 12}
            )
        }
    )
    since = dt.datetime(2026, 1, 31, 10, tzinfo=dt.UTC)

    # When an open case's expiry is computed
    until = expires_at(house, since, taken_on=None)

    # Then it is the longer period: 24 months
    assert until == int(dt.datetime(2028, 1, 31, 10, tzinfo=dt.UTC).timestamp())
