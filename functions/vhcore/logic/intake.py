"""Receive a registration: encrypt what identifies a person, store, hand out a reference."""

from __future__ import annotations

import contextvars
import datetime as dt
import time
import uuid
from functools import cache
from typing import Any, Protocol

from aws_lambda_powertools.metrics import MetricUnit

from vhcore import calendar, clock
from vhcore.dal import crypto, idempotency
from vhcore.errors import AlreadyStored, ReferenceTaken, StorageUnavailable
from vhcore.house import current_house
from vhcore.log import logger, metrics
from vhcore.logic.retention import expires_at
from vhcore.reference import new_reference
from vhcore.registration import OTHER_ORGANISATION, RegistrationAccepted, RegistrationRequest
from vhcore.status import Status

MAX_REFERENCE_ATTEMPTS = 5
# A duplicate that arrives while the first is still being stored waits for its answer.
IN_PROGRESS_WAIT_SECONDS = 0.1
IN_PROGRESS_MAX_WAIT_SECONDS = 6.0
# Not part of the registration's content: a new id or a bot's honeypot changes nothing.
NOT_CONTENT = {"submission_id", "website"}
# Registration ids of submissions (uuid5 of the form's submission id, in this namespace).
SUBMISSIONS = uuid.UUID("5b0c4f8e-2d1a-4c7e-9a55-3f6b1e2d7c90")
# The answer of a registration stored in this call, for when only the idempotency record's
# completion fails afterwards.
_stored: contextvars.ContextVar[RegistrationAccepted | None] = contextvars.ContextVar(
    "stored", default=None
)


def _utc(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def personal_data(request: RegistrationRequest) -> dict[str, Any]:
    """Everything that identifies or describes a person, registrant included: this is what
    gets encrypted. Only staff, through the admin function, can read it back."""
    return request.model_dump(mode="json", exclude=NOT_CONTENT)


def accepted(reference: str, moment: dt.datetime) -> RegistrationAccepted:
    house = current_house()
    return RegistrationAccepted(
        reference=reference,
        received_at=moment.replace(microsecond=0),
        respond_by=calendar.respond_by(moment, house),
        triage_date=calendar.triage_date(moment, house),
    )


def clear_fields(
    request: RegistrationRequest, registration_id: str, answer: RegistrationAccepted
) -> dict[str, Any]:
    """What the triage queue may see without decrypting: no names, no descriptions."""
    house = current_house()
    registrant = request.registrant
    received_at = _utc(answer.received_at)
    return {
        "reference": answer.reference,
        "status": Status.RECEIVED.value,
        "received_at": received_at,
        "respond_by": _utc(answer.respond_by),
        "escalate_at": _utc(calendar.escalate_at(answer.received_at, house)),
        "triage_date": answer.triage_date.isoformat() if answer.triage_date else None,
        # Until a decision: the longest retention period, from receipt.
        "expires_at": expires_at(house, answer.received_at, taken_on=None),
        "house": house.id,
        "registrant_organisation": registrant.organisation,
        "urgency": request.urgency.value,
        "criteria_met": request.criteria_met,
        "sender_verified": (
            registrant.organisation != OTHER_ORGANISATION
            and house.is_partner_address(str(registrant.email))
        ),
        "person_count": len(request.persons),
    }


def registration_id_for(request: RegistrationRequest) -> str:
    """The id a registration is stored under. A submission from the form's script has one
    id, derived from its submission id: however often it arrives, and also after its
    idempotency record has expired, it can only be stored once."""
    if request.submission_id:
        return str(uuid.uuid5(SUBMISSIONS, request.submission_id))
    return str(uuid.uuid4())


def _stored_answer(registration_id: str) -> RegistrationAccepted | None:
    """The answer a stored registration was given: its reference and dates; None when it
    is gone again (removed in between, e.g. at the end of its retention)."""
    from vhcore.dal import registrations

    item = registrations.get_answer(registration_id)
    if item is None:
        return None
    triage_date = item.get("triage_date")
    return RegistrationAccepted(
        reference=item["reference"],
        received_at=dt.datetime.fromisoformat(item["received_at"]),
        respond_by=calendar.to_local(dt.datetime.fromisoformat(item["respond_by"])),
        triage_date=dt.date.fromisoformat(triage_date) if triage_date else None,
    )


def _store(request: RegistrationRequest, moment: dt.datetime) -> RegistrationAccepted:
    # boto3 is imported with the first registration that is stored, not with this module:
    # an invalid registration is answered without loading the AWS SDK.
    from vhcore.dal import registrations

    registration_id = registration_id_for(request)
    logger.append_keys(registration_id=registration_id)
    ciphertext = crypto.encrypt_personal_data(personal_data(request), registration_id)
    contact = crypto.encrypt_contact(str(request.registrant.email), registration_id)
    for _ in range(MAX_REFERENCE_ATTEMPTS):
        answer = accepted(new_reference(), moment)
        fields = clear_fields(request, registration_id, answer) | {
            "personal": ciphertext,
            "contact": contact,
        }
        try:
            registrations.put_new_registration(registration_id, answer.reference, fields)
        except ReferenceTaken:
            logger.warning("reference collision, drawing a new one")
            continue
        except AlreadyStored:
            # The same submission, stored by an earlier attempt whose idempotency record
            # did not survive: answer as that attempt did, store nothing new.
            stored = _stored_answer(registration_id)
            if stored is None:
                logger.warning("submission stored before, but gone again; storing it anew")
                continue
            logger.info("submission stored before; answering with its reference")
            _stored.set(stored)
            return stored
        logger.append_keys(reference=answer.reference)
        logger.info("registration stored")
        _stored.set(answer)
        metrics.add_metric(name="RegistrationReceived", unit=MetricUnit.Count, value=1)
        return answer
    raise StorageUnavailable("no free reference after several attempts")


class _Once(Protocol):
    def __call__(
        self, *, idempotency_key: dict[str, Any], request: RegistrationRequest, moment: dt.datetime
    ) -> RegistrationAccepted: ...


@cache
def _store_once() -> _Once:
    """``_store`` behind Powertools idempotency; built on first use (its client is not
    needed at import, and tests point it at the emulator first)."""
    from aws_lambda_powertools.utilities.idempotency import idempotent_function
    from aws_lambda_powertools.utilities.idempotency.serialization.pydantic import (
        PydanticSerializer,
    )

    def store(
        *, idempotency_key: dict[str, Any], request: RegistrationRequest, moment: dt.datetime
    ) -> RegistrationAccepted:
        return _store(request, moment)

    once: _Once = idempotent_function(
        data_keyword_argument="idempotency_key",
        persistence_store=idempotency.persistence_layer(),
        config=idempotency.config(),
        output_serializer=PydanticSerializer(RegistrationAccepted),
    )(store)
    return once


def idempotency_key(request: RegistrationRequest) -> dict[str, Any]:
    """The submission id the form's script made, or without one the whole content."""
    if request.submission_id:
        return {"submission_id": request.submission_id}
    return {"content": personal_data(request)}


def register(request: RegistrationRequest, now: dt.datetime | None = None) -> RegistrationAccepted:
    """Store a new registration once; raise ``StorageUnavailable`` when nothing was kept."""
    moment = now or clock.now()
    if request.website:
        # Honeypot filled: a bot. Answer as if accepted, keep nothing, count it.
        metrics.add_metric(name="HoneypotFilled", unit=MetricUnit.Count, value=1)
        logger.info("honeypot filled; nothing stored")
        return accepted(new_reference(), moment)
    from aws_lambda_powertools.utilities.idempotency.exceptions import (
        IdempotencyAlreadyInProgressError,
        IdempotencyPersistenceLayerError,
    )

    key = idempotency_key(request)
    deadline = time.monotonic() + IN_PROGRESS_MAX_WAIT_SECONDS
    _stored.set(None)
    while True:
        try:
            return _store_once()(idempotency_key=key, request=request, moment=moment)
        except IdempotencyAlreadyInProgressError:
            if time.monotonic() > deadline:
                raise StorageUnavailable("a duplicate is still being stored") from None
            time.sleep(IN_PROGRESS_WAIT_SECONDS)
        except IdempotencyPersistenceLayerError as exc:
            stored = _stored.get()
            if stored is not None:
                # Stored completely; only the idempotency record could not be completed (it
                # expires with this invocation). The registration is kept: answer with it.
                logger.warning("registration stored, idempotency record not completed")
                return stored
            raise StorageUnavailable("idempotency records unavailable") from exc
