"""What staff do with a case: each action is a status transition of ``vhcore.status``,
recorded with who, when and why. The workflow is resumed where it waits for the action."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import BaseModel, Field

from vhcore import calendar, clock
from vhcore.errors import NoPlan, NotSchedulable
from vhcore.house import current_house
from vhcore.log import logger
from vhcore.logic.retention import expires_at
from vhcore.logic.triage import load
from vhcore.messages_queue import NotifyMessage
from vhcore.model import Actor, Changes, HistoryEvent, Registration, Resumption
from vhcore.ports import Services
from vhcore.registration import IsoDate, Urgency, multi_line, single_line
from vhcore.status import Status, check_transition

MAX_PLAN_ACTIONS = 30


class PlanAction(BaseModel):
    """One agreed action of the plan: what, who, by when, and whether it is done."""

    model_config = {"extra": "forbid"}
    text: Annotated[str, multi_line(1000, min_length=3)]
    owner: Annotated[str, single_line(100, min_length=2)]
    due: IsoDate
    done: bool = False


class Plan(BaseModel):
    """The plan after triage (plan van aanpak) of a case the house took on: its goal, the
    casusregisseur and the actions. Typed by staff, so personal data: stored sealed; only the
    earliest open due date and the number of open actions are kept in clear (for the
    overview)."""

    model_config = {"extra": "forbid"}
    goal: Annotated[str, multi_line(2000, min_length=3)]
    case_director: Annotated[str, single_line(100, min_length=2)] = Field(
        description="The casusregisseur: the partners' professional who keeps the plan."
    )
    actions: list[PlanAction] = Field(default_factory=list, max_length=MAX_PLAN_ACTIONS)

    def open_actions(self) -> list[PlanAction]:
        return [action for action in self.actions if not action.done]


NOT_TAKEN_ON = (
    "Een plan van aanpak hoort bij een aanmelding die het Veiligheidshuis oppakt. Leg eerst "
    "dat besluit vast."
)


def save_plan(
    services: Services, registration_id: str, *, actor: Actor, plan: Plan
) -> Registration:
    """Record (or replace) the plan of a case taken on; the history says it changed, the
    plan itself is sealed."""
    registration = load(services, registration_id)
    if registration.status is not Status.DECIDED or not registration.taken_on:
        raise NoPlan(NOT_TAKEN_ON)
    open_actions = plan.open_actions()
    return _change(
        services,
        registration,
        None,
        actor=actor,
        action="plan",
        summary=(
            "Plan van aanpak bijgewerkt"
            if registration.plan_personal
            else "Plan van aanpak vastgelegd"
        ),
        changes=Changes(
            plan_personal=services.cipher.encrypt(
                plan.model_dump_json(), registration_id, "personal"
            ),
            plan_next_due=min((a.due for a in open_actions), default=None),
            plan_open_actions=len(open_actions),
        ),
    )


class DecisionNotes(BaseModel):
    """What staff write with a decision: personal data, stored encrypted."""

    advice: str = Field(max_length=4000)
    process_director: str = Field(max_length=100)


def _now() -> dt.datetime:
    return clock.now().replace(microsecond=0)


def seal(services: Services, registration_id: str, typed: str) -> str | None:
    """What a person typed, as ciphertext bound to the case; None for nothing typed."""
    text = typed.strip()
    return services.cipher.encrypt(text, registration_id, "personal") if text else None


def _change(
    services: Services,
    registration: Registration,
    target: Status | None,
    *,
    actor: Actor,
    action: str,
    note: str = "",
    summary: str = "",
    changes: Changes | None = None,
) -> Registration:
    """Apply one transition (``target`` None: an event without a status change). ``note`` is
    what the person typed (stored encrypted), ``summary`` the product's own words."""
    current = registration.status
    if target is not None:
        check_transition(current, target)
    event = HistoryEvent(
        at=_now(),
        actor=actor,
        action=action,
        from_status=current,
        to_status=target or current,
        summary=summary,
        note=seal(services, registration.id, note),
    )
    written = (changes or Changes()).written()
    if target is not None:
        written["status"] = target
    updated = services.store.transition(
        registration.id, expected=current, changes=Changes(**written), event=event
    )
    logger.info("case changed", extra={"from": current.value, "to": event.to_status.value})
    if updated.event_token:
        # The follow-up looks at the case at once (a token used before is refused, harmless;
        # one parked after this change sees the history grew and resumes itself).
        services.workflow.resume(updated.event_token, Resumption(event=action))
    return updated


def _resumed_again(
    services: Services, registration: Registration, done: Status, output: Resumption
) -> bool:
    """The same action again after it was recorded but resuming the workflow failed: resume
    it now. The follow-up's token is only nudged (it looks at the case again; the repeat is
    refused as any repeat is). An execution from before the follow-up loop waits for this
    very action: then True when resumed, False when there is nothing to resume (a used token
    is no longer valid) and the repeat is refused as before."""
    if registration.status != done:
        return False
    if registration.event_token:
        services.workflow.resume(registration.event_token, Resumption(event="repeated"))
        return False
    token = registration.decision_token if done == Status.DECIDED else registration.close_token
    if not token:
        return False
    if output.outcome is not None and registration.outcome != output.outcome:
        return False
    resumed = services.workflow.resume(token, output)
    if resumed:
        logger.info("action repeated; workflow resumed", extra={"status": done.value})
    return resumed


def record_contact(
    services: Services, registration_id: str, *, actor: Actor, note: str
) -> Registration:
    """Contact with the registrant was made: this stops the reminder. The first contact
    counts (the response term is about it): a later one keeps its moment."""
    registration = load(services, registration_id)
    return _change(
        services,
        registration,
        None,
        actor=actor,
        action="contact",
        note=note,
        summary="Contact met de aanmelder",
        changes=Changes(contacted_at=registration.contacted_at or _now()),
    )


def _tell_registrant(
    services: Services,
    registration: Registration,
    kind: Literal["information-request", "scheduled", "closed"],
    target: Status,
    *,
    triage_date: dt.date | None = None,
) -> None:
    """Queue the registrant's e-mail about a change, once the transition is known to be
    allowed and before it is recorded: when queueing fails nothing has changed and staff can
    simply try again. Named after the case's history, so a retry of the same change sends no
    second e-mail (``vhcore.logic.notify.once_key``)."""
    check_transition(registration.status, target)
    services.outbox.notify(
        NotifyMessage(
            kind=kind,
            registration_id=registration.id,
            triage_date=triage_date.isoformat() if triage_date else None,
            message_id=f"history-{len(registration.history)}",
        )
    )


def request_information(
    services: Services, registration_id: str, *, actor: Actor, reason: str
) -> Registration:
    registration = load(services, registration_id)
    _tell_registrant(services, registration, "information-request", Status.INFORMATION_REQUESTED)
    return _change(
        services,
        registration,
        Status.INFORMATION_REQUESTED,
        actor=actor,
        action="information-request",
        note=reason,
        summary="Informatie gevraagd aan de aanmelder",
        changes=Changes(contacted_at=registration.contacted_at or _now()),
    )


def information_received(
    services: Services, registration_id: str, *, actor: Actor, reason: str
) -> Registration:
    return _change(
        services,
        load(services, registration_id),
        Status.INFORMATION_RECEIVED,
        actor=actor,
        action="information-received",
        note=reason,
        summary="Informatie ontvangen",
    )


def schedule(
    services: Services,
    registration_id: str,
    *,
    actor: Actor,
    triage_date: dt.date,
    reason: str,
    extra_triage: bool = False,
) -> Registration:
    """Place the case on a triage: a future working day and, in a house with a weekly triage,
    its triage day; an urgent case may go to an extra triage on another day, when staff say
    so (``extra_triage``)."""
    refused = calendar.schedulable(triage_date, calendar.to_local(clock.now()).date())
    if refused:
        raise NotSchedulable(refused)
    registration = load(services, registration_id)
    refused = calendar.triage_day_refused(
        triage_date,
        current_house(),
        extra=extra_triage,
        urgent=registration.urgency == Urgency.URGENT.value,
    )
    if refused:
        raise NotSchedulable(refused)
    _tell_registrant(services, registration, "scheduled", Status.SCHEDULED, triage_date=triage_date)
    which = "een extra triage op" if extra_triage else "de triage van"
    return _change(
        services,
        registration,
        Status.SCHEDULED,
        actor=actor,
        action="schedule",
        note=reason,
        summary=f"Geagendeerd voor {which} {triage_date.isoformat()}",
        changes=Changes(triage_date=triage_date, queued_for=triage_date.isoformat()),
    )


def decide(
    services: Services,
    registration_id: str,
    *,
    actor: Actor,
    outcome_id: str,
    advice: str,
    process_director: str,
) -> Registration:
    """Record the decision; the follow-up sends the decision notice at once."""
    house = current_house()
    outcome = house.outcome(outcome_id)  # KeyError for an outcome this house does not have
    moment = _now()
    registration = load(services, registration_id)
    if _resumed_again(services, registration, Status.DECIDED, Resumption(outcome=outcome.id)):
        return registration
    notes = DecisionNotes(advice=advice, process_director=process_director)
    updated = _change(
        services,
        registration,
        Status.DECIDED,
        actor=actor,
        action="decision",
        summary=f"Besluit: {outcome.label}",
        changes=Changes(
            outcome=outcome.id,
            taken_on=outcome.taken_on,
            decided_at=moment,
            decision_personal=services.cipher.encrypt(
                notes.model_dump_json(), registration_id, "personal"
            ),
            contacted_at=registration.contacted_at or moment,
            expires_at=expires_at(house, moment, taken_on=outcome.taken_on),
        ),
    )
    if updated.decision_token:  # an execution from before the follow-up loop
        services.workflow.resume(updated.decision_token, Resumption(outcome=outcome.id))
    return updated


def close(services: Services, registration_id: str, *, actor: Actor, reason: str) -> Registration:
    house = current_house()
    moment = _now()
    registration = load(services, registration_id)
    if _resumed_again(services, registration, Status.CLOSED, Resumption(closed=True)):
        return registration
    _tell_registrant(services, registration, "closed", Status.CLOSED)
    updated = _change(
        services,
        registration,
        Status.CLOSED,
        actor=actor,
        action="close",
        note=reason,
        summary="Afgesloten",
        changes=Changes(
            closed_at=moment,
            expires_at=expires_at(house, moment, taken_on=bool(registration.taken_on)),
        ),
    )
    if updated.close_token:  # an execution from before the follow-up loop
        services.workflow.resume(updated.close_token, Resumption(closed=True))
    return updated
