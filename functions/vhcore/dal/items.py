"""The items of the two tables, as pydantic models: keys, prefixes, attribute names and the
one timestamp format live here, and nowhere else in the functions.

Registrations table (``pk``/``sk``, keys as ``infra/template.yaml`` declares them):
- ``REG#<id> / REGISTRATION``: a registration (``RegistrationItem``). Personal data only as
  ciphertext. ``history`` lists every change and lives and expires with the item. On a triage
  queue it carries ``queue_pk = TRIAGE#<date or te-plannen>``; ``queue_sk`` (receipt, id) is
  set when it is stored, so the queue index shows it the moment ``queue_pk`` is set. The
  status index (``status``/``queue_sk``) holds every registration by status, with the listed
  attributes only (``LISTED_ATTRIBUTES``): the overview of open cases reads no ciphertext.
- ``REF#<reference> / REFERENCE``: claims a reference, so it is unique (``ReferenceClaimItem``).
- ``AGENDA#<date> / AGENDA``: a fixed triage agenda, counts and ids only (``AgendaItem``).

Audit table: ``REG#<id> / <at>#<ns>#<random>``, append only (``AuditItem``).

Idempotency table (``id``, TTL ``expiration``): Powertools owns its items; what intake reads
back of a stored registration is ``AnswerItem`` (the only attributes its role may read,
``ANSWER_ATTRIBUTES``). ``SENT#<key>``: what notify sent for one message (``SentItem``), the
only items the notify role may write.

Every moment is stored as UTC ``YYYY-MM-DDTHH:MM:SSZ``: it sorts as text, Step Functions'
``TimestampPath`` reads it, and it is what the queue's sort key starts with."""

from __future__ import annotations

import datetime as dt
import time
import uuid
from decimal import Decimal
from typing import Annotated, Any, Self

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, PlainSerializer, model_validator

from vhcore.calendar import to_local
from vhcore.model import (
    Actor,
    AgendaRecord,
    AuditEntry,
    Changes,
    HistoryEvent,
    Registration,
    SendState,
    SentRecord,
    StoredAnswer,
    WaitsFor,
)
from vhcore.status import Status

REGISTRATION_PREFIX = "REG#"
REFERENCE_PREFIX = "REF#"
QUEUE_PREFIX = "TRIAGE#"
AGENDA_PREFIX = "AGENDA#"
SENT_PREFIX = "SENT#"
REGISTRATION_SK = "REGISTRATION"
REFERENCE_SK = "REFERENCE"
AGENDA_SK = "AGENDA"
QUEUE_INDEX = "queue"
# Every registration by status (key ``status``, sorted by ``queue_sk``: receipt, id): the open
# cases are the partitions of the statuses before closed.
STATUS_INDEX = "status"
# The audit table's index across cases, by month (the template's AuditTable).
AUDIT_MONTH_INDEX = "month"
TIMESTAMP_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
# The action or purpose category of an entry written before they were recorded.
LEGACY = "onbekend"

# The attribute each token waits on: a token is parked only while that is not set.
TOKEN_FIELDS: dict[WaitsFor, tuple[str, str]] = {
    "decision": ("decision_token", "outcome"),
    "close": ("close_token", "closed_at"),
}


def timestamp(moment: dt.datetime) -> str:
    """The one stored form of a moment: UTC, whole seconds, ``Z``."""
    return moment.astimezone(dt.UTC).strftime(TIMESTAMP_FORMAT)


Timestamp = Annotated[AwareDatetime, PlainSerializer(timestamp, return_type=str)]


def registration_key(registration_id: str) -> dict[str, str]:
    return {"pk": f"{REGISTRATION_PREFIX}{registration_id}", "sk": REGISTRATION_SK}


def reference_key(reference: str) -> dict[str, str]:
    return {"pk": f"{REFERENCE_PREFIX}{reference}", "sk": REFERENCE_SK}


def agenda_key(triage_date: dt.date) -> dict[str, str]:
    return {"pk": f"{AGENDA_PREFIX}{triage_date.isoformat()}", "sk": AGENDA_SK}


def sent_key(key: str) -> dict[str, str]:
    return {"id": f"{SENT_PREFIX}{key}"}


def audit_partition(registration_id: str) -> str:
    return f"{REGISTRATION_PREFIX}{registration_id}"


def queue_partition(queued_for: str) -> str:
    return f"{QUEUE_PREFIX}{queued_for}"


def audit_month_of(at: dt.datetime) -> str:
    """The month (``YYYY-MM``) an audit record is listed under: the house's calendar."""
    return to_local(at).strftime("%Y-%m")


def registration_id_of(pk: str) -> str:
    return pk.removeprefix(REGISTRATION_PREFIX)


def expired(expires_at: int | None, now: dt.datetime) -> bool:
    """Past its TTL: DynamoDB deletes such an item within days, not at once; until then a
    read treats it as gone."""
    return expires_at is not None and expires_at <= int(now.timestamp())


def plain(value: Any) -> Any:
    """DynamoDB's numbers (``Decimal``) as ``int`` or ``float``, recursively."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    return value


class _Item(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True, frozen=True)

    def attributes(self) -> dict[str, Any]:
        """The item's attributes as DynamoDB takes them (before type serialisation)."""
        return self.model_dump(mode="json", by_alias=True, exclude_none=True)


class HistoryItem(_Item):
    at: Timestamp
    actor: str
    actor_name: str
    action: str
    from_status: Status = Field(alias="from")
    to_status: Status = Field(alias="to")
    summary: str = ""
    note: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _legacy(cls, data: Any) -> Any:
        """An entry written before typed text was sealed (``reason`` in clear, the actor by
        e-mail): shown as it is until ``seal_legacy_text`` rewrites it."""
        if isinstance(data, dict) and "action" not in data and "reason" in data:
            data = {k: v for k, v in data.items() if k != "reason"} | {
                "action": LEGACY,
                "actor_name": data.get("actor", ""),
                "summary": data["reason"],
            }
        return data

    @classmethod
    def of(cls, event: HistoryEvent) -> Self:
        fields = event.model_dump(exclude={"actor"})
        return cls(**fields, actor=event.actor.id, actor_name=event.actor.name)

    def event(self) -> HistoryEvent:
        fields = self.model_dump(exclude={"actor", "actor_name"})
        return HistoryEvent(**fields, actor=Actor(id=self.actor, name=self.actor_name))


# Attributes of a registration that are not in ``Registration`` under their own name.
_KEYS = {"pk", "sk", "queue_pk", "queue_sk"}


class RegistrationItem(_Item):
    pk: str
    sk: str = REGISTRATION_SK
    reference: str
    status: Status
    received_at: Timestamp
    respond_by: Timestamp
    triage_date: dt.date | None = None
    expires_at: int
    house: str
    registrant_organisation: str
    urgency: str
    criteria_met: bool
    criteria_asked: list[str] = Field(default_factory=list)
    address_matches_organisation: bool
    person_count: int
    personal: str | None = None
    contact: str | None = None
    queue_pk: str | None = None
    queue_sk: str | None = None
    contacted_at: Timestamp | None = None
    decided_at: Timestamp | None = None
    closed_at: Timestamp | None = None
    outcome: str | None = None
    taken_on: bool | None = None
    decision_personal: str | None = None
    event_token: str | None = None
    decision_token: str | None = None
    close_token: str | None = None
    plan_personal: str | None = None
    plan_next_due: dt.date | None = None
    plan_open_actions: int | None = None
    history: list[HistoryItem] = Field(default_factory=list)

    @classmethod
    def of(cls, registration: Registration) -> Self:
        fields = registration.model_dump(exclude={"id", "queued_for", "history"})
        return cls(
            **fields,
            pk=registration_key(registration.id)["pk"],
            queue_pk=(
                queue_partition(registration.queued_for) if registration.queued_for else None
            ),
            queue_sk=f"{timestamp(registration.received_at)}#{registration.id}",
            history=[HistoryItem.of(e) for e in registration.history],
        )

    def registration(self) -> Registration:
        fields = self.model_dump(exclude=_KEYS | {"history"})
        return Registration(
            **fields,
            id=registration_id_of(self.pk),
            queued_for=self.queue_pk.removeprefix(QUEUE_PREFIX) if self.queue_pk else None,
            history=tuple(h.event() for h in self.history),
        )


def changed_attributes(changes: Changes) -> dict[str, Any]:
    """The attributes a ``Changes`` writes, as stored (None for one it removes)."""
    attributes: dict[str, Any] = {}
    for name, value in changes.written().items():
        if name == "queued_for":
            attributes["queue_pk"] = queue_partition(str(value)) if value else None
        elif isinstance(value, dt.datetime):
            attributes[name] = timestamp(value)
        elif isinstance(value, dt.date):
            attributes[name] = value.isoformat()
        elif isinstance(value, Status):
            attributes[name] = value.value
        else:
            attributes[name] = value
    return attributes


# The attributes of a registration read for lists and figures: no ciphertexts, no history,
# no task tokens. The status index holds these and nothing more (``infra/template.yaml``).
UNLISTED_ATTRIBUTES = frozenset(
    {"personal", "contact", "decision_personal", "plan_personal", "history"}
    | {"event_token", "decision_token", "close_token"}
    | {"criteria_asked"}  # read with the case, never in a list
)
LISTED_ATTRIBUTES = tuple(
    name for name in RegistrationItem.model_fields if name not in UNLISTED_ATTRIBUTES
)


class ReferenceClaimItem(_Item):
    pk: str
    sk: str = REFERENCE_SK
    registration_id: str
    expires_at: int | None = None  # (claims written before they had one: released on expiry)

    @classmethod
    def of(cls, reference: str, registration_id: str, expires_at: int) -> Self:
        return cls(
            **reference_key(reference), registration_id=registration_id, expires_at=expires_at
        )


class AnswerItem(_Item):
    reference: str
    received_at: Timestamp
    respond_by: Timestamp
    triage_date: dt.date | None = None
    address_matches_organisation: bool = False

    def answer(self) -> StoredAnswer:
        return StoredAnswer.model_validate(self.model_dump())


# What intake may read of a stored registration (its role allows these attributes only).
ANSWER_ATTRIBUTES = tuple(AnswerItem.model_fields)


class AgendaItem(_Item):
    pk: str
    sk: str = AGENDA_SK
    triage_date: dt.date
    count: int
    registration_ids: list[str]
    fixed_at: Timestamp
    notified_at: Timestamp | None = None
    expires_at: int

    @classmethod
    def of(cls, agenda: AgendaRecord) -> Self:
        return cls(
            **agenda_key(agenda.triage_date),
            **agenda.model_dump(exclude={"registration_ids"}),
            registration_ids=list(agenda.registration_ids),
        )

    def agenda(self) -> AgendaRecord:
        return AgendaRecord.model_validate(self.model_dump(exclude={"pk", "sk"}))


class AuditItem(_Item):
    pk: str
    sk: str
    at: Timestamp
    actor: str
    actor_name: str
    action: str
    purpose_category: str
    purpose: str | None = None
    expires_at: int
    # The index across cases (``month``: pk month, sk sk); absent on records written before.
    month: str | None = None
    reference: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _legacy(cls, data: Any) -> Any:
        """A record written before purposes were sealed: its clear purpose is not shown (it
        is not a ciphertext) until ``seal_legacy_text`` rewrites it."""
        if isinstance(data, dict) and "purpose_category" not in data:
            data = {k: v for k, v in data.items() if k != "purpose"} | {
                "purpose_category": LEGACY,
                "actor_name": data.get("actor", ""),
            }
        return data

    @classmethod
    def of(cls, entry: AuditEntry) -> Self:
        return cls(
            pk=audit_partition(entry.registration_id),
            # Unique, and in the order written (two records of one second: nanoseconds).
            sk=f"{timestamp(entry.at)}#{time.time_ns():020d}#{uuid.uuid4().hex[:12]}",
            **entry.model_dump(exclude={"registration_id", "actor"}),
            actor=entry.actor.id,
            actor_name=entry.actor.name,
            month=audit_month_of(entry.at),
        )

    def entry(self) -> AuditEntry:
        return AuditEntry(
            registration_id=registration_id_of(self.pk),
            **self.model_dump(exclude={"pk", "sk", "actor", "actor_name", "month"}),
            actor=Actor(id=self.actor, name=self.actor_name),
        )


class SentItem(_Item):
    """What notify sent for one message: ``owner`` tells a claim's own write, retried by the
    SDK, from another's. Kept for as long as a message can come again (a redrive from the
    dead-letter queue, within its retention of 14 days)."""

    id: str
    state: SendState
    since: Timestamp
    owner: str
    expiration: int

    def record(self) -> SentRecord:
        return SentRecord(state=self.state, since=self.since)
