"""Figures per year, quarter or month: the periods on the Amsterdam calendar."""

from __future__ import annotations

import datetime as dt

from vhcore.calendar import AMSTERDAM
from vhcore.logic.staff import period_bounds


def day(year: int, month: int) -> dt.datetime:
    return dt.datetime(year, month, 1, tzinfo=AMSTERDAM)


def test_a_year_a_quarter_and_a_month_start_and_end_at_midnight_in_amsterdam() -> None:
    assert period_bounds(2026) == (day(2026, 1), day(2027, 1))
    assert period_bounds(2026, "Q1") == (day(2026, 1), day(2026, 4))
    assert period_bounds(2026, "Q4") == (day(2026, 10), day(2027, 1))
    assert period_bounds(2026, "02") == (day(2026, 2), day(2026, 3))
    assert period_bounds(2026, "12") == (day(2026, 12), day(2027, 1))
