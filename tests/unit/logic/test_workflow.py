"""The follow-up workflow: started once per registration; an expired one frees its reference."""

from __future__ import annotations

from tests.unit.logic.support import register
from vhcore.dal.memory import MemoryStore, MemoryWorkflow
from vhcore.logic.workflow import expired, start_for
from vhcore.model import WorkflowInput
from vhcore.ports import Services


def test_a_new_registrations_follow_up_starts_with_its_promised_moments(
    services: Services, workflow: MemoryWorkflow
) -> None:
    # Given a newly stored registration
    registration = register(services)

    # When its workflow is started
    started = start_for(services, registration)

    # Then it runs with the ids and the moments promised at receipt
    assert started is True
    assert workflow.started == {
        registration.id: WorkflowInput(
            registration_id=registration.id,
            reference=registration.reference,
            respond_by=registration.respond_by,
        )
    }


def test_starting_the_follow_up_again_starts_nothing_new(
    services: Services, workflow: MemoryWorkflow
) -> None:
    # Given a registration whose workflow runs
    registration = register(services)
    start_for(services, registration)
    running = dict(workflow.started)

    # When the stream delivers the new registration again
    started = start_for(services, registration)

    # Then no second workflow is started
    assert started is False
    assert workflow.started == running


def test_an_expired_registration_frees_its_reference_and_only_its_own(
    services: Services, store: MemoryStore
) -> None:
    # Given two registrations, one of which reached the end of its retention period
    kept = register(services)
    gone = register(services)
    del store.registrations[gone.id]

    # When its removal is handled
    expired(services, gone)

    # Then its reference is free again; the other one still leads to its registration
    assert store.find(gone.reference) is None
    assert store.find(kept.reference) == kept.id
