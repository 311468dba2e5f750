"""What staff do with a case: each action is a status transition of ``vhcore.status``,
recorded with who, when and why. The workflow is resumed where it waits for the action."""

from __future__ import annotations

import datetime as dt
import os
from typing import Any

from vhcore import clock
from vhcore.dal import crypto, queues, registrations, workflow
from vhcore.errors import ConfigurationError, NotFound
from vhcore.house import current_house
from vhcore.log import logger
from vhcore.logic.retention import expires_at
from vhcore.logic.triage import queue_key
from vhcore.status import Status, check_transition

NOTIFY_QUEUE_ENV = "NOTIFY_QUEUE_URL"


def _now() -> dt.datetime:
    return clock.now().replace(microsecond=0)


def _load(registration_id: str) -> dict[str, Any]:
    item = registrations.get_registration(registration_id)
    if item is None:
        raise NotFound(registration_id)
    logger.append_keys(registration_id=registration_id, reference=item.get("reference"))
    return item


def _notify(message: dict[str, Any]) -> None:
    url = os.environ.get(NOTIFY_QUEUE_ENV)
    if not url:
        raise ConfigurationError(f"{NOTIFY_QUEUE_ENV} is not set")
    queues.send(url, message)


def _change(
    registration_id: str,
    target: Status | None,
    *,
    actor: str,
    reason: str,
    fields: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Apply one transition (``target`` None: an event without a status change)."""
    item = _load(registration_id)
    current = Status(item["status"])
    if target is not None:
        check_transition(current, target)
    moment = _now()
    event = {
        "at": moment.isoformat(),
        "actor": actor,
        "from": current.value,
        "to": (target or current).value,
        "reason": reason,
    }
    changes = dict(fields or {})
    if target is not None:
        changes["status"] = target.value
    updated = registrations.transition(
        registration_id, expected_status=current.value, fields=changes, event=event
    )
    logger.info("case changed", extra={"from": current.value, "to": event["to"]})
    return updated


def _resumed_again(
    item: dict[str, Any], done: Status, token_field: str, output: dict[str, Any]
) -> bool:
    """The same action again after it was recorded but resuming the workflow failed: resume
    it now. False when there is nothing to resume (a used token is no longer valid): then the
    repeat is refused as before."""
    if item["status"] != done or not item.get(token_field):
        return False
    if "outcome" in output and item.get("outcome") != output["outcome"]:
        return False
    resumed = workflow.resume(str(item[token_field]), output)
    if resumed:
        logger.info("action repeated; workflow resumed", extra={"status": done.value})
    return resumed


def record_contact(registration_id: str, *, actor: str, note: str) -> dict[str, Any]:
    """Contact with the registrant was made: this stops the reminder."""
    return _change(
        registration_id,
        None,
        actor=actor,
        reason=note or "Contact met de aanmelder",
        fields={"contacted_at": _now().isoformat()},
    )


def request_information(registration_id: str, *, actor: str, reason: str) -> dict[str, Any]:
    # The e-mail is queued first, once the transition is known to be allowed: when queueing
    # fails nothing has changed and staff can simply try again.
    check_transition(Status(_load(registration_id)["status"]), Status.INFORMATION_REQUESTED)
    _notify({"kind": "information-request", "registration_id": registration_id})
    return _change(
        registration_id,
        Status.INFORMATION_REQUESTED,
        actor=actor,
        reason=reason,
        fields={"contacted_at": _now().isoformat()},
    )


def information_received(registration_id: str, *, actor: str, reason: str) -> dict[str, Any]:
    return _change(registration_id, Status.INFORMATION_RECEIVED, actor=actor, reason=reason)


def schedule(
    registration_id: str, *, actor: str, triage_date: dt.date, reason: str
) -> dict[str, Any]:
    item = _load(registration_id)
    return _change(
        registration_id,
        Status.SCHEDULED,
        actor=actor,
        reason=reason or f"Geagendeerd voor de triage van {triage_date.isoformat()}",
        fields={
            "triage_date": triage_date.isoformat(),
            "queue_pk": queue_key(triage_date.isoformat()),
            "queue_sk": f"{item['received_at']}#{registration_id}",
        },
    )


def decide(
    registration_id: str,
    *,
    actor: str,
    outcome_id: str,
    advice: str,
    process_director: str,
) -> dict[str, Any]:
    """Record the decision; the workflow then sends the decision notice."""
    house = current_house()
    outcome = house.outcome(outcome_id)  # KeyError for an outcome this house does not have
    moment = _now()
    item = _load(registration_id)
    if _resumed_again(item, Status.DECIDED, "decision_token", {"outcome": outcome.id}):
        return item
    advice_ciphertext = crypto.encrypt_personal_data(
        {"advice": advice, "process_director": process_director}, registration_id
    )
    updated = _change(
        registration_id,
        Status.DECIDED,
        actor=actor,
        reason=f"Besluit: {outcome.label}",
        fields={
            "outcome": outcome.id,
            "taken_on": outcome.taken_on,
            "decided_at": moment.isoformat(),
            "decision_personal": advice_ciphertext,
            "contacted_at": item.get("contacted_at") or moment.isoformat(),
            "expires_at": expires_at(house, moment, taken_on=outcome.taken_on),
        },
    )
    token = updated.get("decision_token")
    if token:
        workflow.resume(str(token), {"outcome": outcome.id})
    return updated


def close(registration_id: str, *, actor: str, reason: str) -> dict[str, Any]:
    house = current_house()
    moment = _now()
    item = _load(registration_id)
    if _resumed_again(item, Status.CLOSED, "close_token", {"closed": True}):
        return item
    updated = _change(
        registration_id,
        Status.CLOSED,
        actor=actor,
        reason=reason or "Afgesloten",
        fields={
            "closed_at": moment.isoformat(),
            "expires_at": expires_at(house, moment, taken_on=bool(item.get("taken_on"))),
        },
    )
    token = updated.get("close_token")
    if token:
        workflow.resume(str(token), {"closed": True})
    return updated
