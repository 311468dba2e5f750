"""Receive a registration: encrypt what identifies a person, store, hand out a reference."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid

from aws_lambda_powertools.metrics import MetricUnit

from vhcore import calendar, clock
from vhcore.errors import AlreadyStored, ReferenceTaken, StorageUnavailable
from vhcore.house import current_house
from vhcore.log import logger, metrics
from vhcore.logic.retention import add_months, expires_at
from vhcore.model import Registration
from vhcore.ports import Services
from vhcore.reference import new_reference
from vhcore.registration import RegistrationAccepted, RegistrationRequest
from vhcore.status import Status

MAX_REFERENCE_ATTEMPTS = 5
# Not part of the registration's content: a new id or a bot's honeypot changes nothing.
NOT_CONTENT = {"submission_id", "website"}
# Registration ids of submissions (uuid5 of the form's submission id, in this namespace).
SUBMISSIONS = uuid.UUID("5b0c4f8e-2d1a-4c7e-9a55-3f6b1e2d7c90")


def personal_data(request: RegistrationRequest) -> str:
    """Everything that identifies or describes a person, registrant included, as JSON text:
    this is what gets encrypted. Only staff, through the admin function, can read it back."""
    return request.model_dump_json(exclude=NOT_CONTENT)


def accepted(
    reference: str, moment: dt.datetime, request: RegistrationRequest
) -> RegistrationAccepted:
    house = current_house()
    registrant = request.registrant
    return RegistrationAccepted(
        reference=reference,
        received_at=moment.replace(microsecond=0),
        respond_by=calendar.respond_by(moment, house, urgent=request.is_urgent),
        triage_date=calendar.triage_date(moment, house),
        receipt=house.address_of(registrant.organisation, str(registrant.email)),
    )


def new_registration(
    request: RegistrationRequest,
    registration_id: str,
    answer: RegistrationAccepted,
    *,
    personal: str,
    contact: str,
) -> Registration:
    """The registration as stored. Clear is only what the triage queue may see without
    decrypting: no names, no descriptions."""
    house = current_house()
    registrant = request.registrant
    return Registration(
        id=registration_id,
        reference=answer.reference,
        status=Status.RECEIVED,
        received_at=answer.received_at,
        respond_by=answer.respond_by,
        triage_date=answer.triage_date,
        # Until a decision: the longest retention period, from receipt.
        expires_at=expires_at(house, answer.received_at, taken_on=None),
        house=house.id,
        registrant_organisation=registrant.organisation,
        urgency=request.urgency.value,
        criteria_met=request.criteria_met,
        # The questions as asked now: a later change of the house file re-reads nothing.
        criteria_asked=house.criteria.ids,
        address_matches_organisation=house.address_of(
            registrant.organisation, str(registrant.email)
        ),
        person_count=len(request.persons),
        personal=personal,
        contact=contact,
    )


def reference_until(received_at: dt.datetime) -> int:
    """When a reference claim expires at the latest: after the longest a case can be kept
    (undecided, then decided, then closed, each period in turn). The claim is released
    sooner, when its registration expires or is erased; this is the bound for the claim
    itself, which holds the registration's id."""
    retention = current_house().retention
    longest = max(retention.taken_on_months, retention.not_taken_on_months)
    return int(add_months(received_at, retention.undecided + 2 * longest).timestamp())


def registration_id_for(request: RegistrationRequest) -> str:
    """The id a registration is stored under. A submission from the form's script has one
    id, derived from its submission id: however often it arrives, and also after its
    idempotency record has expired, it can only be stored once."""
    if request.submission_id:
        return str(uuid.uuid5(SUBMISSIONS, request.submission_id))
    return str(uuid.uuid4())


def _stored_answer(services: Services, registration_id: str) -> RegistrationAccepted | None:
    """The answer a stored registration was given: its reference and dates; None when it
    is gone again (removed in between, e.g. at the end of its retention)."""
    stored = services.store.answer(registration_id)
    if stored is None:
        return None
    return RegistrationAccepted(
        reference=stored.reference,
        received_at=stored.received_at,
        respond_by=calendar.to_local(stored.respond_by),
        triage_date=stored.triage_date,
        receipt=stored.address_matches_organisation,
    )


def _store(
    services: Services, request: RegistrationRequest, moment: dt.datetime
) -> RegistrationAccepted:
    registration_id = registration_id_for(request)
    logger.append_keys(registration_id=registration_id)
    personal = services.cipher.encrypt(personal_data(request), registration_id, "personal")
    contact = services.cipher.encrypt(str(request.registrant.email), registration_id, "contact")
    for _ in range(MAX_REFERENCE_ATTEMPTS):
        answer = accepted(new_reference(), moment, request)
        registration = new_registration(
            request, registration_id, answer, personal=personal, contact=contact
        )
        try:
            services.store.add(registration, reference_until=reference_until(answer.received_at))
        except ReferenceTaken:
            logger.warning("reference collision, drawing a new one")
            continue
        except AlreadyStored:
            # The same submission, stored by an earlier attempt whose idempotency record
            # did not survive: answer as that attempt did, store nothing new.
            stored = _stored_answer(services, registration_id)
            if stored is None:
                logger.warning("submission stored before, but gone again; storing it anew")
                continue
            logger.info("submission stored before; answering with its reference")
            return stored
        logger.append_keys(reference=answer.reference)
        logger.info("registration stored")
        metrics.add_metric(name="RegistrationReceived", unit=MetricUnit.Count, value=1)
        return answer
    raise StorageUnavailable("no free reference after several attempts")


def idempotency_key(request: RegistrationRequest) -> str:
    """The submission id the form's script made, or without one the whole content."""
    if request.submission_id:
        return json.dumps({"submission_id": request.submission_id})
    return json.dumps({"content": json.loads(personal_data(request))}, sort_keys=True)


def content_fingerprint(request: RegistrationRequest) -> str:
    """What was sent, as a hash: a repeat of a submission id with another fingerprint is
    another registration under the same id (``SubmissionChanged``)."""
    return hashlib.sha256(personal_data(request).encode()).hexdigest()


def register(
    services: Services, request: RegistrationRequest, now: dt.datetime | None = None
) -> RegistrationAccepted:
    """Store a new registration once; raise ``StorageUnavailable`` when nothing was kept, and
    ``SubmissionChanged`` when its submission id came before with other content."""
    moment = now or clock.now()
    if request.website:
        # Honeypot filled: a bot. Answer as if accepted, keep nothing, count it.
        metrics.add_metric(name="HoneypotFilled", unit=MetricUnit.Count, value=1)
        logger.info("honeypot filled; nothing stored")
        return accepted(new_reference(), moment, request)
    return services.once(
        idempotency_key(request),
        lambda: _store(services, request, moment),
        content_fingerprint(request),
    )
