"""Items in the registrations table's stream, as the domain's records."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from vhcore.dal.items import REGISTRATION_PREFIX, REGISTRATION_SK, RegistrationItem, plain
from vhcore.model import Registration


def registration_in(image: Mapping[str, Any]) -> Registration | None:
    """The registration in a stream image (deserialised, as Powertools gives it); None for
    an item of another kind (a reference claim, an agenda)."""
    pk, sk = str(image.get("pk", "")), image.get("sk")
    if not pk.startswith(REGISTRATION_PREFIX) or sk != REGISTRATION_SK:
        return None
    return RegistrationItem.model_validate(plain(dict(image))).registration()
