"""The follow-up's decisions: what it queues when, how long it waits, when it ends."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.unit.logic.conftest import FrozenClock
from tests.unit.logic.support import (
    ACTOR,
    AMS,
    MONDAY,
    THURSDAY_TRIAGE,
    closed,
    decide,
    register,
    reload,
)
from tests.unit.test_promises import MOMENTS
from vhcore.calendar import is_working_day, triage_date
from vhcore.dal.memory import MemoryOutbox, MemoryWorkflow, memory_services
from vhcore.house import House, PromiseKind, shipped_houses
from vhcore.logic import cases, followup, triage
from vhcore.model import LONGEST_WAIT_SECONDS, FollowUpState, Registration
from vhcore.ports import Services

# The default house promises contact within 5 working days: Monday 23 November 2026 ->
# Monday 30 November 17:00; the reminder the working day before at 09:00.
REMINDER = dt.datetime(2026, 11, 27, 9, 0, tzinfo=AMS)
PROMISE = dt.datetime(2026, 11, 30, 17, 0, tzinfo=AMS)


def step(
    services: Services, registration: Registration, state: FollowUpState, at: dt.datetime
) -> tuple[list[str], FollowUpState]:
    """One FollowUp step at ``at``: the e-mails it queues (kind/about) and the next state."""
    from vhcore.house import current_house

    messages, following = followup.plan(reload(services, registration), current_house(), state, at)
    return [f"{m.kind}/{m.about}" if m.about else m.kind for m in messages], following


def test_a_new_registration_is_announced_and_then_waits_for_the_reminder(
    services: Services,
) -> None:
    registration = register(services, MONDAY)
    queued, state = step(services, registration, FollowUpState(), MONDAY)
    assert queued == ["announce"]  # the default house announces each registration
    # It waits until the reminder (at most a day at a time), then looks again
    assert state.wait_seconds == LONGEST_WAIT_SECONDS
    assert not state.done and state.seen == len(reload(services, registration).history)


def test_the_next_timer_sets_the_wait(services: Services) -> None:
    registration = register(services, MONDAY)
    hour_before = REMINDER - dt.timedelta(hours=1)
    _, state = step(services, registration, FollowUpState(sent=("announce",)), hour_before)
    assert state.wait_seconds == 3600


def test_reminder_before_and_escalation_after_each_once(services: Services) -> None:
    registration = register(services, MONDAY)
    _, state = step(services, registration, FollowUpState(), MONDAY)
    queued, state = step(services, registration, state, REMINDER - dt.timedelta(minutes=1))
    assert queued == []
    queued, state = step(services, registration, state, REMINDER)
    assert "reminder/contact" in queued and "escalation/contact" not in queued
    queued, state = step(services, registration, state, REMINDER + dt.timedelta(hours=2))
    assert queued == []  # not twice
    queued, state = step(services, registration, state, PROMISE)
    assert "escalation/contact" in queued
    queued, _ = step(services, registration, state, PROMISE + dt.timedelta(days=1))
    assert "escalation/contact" not in queued


def test_recorded_contact_keeps_the_promise(services: Services) -> None:
    registration = register(services, MONDAY)
    cases.record_contact(services, registration.id, actor=ACTOR, note="Gebeld")
    queued, _ = step(services, registration, FollowUpState(sent=("announce",)), PROMISE)
    assert [q for q in queued if q.endswith("/contact")] == []


def test_a_decision_is_sent_at_once_and_once(services: Services) -> None:
    registration = register(services, MONDAY)
    decide(services, registration)
    queued, state = step(services, registration, FollowUpState(sent=("announce",)), MONDAY)
    assert queued == ["decision"]
    queued, _ = step(services, registration, state, MONDAY + dt.timedelta(minutes=5))
    assert queued == []


def test_a_closed_case_ends_at_once_after_its_decision_notice(services: Services) -> None:
    registration = register(services, MONDAY)
    closed(services, registration)
    queued, state = step(services, registration, FollowUpState(sent=("announce",)), MONDAY)
    assert queued == ["decision"]  # decided and closed before the follow-up looked
    assert state.done


def test_a_decision_overdue_after_the_triage_is_reminded_then_escalated(
    services: Services,
) -> None:
    registration = register(services, MONDAY)
    cases.record_contact(services, registration.id, actor=ACTOR, note="Gebeld")
    triage.enqueue(services, registration.id)
    assert reload(services, registration).triage_date == THURSDAY_TRIAGE
    # Triage Thursday 26 November; a decision 2 working days later: Monday 30 November.
    state = FollowUpState(sent=("announce",))
    queued, state = step(services, registration, state, REMINDER)
    assert queued == ["reminder/decision"]
    queued, state = step(services, registration, state, PROMISE)
    assert queued == ["escalation/decision"]


def test_an_unanswered_information_request_reminds_staff(
    services: Services, frozen_clock: FrozenClock
) -> None:
    registration = register(services, MONDAY)
    cases.request_information(services, registration.id, actor=ACTOR, reason="Wie?")
    state = FollowUpState(sent=("announce",))
    # Five working days after Monday: Monday 30 November 17:00
    queued, state = step(services, registration, state, PROMISE - dt.timedelta(minutes=1))
    assert "reminder/information" not in queued
    queued, state = step(services, registration, state, PROMISE)
    assert "reminder/information" in queued
    # Answered: no reminder for it any more
    cases.information_received(services, registration.id, actor=ACTOR, reason="Zie mail")
    queued, _ = step(services, registration, state, PROMISE + dt.timedelta(days=7))
    assert "reminder/information" not in queued


def test_an_urgent_registration_alerts_at_once(services: Services) -> None:
    registration = register(services, MONDAY, urgency="spoed", urgency_reason="Morgen weg.")
    queued, _ = step(services, registration, FollowUpState(), MONDAY)
    assert queued == ["urgent", "announce"]


def test_a_case_open_for_almost_a_year_is_abandoned(services: Services) -> None:
    registration = register(services, MONDAY)
    cases.record_contact(services, registration.id, actor=ACTOR, note="Gebeld")
    _, state = step(services, registration, FollowUpState(), MONDAY + dt.timedelta(days=361))
    assert state.abandoned and not state.done


def test_the_follow_up_step_queues_named_messages_and_answers_the_workflow(
    services: Services, outbox: MemoryOutbox, workflow: MemoryWorkflow
) -> None:
    registration = register(services, MONDAY)
    workflow.waiting.add("token-1")
    state = followup.follow_up(services, registration.id, "token-1", None)
    assert [m.message_id for m in outbox.sent] == ["followup/announce"]
    assert workflow.resumed == [("token-1", state)]


def test_a_token_is_parked_only_while_nothing_happened_since(
    services: Services, workflow: MemoryWorkflow
) -> None:
    registration = register(services, MONDAY)
    seen = len(reload(services, registration).history)
    followup.await_event(services, registration.id, "token-1", seen)
    assert reload(services, registration).event_token == "token-1"
    # A staff action resumes the parked token at once
    workflow.waiting.add("token-1")
    cases.record_contact(services, registration.id, actor=ACTOR, note="Gebeld")
    assert [token for token, _ in workflow.resumed] == ["token-1"]
    # A token parked for an older look is resumed at once instead of parked
    workflow.waiting.add("token-2")
    followup.await_event(services, registration.id, "token-2", seen)
    assert [token for token, _ in workflow.resumed] == ["token-1", "token-2"]
    assert reload(services, registration).event_token == "token-1"


# --- every house, every day: the timers are true ---------------------------------------------


@pytest.mark.parametrize("name", shipped_houses())
# The house is the same for every example of one test (the fixture only chooses it).
@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(received=MOMENTS, urgent=st.booleans())
def test_every_timer_of_every_house_falls_on_a_working_day_after_receipt(
    name: str,
    received: dt.datetime,
    urgent: bool,
    use_house: Callable[[str], House],
) -> None:
    the_house = use_house(name)
    services = memory_services()
    registration = register(
        services,
        received,
        **({"urgency": "spoed", "urgency_reason": "Morgen weg."} if urgent else {}),
    )
    triage.enqueue(services, registration.id)
    registration = reload(services, registration)
    timers = followup.timers(registration, the_house)
    assert timers, "an open case has something to remind of"
    by_key = {timer.key: timer for timer in timers}
    for timer in timers:
        local = timer.at.astimezone(AMS)
        assert is_working_day(local.date()), timer
        assert timer.at > received
    for key, timer in by_key.items():
        if key.startswith(("contact-reminder", "decision-reminder")):
            after = by_key[key.replace("reminder", "escalation")]
            assert timer.at < after.at  # the reminder comes before the promise lapses
    if the_house.response_term.promises is PromiseKind.TRIAGE_ANSWER and not urgent:
        triage_day = triage_date(received, the_house)
        assert triage_day is not None
        assert registration.respond_by.astimezone(AMS).date() > triage_day
