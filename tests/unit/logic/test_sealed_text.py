"""What staff type (notes, reasons, a purpose in their own words) is personal data: it is
stored only as ciphertext bound to its case, and given back decrypted to staff who read the
case or its audit trail. Categories, actions and the product's own words stay in clear."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest

from tests.unit.logic.support import (
    MONDAY,
    STAFF,
    TAKEN_ON,
    AuditUnavailable,
    RecordingCipher,
    register,
    with_ports,
)
from vhcore.dal.memory import SEAL, MemoryStore
from vhcore.errors import StorageUnavailable
from vhcore.logic import cases, staff
from vhcore.model import AuditEntry, Registration
from vhcore.ports import Services
from vhcore.staff import Group, PurposeCategory, Staff

BOSS = Staff(user_id="sub-boss", username="p.regisseur@vh.example.org", groups=frozenset(Group))
MARK = "TYPED-7Q4Z"  # in every typed text below, and nowhere else
PURPOSE = f"{MARK} verzoek van de wijkagent"
# Each action with the text the person types and the details it needs, in a possible order.
TYPED: list[tuple[str, str, dict[str, Any]]] = [
    ("contact", f"{MARK} gebeld, moeder is bezorgd", {}),
    ("information-request", f"{MARK} wie is de huisarts?", {}),
    ("information-received", f"{MARK} huisarts is dr. Prunus", {}),
    ("schedule", f"{MARK} pas volgende week bereikbaar", {"triage_date": dt.date(2026, 12, 3)}),
    ("decision", f"{MARK} advies: casusoverleg", {"outcome": TAKEN_ON, "process_director": "PR"}),
    ("close", f"{MARK} afgerond na overleg", {}),
]


def strings(value: object) -> Iterator[str]:
    """Every text in a dumped record, however deep."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from strings(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from strings(item)


def stored_texts(store: MemoryStore) -> list[tuple[str, str]]:
    """(registration id, text) of every text the store holds: registrations with their
    history, and audit entries."""
    dumped = [(r.id, r.model_dump(mode="json")) for r in store.registrations.values()]
    dumped += [(e.registration_id, e.model_dump(mode="json")) for e in store.audit]
    return [(rid, text) for rid, record in dumped for text in strings(record)]


def typed_through_every_action(services: Services, registration: Registration) -> None:
    staff.read_case(services, registration.reference, BOSS, PurposeCategory.REQUEST, PURPOSE)
    for action, typed, details in TYPED:
        staff.act(services, registration.reference, BOSS, action, typed, **details)


def test_typed_text_is_stored_only_as_ciphertext_of_its_case(
    services: Services, store: MemoryStore, caplog: pytest.LogCaptureFixture
) -> None:
    # Given a registration, and another one nobody typed anything about
    registration = register(services, MONDAY)
    register(services, MONDAY)

    # When staff read it with a purpose in their own words and take it through every
    # action, typing a note or reason each time
    typed_through_every_action(services, registration)

    # Then the typed text is in the store only inside ciphertexts sealed for that case
    holding = [(rid, text) for rid, text in stored_texts(store) if MARK in text]
    sealed = f"{SEAL}:personal:{registration.id}:"
    assert [text for rid, text in holding if not text.startswith(sealed)] == []
    assert {rid for rid, _ in holding} == {registration.id}
    # And every text typed was stored (sealed; the advice inside the decision's notes)
    typed = [PURPOSE, *(text for _, text, _ in TYPED)]
    assert [t for t in typed if not any(t in text for _, text in holding)] == []
    # And no log record holds it (message or extra field), while the logs tell what happened
    assert "case read" in [r.getMessage() for r in caplog.records]
    assert [r.getMessage() for r in caplog.records if MARK in repr(vars(r))] == []


def test_the_history_keeps_the_products_words_in_clear_and_the_typed_note_sealed(
    services: Services, store: MemoryStore
) -> None:
    # Given a case taken through every action with typed text
    registration = register(services, MONDAY)
    typed_through_every_action(services, registration)

    # When its stored history is looked at
    history = store.registrations[registration.id].history

    # Then actions, statuses and summaries are in clear, without the typed text
    assert [e.action for e in history] == [action for action, _, _ in TYPED]
    assert all(e.summary and MARK not in e.summary for e in history)
    # And every note is ciphertext; the decision keeps its advice in the sealed notes instead
    assert [e.action for e in history if e.note is None] == ["decision"]
    assert all(e.note.startswith(f"{SEAL}:") for e in history if e.note is not None)


def test_reading_the_case_gives_the_typed_notes_back_decrypted(services: Services) -> None:
    # Given a case taken through every action with typed text
    registration = register(services, MONDAY)
    typed_through_every_action(services, registration)

    # When staff read the case
    case = staff.read_case(services, registration.reference, STAFF, PurposeCategory.CONTROL)

    # Then its history shows what was typed, decrypted; the decision shows its summary and
    # its advice is in the decrypted decision notes
    typed = {action: text for action, text, _ in TYPED}
    shown = typed | {"decision": "Besluit: Wel voor het Veiligheidshuis"}
    assert {h.action: h.reason for h in case.history} == shown
    assert {(h.actor, h.actor_id) for h in case.history} == {(BOSS.username, BOSS.user_id)}
    assert case.decision is not None
    assert case.decision.advice == typed["decision"]


def test_the_audit_trail_gives_the_typed_purposes_back_decrypted_and_is_audited_itself(
    services: Services, store: MemoryStore
) -> None:
    # Given a case read with a typed purpose and taken through every action
    registration = register(services, MONDAY)
    typed_through_every_action(services, registration)
    before = len(store.audit)

    # When an administrator reads its audit trail
    trail = staff.audit_trail(services, registration.reference, BOSS)

    # Then the reading of the trail is on record first, as a check, with nothing typed
    assert len(store.audit) == before + 1
    last = store.audit[-1]
    assert (last.registration_id, last.action, last.purpose_category, last.purpose) == (
        registration.id,
        "audit-inzien",
        "controle",
        None,
    )
    assert last.actor == BOSS.actor
    # And the trail shows every purpose decrypted, by category, ending with this reading
    assert [(r.action, r.purpose_category, r.purpose) for r in trail] == [
        ("inzien", "verzoek", PURPOSE),
        *[(action, action, typed) for action, typed, _ in TYPED],
        ("audit-inzien", "controle", None),
    ]


def test_no_audit_record_no_audit_trail(services: Services) -> None:
    # Given a case with a typed purpose on record, and then the audit log cannot be written
    cipher = RecordingCipher()
    no_audit = AuditUnavailable()
    blind = with_ports(services, store=no_audit, cipher=cipher)
    registration = register(blind, MONDAY)
    no_audit.audit.append(read_before(blind, registration, "Eerder ingezien"))

    # When an administrator asks for the audit trail
    # Then it fails before anything is decrypted
    with pytest.raises(StorageUnavailable):
        staff.audit_trail(blind, registration.reference, BOSS)
    assert cipher.decrypted == []


def read_before(services: Services, registration: Registration, typed: str) -> AuditEntry:
    """An audit entry as reading the case earlier would have written it."""
    return AuditEntry(
        registration_id=registration.id,
        at=MONDAY,
        actor=STAFF.actor,
        action="inzien",
        purpose_category="triage",
        purpose=cases.seal(services, registration.id, typed),
        expires_at=0,
    )
