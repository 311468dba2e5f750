"""The follow-up of one registration: what is due now, and how long to wait for the next.

The state machine (``infra/workflow.asl.json``) loops: ``FollowUp`` asks this module what to
do, ``AwaitEvent`` parks a task token on the case until the next staff event or until the
next timer, whichever comes first, and then ``FollowUp`` looks again. Events take effect
when they happen (a decision is sent when it is recorded, a closed case ends the execution at
once); timers are only for what time drives:

- a promise the house made (contact by ``respond_by``, or for a house promising the
  triage's answer the decision by ``respond_by``): staff are reminded at 09:00 the house's
  ``remind_before`` working days before it lapses; when it has lapsed, the escalation goes to
  the escalation mailbox (someone other than the team);
- a decision overdue after the triage (a house promising contact): the same pair, against
  the house's ``decide_within`` after the triage date;
- an information request the registrant has not answered within the house's
  ``information_within``: staff are reminded.

Each e-mail has a key; the keys already queued travel in the execution's data
(``FollowUpState.sent``) and name the notify message (``followup/<key>``), so a step that
runs twice (a redelivered message) queues nothing twice and notify sends each e-mail once.
Only ids, keys and moments travel: never personal data.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from vhcore import calendar, clock
from vhcore.house import Announce, House, PromiseKind, current_house
from vhcore.log import logger
from vhcore.logic.triage import load
from vhcore.messages_queue import About, NotifyMessage
from vhcore.model import LONGEST_WAIT_SECONDS, FollowUpState, Registration, Resumption
from vhcore.ports import Services
from vhcore.registration import Urgency
from vhcore.status import Status

# A Standard execution may run a year; a case still open after this is abandoned (the
# execution fails, an alarm watches) rather than cut off by the service.
ABANDON_AFTER = dt.timedelta(days=360)
URGENT = Urgency.URGENT.value


@dataclass(frozen=True)
class Timer:
    """A moment time drives: a reminder before a promise lapses, an escalation after."""

    key: str
    at: dt.datetime
    kind: str  # "reminder" or "escalation"
    about: About


def _pair(about: About, lapses: dt.datetime, house: House, suffix: str = "") -> list[Timer]:
    return [
        Timer(f"{about}-reminder{suffix}", calendar.reminder_at(lapses, house), "reminder", about),
        Timer(f"{about}-escalation{suffix}", lapses, "escalation", about),
    ]


def open_request(registration: Registration) -> tuple[int, dt.datetime] | None:
    """The information request the registrant has not answered yet: its place in the history
    (which names its reminder) and when it was made; None when none is open."""
    if registration.status is not Status.INFORMATION_REQUESTED:
        return None
    for index in range(len(registration.history) - 1, -1, -1):
        event = registration.history[index]
        if event.action == "information-request":
            return index, event.at
    return None


def timers(registration: Registration, house: House) -> list[Timer]:
    """The timers of the case's open promises; a promise kept or a closed case has none."""
    if registration.status is Status.CLOSED:
        return []
    found: list[Timer] = []
    decided = registration.outcome is not None
    promises_answer = house.response_term.promises is PromiseKind.TRIAGE_ANSWER
    if not decided and not promises_answer and registration.contacted_at is None:
        found += _pair("contact", registration.respond_by, house)
    if not decided:
        if promises_answer:
            found += _pair("decision", registration.respond_by, house)
        elif registration.triage_date is not None:
            due = calendar.decision_due(registration.triage_date, house)
            # Named after the triage: a case moved to another triage is reminded anew.
            found += _pair("decision", due, house, f"-{registration.triage_date.isoformat()}")
    request = open_request(registration)
    if request is not None:
        index, asked_at = request
        lapses = calendar.add_term(asked_at, house.follow_up.information_within)
        found.append(Timer(f"information-reminder-{index}", lapses, "reminder", "information"))
    # A reminder that would come before the registration did is not a reminder.
    return [timer for timer in found if timer.at > registration.received_at]


def _message(registration: Registration, key: str, kind: str, **more: str) -> NotifyMessage:
    return NotifyMessage.model_validate(
        {"kind": kind, "registration_id": registration.id, "message_id": f"followup/{key}"} | more
    )


def plan(
    registration: Registration, house: House, state: FollowUpState, now: dt.datetime
) -> tuple[list[NotifyMessage], FollowUpState]:
    """What to queue now and the next state: pure, so the same input always gives the same
    e-mails with the same names."""
    sent = list(state.sent)
    due: list[NotifyMessage] = []

    def queue(key: str, message: NotifyMessage) -> None:
        if key not in sent:
            sent.append(key)
            due.append(message)

    if registration.urgency == URGENT:
        queue("urgent", _message(registration, "urgent", "urgent"))
    if house.follow_up.announce is Announce.EACH:
        queue("announce", _message(registration, "announce", "announce"))
    if registration.outcome is not None:
        queue("decision", _message(registration, "decision", "decision"))
    upcoming: list[dt.datetime] = []
    for timer in timers(registration, house):
        if timer.at <= now:
            queue(timer.key, _message(registration, timer.key, timer.kind, about=timer.about))
        elif timer.key not in sent:
            upcoming.append(timer.at)
    closed = registration.status is Status.CLOSED
    wait = LONGEST_WAIT_SECONDS
    if upcoming:
        wait = math.ceil((min(upcoming) - now).total_seconds())
    return due, FollowUpState(
        checked_at=now,
        sent=tuple(sent),
        seen=len(registration.history),
        wait_seconds=max(1, min(wait, LONGEST_WAIT_SECONDS)),
        done=closed,
        abandoned=not closed and now - registration.received_at > ABANDON_AFTER,
    )


def follow_up(
    services: Services, registration_id: str, token: str, state: FollowUpState | None
) -> FollowUpState:
    """The ``FollowUp`` step: queue what is due, answer the workflow with the next state."""
    registration = load(services, registration_id)
    messages, following = plan(
        registration, current_house(), state or FollowUpState(), clock.now().replace(microsecond=0)
    )
    for message in messages:
        services.outbox.notify(message)
    services.workflow.resume(token, following)
    logger.info(
        "follow-up",
        extra={
            "queued": [m.kind for m in messages],
            "wait_seconds": following.wait_seconds,
            "done": following.done,
        },
    )
    return following


def await_event(services: Services, registration_id: str, token: str, seen: int) -> None:
    """The ``AwaitEvent`` step: park the token until the case's next event; when one came
    after the follow-up looked, resume at once so it looks again."""
    if not services.store.park_event_token(registration_id, token, seen):
        services.workflow.resume(token, Resumption(event="changed"))
        logger.info("case changed since the follow-up looked; workflow resumed")
