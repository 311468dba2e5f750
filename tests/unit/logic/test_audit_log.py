"""The audit trail across cases (beheer), on the in-memory ports."""

from __future__ import annotations

import dataclasses

from tests.unit.logic.support import COLLEAGUE as COLLEAGUE_ACTOR
from tests.unit.logic.support import MONDAY, STAFF, register
from vhcore.dal.memory import MemoryStore
from vhcore.logic import staff
from vhcore.ports import Services
from vhcore.staff import Group, PurposeCategory, Staff

COLLEAGUE = Staff(
    user_id=COLLEAGUE_ACTOR.id, username=COLLEAGUE_ACTOR.name, groups=frozenset({Group.TRIAGE})
)
AUDITOR = dataclasses.replace(
    STAFF,
    user_id="sub-auditor",
    username="a.uditor@vh.example.org",
    groups=frozenset({Group.ADMINISTRATION}),
)


def test_the_log_lists_a_months_records_across_cases_by_person_and_action_without_typed_text(
    services: Services, store: MemoryStore
) -> None:
    # Given two cases, read by two staff members with a typed purpose, one also contacted
    first = register(services, MONDAY).reference
    second = register(services, MONDAY).reference
    staff.read_case(services, first, STAFF, PurposeCategory.TRIAGE, "Voorbereiding")
    staff.read_case(services, second, COLLEAGUE, PurposeCategory.CONTACT, "Bellen")
    staff.act(services, second, COLLEAGUE, "contact", "Gebeld")

    # When beheer lists the month, then by person and by action
    everything = staff.audit_log(services, AUDITOR, "2026-11", "2026-11")
    by_person = staff.audit_log(services, AUDITOR, "2026-11", "2026-11", actor=STAFF.username)
    contacts = staff.audit_log(services, AUDITOR, "2026-11", "2026-12", action="contact")

    # Then each record names the case, the person, the action and the purpose's category,
    # never what was typed; and each listing is itself in the log
    assert [(r.reference, r.action) for r in everything if r.reference is None] == [
        (None, "auditlog-inzien")
    ]
    assert [
        (r.reference, r.actor, r.action, r.purpose_category) for r in everything if r.reference
    ] == [
        (first, STAFF.username, "inzien", "triage"),
        (second, COLLEAGUE.username, "inzien", "contact"),
        (second, COLLEAGUE.username, "contact", "contact"),
    ]
    assert "Voorbereiding" not in repr(everything) + repr(contacts)
    assert [r.reference for r in by_person] == [first]
    assert [(r.reference, r.action) for r in contacts] == [(second, "contact")]
    listings = [e for e in store.audit if e.action == "auditlog-inzien"]
    assert len(listings) == 3 and {e.actor.id for e in listings} == {"sub-auditor"}


def test_months_between_counts_across_a_new_year() -> None:
    assert staff.months_between("2026-11", "2027-02") == [
        "2026-11",
        "2026-12",
        "2027-01",
        "2027-02",
    ]
    assert staff.months_between("2026-05", "2026-04") == []
