"""The domain's records, as the rules (``vhcore.logic``) see them: typed, with aware datetimes,
and nothing of how they are stored. ``vhcore.dal`` turns them into items and back; keys,
prefixes and attribute names live there only.

Personal data never appears here in clear: ``personal``, ``contact``, ``decision_personal``
and ``plan_personal`` are ciphertexts (``vhcore.ports.Cipher``)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from vhcore.status import Status

# A registration waits on the queue of its triage meeting (an ISO date) or, in a house that
# plans by hand, on this one.
TO_BE_PLANNED = "te-plannen"
# What a token of an execution started before the follow-up loop waits for (the loop's own
# token waits for any event: ``Store.park_event_token``).
WaitsFor = Literal["decision", "close"]


class _Record(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Actor(_Record):
    """Who did something: ``id`` is what the audit relies on (the user's ``sub``, which the
    user cannot change); ``name`` is how it is shown (the verified e-mail at that moment)."""

    id: str
    name: str


SYSTEM = Actor(id="systeem", name="systeem")  # what the product does by itself


class HistoryEvent(_Record):
    """One change of a case: who, when, which action, from which status to which. What a
    person typed with it is in ``note``, encrypted; ``summary`` is the product's own words
    (never typed text), shown when there is no note."""

    at: AwareDatetime
    actor: Actor
    action: str
    from_status: Status
    to_status: Status
    summary: str = ""
    note: str | None = Field(default=None, description="Ciphertext of the typed note")


class Registration(_Record):
    """A stored registration: clear fields for the queue and the workflow, ciphertexts for
    what identifies or describes a person. Read for a list, the ciphertexts are left out."""

    id: str
    reference: str
    status: Status
    received_at: AwareDatetime
    respond_by: AwareDatetime
    triage_date: dt.date | None = None
    expires_at: int = Field(description="Epoch seconds: when the retention period ends")
    house: str
    registrant_organisation: str
    urgency: str
    criteria_met: bool
    criteria_asked: list[str] = Field(
        default_factory=list,
        max_length=50,
        description="The ids of the criteria questions asked (older registrations: none kept)",
    )
    address_matches_organisation: bool
    person_count: int
    personal: str | None = None
    contact: str | None = None
    queued_for: str | None = Field(
        default=None, description="The triage (ISO date) or te-plannen; None: not on a queue"
    )
    contacted_at: AwareDatetime | None = None
    decided_at: AwareDatetime | None = None
    closed_at: AwareDatetime | None = None
    outcome: str | None = None
    taken_on: bool | None = None
    decision_personal: str | None = None
    event_token: str | None = Field(
        default=None, description="The follow-up's token, parked until the next event"
    )
    decision_token: str | None = None
    close_token: str | None = None
    plan_personal: str | None = Field(
        default=None, description="Ciphertext of the plan after triage (goal, actions, ...)"
    )
    plan_next_due: dt.date | None = Field(
        default=None, description="The earliest due date of the plan's open actions"
    )
    plan_open_actions: int | None = Field(default=None, description="The plan's open actions")
    history: tuple[HistoryEvent, ...] = ()


class Changes(_Record):
    """What a use case changes in a registration: only the fields it sets are written."""

    status: Status | None = None
    triage_date: dt.date | None = None
    queued_for: str | None = None
    contacted_at: AwareDatetime | None = None
    decided_at: AwareDatetime | None = None
    closed_at: AwareDatetime | None = None
    outcome: str | None = None
    taken_on: bool | None = None
    decision_personal: str | None = None
    expires_at: int | None = None
    plan_personal: str | None = None
    plan_next_due: dt.date | None = None
    plan_open_actions: int | None = None

    def written(self) -> dict[str, object]:
        """The fields set, by name (for the stores)."""
        return {name: getattr(self, name) for name in self.model_fields_set}


class StoredAnswer(_Record):
    """What intake may read back of a stored registration: its reference and dates."""

    reference: str
    received_at: AwareDatetime
    respond_by: AwareDatetime
    triage_date: dt.date | None = None
    address_matches_organisation: bool = False


class AgendaRecord(_Record):
    """A triage's agenda, fixed at the cut-off: how many and which (ids only, no names)."""

    triage_date: dt.date
    count: int
    registration_ids: tuple[str, ...]
    fixed_at: AwareDatetime
    notified_at: AwareDatetime | None = None
    expires_at: int = Field(description="Epoch seconds: it holds ids, so it expires too")


class AuditEntry(_Record):
    """Who read or changed a case, when, and why: the purpose as a category in clear, what
    the person typed with it only as ciphertext. Kept longer than the case itself."""

    registration_id: str
    at: AwareDatetime
    actor: Actor
    action: str
    purpose_category: str
    reference: str | None = Field(default=None, description="The case's reference, if any")
    purpose: str | None = Field(default=None, description="Ciphertext of the typed purpose")
    expires_at: int


class Resumption(_Record):
    """What a waiting workflow is told when staff act: which event (the follow-up reads the
    case itself), or for an execution from before the follow-up loop the outcome or that
    the case closed."""

    event: str | None = Field(default=None, max_length=32)
    outcome: str | None = None
    closed: bool | None = None


# A follow-up never waits longer than this for an event: an event whose resumption was lost
# is noticed within a day, and the loop stays far below the history limit of an execution.
LONGEST_WAIT_SECONDS = 86_400


class FollowUpState(_Record):
    """What the follow-up loop carries from one step to the next (in the execution's data,
    so ids, keys and moments only): when it last looked, which e-mails it queued, how much
    of the case's history it saw, and what the state machine does next."""

    checked_at: AwareDatetime | None = None
    sent: tuple[Annotated[str, Field(max_length=64)], ...] = Field(default=(), max_length=100)
    seen: int = Field(default=0, ge=0, description="Events in the case's history when checked")
    wait_seconds: int = Field(default=1, ge=1, le=LONGEST_WAIT_SECONDS)
    done: bool = False
    abandoned: bool = False


class WorkflowInput(_Record):
    """What a registration's follow-up starts with: ids and the promised moments."""

    registration_id: str
    reference: str
    respond_by: AwareDatetime


class OutgoingEmail(_Record):
    to: str
    subject: str
    text: str
    html: str


# What became of an e-mail a message asked for: being sent (claimed, the mail service has
# not answered yet), sent, or unknown (the request reached the mail service, its answer did
# not: it may have been sent, and it is never sent again).
SendState = Literal["sending", "sent", "unknown"]


class SentRecord(_Record):
    """The record notify keeps of one message's e-mail (``vhcore.ports.Sent``)."""

    state: SendState
    since: AwareDatetime
