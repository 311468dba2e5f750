"""What the rules need from the world, as interfaces: a store for registrations, agendas and
the audit log, a cipher, the notify queue, e-mail and what was sent, the follow-up workflow,
and the once-only guard of intake. ``vhcore.dal`` implements them on AWS (DynamoDB, KMS, SQS, SES,
Step Functions), ``vhcore.dal.memory`` in memory for the unit tests; the handlers choose.

Errors are the domain's (``vhcore.errors``), never an SDK's."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Literal, Protocol

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
    SentRecord,
    StoredAnswer,
    WaitsFor,
    WorkflowInput,
)
from vhcore.registration import RegistrationAccepted
from vhcore.status import Status

# Whose key protects a ciphertext: the betrokkenen's data (read by staff only) or the
# registrant's address (read by the notify function too).
KeyUse = Literal["personal", "contact"]


class Store(Protocol):
    def add(self, registration: Registration, *, reference_until: int) -> None:
        """Store a new registration and claim its reference, both or neither; the claim
        expires at ``reference_until`` (epoch seconds) at the latest. Raises
        ``ReferenceTaken`` or ``AlreadyStored`` (then nothing is written)."""

    def get(self, registration_id: str) -> Registration | None:
        """The registration in full, or None."""

    def answer(self, registration_id: str) -> StoredAnswer | None:
        """Only the reference and dates of a registration (what intake may read)."""

    def find(self, reference: str) -> str | None:
        """The registration id behind a reference, or None."""

    def release_reference(self, reference: str) -> None:
        """Free a reference whose registration is gone."""

    def erase(self, registration: Registration) -> None:
        """Delete the registration and its reference claim, and its id from every agenda."""

    def transition(
        self, registration_id: str, *, expected: Status, changes: Changes, event: HistoryEvent
    ) -> Registration:
        """Apply ``changes`` and append ``event``, only while the status is ``expected``.
        Raises ``NotFound``, or ``ConcurrentChange`` when the status moved on."""

    def update(self, registration_id: str, changes: Changes) -> Registration:
        """Apply ``changes`` to an existing registration (``NotFound`` otherwise)."""

    def park_token(self, registration_id: str, waits_for: WaitsFor, token: str) -> bool:
        """Keep the workflow's task token until staff act; False (nothing kept) when they
        already did (a decision recorded, or the case closed)."""

    def park_event_token(self, registration_id: str, token: str, seen: int) -> bool:
        """Keep the follow-up's token until the case's next event; False (nothing kept) when
        its history no longer has ``seen`` events: something happened since the follow-up
        looked, so it should look again at once."""

    def queue(self, queued_for: str, limit: int = 500) -> list[Registration]:
        """The registrations on one triage's queue, oldest first, without ciphertexts."""

    def in_status(
        self,
        statuses: Iterable[Status],
        limit: int = 2000,
        received: tuple[dt.datetime, dt.datetime] | None = None,
    ) -> list[Registration]:
        """The registrations in any of ``statuses`` (at most ``limit``), oldest first per
        status, without ciphertexts, history or task tokens (the overview of open cases);
        ``received``: only those received at or after its first moment and before its
        second (the daily digest)."""

    def received_between(self, since: dt.datetime, until: dt.datetime) -> list[Registration]:
        """Every registration received at or after ``since`` and before ``until`` (aware
        moments, so a year can start at midnight in Amsterdam), without ciphertexts or history
        (for the figures)."""

    def agenda(self, triage_date: dt.date) -> AgendaRecord | None: ...

    def fix_agenda(self, agenda: AgendaRecord) -> bool:
        """Store the agenda once; False when that triage's agenda was fixed before."""

    def mark_agenda_notified(self, triage_date: dt.date, at: dt.datetime) -> None: ...

    def seal_legacy_text(self, seal: Callable[[str, str], str]) -> int:
        """Rewrite what was stored before typed text was sealed (history reasons, audit
        purposes in clear): ``seal(registration_id, text)`` gives the ciphertext. How many
        items were rewritten; safe to repeat and to interrupt."""

    def append_audit(self, entry: AuditEntry) -> None:
        """Add one audit record; never overwrites another."""

    def audit_trail(self, registration_id: str) -> list[AuditEntry]:
        """The case's audit records, oldest first."""

    def audit_month(self, month: str) -> list[AuditEntry]:
        """Every audit record of one month (``YYYY-MM``, Amsterdam) across cases, oldest
        first, without typed purposes (the audit table's ``month`` index)."""


class Cipher(Protocol):
    def encrypt(self, plaintext: str, registration_id: str, use: KeyUse) -> str:
        """Ciphertext bound to the registration (it cannot be moved to another unnoticed)."""

    def decrypt(self, ciphertext: str, registration_id: str, use: KeyUse) -> str: ...


class Outbox(Protocol):
    def notify(self, message: NotifyMessage) -> None:
        """Queue an e-mail to be sent (by kind and id; never personal data)."""


class Mailer(Protocol):
    def send(self, email: OutgoingEmail) -> None:
        """Send one e-mail. Raises ``StorageUnavailable`` when the mail service refused it or
        could not be reached (not sent), ``DeliveryUnknown`` when the request reached it but
        its answer did not (perhaps sent; not retried)."""


class Sent(Protocol):
    """What notify sent, per idempotency key (one per queue message), for a limited time:
    so a redelivered or duplicated message never sends its e-mail twice."""

    def claim(self, key: str) -> SentRecord | None:
        """Record that the e-mail of ``key`` is being sent, unless there is a record of it:
        None when this call made the record, else the earlier one. A repeat of this call's
        own write (the SDK retried it) still counts as this call's."""

    def settle(self, key: str, state: Literal["sent", "unknown"]) -> None:
        """Record what became of a claimed e-mail."""

    def release(self, key: str) -> None:
        """Forget the claim of an e-mail that certainly was not sent (the mail service
        refused it), so a redelivery sends it."""


class Workflow(Protocol):
    def start(self, registration_id: str, given: WorkflowInput) -> bool:
        """Start a registration's follow-up; False when it already runs."""

    def resume(self, token: str, output: Resumption | FollowUpState) -> bool:
        """Resume a parked step with its output; False when the token is no longer valid."""

    def stop(self, registration_id: str) -> None:
        """End a registration's follow-up, if it still runs (an erased case)."""


class Once(Protocol):
    def __call__(
        self, key: str, work: Callable[[], RegistrationAccepted], content: str = ""
    ) -> RegistrationAccepted:
        """Do ``work`` once per ``key``: a repeat with the same ``content`` (a fingerprint of
        what was sent) gets the first answer; with other content it raises
        ``SubmissionChanged``. Raises ``StorageUnavailable`` when it cannot tell (nothing was
        kept)."""


@dataclass(frozen=True)
class Services:
    """What a function's rules run on. Handlers build it once per process."""

    store: Store
    cipher: Cipher
    outbox: Outbox
    mailer: Mailer
    workflow: Workflow
    once: Once
    sent: Sent
