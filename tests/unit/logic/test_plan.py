"""The plan after triage: only for a case taken on; sealed like other staff text; shown on the
case; each change one audit record and one history event; its due actions on the overview."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.unit.logic.support import (
    MONDAY,
    NOT_TAKEN_ON,
    STAFF,
    decide,
    register,
    reload,
    typed,
)
from vhcore.dal.memory import MemoryStore
from vhcore.errors import NoPlan
from vhcore.logic import staff
from vhcore.logic.cases import Plan, PlanAction
from vhcore.logic.staff import OverviewFilter
from vhcore.ports import Services
from vhcore.staff import Group, Staff

DIRECTION = Staff(
    user_id=STAFF.user_id, username=STAFF.username, groups=frozenset({Group.PROCESS_DIRECTION})
)
GOAL = "Doel-Q7: de huur wordt weer betaald en de overlast stopt."
PLAN = Plan(
    goal=GOAL,
    case_director="Casusregisseur Kersen",
    actions=[
        PlanAction(text="Budgetcoach regelen", owner="Wijkteam", due=dt.date(2026, 11, 27)),
        PlanAction(text="Huisbezoek met de GGZ", owner="GGZ", due=dt.date(2026, 12, 4)),
        PlanAction(
            text="Signaal aan de woningcorporatie",
            owner="Gemeente",
            due=dt.date(2026, 11, 25),
            done=True,
        ),
    ],
)


def test_a_plan_is_sealed_shown_on_the_case_audited_once_and_its_due_actions_listed(
    services: Services, store: MemoryStore
) -> None:
    taken_on = decide(services, register(services, MONDAY))
    case = staff.act(services, taken_on.reference, DIRECTION, "plan", "", plan=PLAN)

    # Shown on the case, as typed.
    assert case.plan == PLAN
    assert case.history[-1].action == "plan"
    assert case.history[-1].reason == "Plan van aanpak vastgelegd"
    # Stored sealed for this case; only the first open due date and the count in clear.
    stored = reload(services, taken_on)
    assert GOAL not in stored.model_dump_json(exclude={"plan_personal"})
    assert Plan.model_validate_json(typed(stored, stored.plan_personal) or "") == PLAN
    assert (stored.plan_next_due, stored.plan_open_actions) == (dt.date(2026, 11, 27), 2)
    # One audit record for the one action.
    assert [e.action for e in store.audit if e.registration_id == taken_on.id] == ["plan"]
    # The overview lists the action due this week, not its text.
    due = staff.overview(services, OverviewFilter()).due_actions
    assert [(d.reference, d.due, d.open_actions) for d in due] == [
        (taken_on.reference, dt.date(2026, 11, 27), 2)
    ]
    assert GOAL not in staff.overview(services, OverviewFilter()).model_dump_json()


def test_a_changed_plan_replaces_the_old_one_and_all_done_leaves_nothing_due(
    services: Services,
) -> None:
    taken_on = decide(services, register(services, MONDAY))
    staff.act(services, taken_on.reference, DIRECTION, "plan", "", plan=PLAN)
    done = PLAN.model_copy(
        update={"actions": [a.model_copy(update={"done": True}) for a in PLAN.actions]}
    )
    case = staff.act(services, taken_on.reference, DIRECTION, "plan", "", plan=done)
    assert case.plan == done
    assert case.history[-1].reason == "Plan van aanpak bijgewerkt"
    stored = reload(services, taken_on)
    assert (stored.plan_next_due, stored.plan_open_actions) == (None, 0)
    assert staff.overview(services, OverviewFilter()).due_actions == []


def test_only_a_case_taken_on_gets_a_plan(services: Services) -> None:
    received = register(services, MONDAY)
    not_taken_on = decide(services, register(services, MONDAY), NOT_TAKEN_ON)
    for registration in (received, not_taken_on):
        with pytest.raises(NoPlan):
            staff.act(services, registration.reference, DIRECTION, "plan", "", plan=PLAN)
        assert reload(services, registration).plan_personal is None
