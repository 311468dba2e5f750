"""The ports in memory, for the rules' unit tests: the same contract as the AWS
implementations (conditions, errors, what a list leaves out), without a network.

``MemoryCipher`` is not encryption: it marks a text as sealed for one registration and key,
so a test sees that the rules encrypt what they must and decrypt with the right binding."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from vhcore import clock
from vhcore.dal.items import audit_month_of, expired
from vhcore.errors import (
    AlreadyStored,
    ConcurrentChange,
    DeliveryUnknown,
    NotFound,
    ReferenceTaken,
    StorageUnavailable,
    SubmissionChanged,
)
from vhcore.messages_queue import NotifyMessage
from vhcore.model import (
    AgendaRecord,
    AuditEntry,
    Changes,
    FollowUpState,
    HistoryEvent,
    OutgoingEmail,
    Registration,
    Resumption,
    SendState,
    SentRecord,
    StoredAnswer,
    WaitsFor,
    WorkflowInput,
)
from vhcore.ports import KeyUse, Services
from vhcore.registration import RegistrationAccepted
from vhcore.status import Status

_WITHOUT_CIPHERTEXTS = {
    "personal": None,
    "contact": None,
    "decision_personal": None,
    "plan_personal": None,
    "decision_token": None,
    "close_token": None,
}
_DONE_FIELD: dict[WaitsFor, str] = {"decision": "outcome", "close": "closed_at"}


@dataclass
class MemoryStore:
    registrations: dict[str, Registration] = field(default_factory=dict)
    references: dict[str, str] = field(default_factory=dict)
    agendas: dict[dt.date, AgendaRecord] = field(default_factory=dict)
    audit: list[AuditEntry] = field(default_factory=list)
    unavailable: bool = False  # set to make every call fail as an outage would

    def _check(self) -> None:
        if self.unavailable:
            raise StorageUnavailable("the store is unavailable")

    def add(self, registration: Registration, *, reference_until: int) -> None:
        self._check()
        if registration.id in self.registrations:
            raise AlreadyStored(registration.id)
        if registration.reference in self.references:
            raise ReferenceTaken(registration.reference)
        self.registrations[registration.id] = registration
        self.references[registration.reference] = registration.id

    def get(self, registration_id: str) -> Registration | None:
        self._check()
        found = self.registrations.get(registration_id)
        return None if found is None or expired(found.expires_at, clock.now()) else found

    def answer(self, registration_id: str) -> StoredAnswer | None:
        found = self.get(registration_id)
        if found is None:
            return None
        return StoredAnswer.model_validate(found.model_dump(include=set(StoredAnswer.model_fields)))

    def find(self, reference: str) -> str | None:
        self._check()
        return self.references.get(reference)

    def release_reference(self, reference: str) -> None:
        self._check()
        self.references.pop(reference, None)

    def erase(self, registration: Registration) -> None:
        self._check()
        self.registrations.pop(registration.id, None)
        self.references.pop(registration.reference, None)
        for day, agenda in self.agendas.items():
            if registration.id in agenda.registration_ids:
                kept = tuple(i for i in agenda.registration_ids if i != registration.id)
                self.agendas[day] = agenda.model_copy(update={"registration_ids": kept})

    def _existing(self, registration_id: str) -> Registration:
        found = self.get(registration_id)
        if found is None:
            raise NotFound(registration_id)
        return found

    def _apply(self, registration: Registration, changes: Changes) -> Registration:
        changed = registration.model_copy(update=changes.written())
        self.registrations[registration.id] = changed
        return changed

    def transition(
        self, registration_id: str, *, expected: Status, changes: Changes, event: HistoryEvent
    ) -> Registration:
        current = self._existing(registration_id)
        if current.status != expected:
            raise ConcurrentChange(registration_id)
        with_event = current.model_copy(update={"history": (*current.history, event)})
        return self._apply(with_event, changes)

    def update(self, registration_id: str, changes: Changes) -> Registration:
        return self._apply(self._existing(registration_id), changes)

    def park_token(self, registration_id: str, waits_for: WaitsFor, token: str) -> bool:
        current = self._existing(registration_id)
        if getattr(current, _DONE_FIELD[waits_for]) is not None:
            return False
        self.registrations[registration_id] = current.model_copy(
            update={f"{waits_for}_token": token}
        )
        return True

    def park_event_token(self, registration_id: str, token: str, seen: int) -> bool:
        current = self._existing(registration_id)
        if len(current.history) != seen:
            return False
        self.registrations[registration_id] = current.model_copy(update={"event_token": token})
        return True

    def queue(self, queued_for: str, limit: int = 500) -> list[Registration]:
        self._check()
        now = clock.now()
        found = [
            r
            for r in self.registrations.values()
            if r.queued_for == queued_for and not expired(r.expires_at, now)
        ]
        found.sort(key=lambda r: (r.received_at, r.id))
        return [r.model_copy(update=_WITHOUT_CIPHERTEXTS) for r in found[:limit]]

    def in_status(
        self,
        statuses: Iterable[Status],
        limit: int = 2000,
        received: tuple[dt.datetime, dt.datetime] | None = None,
    ) -> list[Registration]:
        self._check()
        now = clock.now()
        wanted = set(statuses)
        found = [
            r
            for r in self.registrations.values()
            if r.status in wanted
            and not expired(r.expires_at, now)
            and (received is None or received[0] <= r.received_at < received[1])
        ]
        found.sort(key=lambda r: (r.received_at, r.id))
        return [r.model_copy(update=_WITHOUT_CIPHERTEXTS | {"history": ()}) for r in found[:limit]]

    def received_between(self, since: dt.datetime, until: dt.datetime) -> list[Registration]:
        self._check()
        return [
            r.model_copy(update=_WITHOUT_CIPHERTEXTS | {"history": ()})
            for r in self.registrations.values()
            if since <= r.received_at < until and not expired(r.expires_at, clock.now())
        ]

    def agenda(self, triage_date: dt.date) -> AgendaRecord | None:
        self._check()
        found = self.agendas.get(triage_date)
        return None if found is None or expired(found.expires_at, clock.now()) else found

    def fix_agenda(self, agenda: AgendaRecord) -> bool:
        self._check()
        if agenda.triage_date in self.agendas:
            return False
        self.agendas[agenda.triage_date] = agenda
        return True

    def mark_agenda_notified(self, triage_date: dt.date, at: dt.datetime) -> None:
        self._check()
        agenda = self.agendas[triage_date]
        self.agendas[triage_date] = agenda.model_copy(update={"notified_at": at})

    def seal_legacy_text(self, seal: Callable[[str, str], str]) -> int:
        return 0  # records in memory are always of the current kind

    def append_audit(self, entry: AuditEntry) -> None:
        self._check()
        self.audit.append(entry)

    def audit_trail(self, registration_id: str) -> list[AuditEntry]:
        self._check()
        return sorted(
            (e for e in self.audit if e.registration_id == registration_id), key=lambda e: e.at
        )

    def audit_month(self, month: str) -> list[AuditEntry]:
        self._check()
        return sorted(
            (
                e.model_copy(update={"purpose": None})
                for e in self.audit
                if audit_month_of(e.at) == month
            ),
            key=lambda e: e.at,
        )


SEAL = "sealed"


class MemoryCipher:
    def encrypt(self, plaintext: str, registration_id: str, use: KeyUse) -> str:
        return f"{SEAL}:{use}:{registration_id}:{plaintext}"

    def decrypt(self, ciphertext: str, registration_id: str, use: KeyUse) -> str:
        seal, sealed_use, sealed_id, plaintext = ciphertext.split(":", 3)
        if (seal, sealed_use, sealed_id) != (SEAL, use, registration_id):
            raise StorageUnavailable("decrypting personal data failed")
        return plaintext


@dataclass
class MemoryOutbox:
    sent: list[NotifyMessage] = field(default_factory=list)

    def notify(self, message: NotifyMessage) -> None:
        self.sent.append(message)


@dataclass
class MemoryMailer:
    sent: list[OutgoingEmail] = field(default_factory=list)
    unavailable: bool = False  # refuses every e-mail (nothing sent)
    answer_lost: bool = False  # sends, then the answer does not arrive (a read timeout)

    def send(self, email: OutgoingEmail) -> None:
        if self.unavailable:
            raise StorageUnavailable("sending e-mail failed")
        self.sent.append(email)
        if self.answer_lost:
            raise DeliveryUnknown("sending e-mail: no answer")


@dataclass
class MemorySent:
    records: dict[str, SentRecord] = field(default_factory=dict)
    unavailable: bool = False

    def _check(self) -> None:
        if self.unavailable:
            raise StorageUnavailable("the records of sent e-mail are unavailable")

    def claim(self, key: str) -> SentRecord | None:
        self._check()
        if key in self.records:
            return self.records[key]
        self.records[key] = SentRecord(state="sending", since=clock.now())
        return None

    def settle(self, key: str, state: SendState) -> None:
        self._check()
        self.records[key] = self.records[key].model_copy(update={"state": state})

    def release(self, key: str) -> None:
        self._check()
        self.records.pop(key, None)


@dataclass
class MemoryWorkflow:
    started: dict[str, WorkflowInput] = field(default_factory=dict)
    waiting: set[str] = field(default_factory=set)  # tokens a test parked
    resumed: list[tuple[str, Resumption | FollowUpState]] = field(default_factory=list)
    stopped: list[str] = field(default_factory=list)

    def start(self, registration_id: str, given: WorkflowInput) -> bool:
        if registration_id in self.started:
            return False
        self.started[registration_id] = given
        return True

    def resume(self, token: str, output: Resumption | FollowUpState) -> bool:
        if token not in self.waiting:
            return False
        self.waiting.discard(token)
        self.resumed.append((token, output))
        return True

    def stop(self, registration_id: str) -> None:
        self.stopped.append(registration_id)


@dataclass
class MemoryOnce:
    answers: dict[str, tuple[str, RegistrationAccepted]] = field(default_factory=dict)

    def __call__(
        self, key: str, work: Callable[[], RegistrationAccepted], content: str = ""
    ) -> RegistrationAccepted:
        if key not in self.answers:
            self.answers[key] = (content, work())
        first, answer = self.answers[key]
        if first != content:
            raise SubmissionChanged("the same key came with other content")
        return answer


def memory_services() -> Services:
    return Services(
        store=MemoryStore(),
        cipher=MemoryCipher(),
        outbox=MemoryOutbox(),
        mailer=MemoryMailer(),
        workflow=MemoryWorkflow(),
        once=MemoryOnce(),
        sent=MemorySent(),
    )
