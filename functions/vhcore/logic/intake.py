"""Receive a registration: encrypt what identifies a person, store, hand out a reference."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from vhcore.dal import crypto, registrations
from vhcore.errors import ReferenceTaken, StorageUnavailable
from vhcore.house import current_house
from vhcore.log import logger
from vhcore.reference import new_reference
from vhcore.registration import OTHER_ORGANISATION, RegistrationAccepted, RegistrationRequest

MAX_REFERENCE_ATTEMPTS = 5


def _utc(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def personal_data(request: RegistrationRequest) -> dict[str, Any]:
    """Everything that identifies or describes a person, registrant included: this is what
    gets encrypted. Only staff with the admin function can read it back."""
    return request.model_dump(mode="json", exclude={"submission_id"})


def clear_fields(request: RegistrationRequest, reference: str, received_at: str) -> dict[str, Any]:
    """What the triage queue may see without decrypting: no names, no descriptions."""
    house = current_house()
    registrant = request.registrant
    return {
        "reference": reference,
        "status": "received",
        "received_at": received_at,
        "house": house.id,
        "registrant_organisation": registrant.organisation,
        "sender_verified": (
            registrant.organisation != OTHER_ORGANISATION
            and house.is_partner_address(str(registrant.email))
        ),
    }


def register(request: RegistrationRequest, now: dt.datetime | None = None) -> RegistrationAccepted:
    """Store a new registration; raise ``StorageUnavailable`` when nothing could be kept."""
    moment = now or dt.datetime.now(dt.UTC)
    registration_id = str(uuid.uuid4())
    logger.append_keys(registration_id=registration_id)
    ciphertext = crypto.encrypt_personal_data(personal_data(request), registration_id)
    received_at = _utc(moment)
    for _ in range(MAX_REFERENCE_ATTEMPTS):
        reference = new_reference()
        fields = clear_fields(request, reference, received_at) | {"personal": ciphertext}
        try:
            registrations.put_new_registration(registration_id, reference, fields)
        except ReferenceTaken:
            logger.warning("reference collision, drawing a new one")
            continue
        logger.append_keys(reference=reference)
        logger.info("registration stored")
        return RegistrationAccepted(reference=reference, received_at=moment.replace(microsecond=0))
    raise StorageUnavailable("no free reference after several attempts")
