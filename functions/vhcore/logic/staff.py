"""Staff use cases: the queue without decryption, a case read with an audit record first,
actions as status transitions (each audited), and figures without personal data."""

from __future__ import annotations

import datetime as dt
import statistics
from collections import Counter
from typing import Any, Literal

from pydantic import BaseModel, Field

from vhcore import calendar, clock
from vhcore.dal import audit, crypto, registrations
from vhcore.errors import NotFound
from vhcore.house import current_house
from vhcore.log import logger
from vhcore.logic import cases
from vhcore.logic.retention import add_months
from vhcore.logic.triage import TO_BE_PLANNED, queue_key
from vhcore.reference import is_reference
from vhcore.staff import Staff

Sort = Literal["received", "urgency"]


class QueueEntry(BaseModel):
    """A registration as the queue shows it: no names, no descriptions."""

    reference: str = Field(max_length=20)
    status: str = Field(max_length=32)
    received_at: str = Field(max_length=32)
    respond_by: str = Field(max_length=32)
    triage_date: str | None = Field(default=None, max_length=10)
    urgency: str = Field(max_length=16)
    criteria_met: bool
    sender_verified: bool
    registrant_organisation: str = Field(max_length=64)
    person_count: int
    contacted: bool
    outcome: str | None = Field(default=None, max_length=64)


class Agenda(BaseModel):
    triage_date: str = Field(max_length=10)
    fixed: bool
    fixed_at: str | None = Field(default=None, max_length=32)
    entries: list[QueueEntry] = Field(max_length=500)


class HistoryEvent(BaseModel):
    at: str = Field(max_length=32)
    actor: str = Field(max_length=254)
    from_status: str = Field(max_length=32)
    to_status: str = Field(max_length=32)
    reason: str = Field(max_length=2000)


class Case(BaseModel):
    """One registration in full, decrypted, for staff who gave a purpose."""

    entry: QueueEntry
    registration: dict[str, Any] = Field(description="The registration as the form sent it.")
    decision: dict[str, Any] | None = Field(
        default=None, description="Advice and process director, when decided."
    )
    history: list[HistoryEvent] = Field(max_length=500)


class AuditRecord(BaseModel):
    at: str = Field(max_length=32)
    actor: str = Field(max_length=254)
    action: str = Field(max_length=64)
    purpose: str = Field(max_length=500)


class Figures(BaseModel):
    """For the annual report: counts and shares only, no personal data."""

    year: int
    total: int
    per_outcome: dict[str, int]
    per_partner: dict[str, int]
    per_month: dict[str, int]
    contacted_within_term_share: float | None = Field(
        description="Share of registrations with contact recorded by the promised date."
    )
    median_days_to_decision: float | None


def _entry(item: dict[str, Any]) -> QueueEntry:
    return QueueEntry(
        reference=item["reference"],
        status=item["status"],
        received_at=item["received_at"],
        respond_by=item["respond_by"],
        triage_date=item.get("triage_date"),
        urgency=item.get("urgency", "normaal"),
        criteria_met=bool(item.get("criteria_met")),
        sender_verified=bool(item.get("sender_verified")),
        registrant_organisation=item.get("registrant_organisation", ""),
        person_count=int(item.get("person_count", 1)),
        contacted=bool(item.get("contacted_at")),
        outcome=item.get("outcome"),
    )


def _sorted(entries: list[QueueEntry], sort: Sort) -> list[QueueEntry]:
    if sort == "urgency":
        return sorted(entries, key=lambda e: (e.urgency != "spoed", e.received_at))
    return sorted(entries, key=lambda e: e.received_at)


def upcoming_triage() -> str:
    """The meeting new registrations go to now; 'te-plannen' for houses without a rhythm."""
    date = calendar.triage_date(clock.now(), current_house())
    return date.isoformat() if date else TO_BE_PLANNED


def queue(triage_date: str | None, status: str | None, sort: Sort) -> list[QueueEntry]:
    entries = [_entry(i) for i in registrations.queue(queue_key(_planned(triage_date)))]
    if status:
        entries = [e for e in entries if e.status == status]
    return _sorted(entries, sort)


def _planned(triage_date: str | None) -> str | None:
    value = triage_date or upcoming_triage()
    return None if value == TO_BE_PLANNED else value


def agenda(triage_date: str, sort: Sort) -> Agenda:
    fixed = registrations.get_agenda(triage_date)
    return Agenda(
        triage_date=triage_date,
        fixed=fixed is not None,
        fixed_at=(fixed or {}).get("fixed_at"),
        entries=queue(triage_date, None, sort),
    )


def _registration_id(reference: str) -> str:
    registration_id = (
        registrations.find_by_reference(reference) if is_reference(reference) else None
    )
    if registration_id is None:
        raise NotFound(reference)
    return registration_id


def _audit(registration_id: str, staff: Staff, action: str, purpose: str) -> None:
    now = clock.now()
    months = current_house().retention.audit_log_months
    audit.append(
        registration_id,
        now.isoformat(timespec="seconds"),
        {
            "actor": staff.actor,
            "action": action,
            "purpose": purpose,
            "expires_at": int(add_months(now, months).timestamp()),
        },
    )


def read_case(reference: str, staff: Staff, purpose: str) -> Case:
    """Decrypt one registration. The audit record is written first: no record, no data."""
    registration_id = _registration_id(reference)
    _audit(registration_id, staff, "inzien", purpose)
    item = registrations.get_registration(registration_id)
    if item is None:
        raise NotFound(reference)
    logger.info("case read", extra={"registration_id": registration_id})
    decision = None
    if item.get("decision_personal"):
        decision = crypto.decrypt_personal_data(item["decision_personal"], registration_id)
    return Case(
        entry=_entry(item),
        registration=crypto.decrypt_personal_data(item["personal"], registration_id),
        decision=decision,
        history=[
            HistoryEvent(
                at=e["at"],
                actor=e["actor"],
                from_status=e["from"],
                to_status=e["to"],
                reason=e["reason"],
            )
            for e in item.get("history", [])
        ],
    )


def act(reference: str, staff: Staff, action: str, reason: str, **details: Any) -> QueueEntry:
    """One staff action: audited, then applied as a status transition."""
    registration_id = _registration_id(reference)
    _audit(registration_id, staff, action, reason)
    actor = staff.actor
    match action:
        case "contact":
            item = cases.record_contact(registration_id, actor=actor, note=reason)
        case "information-request":
            item = cases.request_information(registration_id, actor=actor, reason=reason)
        case "information-received":
            item = cases.information_received(registration_id, actor=actor, reason=reason)
        case "schedule":
            item = cases.schedule(
                registration_id, actor=actor, triage_date=details["triage_date"], reason=reason
            )
        case "decision":
            item = cases.decide(
                registration_id,
                actor=actor,
                outcome_id=details["outcome"],
                advice=reason,
                process_director=details["process_director"],
            )
        case "close":
            item = cases.close(registration_id, actor=actor, reason=reason)
        case _:
            raise ValueError(f"unknown action {action!r}")
    return _entry(item)


def audit_trail(reference: str) -> list[AuditRecord]:
    records = audit.trail(_registration_id(reference))
    return [
        AuditRecord(at=r["at"], actor=r["actor"], action=r["action"], purpose=r["purpose"])
        for r in records
    ]


def figures(year: int) -> Figures:
    items = registrations.registrations_received(f"{year}-01-01", f"{year + 1}-01-01")
    contacted = [
        i["contacted_at"] <= i["respond_by"].replace("Z", "+00:00")
        for i in items
        if i.get("contacted_at") and i.get("respond_by")
    ]
    due = [i for i in items if i.get("respond_by")]
    days = [
        (
            dt.datetime.fromisoformat(i["decided_at"]) - dt.datetime.fromisoformat(i["received_at"])
        ).total_seconds()
        / 86400
        for i in items
        if i.get("decided_at")
    ]
    return Figures(
        year=year,
        total=len(items),
        per_outcome=dict(Counter(str(i["outcome"]) for i in items if i.get("outcome"))),
        per_partner=dict(Counter(str(i.get("registrant_organisation", "")) for i in items)),
        per_month=dict(Counter(str(i["received_at"])[:7] for i in items)),
        contacted_within_term_share=(sum(contacted) / len(due)) if due else None,
        median_days_to_decision=round(statistics.median(days), 1) if days else None,
    )
