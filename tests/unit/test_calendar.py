"""The calendar of a house: Dutch working days, response terms and triage dates."""

from __future__ import annotations

import datetime as dt
from functools import cache
from zoneinfo import ZoneInfo

import pytest

from vhcore.calendar import (
    AMSTERDAM,
    NaiveDatetimeError,
    add_term,
    add_working_days,
    dutch_date,
    dutch_datetime,
    is_holiday,
    is_working_day,
    reminder_at,
    respond_by,
    to_local,
    triage_date,
    working_days_between,
)
from vhcore.house import House, Term, TermUnit, house_path, load_house_file

UTC = dt.UTC


@cache
def house(name: str) -> House:
    return load_house_file(house_path(name))


def ams(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, *, second: int = 0
) -> dt.datetime:
    """A moment on the Amsterdam wall clock."""
    return dt.datetime(year, month, day, hour, minute, second, tzinfo=AMSTERDAM)


def d(year: int, month: int, day: int) -> dt.date:
    return dt.date(year, month, day)


WEEK = Term(amount=1, unit=TermUnit.WEEKS)
FIVE_WORKING_DAYS = Term(amount=5, unit=TermUnit.WORKING_DAYS)


# --- working days --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "why"),
    [
        (d(2026, 1, 1), "Nieuwjaarsdag"),
        (d(2026, 4, 6), "Tweede paasdag"),
        (d(2026, 4, 27), "Koningsdag on a Monday"),
        (d(2026, 5, 5), "Bevrijdingsdag in a non-lustrum year"),
        (d(2026, 5, 14), "Hemelvaartsdag"),
        (d(2026, 5, 25), "Tweede pinksterdag"),
        (d(2026, 12, 25), "Eerste kerstdag"),
        (d(2025, 12, 26), "Tweede kerstdag on a Friday"),
        (d(2027, 4, 27), "Koningsdag on a Tuesday"),
    ],
)
def test_given_a_general_holiday_on_a_weekday_then_it_is_not_a_working_day(
    day: dt.date, why: str
) -> None:
    assert day.weekday() < 5, why
    assert is_holiday(day)
    assert not is_working_day(day)


def test_given_good_friday_then_it_is_a_working_day() -> None:
    # Not in the Algemene termijnenwet, not a paid holiday for government staff.
    assert not is_holiday(d(2026, 4, 3))
    assert is_working_day(d(2026, 4, 3))


@pytest.mark.parametrize("year", [2025, 2031, 2036])
def test_given_27_april_on_a_sunday_then_koningsdag_is_saturday_26_and_monday_28_is_worked(
    year: int,
) -> None:
    assert d(year, 4, 27).weekday() == 6
    assert is_holiday(d(year, 4, 26))
    assert not is_holiday(d(year, 4, 27))
    assert is_working_day(d(year, 4, 28))


def test_given_an_ordinary_weekday_or_a_weekend_then_only_the_weekday_is_worked() -> None:
    assert is_working_day(d(2026, 3, 10))
    assert not is_working_day(d(2026, 3, 14))
    assert not is_working_day(d(2026, 3, 15))


def test_given_a_term_over_christmas_and_new_year_then_the_holidays_are_skipped() -> None:
    # Thu 24 Dec 2026 -> Mon 28, Tue 29, Wed 30, Thu 31, (Fri 1 Jan) Mon 4 Jan.
    assert add_working_days(d(2026, 12, 24), 5) == d(2027, 1, 4)


def test_given_two_days_then_the_working_days_between_skip_the_first_weekends_and_holidays() -> (
    None
):
    assert working_days_between(d(2026, 12, 4), d(2026, 12, 4)) == 0
    assert working_days_between(d(2026, 12, 4), d(2026, 12, 7)) == 1  # Friday to Monday
    # Thu 24 Dec 2026 to Mon 4 Jan 2027: the same five days add_working_days counts.
    assert working_days_between(d(2026, 12, 24), d(2027, 1, 4)) == 5
    assert working_days_between(d(2027, 1, 4), d(2026, 12, 24)) == -5
    for count in range(12):
        assert working_days_between(d(2026, 4, 24), add_working_days(d(2026, 4, 24), count)) == (
            count
        )


# --- terms ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("received", "deadline"),
    [
        (ams(2026, 3, 6, 9, 0), ams(2026, 3, 13, 17, 0)),  # Friday morning
        (ams(2026, 3, 6, 17, 30), ams(2026, 3, 13, 17, 0)),  # Friday after office hours
        (ams(2026, 3, 7, 11, 0), ams(2026, 3, 13, 17, 0)),  # Saturday
        (ams(2026, 3, 9, 0, 0), ams(2026, 3, 16, 17, 0)),  # Monday at midnight
        (ams(2026, 4, 6, 10, 0), ams(2026, 4, 13, 17, 0)),  # on Easter Monday
    ],
)
def test_given_a_registration_when_adding_5_working_days_then_the_day_of_receipt_does_not_count(
    received: dt.datetime, deadline: dt.datetime
) -> None:
    assert add_term(received, FIVE_WORKING_DAYS) == deadline


def test_given_koningsdag_2026_and_bevrijdingsdag_when_adding_working_days_then_both_skipped() -> (
    None
):
    # Fri 24 Apr -> Tue 28, Wed 29, Thu 30, Fri 1 May, Mon 4 May (Mon 27 Apr skipped).
    assert add_term(ams(2026, 4, 24, 10, 0), FIVE_WORKING_DAYS) == ams(2026, 5, 4, 17, 0)
    # Wed 29 Apr -> Thu 30, Fri 1, Mon 4, (Tue 5 May) Wed 6, Thu 7.
    assert add_term(ams(2026, 4, 29, 10, 0), FIVE_WORKING_DAYS) == ams(2026, 5, 7, 17, 0)


def test_given_a_registration_in_utc_when_adding_working_days_then_the_amsterdam_day_counts() -> (
    None
):
    # 23:30 UTC on Sunday 8 March is 00:30 on Monday 9 March in Amsterdam.
    received = dt.datetime(2026, 3, 8, 23, 30, tzinfo=UTC)
    assert add_term(received, FIVE_WORKING_DAYS) == ams(2026, 3, 16, 17, 0)


@pytest.mark.parametrize(
    ("start", "expected_utc"),
    [
        # Last Sunday of March 2026 (29th): the promise is 17:00 CEST = 15:00 UTC.
        (ams(2026, 3, 24, 10, 0), dt.datetime(2026, 3, 31, 15, 0, tzinfo=UTC)),
        # Last Sunday of October 2026 (25th): the promise is 17:00 CET = 16:00 UTC.
        (ams(2026, 10, 20, 10, 0), dt.datetime(2026, 10, 27, 16, 0, tzinfo=UTC)),
    ],
)
def test_given_the_week_of_a_dst_change_when_adding_a_week_then_the_promise_is_17h_local(
    start: dt.datetime, expected_utc: dt.datetime
) -> None:
    end = add_term(start, WEEK)
    assert end == expected_utc
    assert (end.hour, end.minute) == (17, 0)
    assert end.tzinfo == AMSTERDAM


def test_given_the_week_of_a_dst_change_when_adding_working_days_then_the_deadline_is_17h() -> None:
    # Fri 27 Mar 2026 (CET) -> Fri 3 Apr 2026 (CEST; Good Friday is worked) 17:00 = 15:00 UTC.
    end = add_term(ams(2026, 3, 27, 10, 0), FIVE_WORKING_DAYS)
    assert end == dt.datetime(2026, 4, 3, 15, 0, tzinfo=UTC)
    # Fri 23 Oct 2026 (CEST) -> Fri 30 Oct 2026 (CET) 17:00 = 16:00 UTC.
    end = add_term(ams(2026, 10, 23, 10, 0), FIVE_WORKING_DAYS)
    assert end == dt.datetime(2026, 10, 30, 16, 0, tzinfo=UTC)


def test_given_receipt_in_the_spring_gap_or_autumn_repeat_then_only_the_day_counts() -> None:
    # Sunday + 1 week is a Sunday: the promise moves to Monday, 17:00, whatever the hour.
    assert add_term(ams(2026, 3, 22, 2, 30), WEEK) == ams(2026, 3, 30, 17, 0)
    assert add_term(ams(2026, 10, 18, 2, 30), WEEK) == ams(2026, 10, 26, 17, 0)


def test_given_calendar_days_ending_on_a_holiday_then_the_next_working_day_is_promised() -> None:
    # Thu 24 Dec 2026 + 3 days = Sunday 27 December -> Monday 28 December.
    term = Term(amount=3, unit=TermUnit.CALENDAR_DAYS)
    assert add_term(ams(2026, 12, 24, 9, 15), term) == ams(2026, 12, 28, 17, 0)
    # Wed 23 Dec 2026 + 2 days = Christmas Day (Friday) -> Monday 28 December.
    term = Term(amount=2, unit=TermUnit.CALENDAR_DAYS)
    assert add_term(ams(2026, 12, 23, 9, 15), term) == ams(2026, 12, 28, 17, 0)


def test_given_a_week_term_ending_on_a_working_day_then_it_does_not_move() -> None:
    term = Term(amount=2, unit=TermUnit.WEEKS)
    assert add_term(ams(2026, 3, 2, 23, 59), term) == ams(2026, 3, 16, 17, 0)


def test_given_a_naive_datetime_then_it_is_refused_with_a_clear_error() -> None:
    naive = dt.datetime(2026, 3, 9, 11, 59)  # noqa: DTZ001
    with pytest.raises(NaiveDatetimeError, match="no timezone"):
        add_term(naive, WEEK)
    with pytest.raises(NaiveDatetimeError):
        respond_by(naive, house("voorbeeldregio"))
    with pytest.raises(NaiveDatetimeError):
        triage_date(naive, house("noord-holland-noord"))
    with pytest.raises(NaiveDatetimeError):
        dutch_date(naive)


def test_given_an_aware_datetime_in_another_zone_then_it_is_read_as_the_same_moment() -> None:
    new_york = dt.datetime(2026, 3, 9, 6, 59, tzinfo=ZoneInfo("America/New_York"))  # EDT
    assert to_local(new_york) == ams(2026, 3, 9, 11, 59)
    assert triage_date(new_york, house("noord-holland-noord")) == d(2026, 3, 10)


# --- respond_by and reminder_at per shipped house --------------------------------------------


@pytest.mark.parametrize(
    ("name", "received", "respond", "remind"),
    [
        # 5 working days; the reminder one working day before (New Year's Day skipped).
        (
            "voorbeeldregio",
            ams(2026, 12, 24, 10, 0),
            ams(2027, 1, 4, 17, 0),
            ams(2026, 12, 31, 9, 0),
        ),
        (
            "hollands-midden",
            ams(2026, 3, 6, 17, 30),
            ams(2026, 3, 13, 17, 0),
            ams(2026, 3, 12, 9, 0),
        ),
        # The triage's answer: triage Tue 31 Mar, then 1 week (Easter Monday 6 April passes,
        # so the reminder comes on the Friday before it).
        (
            "noord-holland-noord",
            ams(2026, 3, 24, 10, 0),
            ams(2026, 4, 7, 17, 0),
            ams(2026, 4, 3, 9, 0),
        ),
        # 2 weeks straight through Christmas.
        (
            "sittard",
            ams(2026, 12, 17, 10, 0),
            ams(2026, 12, 31, 17, 0),
            ams(2026, 12, 30, 9, 0),
        ),
    ],
)
def test_given_a_shipped_house_then_respond_by_and_the_reminder_follow_its_terms(
    name: str, received: dt.datetime, respond: dt.datetime, remind: dt.datetime
) -> None:
    promised = respond_by(received, house(name))
    assert promised == respond
    assert reminder_at(promised, house(name)) == remind


def test_given_sittard_on_friday_18_december_2026_then_monday_4_january_is_promised() -> None:
    """Two weeks later is New Year's Day: the promise moves to the next working day."""
    received = ams(2026, 12, 18, 9, 12)
    assert respond_by(received, house("sittard")) == ams(2027, 1, 4, 17, 0)
    assert dutch_date(respond_by(received, house("sittard"))) == "maandag 4 januari 2027"


# --- triage dates --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("received", "triage"),
    [
        (ams(2026, 3, 9, 11, 59), d(2026, 3, 10)),  # Monday 11:59 -> Tuesday next day
        (ams(2026, 3, 9, 11, 59, second=59), d(2026, 3, 10)),
        (ams(2026, 3, 9, 12, 0), d(2026, 3, 17)),  # exactly 12:00 is too late
        (ams(2026, 3, 9, 12, 1), d(2026, 3, 17)),
        (ams(2026, 3, 10, 8, 0), d(2026, 3, 17)),  # Tuesday morning -> next week
        (ams(2026, 3, 6, 17, 30), d(2026, 3, 10)),  # Friday evening -> coming Tuesday
        (ams(2026, 3, 8, 23, 0), d(2026, 3, 10)),  # Sunday -> coming Tuesday
        (ams(2026, 3, 9, 0, 0), d(2026, 3, 10)),  # Monday at midnight
    ],
)
def test_given_noord_holland_noord_then_before_monday_noon_goes_to_that_tuesday(
    received: dt.datetime, triage: dt.date
) -> None:
    assert triage_date(received, house("noord-holland-noord")) == triage
    assert triage_date(received.astimezone(UTC), house("noord-holland-noord")) == triage


@pytest.mark.parametrize(
    ("received", "triage"),
    [
        (ams(2026, 3, 11, 11, 59), d(2026, 3, 12)),  # Wednesday 11:59 -> Thursday
        (ams(2026, 3, 11, 12, 0), d(2026, 3, 19)),
        (ams(2026, 3, 11, 12, 1), d(2026, 3, 19)),
        (ams(2026, 3, 12, 9, 0), d(2026, 3, 19)),  # on triage day -> next week
        (ams(2026, 3, 9, 9, 0), d(2026, 3, 12)),  # Monday -> this Thursday
    ],
)
def test_given_voorbeeldregio_then_before_wednesday_noon_goes_to_that_thursday(
    received: dt.datetime, triage: dt.date
) -> None:
    assert triage_date(received, house("voorbeeldregio")) == triage


@pytest.mark.parametrize(
    ("received_utc", "triage"),
    [
        # Wed 25 Mar 2026 is CET: 11:59 local = 10:59 UTC, 12:00 local = 11:00 UTC.
        (dt.datetime(2026, 3, 25, 10, 59, tzinfo=UTC), d(2026, 3, 26)),
        (dt.datetime(2026, 3, 25, 11, 0, tzinfo=UTC), d(2026, 4, 2)),
        # Wed 1 Apr 2026 is CEST: 11:59 local = 09:59 UTC, 12:00 local = 10:00 UTC.
        (dt.datetime(2026, 4, 1, 9, 59, tzinfo=UTC), d(2026, 4, 2)),
        (dt.datetime(2026, 4, 1, 10, 0, tzinfo=UTC), d(2026, 4, 9)),
        # Wed 28 Oct 2026 is CET again: 10:59 UTC is 11:59 local.
        (dt.datetime(2026, 10, 28, 10, 59, tzinfo=UTC), d(2026, 10, 29)),
        (dt.datetime(2026, 10, 28, 11, 0, tzinfo=UTC), d(2026, 11, 5)),
    ],
)
def test_given_utc_input_around_dst_changes_then_the_cutoff_is_noon_in_amsterdam(
    received_utc: dt.datetime, triage: dt.date
) -> None:
    assert triage_date(received_utc, house("voorbeeldregio")) == triage


@pytest.mark.parametrize(
    ("name", "received", "triage"),
    [
        # Koningsdag 2027 is Tuesday 27 April -> Wednesday 28 April.
        ("noord-holland-noord", ams(2027, 4, 26, 11, 0), d(2027, 4, 28)),
        # Christmas 2029 on Tuesday and Wednesday -> Thursday 27 December.
        ("noord-holland-noord", ams(2029, 12, 24, 9, 0), d(2029, 12, 27)),
        # Ascension Day is always a Thursday: 14 May 2026 -> Friday 15 May.
        ("voorbeeldregio", ams(2026, 5, 13, 11, 0), d(2026, 5, 15)),
        # The cut-off does not move when it falls on a holiday (Easter Monday 2026).
        ("noord-holland-noord", ams(2026, 4, 6, 11, 59), d(2026, 4, 7)),
        ("noord-holland-noord", ams(2026, 4, 6, 12, 0), d(2026, 4, 14)),
    ],
)
def test_given_a_triage_day_on_a_holiday_then_triage_moves_to_the_next_working_day(
    name: str, received: dt.datetime, triage: dt.date
) -> None:
    assert triage_date(received, house(name)) == triage


@pytest.mark.parametrize("name", ["sittard", "hollands-midden"])
def test_given_a_house_without_a_weekly_rhythm_then_the_triage_date_is_to_be_planned(
    name: str,
) -> None:
    assert triage_date(ams(2026, 3, 9, 11, 59), house(name)) is None


# --- Dutch dates ---------------------------------------------------------------------------


def test_given_a_date_then_it_is_written_in_dutch() -> None:
    assert dutch_date(d(2026, 12, 1)) == "dinsdag 1 december 2026"
    assert dutch_date(d(2027, 3, 14)) == "zondag 14 maart 2027"


def test_given_an_aware_datetime_then_the_amsterdam_date_and_time_are_written_in_dutch() -> None:
    late_utc = dt.datetime(2026, 12, 31, 23, 30, tzinfo=UTC)  # already 2027 in Amsterdam
    assert dutch_date(late_utc) == "vrijdag 1 januari 2027"
    assert dutch_datetime(ams(2027, 1, 4, 17, 0)) == "maandag 4 januari 2027 om 17.00 uur"
    assert dutch_datetime(ams(2026, 5, 4, 9, 5)) == "maandag 4 mei 2026 om 9.05 uur"


def test_given_the_holidays_library_then_the_computed_holidays_agree_from_2014_to_2100() -> None:
    """The holiday rules live in our code (cold start); the maintained library checks them."""
    import holidays

    from vhcore.calendar import _holidays

    for year in range(2014, 2101):  # Koningsdag replaced Koninginnedag in 2014
        library = holidays.country_holidays(
            "NL", years=year, categories=("public", "optional"), language="nl"
        )
        # The library also lists Easter and Whit Sunday: Sundays are never worked anyway.
        expected = {
            day for day, name in library.items() if name != "Goede vrijdag" and day.weekday() != 6
        }
        assert {day for day in _holidays(year) if day.weekday() != 6} == expected, year
