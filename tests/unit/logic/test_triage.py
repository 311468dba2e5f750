"""The triage queue: where a new registration waits, and the workflow's parked tokens."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.unit.logic.support import (
    COLLEAGUE,
    NOT_TAKEN_ON,
    THURSDAY_TRIAGE,
    closed,
    decide,
    events,
    register,
    reload,
)
from vhcore.dal.memory import MemoryWorkflow
from vhcore.errors import NotFound
from vhcore.house import House
from vhcore.logic import cases, triage
from vhcore.model import SYSTEM, TO_BE_PLANNED, Resumption
from vhcore.ports import Services
from vhcore.status import Status


def test_in_a_house_with_a_weekly_triage_a_new_registration_is_scheduled_for_it(
    services: Services,
) -> None:
    # Given a new registration in the default house (triage on Thursday)
    registration = register(services)

    # When it is put on the queue
    triage.enqueue(services, registration.id)

    # Then it waits for Thursday's triage, scheduled by the system
    queued = reload(services, registration)
    assert queued.queued_for == THURSDAY_TRIAGE.isoformat()
    assert queued.status == Status.SCHEDULED
    assert events(queued) == [
        (
            "enqueue",
            Status.RECEIVED,
            Status.SCHEDULED,
            "Geagendeerd voor de triage van 2026-11-26",
            None,
        )
    ]
    assert queued.history[0].actor == SYSTEM


def test_putting_a_registration_on_the_queue_again_changes_nothing(services: Services) -> None:
    # Given a registration already on its triage's queue
    registration = register(services)
    triage.enqueue(services, registration.id)
    queued = reload(services, registration)

    # When the message is delivered again
    triage.enqueue(services, registration.id)

    # Then nothing changes
    assert reload(services, registration) == queued


def test_a_registration_staff_already_acted_on_is_queued_without_changing_its_status(
    services: Services,
) -> None:
    # Given staff asked for information before the registration reached the queue
    registration = register(services)
    cases.request_information(services, registration.id, actor=COLLEAGUE, reason="Vraag")

    # When it is put on the queue
    triage.enqueue(services, registration.id)

    # Then it is on Thursday's queue, still waiting for the information
    queued = reload(services, registration)
    assert queued.queued_for == THURSDAY_TRIAGE.isoformat()
    assert queued.status == Status.INFORMATION_REQUESTED
    assert len(queued.history) == 1


def test_in_a_house_without_a_weekly_triage_a_registration_waits_to_be_planned(
    services: Services, use_house: Callable[[str], House]
) -> None:
    # Given a house that plans its triage by hand, and a new registration
    use_house("sittard")
    registration = register(services)

    # When it is put on the queue
    triage.enqueue(services, registration.id)

    # Then it waits on 'te plannen', still as received
    queued = reload(services, registration)
    assert queued.queued_for == TO_BE_PLANNED
    assert queued.status == Status.RECEIVED
    assert queued.history == ()


def test_an_open_case_keeps_the_decision_token_until_staff_decide(
    services: Services, workflow: MemoryWorkflow
) -> None:
    # Given a scheduled case
    registration = register(services)

    # When the workflow parks its token to wait for the decision
    triage.park_decision_token(services, registration.id, "token-1")

    # Then the token is kept, and nothing is resumed yet
    assert reload(services, registration).decision_token == "token-1"
    assert workflow.resumed == []


def test_a_decision_recorded_before_the_token_arrives_resumes_the_workflow_at_once(
    services: Services, workflow: MemoryWorkflow
) -> None:
    # Given staff decided before the workflow waited for it
    registration = register(services)
    decide(services, registration, NOT_TAKEN_ON)
    workflow.waiting.add("token-1")

    # When the workflow parks its token
    triage.park_decision_token(services, registration.id, "token-1")

    # Then it is resumed at once with the recorded outcome; the token is not kept
    assert workflow.resumed == [("token-1", Resumption(outcome=NOT_TAKEN_ON))]
    assert reload(services, registration).decision_token is None


def test_an_open_case_keeps_the_close_token_until_staff_close_it(
    services: Services, workflow: MemoryWorkflow
) -> None:
    # Given a decided case
    registration = register(services)
    decide(services, registration)

    # When the workflow parks its token to wait for the case to close
    triage.park_close_token(services, registration.id, "token-2")

    # Then the token is kept, and nothing is resumed yet
    assert reload(services, registration).close_token == "token-2"
    assert workflow.resumed == []


def test_a_case_closed_before_the_token_arrives_resumes_the_workflow_at_once(
    services: Services, workflow: MemoryWorkflow
) -> None:
    # Given a case closed before the workflow waited for it
    registration = register(services)
    closed(services, registration)
    workflow.waiting.add("token-2")

    # When the workflow parks its token
    triage.park_close_token(services, registration.id, "token-2")

    # Then it is resumed at once; the token is not kept
    assert workflow.resumed == [("token-2", Resumption(closed=True))]
    assert reload(services, registration).close_token is None


@pytest.mark.parametrize(
    "step",
    [
        triage.enqueue,
        lambda services, registration_id: triage.park_decision_token(
            services, registration_id, "t"
        ),
        lambda services, registration_id: triage.park_close_token(services, registration_id, "t"),
    ],
    ids=["enqueue", "park-decision-token", "park-close-token"],
)
def test_a_step_for_an_unknown_registration_is_not_found(
    services: Services, workflow: MemoryWorkflow, step: Callable[[Services, str], None]
) -> None:
    # Given no registration with this id (e.g. removed at the end of its retention)
    # When the workflow's step arrives for it
    # Then it is not found, and nothing is resumed
    with pytest.raises(NotFound):
        step(services, "no-such-registration")
    assert workflow.resumed == []
