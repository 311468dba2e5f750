"""The overview of every open case: grouped by status with counts, urgent first, filters and
search by reference, working days since receipt and to the promise; clear fields only."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

from tests.factories import PERSONAL_VALUES, registration
from tests.unit.logic.conftest import FrozenClock
from tests.unit.logic.support import MONDAY, STAFF, THURSDAY_TRIAGE, closed, decide, register
from vhcore.dal.memory import MemoryStore
from vhcore.house import House
from vhcore.logic import cases, staff, triage
from vhcore.logic.staff import OverviewFilter
from vhcore.model import Registration
from vhcore.ports import Services
from vhcore.status import Status


def listed(services: Services, **wanted: Any) -> list[str]:
    return [e.reference for e in staff.overview(services, OverviewFilter(**wanted)).cases]


@pytest.fixture
def four(services: Services) -> dict[str, Registration]:
    """Received on Monday 23 November 2026: one on Thursday's agenda, an urgent one not yet
    planned, one decided and one closed."""
    scheduled = register(services, MONDAY.replace(hour=9))
    triage.enqueue(services, scheduled.id)
    registrant = registration()["registrant"] | {"organisation": "ggz"}
    urgent = register(
        services,
        MONDAY.replace(hour=11),
        urgency="spoed",
        urgency_reason="Dreigende uitzetting volgende week.",
        registrant=registrant,
    )
    decided = decide(services, register(services, MONDAY.replace(hour=8)))
    gone = closed(services, register(services, MONDAY.replace(hour=7)))
    return {"scheduled": scheduled, "urgent": urgent, "decided": decided, "closed": gone}


def test_every_open_case_is_listed_urgent_first_with_counts_per_status(
    services: Services, four: dict[str, Registration]
) -> None:
    found = staff.overview(services, OverviewFilter())
    assert [e.reference for e in found.cases] == [
        four["urgent"].reference,  # urgent first
        four["scheduled"].reference,  # then the promise that ends first
        four["decided"].reference,  # the decision kept the promise (contact made)
    ]
    assert found.open_total == 3
    assert found.counts == {"received": 1, "scheduled": 1, "decided": 1}
    shown = found.model_dump_json()
    assert [value for value in PERSONAL_VALUES.values() if value in shown] == []


def test_each_case_counts_working_days_since_receipt_and_to_the_promise(
    services: Services, four: dict[str, Registration], frozen_clock: FrozenClock
) -> None:
    # Wednesday: two working days after Monday; the promise (5 working days) is Monday 30th.
    frozen_clock.advance(days=2)
    entries = {e.reference: e for e in staff.overview(services, OverviewFilter()).cases}
    scheduled = entries[four["scheduled"].reference]
    assert scheduled.working_days_since_receipt == 2
    assert scheduled.working_days_to_promise == 3
    assert entries[four["decided"].reference].working_days_to_promise is None

    # Contact made: the promise is kept, nothing is counted down any more.
    cases.record_contact(services, four["scheduled"].id, actor=STAFF.actor, note="Gebeld")
    entries = {e.reference: e for e in staff.overview(services, OverviewFilter()).cases}
    assert entries[four["scheduled"].reference].working_days_to_promise is None

    # A week later the urgent one (the house's urgent term: one working day, so Tuesday the
    # 24th) is six working days past its promise.
    frozen_clock.advance(days=7)
    entries = {e.reference: e for e in staff.overview(services, OverviewFilter()).cases}
    assert entries[four["urgent"].reference].working_days_to_promise == -6


def test_filters_narrow_the_list_and_a_whole_reference_finds_a_closed_case(
    services: Services, four: dict[str, Registration]
) -> None:
    scheduled, urgent = four["scheduled"].reference, four["urgent"].reference
    assert listed(services, status=Status.SCHEDULED) == [scheduled]
    assert listed(services, urgency="spoed") == [urgent]
    assert listed(services, organisation="ggz") == [urgent]
    # In this house every registration gets the coming triage's date at receipt.
    thursday = listed(services, triage_date=THURSDAY_TRIAGE.isoformat())
    assert thursday == [urgent, scheduled, four["decided"].reference]
    assert listed(services, triage_date=(THURSDAY_TRIAGE + dt.timedelta(days=7)).isoformat()) == []
    assert listed(services, reference=scheduled[3:8]) == [scheduled]
    assert listed(services, reference=four["closed"].reference) == [four["closed"].reference]
    assert listed(services, reference="VH-0000-0000") == []
    assert listed(services, urgency="spoed", status=Status.DECIDED) == []


def test_plan_actions_due_within_a_week_or_overdue_are_listed_without_their_text(
    services: Services, store: MemoryStore, four: dict[str, Registration]
) -> None:
    decided = four["decided"]
    store.registrations[decided.id] = decided.model_copy(
        update={"plan_next_due": dt.date(2026, 11, 20), "plan_open_actions": 2}
    )
    due = staff.overview(services, OverviewFilter()).due_actions
    assert [(d.reference, d.due, d.overdue, d.open_actions) for d in due] == [
        (decided.reference, dt.date(2026, 11, 20), True, 2)
    ]


def test_in_a_house_without_a_weekly_rhythm_the_agenda_is_every_case_scheduled_by_hand(
    services: Services, use_house: Callable[[str], House]
) -> None:
    """What the staff page prints for such a house (Sittard): /me says te-plannen, and the
    cases with status scheduled are its agenda, each with the date staff chose."""
    use_house("sittard")
    assert staff.upcoming_triage() == "te-plannen"
    waiting = register(services, MONDAY)
    planned = register(services, MONDAY)
    cases.schedule(
        services, planned.id, actor=STAFF.actor, triage_date=THURSDAY_TRIAGE, reason="Op de agenda"
    )
    scheduled = staff.overview(services, OverviewFilter(status=Status.SCHEDULED)).cases
    assert [(e.reference, e.triage_date) for e in scheduled] == [
        (planned.reference, THURSDAY_TRIAGE)
    ]
    assert listed(services, triage_date="te-plannen") == [waiting.reference]
