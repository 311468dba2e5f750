"""The triage queue: where a registration is discussed, and the workflow's parked tokens."""

from __future__ import annotations

from typing import Any

from vhcore import clock
from vhcore.dal import registrations, workflow
from vhcore.errors import NotFound
from vhcore.log import logger
from vhcore.status import Status

TO_BE_PLANNED = "te-plannen"
SYSTEM = "systeem"


def queue_key(triage_date: str | None) -> str:
    return f"TRIAGE#{triage_date or TO_BE_PLANNED}"


def _load(registration_id: str) -> dict[str, Any]:
    item = registrations.get_registration(registration_id)
    if item is None:
        raise NotFound(registration_id)
    logger.append_keys(registration_id=registration_id, reference=item.get("reference"))
    return item


def enqueue(registration_id: str) -> None:
    """Put a new registration on the queue of its triage meeting, or on 'te plannen' for a
    house that schedules by hand. Safe to repeat (a redelivered message changes nothing)."""
    item = _load(registration_id)
    if item.get("queue_pk"):
        return
    triage_date = item.get("triage_date")
    fields = {
        "queue_pk": queue_key(triage_date),
        "queue_sk": f"{item['received_at']}#{registration_id}",
    }
    if triage_date and item["status"] == Status.RECEIVED:
        registrations.transition(
            registration_id,
            expected_status=Status.RECEIVED,
            fields=fields | {"status": Status.SCHEDULED.value},
            event={
                "at": clock.now().isoformat(timespec="seconds"),
                "actor": SYSTEM,
                "from": Status.RECEIVED.value,
                "to": Status.SCHEDULED.value,
                "reason": f"Geagendeerd voor de triage van {triage_date}",
            },
        )
    else:
        registrations.set_fields(registration_id, fields)
    logger.info("placed on the triage queue", extra={"queue": fields["queue_pk"]})


def park_decision_token(registration_id: str, token: str) -> None:
    """Keep the workflow's token until the decision is recorded; resume at once if it
    already was (staff can be quicker than the workflow)."""
    parked = registrations.set_fields(
        registration_id, {"decision_token": token}, condition="attribute_not_exists(outcome)"
    )
    if parked is None:
        item = _load(registration_id)
        workflow.resume(token, {"outcome": item["outcome"]})
        logger.info("decision already recorded; workflow resumed")


def park_close_token(registration_id: str, token: str) -> None:
    parked = registrations.set_fields(
        registration_id, {"close_token": token}, condition="attribute_not_exists(closed_at)"
    )
    if parked is None:
        workflow.resume(token, {"closed": True})
        logger.info("case already closed; workflow resumed")
