"""Helpers for the rules' tests: a valid registration through intake, cases brought to a
status the way staff would, and the few test doubles the in-memory ports do not offer."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from tests import factories
from vhcore.dal.memory import MemoryCipher, MemoryStore, MemoryWorkflow
from vhcore.errors import StorageUnavailable
from vhcore.logic import cases, intake, triage
from vhcore.model import AuditEntry, Changes, HistoryEvent, Registration, WaitsFor
from vhcore.ports import Cipher, KeyUse, Once, Outbox, Services, Store
from vhcore.registration import RegistrationRequest
from vhcore.staff import Group, Staff
from vhcore.status import Status

AMS = ZoneInfo("Europe/Amsterdam")
# A Monday morning: in the default house (triage on Thursday, cut-off Wednesday 12:00) a
# registration now goes to the triage of Thursday 26 November 2026.
MONDAY = dt.datetime(2026, 11, 23, 10, 15, tzinfo=AMS)
THURSDAY_TRIAGE = dt.date(2026, 11, 26)
ACTOR = factories.staff_member("t.medewerker@vh.example.org")
COLLEAGUE = factories.staff_member("collega@vh.example.org")
STAFF = Staff(user_id=ACTOR.id, username=ACTOR.name, groups=frozenset({Group.TRIAGE}))
# Outcomes of the default house (voorbeeldregio).
NOT_TAKEN_ON = "niet-voor-veiligheidshuis"
TAKEN_ON = "voor-veiligheidshuis"
ADVICE = "Unieke adviestekst over de Prunusstraat."
PROCESS_DIRECTOR = "Procesregisseur Prunus"


def request(**overrides: Any) -> RegistrationRequest:
    """A valid registration as the form sends it (``tests.factories.registration``)."""
    return RegistrationRequest.model_validate(factories.registration(**overrides))


def stored(services: Services, reference: str) -> Registration:
    """The stored registration behind a reference (the test fails when there is none)."""
    registration_id = services.store.find(reference)
    assert registration_id is not None, f"nothing stored under {reference}"
    registration = services.store.get(registration_id)
    assert registration is not None
    return registration


def register(services: Services, now: dt.datetime | None = None, **overrides: Any) -> Registration:
    """Register a valid request through ``vhcore.logic.intake.register``; the stored result."""
    answer = intake.register(services, request(**overrides), now)
    return stored(services, answer.reference)


def reload(services: Services, registration: Registration) -> Registration:
    found = services.store.get(registration.id)
    assert found is not None
    return found


def decide(services: Services, registration: Registration, outcome: str = TAKEN_ON) -> Registration:
    return cases.decide(
        services,
        registration.id,
        actor=ACTOR,
        outcome_id=outcome,
        advice=ADVICE,
        process_director=PROCESS_DIRECTOR,
    )


def closed(services: Services, registration: Registration) -> Registration:
    decide(services, registration)
    return cases.close(services, registration.id, actor=ACTOR, reason="")


def with_ports(
    services: Services,
    *,
    store: Store | None = None,
    cipher: Cipher | None = None,
    outbox: Outbox | None = None,
    once: Once | None = None,
) -> Services:
    """The same ports, but for those given (the doubles below, or fresh in-memory ones)."""
    return Services(
        store=store or services.store,
        cipher=cipher or services.cipher,
        outbox=outbox or services.outbox,
        mailer=services.mailer,
        workflow=services.workflow,
        once=once or services.once,
        sent=services.sent,
    )


def typed(registration: Registration, ciphertext: str | None) -> str | None:
    """What a person typed, from its ciphertext; fails unless sealed for this registration."""
    if ciphertext is None:
        return None
    return MemoryCipher().decrypt(ciphertext, registration.id, "personal")


def events(registration: Registration) -> list[tuple[str, Status, Status, str, str | None]]:
    """A case's history as (action, from, to, summary, typed note), in one assertion; the
    note is opened with the in-memory cipher, so it must have been sealed for this case."""
    return [
        (e.action, e.from_status, e.to_status, e.summary, typed(registration, e.note))
        for e in registration.history
    ]


@dataclass
class InterferingStore(MemoryStore):
    """Someone else acts between a use case's read and its write: ``before_next_write`` runs
    once, just before the next status transition is written."""

    before_next_write: Callable[[], object] | None = None

    def transition(
        self, registration_id: str, *, expected: Status, changes: Changes, event: HistoryEvent
    ) -> Registration:
        interfere, self.before_next_write = self.before_next_write, None
        if interfere is not None:
            interfere()
        return super().transition(registration_id, expected=expected, changes=changes, event=event)


@dataclass
class AuditUnavailable(MemoryStore):
    """Everything works but the audit log, which cannot be written."""

    def append_audit(self, entry: AuditEntry) -> None:
        raise StorageUnavailable("the audit log is unavailable")


@dataclass
class RecordingCipher(MemoryCipher):
    """The in-memory cipher, remembering which ciphertexts were decrypted."""

    decrypted: list[tuple[str, KeyUse]] = dataclasses.field(default_factory=list)

    def decrypt(self, ciphertext: str, registration_id: str, use: KeyUse) -> str:
        self.decrypted.append((registration_id, use))
        return super().decrypt(ciphertext, registration_id, use)


def parked(
    services: Services, workflow: MemoryWorkflow, registration: Registration, waits_for: WaitsFor
) -> str:
    """The follow-up waits for staff: its task token is parked (``vhcore.logic.triage``) and
    valid until it is used."""
    token = f"token-{waits_for}-{registration.id}"
    workflow.waiting.add(token)
    park = triage.park_decision_token if waits_for == "decision" else triage.park_close_token
    park(services, registration.id, token)
    return token


def while_unreachable(
    workflow: MemoryWorkflow, token: str, act: Callable[[], Registration]
) -> Registration:
    """``act`` while resuming the workflow fails (as when Step Functions cannot be reached);
    the token is valid again afterwards."""
    workflow.waiting.discard(token)
    try:
        return act()
    finally:
        workflow.waiting.add(token)
