"""Staff actions on a case: each one a status transition, recorded with who, when and why;
the follow-up workflow is resumed where it waits for the action."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest

from tests.unit.logic.conftest import FrozenClock
from tests.unit.logic.support import (
    ACTOR,
    ADVICE,
    AMS,
    COLLEAGUE,
    NOT_TAKEN_ON,
    PROCESS_DIRECTOR,
    TAKEN_ON,
    InterferingStore,
    closed,
    decide,
    events,
    parked,
    register,
    reload,
    while_unreachable,
    with_ports,
)
from vhcore.dal.memory import SEAL, MemoryOutbox, MemoryStore, MemoryWorkflow
from vhcore.errors import (
    ConcurrentChange,
    IllegalTransition,
    NotFound,
    NotSchedulable,
    StorageUnavailable,
)
from vhcore.logic import cases
from vhcore.messages_queue import NotifyMessage
from vhcore.model import Registration, Resumption
from vhcore.ports import Services
from vhcore.status import Status

R, IREQ, IREC, SCHED, DEC, CLO = (
    Status.RECEIVED,
    Status.INFORMATION_REQUESTED,
    Status.INFORMATION_RECEIVED,
    Status.SCHEDULED,
    Status.DECIDED,
    Status.CLOSED,
)


# Every staff action, with what it needs besides the case.
ACTIONS: dict[str, Callable[[Services, str], Registration]] = {
    "contact": lambda s, i: cases.record_contact(s, i, actor=ACTOR, note="n"),
    "information-request": lambda s, i: cases.request_information(s, i, actor=ACTOR, reason="r"),
    "information-received": lambda s, i: cases.information_received(s, i, actor=ACTOR, reason="r"),
    "schedule": lambda s, i: cases.schedule(
        s, i, actor=ACTOR, triage_date=dt.date(2026, 12, 3), reason=""
    ),
    "decision": lambda s, i: cases.decide(
        s, i, actor=ACTOR, outcome_id=TAKEN_ON, advice="a", process_director="p"
    ),
    "close": lambda s, i: cases.close(s, i, actor=ACTOR, reason=""),
}


def months_later(moment: dt.datetime, years: int) -> int:
    return int(moment.replace(year=moment.year + years).timestamp())


# --- contact and information -------------------------------------------------------------


def test_recording_contact_notes_the_moment_and_keeps_the_status(
    services: Services, frozen_clock: FrozenClock
) -> None:
    # Given a received registration
    registration = register(services)
    called = frozen_clock.advance(hours=2)

    # When staff record that they called the registrant
    changed = cases.record_contact(services, registration.id, actor=ACTOR, note="Gebeld")

    # Then the contact moment is kept, the status stays, and the history says who and why
    assert changed.contacted_at == called
    assert changed.status == R
    assert events(changed) == [("contact", R, R, "Contact met de aanmelder", "Gebeld")]
    assert changed.history[0].actor == ACTOR
    assert changed.history[0].at == called
    assert reload(services, registration) == changed


@pytest.mark.parametrize("note", ["", "  \n "], ids=["empty", "blank"])
def test_contact_without_a_note_is_recorded_with_the_products_words_only(
    services: Services, note: str
) -> None:
    # Given a received registration
    registration = register(services)

    # When staff record contact without typing a note
    changed = cases.record_contact(services, registration.id, actor=ACTOR, note=note)

    # Then the history has the standard summary and no note at all
    assert events(changed) == [("contact", R, R, "Contact met de aanmelder", None)]
    assert changed.history[0].note is None


def test_asking_for_information_queues_the_email_and_counts_as_contact(
    services: Services, outbox: MemoryOutbox, frozen_clock: FrozenClock
) -> None:
    # Given a received registration
    registration = register(services)
    asked = frozen_clock.advance(days=1)

    # When staff ask the registrant for more information
    changed = cases.request_information(
        services, registration.id, actor=ACTOR, reason="Wie is de huisarts?"
    )

    # Then the e-mail is queued by kind and ids only (its own id the same when staff try
    # again after the change failed), and the case waits for the answer
    assert outbox.sent == [
        NotifyMessage(
            kind="information-request",
            registration_id=registration.id,
            message_id=f"history-{len(registration.history)}",
        )
    ]
    assert changed.status == IREQ
    assert changed.contacted_at == asked
    assert events(changed) == [
        (
            "information-request",
            R,
            IREQ,
            "Informatie gevraagd aan de aanmelder",
            "Wie is de huisarts?",
        )
    ]


def test_information_cannot_be_asked_for_once_decided_and_nothing_is_sent(
    services: Services, outbox: MemoryOutbox
) -> None:
    # Given a decided case
    registration = register(services)
    decided = decide(services, registration)

    # When staff ask for information
    # Then it is refused in Dutch, no e-mail is queued, and the case is as it was
    with pytest.raises(IllegalTransition, match="Van 'besluit genomen'") as refused:
        cases.request_information(services, registration.id, actor=ACTOR, reason="Nog iets")
    assert (refused.value.current, refused.value.target) == (DEC, IREQ)
    assert outbox.sent == []
    assert reload(services, registration) == decided


def test_information_received_follows_the_request(services: Services) -> None:
    # Given a registration for which information was asked
    registration = register(services)
    cases.request_information(services, registration.id, actor=ACTOR, reason="Vraag")

    # When the answer is recorded
    changed = cases.information_received(
        services, registration.id, actor=ACTOR, reason="Antwoord per mail"
    )

    # Then the case has the information, and both steps are in its history
    assert changed.status == IREC
    assert events(changed) == [
        ("information-request", R, IREQ, "Informatie gevraagd aan de aanmelder", "Vraag"),
        ("information-received", IREQ, IREC, "Informatie ontvangen", "Antwoord per mail"),
    ]


def test_information_cannot_be_received_when_none_was_asked_for(services: Services) -> None:
    # Given a received registration
    registration = register(services)

    # When staff record information as received
    # Then it is refused, and nothing is recorded
    with pytest.raises(IllegalTransition, match="Wel mogelijk: "):
        cases.information_received(services, registration.id, actor=ACTOR, reason="?")
    assert reload(services, registration).history == ()


# --- scheduling ----------------------------------------------------------------------------


def test_scheduling_puts_the_case_on_that_triages_queue(services: Services) -> None:
    # Given a registration with its information received
    registration = register(services)
    cases.request_information(services, registration.id, actor=ACTOR, reason="Vraag")
    cases.information_received(services, registration.id, actor=ACTOR, reason="Antwoord")

    # When staff schedule it for a later triage without a reason
    later = dt.date(2026, 12, 3)
    changed = cases.schedule(services, registration.id, actor=ACTOR, triage_date=later, reason="")

    # Then it waits on that triage's queue, with the product's summary in its history
    assert changed.status == SCHED
    assert changed.triage_date == later
    assert changed.queued_for == "2026-12-03"
    assert events(changed)[-1] == (
        "schedule",
        IREC,
        SCHED,
        "Geagendeerd voor de triage van 2026-12-03",
        None,
    )


def test_placing_and_closing_a_case_each_tell_the_registrant_once(
    services: Services, outbox: MemoryOutbox
) -> None:
    # Given a registration
    registration = register(services)

    # When staff place it on a triage, decide it and close it
    placed = cases.schedule(
        services, registration.id, actor=ACTOR, triage_date=dt.date(2026, 12, 3), reason=""
    )
    decided = decide(services, registration, TAKEN_ON)
    cases.close(services, registration.id, actor=ACTOR, reason="")

    # Then the registrant's e-mails are queued by kind, ids and the triage date only, each
    # named after the case's history (the same when staff try again: one e-mail)
    assert outbox.sent == [
        NotifyMessage(
            kind="scheduled",
            registration_id=registration.id,
            triage_date="2026-12-03",
            message_id=f"history-{len(registration.history)}",
        ),
        NotifyMessage(
            kind="closed",
            registration_id=registration.id,
            message_id=f"history-{len(decided.history)}",
        ),
    ]
    assert placed.status == SCHED


def test_a_refused_placement_or_closing_tells_the_registrant_nothing(
    services: Services, outbox: MemoryOutbox
) -> None:
    # Given a registration without a decision
    registration = register(services)

    # When staff try to close it
    with pytest.raises(IllegalTransition):
        cases.close(services, registration.id, actor=ACTOR, reason="")

    # Then nothing is queued
    assert outbox.sent == []


def test_a_scheduled_case_can_be_moved_to_another_triage_with_a_reason(
    services: Services,
) -> None:
    # Given a scheduled case
    registration = register(services)
    cases.schedule(
        services, registration.id, actor=ACTOR, triage_date=dt.date(2026, 11, 26), reason=""
    )

    # When it is moved to the next week
    changed = cases.schedule(
        services,
        registration.id,
        actor=ACTOR,
        triage_date=dt.date(2026, 12, 3),
        reason="Aanmelder pas volgende week bereikbaar",
    )

    # Then it waits for the later triage
    assert changed.queued_for == "2026-12-03"
    assert events(changed)[-1] == (
        "schedule",
        SCHED,
        SCHED,
        "Geagendeerd voor de triage van 2026-12-03",
        "Aanmelder pas volgende week bereikbaar",
    )


# --- the decision --------------------------------------------------------------------------


def test_a_decision_records_the_outcome_and_keeps_the_notes_encrypted(
    services: Services, frozen_clock: FrozenClock
) -> None:
    # Given a scheduled case nobody recorded contact for
    registration = register(services)
    cases.schedule(
        services, registration.id, actor=ACTOR, triage_date=dt.date(2026, 11, 26), reason=""
    )
    at_triage = frozen_clock.advance(days=3)

    # When the triage takes it on
    decided = decide(services, registration, TAKEN_ON)

    # Then outcome, moment and contact are recorded and the history names the outcome
    assert decided.status == DEC
    assert (decided.outcome, decided.taken_on) == (TAKEN_ON, True)
    assert decided.decided_at == at_triage
    assert decided.contacted_at == at_triage
    assert events(decided)[-1] == (
        "decision",
        SCHED,
        DEC,
        "Besluit: Wel voor het Veiligheidshuis",
        None,
    )
    # And advice and process director are sealed for this registration
    assert decided.decision_personal is not None
    sealed = f"{SEAL}:personal:{registration.id}:"
    assert decided.decision_personal.startswith(sealed)
    notes = cases.DecisionNotes.model_validate_json(decided.decision_personal[len(sealed) :])
    assert notes == cases.DecisionNotes(advice=ADVICE, process_director=PROCESS_DIRECTOR)
    # And a case taken on is kept 60 months from the decision
    assert decided.expires_at == months_later(at_triage, years=5)


def test_a_decision_keeps_an_earlier_contact_and_a_case_not_taken_on_is_kept_a_year(
    services: Services, frozen_clock: FrozenClock
) -> None:
    # Given staff called the registrant on the day of receipt
    registration = register(services)
    called = frozen_clock.advance(hours=1)
    cases.record_contact(services, registration.id, actor=ACTOR, note="Gebeld")
    at_triage = frozen_clock.advance(days=3)

    # When the case is not taken on
    decided = decide(services, registration, NOT_TAKEN_ON)

    # Then the first contact moment stays, and the data is kept 12 months from the decision
    assert decided.contacted_at == called
    assert (decided.outcome, decided.taken_on) == (NOT_TAKEN_ON, False)
    assert decided.expires_at == months_later(at_triage, years=1)


def test_an_outcome_the_house_does_not_have_is_refused_before_anything_changes(
    services: Services,
) -> None:
    # Given a received registration
    registration = register(services)

    # When staff decide with an outcome of another house
    # Then it is refused and the case is unchanged
    with pytest.raises(KeyError, match="ico"):
        decide(services, registration, "ico")
    assert reload(services, registration) == registration


def test_a_decision_resumes_the_workflow_waiting_for_it(
    services: Services, workflow: MemoryWorkflow
) -> None:
    # Given the follow-up waits for the decision
    registration = register(services)
    token = parked(services, workflow, registration, "decision")

    # When the decision is recorded
    decide(services, registration, NOT_TAKEN_ON)

    # Then the workflow goes on with the outcome (and sends the decision notice)
    assert workflow.resumed == [(token, Resumption(outcome=NOT_TAKEN_ON))]
    assert workflow.waiting == set()


def test_a_decision_before_the_workflow_waits_resumes_nothing(
    services: Services, workflow: MemoryWorkflow
) -> None:
    # Given no token is parked yet (staff are quicker than the workflow)
    registration = register(services)

    # When the decision is recorded
    decided = decide(services, registration)

    # Then nothing is resumed now (parking the token later resumes it, see test_triage)
    assert decided.decision_token is None
    assert workflow.resumed == []


def test_the_same_decision_again_resumes_a_workflow_that_was_not_resumed_the_first_time(
    services: Services, workflow: MemoryWorkflow
) -> None:
    # Given a decision was recorded but resuming the workflow failed
    registration = register(services)
    token = parked(services, workflow, registration, "decision")
    decided = while_unreachable(workflow, token, lambda: decide(services, registration))
    assert workflow.resumed == []

    # When staff record the same decision again
    again = decide(services, registration)

    # Then the workflow is resumed now, and the case is not changed a second time
    assert workflow.resumed == [(token, Resumption(outcome=TAKEN_ON))]
    assert again == decided
    assert reload(services, registration) == decided


def test_another_decision_on_a_decided_case_is_refused_and_resumes_nothing(
    services: Services, workflow: MemoryWorkflow
) -> None:
    # Given a decided case whose workflow was not resumed
    registration = register(services)
    token = parked(services, workflow, registration, "decision")
    decided = while_unreachable(workflow, token, lambda: decide(services, registration, TAKEN_ON))

    # When staff record a different outcome
    # Then it is refused: a decision is not changed, and the token still waits
    with pytest.raises(IllegalTransition):
        decide(services, registration, NOT_TAKEN_ON)
    assert workflow.resumed == []
    assert workflow.waiting == {token}
    assert reload(services, registration) == decided


@pytest.mark.parametrize("token_used", [True, False], ids=["token-used", "no-token"])
def test_the_same_decision_again_is_refused_when_there_is_nothing_to_resume(
    services: Services, workflow: MemoryWorkflow, token_used: bool
) -> None:
    # Given a decided case whose workflow was resumed (or never waited)
    registration = register(services)
    if token_used:
        parked(services, workflow, registration, "decision")
    decide(services, registration)
    resumed = list(workflow.resumed)

    # When staff record the same decision again
    # Then it is refused as any repeated transition, and nothing more is resumed
    with pytest.raises(IllegalTransition, match="Van 'besluit genomen'"):
        decide(services, registration)
    assert workflow.resumed == resumed
    assert len(reload(services, registration).history) == 1


# --- closing -------------------------------------------------------------------------------


def test_closing_a_decided_case_starts_its_retention_from_the_closing_date(
    services: Services, workflow: MemoryWorkflow, frozen_clock: FrozenClock
) -> None:
    # Given a case taken on, whose follow-up waits for it to close
    registration = register(services)
    decide(services, registration, TAKEN_ON)
    token = parked(services, workflow, registration, "close")
    closing = frozen_clock.advance(days=40)

    # When staff close it without a reason
    changed = cases.close(services, registration.id, actor=ACTOR, reason="")

    # Then it is closed now, kept 60 months from now, and the workflow ends
    assert changed.status == CLO
    assert changed.closed_at == closing
    assert changed.expires_at == months_later(closing, years=5)
    assert events(changed)[-1] == ("close", DEC, CLO, "Afgesloten", None)
    assert workflow.resumed == [(token, Resumption(closed=True))]


def test_a_closed_case_not_taken_on_is_kept_a_year_from_closing(
    services: Services, frozen_clock: FrozenClock
) -> None:
    # Given a case not taken on
    registration = register(services)
    decide(services, registration, NOT_TAKEN_ON)
    closing = frozen_clock.advance(days=10)

    # When it is closed with a reason
    changed = cases.close(services, registration.id, actor=ACTOR, reason="Advies gegeven")

    # Then it is kept 12 months from closing
    assert changed.expires_at == months_later(closing, years=1)
    assert events(changed)[-1] == ("close", DEC, CLO, "Afgesloten", "Advies gegeven")


def test_closing_again_resumes_a_workflow_that_was_not_resumed_the_first_time(
    services: Services, workflow: MemoryWorkflow
) -> None:
    # Given a case closed while resuming its workflow failed
    registration = register(services)
    decide(services, registration)
    token = parked(services, workflow, registration, "close")
    first = while_unreachable(workflow, token, lambda: ACTIONS["close"](services, registration.id))

    # When staff close it again
    again = cases.close(services, registration.id, actor=ACTOR, reason="")

    # Then the workflow is resumed now, and the case is not closed a second time
    assert workflow.resumed == [(token, Resumption(closed=True))]
    assert again == first
    assert len(reload(services, registration).history) == 2


def test_closing_a_closed_case_whose_workflow_ended_is_refused(services: Services) -> None:
    # Given a closed case
    registration = register(services)
    closed(services, registration)

    # When staff close it again
    # Then it is refused: nothing is possible any more
    with pytest.raises(IllegalTransition, match="Wel mogelijk: niets meer"):
        cases.close(services, registration.id, actor=ACTOR, reason="")


def test_a_case_without_a_decision_cannot_be_closed(services: Services) -> None:
    # Given a received registration
    registration = register(services)

    # When staff close it
    # Then it is refused and nothing changes
    with pytest.raises(IllegalTransition):
        cases.close(services, registration.id, actor=ACTOR, reason="")
    assert reload(services, registration) == registration


# --- what every action shares --------------------------------------------------------------


@pytest.mark.parametrize("action", ACTIONS)
def test_an_action_on_an_unknown_registration_is_not_found(services: Services, action: str) -> None:
    # Given no registration with this id
    # When staff act on it
    # Then it is not found
    with pytest.raises(NotFound):
        ACTIONS[action](services, "no-such-registration")


@pytest.mark.parametrize("action", ["contact", "information-request", "schedule", "decision"])
def test_an_action_after_someone_else_changed_the_status_is_refused_as_concurrent(
    services: Services, outbox: MemoryOutbox, action: str
) -> None:
    # Given a received registration that a colleague schedules while this action is underway
    racing = InterferingStore()
    raced = with_ports(services, store=racing)
    registration = register(raced)
    racing.before_next_write = lambda: cases.schedule(
        raced, registration.id, actor=COLLEAGUE, triage_date=dt.date(2026, 11, 26), reason=""
    )

    # When the action is written
    # Then it is refused as a concurrent change; only the colleague's change is recorded
    with pytest.raises(ConcurrentChange):
        ACTIONS[action](raced, registration.id)
    after = reload(raced, registration)
    assert events(after) == [
        ("schedule", R, SCHED, "Geagendeerd voor de triage van 2026-11-26", None)
    ]
    assert after.history[0].actor == COLLEAGUE
    assert after.outcome is None


@pytest.mark.parametrize("action", ACTIONS)
def test_an_action_while_storage_is_unavailable_fails_as_unavailable(
    services: Services, store: MemoryStore, action: str
) -> None:
    # Given a registration, and then the store goes down
    registration = register(services)
    store.unavailable = True

    # When staff act on it
    # Then the action fails as unavailable storage
    with pytest.raises(StorageUnavailable):
        ACTIONS[action](services, registration.id)


@pytest.mark.parametrize("action", ["contact", "information-request"])
def test_a_later_contact_keeps_the_moment_of_first_contact(
    services: Services, frozen_clock: FrozenClock, action: str
) -> None:
    # Given staff called the registrant on the day of receipt, within the term
    registration = register(services)
    called = frozen_clock.advance(hours=1)
    cases.record_contact(services, registration.id, actor=ACTOR, note="Gebeld")
    frozen_clock.advance(days=10)
    assert frozen_clock.moment > registration.respond_by.astimezone(AMS)

    # When, after the response term, staff make contact again
    changed = ACTIONS[action](services, registration.id)

    # Then the case still shows it was contacted in time, and the later contact is recorded
    assert changed.contacted_at == called
    assert changed.contacted_at <= changed.respond_by
    assert [e.action for e in changed.history] == ["contact", action]


@pytest.mark.parametrize(
    ("day", "why"),
    [
        (dt.date(2026, 11, 20), "Kies een datum vanaf vandaag."),
        (dt.date(2026, 11, 28), "Kies een werkdag: geen weekend en geen feestdag."),
        (dt.date(2026, 12, 25), "Kies een werkdag: geen weekend en geen feestdag."),
    ],
    ids=["in-the-past", "a-saturday", "christmas-day"],
)
def test_a_triage_is_never_scheduled_on_a_day_it_cannot_be_held(
    services: Services, day: dt.date, why: str
) -> None:
    # Given a new registration, on Monday 23 November 2026
    registration = register(services)

    # When staff schedule it for a past day, a weekend or a holiday
    with pytest.raises(NotSchedulable) as refused:
        cases.schedule(services, registration.id, actor=ACTOR, triage_date=day, reason="")

    # Then it is refused, saying why, and the case is unchanged
    assert str(refused.value) == why
    assert reload(services, registration) == registration
