"""The weekly agenda's meeting, and retention periods from the house file."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from vhcore.house import house_path, load_house_file
from vhcore.logic.agenda import closing_triage
from vhcore.logic.retention import expires_at

AMS = ZoneInfo("Europe/Amsterdam")
NHN = load_house_file(house_path("noord-holland-noord"))
SITTARD = load_house_file(house_path("sittard"))
DEFAULT = load_house_file(house_path("voorbeeldregio"))


def test_at_the_monday_noon_cutoff_the_agenda_of_that_tuesday_closes() -> None:
    at_cutoff = dt.datetime(2026, 11, 23, 12, 0, tzinfo=AMS)
    assert closing_triage(at_cutoff, NHN) == dt.date(2026, 11, 24)
    late_schedule = dt.datetime(2026, 11, 23, 15, 30, tzinfo=AMS)
    assert closing_triage(late_schedule, NHN) == dt.date(2026, 11, 24)


def test_just_before_the_cutoff_it_is_last_weeks_agenda_that_closed() -> None:
    before = dt.datetime(2026, 11, 23, 11, 59, tzinfo=AMS)
    assert closing_triage(before, NHN) == dt.date(2026, 11, 17)


def test_a_house_without_a_rhythm_has_no_agenda_to_fix() -> None:
    assert closing_triage(dt.datetime(2026, 11, 23, 12, tzinfo=AMS), SITTARD) is None


def test_retention_follows_the_outcome_from_the_closing_date() -> None:
    closed = dt.datetime(2026, 1, 31, 10, tzinfo=dt.UTC)
    not_taken = dt.datetime.fromtimestamp(expires_at(DEFAULT, closed, taken_on=False), dt.UTC)
    taken = dt.datetime.fromtimestamp(expires_at(DEFAULT, closed, taken_on=True), dt.UTC)
    assert not_taken == dt.datetime(2027, 1, 31, 10, tzinfo=dt.UTC)  # 12 months
    assert taken == dt.datetime(2031, 1, 31, 10, tzinfo=dt.UTC)  # 60 months


def test_an_open_case_keeps_the_longest_period_and_month_ends_are_clamped() -> None:
    received = dt.datetime(2028, 2, 29, 9, tzinfo=dt.UTC)
    until = dt.datetime.fromtimestamp(expires_at(DEFAULT, received, taken_on=None), dt.UTC)
    assert until == dt.datetime(2033, 2, 28, 9, tzinfo=dt.UTC)
