"""Staff use cases: the queue without decryption, a case read with an audit record first,
actions as status transitions (each audited), and figures without personal data."""

from __future__ import annotations

import datetime as dt
import json
import statistics
from collections import Counter
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, JsonValue

from vhcore import calendar, clock
from vhcore.errors import NotFound
from vhcore.house import PromiseKind, current_house
from vhcore.log import logger
from vhcore.logic import cases
from vhcore.logic.retention import add_months
from vhcore.model import TO_BE_PLANNED, AuditEntry, Registration
from vhcore.ports import Services
from vhcore.reference import is_reference
from vhcore.registration import Day, Timestamp
from vhcore.staff import EraseCategory, PurposeCategory, Staff
from vhcore.status import Status

Sort = Literal["received", "urgency"]


class QueueEntry(BaseModel):
    """A registration as the queue shows it: no names, no descriptions."""

    reference: str = Field(max_length=20)
    status: str = Field(max_length=32)
    received_at: Timestamp
    respond_by: Timestamp
    triage_date: Day | None = None
    urgency: str = Field(max_length=16)
    criteria_met: bool
    address_matches_organisation: bool
    registrant_organisation: str = Field(max_length=64)
    person_count: int
    contacted: bool
    outcome: str | None = Field(default=None, max_length=64)


class Agenda(BaseModel):
    triage_date: Day
    fixed: bool
    fixed_at: Timestamp | None = None
    entries: list[QueueEntry] = Field(max_length=500)


class HistoryEvent(BaseModel):
    at: Timestamp
    actor: str = Field(max_length=254, description="The verified e-mail at that moment")
    actor_id: str = Field(max_length=64, description="The user's sub: the audit identity")
    action: str = Field(max_length=32)
    from_status: str = Field(max_length=32)
    to_status: str = Field(max_length=32)
    reason: str = Field(max_length=2000)


class Case(BaseModel):
    """One registration in full, decrypted, for staff who gave a purpose."""

    entry: QueueEntry
    registration: dict[str, JsonValue] = Field(description="The registration as the form sent it.")
    criteria_asked: list[Annotated[str, Field(max_length=64)]] = Field(
        default_factory=list,
        max_length=50,
        description="The ids of the criteria questions the registrant was asked, in order.",
    )
    decision: cases.DecisionNotes | None = Field(
        default=None, description="Advice and process director, when decided."
    )
    plan: cases.Plan | None = Field(
        default=None, description="The plan after triage, for a case taken on."
    )
    history: list[HistoryEvent] = Field(max_length=500)


class AuditRecord(BaseModel):
    at: Timestamp
    actor: str = Field(max_length=254, description="The verified e-mail at that moment")
    actor_id: str = Field(max_length=64, description="The user's sub: the audit identity")
    action: str = Field(max_length=64)
    purpose_category: str = Field(max_length=32)
    purpose: str | None = Field(default=None, max_length=4000, description="What was typed")


class AuditLogRecord(BaseModel):
    """One record of the audit trail across cases: never what anyone typed."""

    at: Timestamp
    reference: str | None = Field(default=None, max_length=20)
    actor: str = Field(max_length=254, description="The verified e-mail at that moment")
    actor_id: str = Field(max_length=64, description="The user's sub: the audit identity")
    action: str = Field(max_length=64)
    purpose_category: str = Field(max_length=32)


# Where a reading of the audit trail across cases is itself recorded (no case's partition).
AUDIT_LOG_ID = "auditlog"
MAX_AUDIT_MONTHS = 12


def months_between(first: str, last: str) -> list[str]:
    """``YYYY-MM`` from ``first`` to ``last``, both included."""
    year, month = (int(part) for part in first.split("-"))
    months: list[str] = []
    while f"{year:04d}-{month:02d}" <= last:
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def audit_log(
    services: Services,
    staff: Staff,
    first: str,
    last: str,
    *,
    actor: str = "",
    action: str = "",
) -> list[AuditLogRecord]:
    """The audit trail across cases from month ``first`` to ``last`` (at most a year),
    filtered by person (the e-mail or the id) and action; reading it is audited first."""
    months = months_between(first, last)[:MAX_AUDIT_MONTHS]  # the handler refuses a longer period
    _audit(services, AUDIT_LOG_ID, staff, "auditlog-inzien", category=PurposeCategory.CONTROL)
    return [
        AuditLogRecord(
            at=e.at,
            reference=e.reference,
            actor=e.actor.name,
            actor_id=e.actor.id,
            action=e.action,
            purpose_category=e.purpose_category,
        )
        for month in months
        for e in services.store.audit_month(month)
        if (not actor or actor in (e.actor.name, e.actor.id)) and (not action or e.action == action)
    ]


class Figures(BaseModel):
    """For the annual report: counts and shares only, no personal data."""

    year: int
    period: str = Field(default="", max_length=2, description="Empty (the year), Q1-Q4 or 01-12")
    total: int
    per_urgency: dict[str, int] = Field(default_factory=dict)
    per_outcome: dict[str, int]
    per_partner: dict[str, int]
    per_month: dict[str, int]
    contacted_within_term_share: float | None = Field(
        description="Share of registrations with contact recorded by the promised date."
    )
    median_days_to_decision: float | None


def _entry(registration: Registration) -> QueueEntry:
    return QueueEntry(
        reference=registration.reference,
        status=registration.status.value,
        received_at=registration.received_at,
        respond_by=registration.respond_by,
        triage_date=registration.triage_date,
        urgency=registration.urgency,
        criteria_met=registration.criteria_met,
        address_matches_organisation=registration.address_matches_organisation,
        registrant_organisation=registration.registrant_organisation,
        person_count=registration.person_count,
        contacted=registration.contacted_at is not None,
        outcome=registration.outcome,
    )


# --- the overview of every open case ----------------------------------------------------------

OPEN_STATUSES = tuple(status for status in Status if status is not Status.CLOSED)
# Plan actions due within this many working days are listed on the overview (and overdue ones).
DUE_SOON_WORKING_DAYS = 5
MAX_LISTED = 2000


class OverviewEntry(QueueEntry):
    """A case on the overview: the queue's clear fields, and how long it has been waiting."""

    working_days_since_receipt: int = Field(
        description="Working days since the day of receipt (that day does not count)."
    )
    working_days_to_promise: int | None = Field(
        description="Working days left to the promised day: 0 on that day itself, negative "
        "once it has passed; null when the promise was kept (contact made, or the triage's "
        "answer given, as the house promises)."
    )
    plan_open_actions: int = Field(default=0, description="Actions of the plan not yet done.")
    plan_next_due: Day | None = Field(
        default=None, description="The earliest due date of the plan's open actions."
    )


class DueAction(BaseModel):
    """A case whose plan has an action due soon or overdue (dates only: the texts are sealed
    and shown on the case)."""

    reference: str = Field(max_length=20)
    due: Day
    overdue: bool
    open_actions: int


class Overview(BaseModel):
    """Every open case that matches the filters, urgent first, with counts per status. Clear
    fields only: listing decrypts nothing and is no read of a case (not audited)."""

    open_total: int = Field(description="Open cases in the house, before the filters.")
    counts: dict[str, int] = Field(description="Cases listed, per status.")
    cases: list[OverviewEntry] = Field(max_length=MAX_LISTED)
    due_actions: list[DueAction] = Field(max_length=MAX_LISTED)


class OverviewFilter(BaseModel):
    """What staff narrow the overview to; all optional."""

    model_config = {"extra": "forbid", "frozen": True}
    status: Status | None = None
    urgency: str | None = None
    triage_date: str | None = Field(default=None, description="An ISO date or te-plannen")
    organisation: str | None = None
    reference: str | None = Field(default=None, description="A reference or a part of one")

    def matches(self, entry: OverviewEntry) -> bool:
        return (
            (self.status is None or entry.status == self.status.value)
            and (self.urgency is None or entry.urgency == self.urgency)
            and (self.organisation is None or entry.registrant_organisation == self.organisation)
            and (
                self.triage_date is None
                or (entry.triage_date.isoformat() if entry.triage_date else TO_BE_PLANNED)
                == self.triage_date
            )
            and (self.reference is None or self.reference in entry.reference)
        )


def promise_kept(registration: Registration) -> bool:
    """What the house promised has happened: contact, or the triage's answer."""
    if current_house().response_term.promises is PromiseKind.TRIAGE_ANSWER:
        return registration.decided_at is not None
    return registration.contacted_at is not None


def _overview_entry(registration: Registration, today: dt.date) -> OverviewEntry:
    received = calendar.to_local(registration.received_at).date()
    promised = calendar.to_local(registration.respond_by).date()
    return OverviewEntry(
        **_entry(registration).model_dump(),
        working_days_since_receipt=calendar.working_days_between(received, today),
        working_days_to_promise=(
            None if promise_kept(registration) else calendar.working_days_between(today, promised)
        ),
        plan_open_actions=registration.plan_open_actions or 0,
        plan_next_due=registration.plan_next_due,
    )


def _pressing(entry: OverviewEntry) -> tuple[bool, int, dt.datetime]:
    """Urgent first; then the promise that ends first (kept ones last); then the oldest."""
    left = entry.working_days_to_promise
    return (entry.urgency != "spoed", left if left is not None else 1_000_000, entry.received_at)


def _searched(services: Services, reference: str, today: dt.date) -> list[OverviewEntry]:
    """A whole reference finds its case in any status (a closed one too)."""
    registration_id = services.store.find(reference)
    registration = services.store.get(registration_id) if registration_id else None
    return [_overview_entry(registration, today)] if registration else []


def overview(services: Services, wanted: OverviewFilter) -> Overview:
    today = calendar.to_local(clock.now()).date()
    listed = [
        _overview_entry(r, today) for r in services.store.in_status(OPEN_STATUSES, MAX_LISTED)
    ]
    if wanted.reference and is_reference(wanted.reference):
        found = [e for e in listed if e.reference == wanted.reference] or _searched(
            services, wanted.reference, today
        )
    else:
        found = listed
    shown = sorted((e for e in found if wanted.matches(e)), key=_pressing)
    soon = calendar.add_working_days(today, DUE_SOON_WORKING_DAYS)
    due = [
        DueAction(
            reference=e.reference,
            due=e.plan_next_due,
            overdue=e.plan_next_due < today,
            open_actions=e.plan_open_actions,
        )
        for e in listed
        if e.plan_next_due is not None and e.plan_open_actions and e.plan_next_due <= soon
    ]
    return Overview(
        open_total=len(listed),
        counts=dict(Counter(e.status for e in shown)),
        cases=shown,
        due_actions=sorted(due, key=lambda d: (d.due, d.reference)),
    )


def _sorted(entries: list[QueueEntry], sort: Sort) -> list[QueueEntry]:
    if sort == "urgency":
        return sorted(entries, key=lambda e: (e.urgency != "spoed", e.received_at))
    return sorted(entries, key=lambda e: e.received_at)


def upcoming_triage() -> str:
    """The meeting new registrations go to now; 'te-plannen' for houses without a rhythm."""
    date = calendar.triage_date(clock.now(), current_house())
    return date.isoformat() if date else TO_BE_PLANNED


def queue(
    services: Services, triage_date: str | None, status: str | None, sort: Sort
) -> list[QueueEntry]:
    entries = [_entry(r) for r in services.store.queue(triage_date or upcoming_triage())]
    if status:
        entries = [e for e in entries if e.status == status]
    return _sorted(entries, sort)


def agenda(services: Services, triage_date: dt.date, sort: Sort) -> Agenda:
    fixed = services.store.agenda(triage_date)
    return Agenda(
        triage_date=triage_date,
        fixed=fixed is not None,
        fixed_at=fixed.fixed_at if fixed else None,
        entries=queue(services, triage_date.isoformat(), None, sort),
    )


def _registration_id(services: Services, reference: str) -> str:
    registration_id = services.store.find(reference) if is_reference(reference) else None
    if registration_id is None:
        # Not the text itself: a path can hold anything, and the error is logged.
        raise NotFound("no case with that reference")
    return registration_id


def _audit(
    services: Services,
    registration_id: str,
    staff: Staff,
    action: str,
    *,
    category: str,
    typed: str = "",
    reference: str | None = None,
) -> None:
    now = clock.now().replace(microsecond=0)
    months = current_house().retention.audit_log_months
    services.store.append_audit(
        AuditEntry(
            registration_id=registration_id,
            at=now,
            actor=staff.actor,
            action=action,
            purpose_category=category,
            purpose=cases.seal(services, registration_id, typed),
            reference=reference,
            expires_at=int(add_months(now, months).timestamp()),
        )
    )


def _open(services: Services, registration_id: str, ciphertext: str | None) -> str | None:
    if ciphertext is None:
        return None
    return services.cipher.decrypt(ciphertext, registration_id, "personal")


def read_case(
    services: Services,
    reference: str,
    staff: Staff,
    category: PurposeCategory,
    purpose: str = "",
) -> Case:
    """Decrypt one registration. The audit record is written first: no record, no data."""
    registration_id = _registration_id(services, reference)
    _audit(
        services,
        registration_id,
        staff,
        "inzien",
        category=category,
        typed=purpose,
        reference=reference,
    )
    registration = services.store.get(registration_id)
    if registration is None or registration.personal is None:
        raise NotFound(reference)
    logger.info("case read", extra={"registration_id": registration_id})
    return _case(services, registration)


def _case(services: Services, registration: Registration) -> Case:
    """A registration in full, decrypted: for a read with a purpose, or after an action (the
    action's audit record covers it: the page's refresh after it is no second read)."""
    if registration.personal is None:
        raise NotFound(registration.reference)
    registration_id = registration.id
    decision = None
    if registration.decision_personal:
        decision = cases.DecisionNotes.model_validate_json(
            services.cipher.decrypt(registration.decision_personal, registration_id, "personal")
        )
    plan = None
    if registration.plan_personal:
        plan = cases.Plan.model_validate_json(
            services.cipher.decrypt(registration.plan_personal, registration_id, "personal")
        )
    content = services.cipher.decrypt(registration.personal, registration_id, "personal")
    return Case(
        entry=_entry(registration),
        registration=json.loads(content),
        criteria_asked=registration.criteria_asked,
        decision=decision,
        plan=plan,
        history=[
            HistoryEvent(
                at=e.at,
                actor=e.actor.name,
                actor_id=e.actor.id,
                action=e.action,
                from_status=e.from_status.value,
                to_status=e.to_status.value,
                reason=_open(services, registration_id, e.note) or e.summary,
            )
            for e in registration.history
        ],
    )


def act(
    services: Services, reference: str, staff: Staff, action: str, reason: str, **details: Any
) -> Case:
    """One staff action: audited, then applied as a status transition. The answer is the
    case as it is now, in full: the action's audit record is the record of this reading."""
    registration_id = _registration_id(services, reference)
    _audit(
        services, registration_id, staff, action, category=action, typed=reason, reference=reference
    )
    actor = staff.actor
    match action:
        case "contact":
            changed = cases.record_contact(services, registration_id, actor=actor, note=reason)
        case "information-request":
            changed = cases.request_information(
                services, registration_id, actor=actor, reason=reason
            )
        case "information-received":
            changed = cases.information_received(
                services, registration_id, actor=actor, reason=reason
            )
        case "schedule":
            changed = cases.schedule(
                services,
                registration_id,
                actor=actor,
                triage_date=details["triage_date"],
                reason=reason,
                extra_triage=bool(details.get("extra_triage")),
            )
        case "decision":
            changed = cases.decide(
                services,
                registration_id,
                actor=actor,
                outcome_id=details["outcome"],
                advice=reason,
                process_director=details["process_director"],
            )
        case "close":
            changed = cases.close(services, registration_id, actor=actor, reason=reason)
        case "plan":
            changed = cases.save_plan(services, registration_id, actor=actor, plan=details["plan"])
        case _:
            raise ValueError(f"unknown action {action!r}")
    return _case(services, changed)


EXPORT_FORMAT = "veiligheidshuis-case-export/1"


class CaseExport(BaseModel):
    """One case for the chain's case file (KeDo, GCOS, ...): the case as staff see it, with
    the house and the moment of export. Its JSON Schema is docs/case-export.schema.json."""

    model_config = {"title": "Veiligheidshuis case export"}
    format: Literal["veiligheidshuis-case-export/1"] = Field(
        description="The kind and version of this document."
    )
    exported_at: Timestamp
    house: str = Field(max_length=64, description="The house's id (its configuration file).")
    house_name: str = Field(max_length=200)
    case: Case


def export_case(services: Services, reference: str, staff: Staff, purpose: str) -> CaseExport:
    """One case, decrypted, for the chain's case file. The person types why; the audit record
    (with that purpose, sealed) is written first: no record, no export."""
    registration_id = _registration_id(services, reference)
    _audit(services, registration_id, staff, "exporteren", category="export", typed=purpose)
    registration = services.store.get(registration_id)
    if registration is None:
        raise NotFound(reference)
    logger.info("case exported", extra={"registration_id": registration_id})
    house = current_house()
    return CaseExport(
        format=EXPORT_FORMAT,
        exported_at=clock.now().replace(microsecond=0),
        house=house.id,
        house_name=house.name,
        case=_case(services, registration),
    )


def erase(services: Services, reference: str, staff: Staff, category: EraseCategory) -> None:
    """Erase a case before its retention ends: the registration, its reference, its place on
    the queue and on agendas, and its follow-up. The audit log keeps that it happened, by whom
    and why (a category): nothing of the case itself."""
    registration_id = _registration_id(services, reference)
    registration = services.store.get(registration_id)
    if registration is None:
        raise NotFound(reference)
    _audit(
        services,
        registration_id,
        staff,
        "verwijderen",
        category=category.value,
        reference=reference,
    )
    services.workflow.stop(registration_id)
    services.store.erase(registration)
    logger.info("case erased", extra={"registration_id": registration_id, "why": category.value})


def audit_trail(services: Services, reference: str, staff: Staff) -> list[AuditRecord]:
    """The case's audit records, purposes decrypted; reading them is audited first."""
    registration_id = _registration_id(services, reference)
    _audit(
        services,
        registration_id,
        staff,
        "audit-inzien",
        category=PurposeCategory.CONTROL,
        reference=reference,
    )
    return [
        AuditRecord(
            at=e.at,
            actor=e.actor.name,
            actor_id=e.actor.id,
            action=e.action,
            purpose_category=e.purpose_category,
            purpose=_open(services, registration_id, e.purpose),
        )
        for e in services.store.audit_trail(registration_id)
    ]


def _new_year(year: int) -> dt.datetime:
    """Midnight of 1 January in Amsterdam: the house's year starts then, not at UTC's."""
    return dt.datetime(year, 1, 1, tzinfo=calendar.AMSTERDAM)


def period_bounds(year: int, period: str = "") -> tuple[dt.datetime, dt.datetime]:
    """Start and end (exclusive) of a year, a quarter (``Q1``..``Q4``) or a month (``01``..
    ``12``) on the Amsterdam calendar."""
    if not period:
        return _new_year(year), _new_year(year + 1)
    first, count = (3 * int(period[1]) - 2, 3) if period.startswith("Q") else (int(period), 1)
    start = dt.datetime(year, first, 1, tzinfo=calendar.AMSTERDAM)
    after = first + count
    end = dt.datetime(year + (after > 12), (after - 1) % 12 + 1, 1, tzinfo=calendar.AMSTERDAM)
    return start, end


def figures(services: Services, year: int, period: str = "") -> Figures:
    """The year (or a quarter or month of it) and its months by the Amsterdam calendar, as
    the house counts them."""
    received = services.store.received_between(*period_bounds(year, period))
    contacted = [r.contacted_at <= r.respond_by for r in received if r.contacted_at is not None]
    days = [
        (r.decided_at - r.received_at).total_seconds() / 86400
        for r in received
        if r.decided_at is not None
    ]
    return Figures(
        year=year,
        period=period,
        total=len(received),
        per_urgency=dict(Counter(r.urgency for r in received)),
        per_outcome=dict(Counter(str(r.outcome) for r in received if r.outcome)),
        per_partner=dict(Counter(r.registrant_organisation for r in received)),
        per_month=dict(
            Counter(calendar.to_local(r.received_at).strftime("%Y-%m") for r in received)
        ),
        contacted_within_term_share=(sum(contacted) / len(received)) if received else None,
        median_days_to_decision=round(statistics.median(days), 1) if days else None,
    )
