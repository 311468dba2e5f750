"""The triage queue: where a registration is discussed, and the workflow's parked tokens."""

from __future__ import annotations

from vhcore import clock
from vhcore.errors import NotFound
from vhcore.log import logger
from vhcore.model import SYSTEM, TO_BE_PLANNED, Changes, HistoryEvent, Registration, Resumption
from vhcore.ports import Services
from vhcore.status import Status


def load(services: Services, registration_id: str) -> Registration:
    """The registration, or ``NotFound``; its ids join the log's keys."""
    registration = services.store.get(registration_id)
    if registration is None:
        raise NotFound(registration_id)
    logger.append_keys(registration_id=registration_id, reference=registration.reference)
    return registration


def enqueue(services: Services, registration_id: str) -> None:
    """Put a new registration on the queue of its triage meeting, or on 'te plannen' for a
    house that schedules by hand. Safe to repeat (a redelivered message changes nothing)."""
    registration = load(services, registration_id)
    if registration.queued_for:
        return
    triage_date = registration.triage_date
    queued_for = triage_date.isoformat() if triage_date else TO_BE_PLANNED
    if triage_date and registration.status == Status.RECEIVED:
        services.store.transition(
            registration_id,
            expected=Status.RECEIVED,
            changes=Changes(queued_for=queued_for, status=Status.SCHEDULED),
            event=HistoryEvent(
                at=clock.now().replace(microsecond=0),
                actor=SYSTEM,
                action="enqueue",
                from_status=Status.RECEIVED,
                to_status=Status.SCHEDULED,
                summary=f"Geagendeerd voor de triage van {triage_date.isoformat()}",
            ),
        )
    else:
        services.store.update(registration_id, Changes(queued_for=queued_for))
    logger.info("placed on the triage queue", extra={"queue": queued_for})


def park_decision_token(services: Services, registration_id: str, token: str) -> None:
    """Keep the workflow's token until the decision is recorded; resume at once if it
    already was (staff can be quicker than the workflow)."""
    if not services.store.park_token(registration_id, "decision", token):
        registration = load(services, registration_id)
        services.workflow.resume(token, Resumption(outcome=registration.outcome))
        logger.info("decision already recorded; workflow resumed")


def park_close_token(services: Services, registration_id: str, token: str) -> None:
    if not services.store.park_token(registration_id, "close", token):
        services.workflow.resume(token, Resumption(closed=True))
        logger.info("case already closed; workflow resumed")
