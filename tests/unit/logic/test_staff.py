"""Staff use cases: the queue without decryption, a case read only after its audit record,
actions audited and applied, the audit trail, and figures without personal data."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.factories import PERSONAL_VALUES
from tests.unit.logic.conftest import FrozenClock
from tests.unit.logic.support import (
    ADVICE,
    AMS,
    COLLEAGUE,
    MONDAY,
    NOT_TAKEN_ON,
    PROCESS_DIRECTOR,
    STAFF,
    TAKEN_ON,
    THURSDAY_TRIAGE,
    AuditUnavailable,
    RecordingCipher,
    decide,
    register,
    reload,
    request,
    with_ports,
)
from vhcore.criteria import NATIONAL
from vhcore.dal.memory import SEAL, MemoryStore, MemoryWorkflow
from vhcore.errors import IllegalTransition, NotFound, StorageUnavailable
from vhcore.house import House, current_house
from vhcore.logic import agenda, cases, intake, staff, triage
from vhcore.model import SYSTEM, AuditEntry, Registration
from vhcore.ports import Services
from vhcore.staff import EraseCategory, Group, PurposeCategory, Staff

TRIAGE = PurposeCategory.TRIAGE
PURPOSE = "Voorbereiding triage"
UNKNOWN_REFERENCES = ["VH-2222-2222", "not-a-reference", ""]


def queued(services: Services, now: dt.datetime, **overrides: Any) -> Registration:
    """A registration received at ``now`` and put on its triage's queue."""
    registration = register(services, now, **overrides)
    triage.enqueue(services, registration.id)
    return reload(services, registration)


def urgent() -> dict[str, Any]:
    return {"urgency": "spoed", "urgency_reason": "Dreigende uitzetting volgende week."}


# --- the queue and the agenda --------------------------------------------------------------


@pytest.fixture
def three_on_the_queue(services: Services) -> list[Registration]:
    """On Thursday's queue: a normal one at 9:00, another at 10:15, an urgent one at 11:00."""
    return [
        queued(services, MONDAY.replace(hour=9)),
        queued(services, MONDAY),
        queued(services, MONDAY.replace(hour=11), **urgent()),
    ]


def test_the_queue_shows_the_coming_triage_oldest_first_without_personal_data(
    services: Services, three_on_the_queue: list[Registration]
) -> None:
    # Given three registrations on the queue of the coming triage
    # When staff open the queue without choosing a triage
    entries = staff.queue(services, None, None, "received")

    # Then they see the three, oldest first, with what the queue may show
    assert [e.reference for e in entries] == [r.reference for r in three_on_the_queue]
    first = entries[0]
    assert first.status == "scheduled"
    assert first.triage_date == THURSDAY_TRIAGE
    assert (first.urgency, first.registrant_organisation, first.person_count) == (
        "normaal",
        "politie",
        1,
    )
    assert first.criteria_met and first.address_matches_organisation
    assert not first.contacted
    assert first.outcome is None
    # And nothing that identifies a person
    shown = "".join(e.model_dump_json() for e in entries)
    assert [value for value in PERSONAL_VALUES.values() if value in shown] == []


def test_sorted_by_urgency_urgent_registrations_come_first(
    services: Services, three_on_the_queue: list[Registration]
) -> None:
    # Given an urgent registration that arrived last
    normal_at_nine, normal_at_ten, urgent_at_eleven = three_on_the_queue

    # When staff sort the queue by urgency
    entries = staff.queue(services, THURSDAY_TRIAGE.isoformat(), None, "urgency")

    # Then the urgent one leads, the others follow oldest first
    assert [e.reference for e in entries] == [
        urgent_at_eleven.reference,
        normal_at_nine.reference,
        normal_at_ten.reference,
    ]


def test_the_queue_can_be_filtered_by_status(
    services: Services, three_on_the_queue: list[Registration]
) -> None:
    # Given one of the three registrations is decided
    decided = decide(services, three_on_the_queue[1], NOT_TAKEN_ON)

    # When staff show only the decided ones
    entries = staff.queue(services, None, "decided", "received")

    # Then they see that one, with its outcome
    assert [(e.reference, e.outcome) for e in entries] == [(decided.reference, NOT_TAKEN_ON)]
    assert entries[0].contacted


def test_another_triages_queue_holds_only_its_own_registrations(
    services: Services, three_on_the_queue: list[Registration]
) -> None:
    # Given registrations on Thursday's queue only
    # When staff open the queue of the week after
    # Then it is empty
    assert staff.queue(services, "2026-12-03", None, "received") == []


def test_after_the_cutoff_the_queue_shows_the_next_weeks_triage(
    services: Services, frozen_clock: FrozenClock
) -> None:
    # Given a registration received after Wednesday's cut-off
    frozen_clock.moment = dt.datetime(2026, 11, 25, 14, 0, tzinfo=AMS)
    late = queued(services, frozen_clock.moment)

    # When staff open the queue without choosing a triage
    entries = staff.queue(services, None, None, "received")

    # Then it is the queue of the triage a week later
    assert [(e.reference, e.triage_date) for e in entries] == [
        (late.reference, dt.date(2026, 12, 3))
    ]


def test_in_a_house_without_a_weekly_triage_the_queue_is_the_one_to_be_planned(
    services: Services, use_house: Callable[[str], House]
) -> None:
    # Given a house that plans by hand, with a registration on its queue
    use_house("sittard")
    registration = queued(services, MONDAY)

    # When staff open the queue without choosing a triage
    entries = staff.queue(services, None, None, "urgency")

    # Then they see the registrations still to be planned
    assert [(e.reference, e.status, e.triage_date) for e in entries] == [
        (registration.reference, "received", None)
    ]


def test_the_queue_fails_as_unavailable_when_the_store_is(
    services: Services, store: MemoryStore
) -> None:
    # Given the store is down
    store.unavailable = True

    # When staff open the queue
    # Then they are told storage is unavailable
    with pytest.raises(StorageUnavailable):
        staff.queue(services, None, None, "received")


def test_an_agenda_says_whether_it_is_fixed_and_lists_its_queue(
    services: Services, three_on_the_queue: list[Registration]
) -> None:
    # Given Thursday's queue, before and after the cut-off fixed its agenda
    before = staff.agenda(services, THURSDAY_TRIAGE, "urgency")
    cutoff = dt.datetime(2026, 11, 25, 12, 0, tzinfo=AMS)
    agenda.fix_agenda(services, cutoff)

    # When staff open the agenda
    after = staff.agenda(services, THURSDAY_TRIAGE, "urgency")

    # Then it is fixed since the cut-off, with the same registrations
    assert (before.fixed, before.fixed_at) == (False, None)
    assert (after.fixed, after.fixed_at) == (True, cutoff)
    assert after.triage_date == THURSDAY_TRIAGE
    assert [e.reference for e in after.entries] == [e.reference for e in before.entries]
    assert {e.reference for e in after.entries} == {r.reference for r in three_on_the_queue}


# --- reading a case ------------------------------------------------------------------------


def test_reading_a_case_is_audited_and_shows_the_registration_as_sent(
    services: Services, store: MemoryStore
) -> None:
    # Given a registration on the queue
    sent = request()
    answer = intake.register(services, sent, MONDAY)
    registration_id = store.find(answer.reference)
    assert registration_id is not None
    triage.enqueue(services, registration_id)

    # When a staff member reads it, giving a purpose category and words of their own
    case = staff.read_case(services, answer.reference, STAFF, TRIAGE, PURPOSE)

    # Then an audit record says who, when, why (the category in clear, the words sealed for
    # this registration), and is kept for the house's audit period
    assert store.audit == [
        AuditEntry(
            registration_id=registration_id,
            at=MONDAY,
            actor=STAFF.actor,
            action="inzien",
            purpose_category="triage",
            reference=answer.reference,
            purpose=f"{SEAL}:personal:{registration_id}:{PURPOSE}",
            expires_at=int(MONDAY.replace(year=2031).timestamp()),
        )
    ]
    # And the case shows the registration as the form sent it, with its history
    assert case.registration == sent.model_dump(mode="json", exclude=intake.NOT_CONTENT)
    assert case.entry.reference == answer.reference
    assert case.decision is None
    assert [(h.action, h.from_status, h.to_status, h.actor, h.actor_id) for h in case.history] == [
        ("enqueue", "received", "scheduled", SYSTEM.name, SYSTEM.id)
    ]
    assert case.history[0].reason == "Geagendeerd voor de triage van 2026-11-26"


def test_reading_a_case_with_only_a_category_seals_nothing(
    services: Services, store: MemoryStore
) -> None:
    # Given a registration
    registration = register(services)

    # When staff read it choosing only a category (typing nothing, or only spaces)
    staff.read_case(services, registration.reference, STAFF, PurposeCategory.CONTACT)
    staff.read_case(services, registration.reference, STAFF, PurposeCategory.REQUEST, "  ")

    # Then the audit records hold the categories and no purpose
    assert [(e.purpose_category, e.purpose) for e in store.audit] == [
        ("contact", None),
        ("verzoek", None),
    ]


def test_a_decided_case_shows_the_advice_and_process_director(services: Services) -> None:
    # Given a decided case
    registration = register(services)
    decide(services, registration, TAKEN_ON)

    # When staff read it
    case = staff.read_case(services, registration.reference, STAFF, TRIAGE, PURPOSE)

    # Then the decision's notes are decrypted with it
    assert case.decision == cases.DecisionNotes(advice=ADVICE, process_director=PROCESS_DIRECTOR)
    assert case.entry.outcome == TAKEN_ON
    assert case.history[-1].reason == "Besluit: Wel voor het Veiligheidshuis"


def test_no_audit_record_no_data(services: Services) -> None:
    # Given the audit log cannot be written
    no_audit = AuditUnavailable()
    cipher = RecordingCipher()
    blind = with_ports(services, store=no_audit, cipher=cipher)
    registration = register(blind)

    # When staff read the case
    # Then it fails, and nothing was decrypted
    with pytest.raises(StorageUnavailable):
        staff.read_case(blind, registration.reference, STAFF, TRIAGE, PURPOSE)
    assert cipher.decrypted == []


def test_the_audit_record_is_written_before_decrypting(
    services: Services, store: MemoryStore
) -> None:
    # Given a case whose ciphertext is bound to another registration (moved unnoticed)
    registration = register(services)
    other = register(services)
    store.registrations[registration.id] = registration.model_copy(
        update={"personal": other.personal}
    )

    # When staff read it
    # Then decrypting fails, but the reading was audited first
    with pytest.raises(StorageUnavailable, match="decrypting"):
        staff.read_case(services, registration.reference, STAFF, TRIAGE, PURPOSE)
    assert [(e.registration_id, e.action) for e in store.audit] == [(registration.id, "inzien")]


@pytest.mark.parametrize("reference", UNKNOWN_REFERENCES)
def test_reading_an_unknown_reference_is_not_found_and_not_audited(
    services: Services, store: MemoryStore, reference: str
) -> None:
    # Given a stored registration, but not under this reference
    register(services)

    # When staff read the reference
    # Then it is not found, and no audit record is written
    with pytest.raises(NotFound):
        staff.read_case(services, reference, STAFF, TRIAGE, PURPOSE)
    assert store.audit == []


def test_a_case_whose_registration_is_gone_is_not_found_but_the_attempt_is_audited(
    services: Services, store: MemoryStore
) -> None:
    # Given a reference whose registration was removed at the end of its retention
    registration = register(services)
    del store.registrations[registration.id]

    # When staff read it
    # Then it is not found; the attempt is on record
    with pytest.raises(NotFound):
        staff.read_case(services, registration.reference, STAFF, TRIAGE, PURPOSE)
    assert [e.action for e in store.audit] == ["inzien"]


# --- acting on a case ----------------------------------------------------------------------

STEPS: list[tuple[str, str, dict[str, Any], str]] = [
    ("information-request", "Wie is de huisarts?", {}, "information_requested"),
    ("information-received", "Antwoord ontvangen", {}, "information_received"),
    ("contact", "Gebeld over het antwoord", {}, "information_received"),
    ("schedule", "", {"triage_date": dt.date(2026, 12, 3)}, "scheduled"),
    (
        "decision",
        ADVICE,
        {"outcome": TAKEN_ON, "process_director": PROCESS_DIRECTOR},
        "decided",
    ),
    ("close", "Afgerond", {}, "closed"),
]


def test_each_action_is_audited_and_applied_in_turn(
    services: Services, frozen_clock: FrozenClock
) -> None:
    # Given a registration on the queue
    registration = queued(services, MONDAY)
    boss = Staff(user_id="sub-2", username="p.regisseur@vh.example.org", groups=frozenset(Group))

    # When staff take it through every action, an hour apart
    entries = []
    for action, reason, details, _ in STEPS:
        frozen_clock.advance(hours=1)
        entries.append(staff.act(services, registration.reference, boss, action, reason, **details))

    # Then each action gives the case in its new state, in full, without another read
    assert [e.entry.status for e in entries] == [status for *_, status in STEPS]
    assert entries[3].entry.triage_date == dt.date(2026, 12, 3)
    assert entries[4].entry.outcome == TAKEN_ON
    assert entries[4].decision is not None
    assert all(e.registration == entries[0].registration for e in entries)
    assert entries[-1].history[-1].reason == "Afgerond"  # the typed note, decrypted
    # And the audit trail lists every action, oldest first, with who and why
    trail = staff.audit_trail(services, registration.reference, boss)
    assert [(r.action, r.purpose_category, r.purpose) for r in trail] == [
        (action, action, reason or None) for action, reason, _, _ in STEPS
    ] + [("audit-inzien", "controle", None)]
    assert {(r.actor, r.actor_id) for r in trail} == {(boss.username, boss.user_id)}
    assert [r.at for r in trail] == [MONDAY + dt.timedelta(hours=h) for h in range(1, 7)] + [
        MONDAY + dt.timedelta(hours=6)
    ]
    # And the case history names the same person
    assert {e.actor for e in reload(services, registration).history[1:]} == {boss.actor}


def test_a_refused_action_is_audited_as_attempted_and_changes_nothing(
    services: Services, store: MemoryStore
) -> None:
    # Given a registration on the queue
    registration = queued(services, MONDAY)

    # When staff try to close it before any decision
    # Then it is refused; the attempt is on record, the case is unchanged
    with pytest.raises(IllegalTransition):
        staff.act(services, registration.reference, STAFF, "close", "Te vroeg")
    assert [(e.action, e.purpose_category, e.purpose) for e in store.audit] == [
        ("close", "close", f"{SEAL}:personal:{registration.id}:Te vroeg")
    ]
    assert reload(services, registration) == registration


def test_an_unknown_action_is_refused_and_changes_nothing(services: Services) -> None:
    # Given a registration on the queue
    registration = queued(services, MONDAY)

    # When staff send an action that does not exist
    # Then it is refused and the case is unchanged
    with pytest.raises(ValueError, match="unknown action 'archive'"):
        staff.act(services, registration.reference, STAFF, "archive", "Weg ermee")
    assert reload(services, registration) == registration


@pytest.mark.parametrize("reference", UNKNOWN_REFERENCES)
def test_acting_on_an_unknown_reference_is_not_found_and_not_audited(
    services: Services, store: MemoryStore, reference: str
) -> None:
    # Given no registration under this reference
    # When staff act on it
    # Then it is not found, and no audit record is written
    with pytest.raises(NotFound):
        staff.act(services, reference, STAFF, "contact", "Gebeld")
    assert store.audit == []


@pytest.mark.parametrize("reference", UNKNOWN_REFERENCES)
def test_the_audit_trail_of_an_unknown_reference_is_not_found(
    services: Services, store: MemoryStore, reference: str
) -> None:
    # Given no registration under this reference
    # When staff ask for its audit trail
    # Then it is not found, and nothing is audited
    with pytest.raises(NotFound):
        staff.audit_trail(services, reference, STAFF)
    assert store.audit == []


def test_the_audit_trail_holds_only_the_cases_own_records(services: Services) -> None:
    # Given two cases, each read once
    one = register(services)
    other = register(services)
    staff.read_case(services, one.reference, STAFF, TRIAGE, "Eerste")
    staff.read_case(services, other.reference, STAFF, TRIAGE, "Tweede")

    # When staff ask for the first case's audit trail
    trail = staff.audit_trail(services, one.reference, STAFF)

    # Then it holds only the first reading, and this reading of the trail
    assert [(r.action, r.purpose, r.actor, r.at) for r in trail] == [
        ("inzien", "Eerste", STAFF.username, MONDAY),
        ("audit-inzien", None, STAFF.username, MONDAY),
    ]


# --- figures -------------------------------------------------------------------------------


def test_the_figures_count_a_years_registrations_without_personal_data(
    services: Services, frozen_clock: FrozenClock
) -> None:
    # Given three registrations in 2027 (and one in December 2026)
    register(services, dt.datetime(2026, 12, 15, 10, tzinfo=AMS))
    january = register(services, dt.datetime(2027, 1, 11, 10, tzinfo=AMS))
    february = register(
        services,
        dt.datetime(2027, 2, 15, 10, tzinfo=AMS),
        registrant=request().registrant.model_dump(mode="json")
        | {"organisation": "om", "email": "a.officier@om.example.org"},
    )
    register(services, dt.datetime(2027, 2, 20, 10, tzinfo=AMS))
    # the one of January: contact on the next day, taken on three days after receipt
    frozen_clock.moment = january.received_at + dt.timedelta(days=1)
    cases.record_contact(services, january.id, actor=COLLEAGUE, note="Gebeld")
    frozen_clock.moment = january.received_at + dt.timedelta(days=3)
    decide(services, january, TAKEN_ON)
    # the first of February: first contact (the decision) after the term, ten days later
    frozen_clock.moment = february.received_at + dt.timedelta(days=10)
    decide(services, february, NOT_TAKEN_ON)

    # When the figures of 2027 are made
    figures = staff.figures(services, 2027)

    # Then they count by outcome, partner and month; one in three was contacted in time
    assert figures.year == 2027
    assert figures.total == 3
    assert figures.per_outcome == {TAKEN_ON: 1, NOT_TAKEN_ON: 1}
    assert figures.per_partner == {"politie": 2, "om": 1}
    assert figures.per_month == {"2027-01": 1, "2027-02": 2}
    assert figures.contacted_within_term_share == pytest.approx(1 / 3)
    assert figures.median_days_to_decision == 6.5
    shown = figures.model_dump_json()
    assert [value for value in PERSONAL_VALUES.values() if value in shown] == []


def test_a_year_without_registrations_has_no_shares(services: Services) -> None:
    # Given registrations in 2026 only
    register(services, MONDAY)

    # When the figures of 2025 are made
    figures = staff.figures(services, 2025)

    # Then they count nothing, and give no share or median
    assert figures.total == 0
    assert figures.per_outcome == figures.per_partner == figures.per_month == {}
    assert figures.contacted_within_term_share is None
    assert figures.median_days_to_decision is None


def test_a_registration_just_after_midnight_counts_in_the_month_of_its_dutch_date(
    services: Services,
) -> None:
    # Given a registration received on 1 March 2027 at 00:30 in Amsterdam
    register(services, dt.datetime(2027, 3, 1, 0, 30, tzinfo=AMS))

    # When the figures of 2027 are made
    figures = staff.figures(services, 2027)

    # Then it counts in March
    assert figures.per_month == {"2027-03": 1}


def test_the_year_of_the_figures_runs_from_midnight_to_midnight_in_amsterdam(
    services: Services,
) -> None:
    # Given registrations on either side of both new year's midnights in Amsterdam (the
    # first of 2027 is still 31 December 2026 in UTC)
    for moment in [
        dt.datetime(2026, 12, 31, 23, 59, tzinfo=AMS),
        dt.datetime(2027, 1, 1, 0, 0, tzinfo=AMS),
        dt.datetime(2027, 12, 31, 23, 30, tzinfo=AMS),
        dt.datetime(2028, 1, 1, 0, 30, tzinfo=AMS),
    ]:
        register(services, moment)

    # When the figures of 2026, 2027 and 2028 are made
    by_year = {year: staff.figures(services, year) for year in (2026, 2027, 2028)}

    # Then each registration counts in the year and month of its Dutch date
    assert {year: f.per_month for year, f in by_year.items()} == {
        2026: {"2026-12": 1},
        2027: {"2027-01": 1, "2027-12": 1},
        2028: {"2028-01": 1},
    }
    assert [f.total for f in by_year.values()] == [1, 2, 1]


@pytest.mark.parametrize("later", ["contact", "information-request"])
def test_a_case_contacted_in_time_counts_as_such_after_a_later_contact(
    services: Services, frozen_clock: FrozenClock, later: str
) -> None:
    # Given a registration called the day after receipt, and contacted again after the term
    registration = register(services, dt.datetime(2027, 3, 1, 10, tzinfo=AMS))
    frozen_clock.moment = registration.received_at + dt.timedelta(days=1)
    cases.record_contact(services, registration.id, actor=COLLEAGUE, note="Gebeld")
    frozen_clock.moment = registration.respond_by + dt.timedelta(days=3)
    staff.act(services, registration.reference, STAFF, later, "Nog een vraag")

    # When the figures of 2027 are made
    figures = staff.figures(services, 2027)

    # Then the case counts as contacted within the promised term
    assert figures.contacted_within_term_share == 1.0


def test_erasing_a_case_leaves_only_the_audit_record_of_who_and_why(
    services: Services, store: MemoryStore, workflow: MemoryWorkflow
) -> None:
    # Given a case on the queue that is on a fixed agenda, beside another case
    erased = queued(services, MONDAY)
    kept = queued(services, MONDAY + dt.timedelta(hours=1))
    fixed = agenda.fix_agenda(services, MONDAY + dt.timedelta(days=2, hours=3))
    assert fixed is not None and erased.id in fixed.registration_ids
    officer = Staff(user_id="sub-beheer", username="beheer@vh.example.org", groups=frozenset())

    # When beheer erases it as spam
    staff.erase(services, erased.reference, officer, EraseCategory.SPAM)

    # Then nothing of it is left but one audit record saying who, when and why
    assert store.get(erased.id) is None
    assert store.find(erased.reference) is None
    assert [r.id for r in store.queue(THURSDAY_TRIAGE.isoformat())] == [kept.id]
    assert store.agendas[fixed.triage_date].registration_ids == (kept.id,)
    assert workflow.stopped == [erased.id]
    [record] = [e for e in store.audit_trail(erased.id) if e.action == "verwijderen"]
    assert record.actor == officer.actor
    assert record.purpose_category == "spam"
    assert record.purpose is None


def test_erasing_an_unknown_case_is_not_found_and_erases_nothing(
    services: Services, store: MemoryStore
) -> None:
    # Given one case
    case = queued(services, MONDAY)

    # When an unknown reference is erased
    with pytest.raises(NotFound):
        staff.erase(services, "VH-2222-2222", STAFF, EraseCategory.WRONG)

    # Then the case is still there and nothing was audited
    assert store.get(case.id) is not None
    assert store.audit == []


def test_a_case_keeps_the_criteria_it_was_asked_when_the_house_changes_its_questions(
    services: Services,
    use_house: Callable[[str], House],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    # Given a registration in Sittard, asked its three questions
    sittard = use_house("sittard")
    answer = intake.register(services, request(), MONDAY)
    asked = sittard.criteria.ids
    # When the house file later asks the national questions, the old ones retired
    changed = sittard.criteria.model_copy(
        update={
            "questions": NATIONAL.questions,
            "rule": NATIONAL.rule,
            "retired": sittard.criteria.questions,
        }
    )
    path = tmp_path / "sittard.json"
    path.write_text(sittard.model_copy(update={"criteria": changed}).model_dump_json())
    monkeypatch.setenv("VH_HOUSE_FILE", str(path))
    current_house.cache_clear()
    assert current_house().criteria.ids == NATIONAL.ids
    case = staff.read_case(services, answer.reference, STAFF, TRIAGE, PURPOSE)
    # Then the case still shows the questions as asked, met as judged at receipt, and the
    # retired questions still read
    assert case.criteria_asked == asked
    assert case.registration["criteria"] == asked
    assert case.entry.criteria_met is True
    assert [current_house().criteria.question(i).label for i in asked][2] == (
        "Regie door het Veiligheidshuis is nodig"
    )
