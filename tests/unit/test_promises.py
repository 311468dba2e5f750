"""Promises that hold: every date a house promises is a working day, a date and not a minute,
and never before the triage for a house that promises the triage's answer.

Property tests run over every house file in ``houses/`` and any receipt moment in 2026-2028
(with extra weight on Christmas/New Year, Easter and King's Day); the unit tests are the
houses' own sentences."""

from __future__ import annotations

import datetime as dt
from functools import cache
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from vhcore.calendar import (
    AMSTERDAM,
    END_OF_WORKING_DAY,
    dutch_date,
    easter_sunday,
    is_working_day,
    reminder_at,
    respond_by,
    triage_date,
)
from vhcore.emails import render
from vhcore.house import (
    House,
    HouseConfigError,
    PromiseKind,
    house_path,
    load_house_file,
    shipped_houses,
)

HOUSES = shipped_houses()
START = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
SECONDS = int((dt.datetime(2029, 1, 1, tzinfo=dt.UTC) - START).total_seconds())


@cache
def house(name: str) -> House:
    return load_house_file(house_path(name))


def ams(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=AMSTERDAM)


def _around(days: list[dt.date]) -> st.SearchStrategy[dt.datetime]:
    """Any moment in the fortnight before to the week after one of ``days``."""
    return st.builds(
        lambda day, offset: (
            dt.datetime.combine(day, dt.time(), tzinfo=AMSTERDAM) + dt.timedelta(seconds=offset)
        ),
        st.sampled_from(days),
        st.integers(-14 * 86400, 7 * 86400),
    )


_YEARS = (2026, 2027, 2028)
# A whole year or three, and the weeks where holidays bunch up.
MOMENTS = st.one_of(
    st.integers(0, SECONDS - 1).map(lambda s: START + dt.timedelta(seconds=s)),
    _around([dt.date(y, 12, 25) for y in _YEARS] + [dt.date(y, 1, 1) for y in _YEARS]),
    _around([easter_sunday(y) for y in _YEARS]),
    _around([dt.date(y, 4, 27) for y in _YEARS] + [dt.date(y, 5, 5) for y in _YEARS]),
)


def _is_a_promise(moment: dt.datetime) -> bool:
    """A date, not a minute: the end of a working day as ``vhcore.calendar`` defines it."""
    local = moment.astimezone(AMSTERDAM)
    return is_working_day(local.date()) and local.timetz().replace(tzinfo=None) == (
        END_OF_WORKING_DAY
    )


@pytest.mark.parametrize("name", HOUSES)
@settings(max_examples=400, deadline=None)
@given(received=MOMENTS)
@example(received=ams(2026, 12, 18, 9, 12))  # Friday before Christmas
@example(received=ams(2026, 12, 31, 23, 59))
@example(received=ams(2027, 4, 26, 12, 0))  # Monday cut-off before King's Day
def test_every_promised_date_is_the_end_of_a_working_day(name: str, received: dt.datetime) -> None:
    the_house = house(name)
    promised = respond_by(received, the_house)
    reminder = reminder_at(promised, the_house).astimezone(AMSTERDAM)
    assert _is_a_promise(promised), promised
    assert promised.astimezone(AMSTERDAM).date() > received.astimezone(AMSTERDAM).date()
    # Staff are reminded before the promise lapses, at the start of a working day.
    assert reminder < promised
    assert is_working_day(reminder.date())
    assert (reminder.hour, reminder.minute) == (9, 0)
    triage = triage_date(received, the_house)
    if triage is not None:
        assert is_working_day(triage)
    if the_house.response_term.promises is PromiseKind.TRIAGE_ANSWER:
        assert triage is not None
        assert promised.astimezone(AMSTERDAM).date() > triage


# --- the houses' own sentences ---------------------------------------------------------------


def test_sittard_two_weeks_from_friday_18_december_2026_is_monday_4_january() -> None:
    """'Uiterlijk twee weken na ontvangst': Friday 1 January is New Year's Day."""
    received = ams(2026, 12, 18, 9, 12)
    promised = respond_by(received, house("sittard"))
    assert promised == ams(2027, 1, 4, 17, 0)
    assert dutch_date(promised) == "maandag 4 januari 2027"
    assert reminder_at(promised, house("sittard")) == ams(2026, 12, 31, 9, 0)


def test_sittard_two_weeks_on_an_ordinary_day_is_the_same_weekday_two_weeks_later() -> None:
    assert respond_by(ams(2026, 3, 2, 16, 45), house("sittard")) == ams(2026, 3, 16, 17, 0)


@pytest.mark.parametrize("name", ["voorbeeldregio", "hollands-midden"])
def test_five_working_days_skip_the_weekend_and_the_day_of_receipt(name: str) -> None:
    # Monday 9 March 2026 -> Monday 16 March; Thursday 24 December -> Monday 4 January 2027.
    assert respond_by(ams(2026, 3, 9, 8, 0), house(name)) == ams(2026, 3, 16, 17, 0)
    assert respond_by(ams(2026, 12, 24, 10, 0), house(name)) == ams(2027, 1, 4, 17, 0)


@pytest.mark.parametrize(
    ("received", "triage", "promised"),
    [
        # 'Vóór maandagmiddag 12.00 uur' -> the triage on Tuesday of that week.
        (ams(2026, 3, 9, 11, 59), dt.date(2026, 3, 10), ams(2026, 3, 17, 17, 0)),
        # At 12:00 or on Tuesday: the triage eight days later, and the answer after it.
        (ams(2026, 3, 9, 12, 0), dt.date(2026, 3, 17), ams(2026, 3, 24, 17, 0)),
        (ams(2026, 3, 10, 8, 0), dt.date(2026, 3, 17), ams(2026, 3, 24, 17, 0)),
        # King's Day 2027 is the Tuesday: triage Wednesday 28 April; a week later is
        # Bevrijdingsdag, the day after Ascension Day: Friday 7 May.
        (ams(2027, 4, 26, 11, 0), dt.date(2027, 4, 28), ams(2027, 5, 7, 17, 0)),
    ],
)
def test_noord_holland_noord_promises_the_answer_after_the_tuesday_triage(
    received: dt.datetime, triage: dt.date, promised: dt.datetime
) -> None:
    nhn = house("noord-holland-noord")
    assert nhn.response_term.promises is PromiseKind.TRIAGE_ANSWER
    assert triage_date(received, nhn) == triage
    assert respond_by(received, nhn) == promised


def test_a_house_promising_the_triage_answer_without_a_triage_day_is_refused(
    tmp_path: Path,
) -> None:
    text = house_path("sittard").read_text(encoding="utf-8")
    bad = tmp_path / "sittard.yaml"
    bad.write_text(text.replace("promises: contact", "promises: triage_answer"), encoding="utf-8")
    with pytest.raises(HouseConfigError, match="triage_answer needs a weekly triage day"):
        load_house_file(bad)


def test_the_receipt_shows_the_promised_day_without_a_time(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SITE_URL", "https://vh.example.org")
    received = ams(2026, 12, 18, 9, 12)
    email = render(
        "receipt",
        reference="VH-7K3M-Q9TX",
        received_at=received.isoformat(),
        respond_by=respond_by(received, house("sittard")).astimezone(dt.UTC).isoformat(),
        triage_date=None,
    )
    assert "Dat is uiterlijk maandag 4 januari 2027." in email.text
    assert "1 januari" not in email.text
