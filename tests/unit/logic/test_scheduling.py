"""Placing a case on a triage: the house's triage day, or an extra triage for urgent cases."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest

from tests.unit.logic.support import ACTOR, MONDAY, register
from vhcore.calendar import is_triage_day, next_triage_day
from vhcore.errors import NotSchedulable
from vhcore.house import House
from vhcore.logic import cases
from vhcore.ports import Services

THURSDAY = dt.date(2026, 12, 3)  # the default house's triage day
FRIDAY = dt.date(2026, 12, 4)


def test_a_case_goes_to_the_houses_triage_day(services: Services) -> None:
    registration = register(services, MONDAY)
    placed = cases.schedule(services, registration.id, actor=ACTOR, triage_date=THURSDAY, reason="")
    assert placed.triage_date == THURSDAY


def test_another_day_is_refused_for_an_ordinary_case_even_as_extra(services: Services) -> None:
    registration = register(services, MONDAY)
    for extra in (False, True):
        with pytest.raises(NotSchedulable, match="Kies een donderdag"):
            cases.schedule(
                services,
                registration.id,
                actor=ACTOR,
                triage_date=FRIDAY,
                reason="",
                extra_triage=extra,
            )


def test_an_urgent_case_goes_to_an_extra_triage_only_when_asked(services: Services) -> None:
    registration = register(services, MONDAY, urgency="spoed", urgency_reason="Morgen weg.")
    with pytest.raises(NotSchedulable, match="extra triage"):
        cases.schedule(services, registration.id, actor=ACTOR, triage_date=FRIDAY, reason="")
    placed = cases.schedule(
        services, registration.id, actor=ACTOR, triage_date=FRIDAY, reason="", extra_triage=True
    )
    assert placed.triage_date == FRIDAY
    assert placed.history[-1].summary == "Geagendeerd voor een extra triage op 2026-12-04"


def test_a_triage_moved_by_a_holiday_is_still_the_triage_day(
    use_house: Callable[[str], House],
) -> None:
    # Noord-Holland Noord meets on Tuesday; on Tuesday 26 December 2028 (Christmas) the
    # meeting moves to Wednesday 27 December.
    house = use_house("noord-holland-noord")
    assert is_triage_day(dt.date(2028, 12, 27), house)
    assert not is_triage_day(dt.date(2028, 12, 28), house)
    assert next_triage_day(dt.date(2028, 12, 22), house) == dt.date(2028, 12, 27)


def test_a_house_without_a_weekly_triage_takes_any_working_day(
    use_house: Callable[[str], House], services: Services
) -> None:
    house = use_house("hollands-midden")
    assert house.triage.weekly is None
    registration = register(services, MONDAY)
    placed = cases.schedule(services, registration.id, actor=ACTOR, triage_date=FRIDAY, reason="")
    assert placed.triage_date == FRIDAY
