"""Items in the registrations table's stream, as the domain's records."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from vhcore.dal.items import REGISTRATION_PREFIX, REGISTRATION_SK, RegistrationItem
from vhcore.model import Registration


def registration_in(image: Mapping[str, Any]) -> Registration | None:
    """The registration in a stream image (DynamoDB's typed JSON, as the stream sends it);
    None for an item of another kind (a reference claim, an agenda)."""
    pk, sk = image.get("pk", {}).get("S", ""), image.get("sk", {}).get("S")
    if not pk.startswith(REGISTRATION_PREFIX) or sk != REGISTRATION_SK:
        return None
    from vhcore.dal.dynamodb import _untyped

    return RegistrationItem.model_validate(_untyped(dict(image))).registration()
