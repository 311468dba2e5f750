"""Test data: fictional registrations that are valid for the default house."""

from __future__ import annotations

import copy
from typing import Any

from devstack.seed import example_registration

# Distinctive values, so a test can search stored items, logs and mails for them.
PERSONAL_VALUES = {
    "name": "Zwaantje Testaanmelder",
    "email": "z.testaanmelder@politie.example.org",
    "phone": "06 98765432",
    "first_name": "Quirijntje",
    "last_name": "Vandertestenborgh",
    "residence": "Testerdam-Noord",
    "description": "Unieke testbeschrijving met schulden en overlast in de Prunusstraat.",
}


def registration(**overrides: Any) -> dict[str, Any]:
    """A valid registration with distinctive personal values; ``overrides`` replace parts."""
    body = copy.deepcopy(example_registration(0))
    body["registrant"].update(
        organisation="politie",
        name=PERSONAL_VALUES["name"],
        email=PERSONAL_VALUES["email"],
        phone=PERSONAL_VALUES["phone"],
    )
    body["persons"][0].update(
        first_name=PERSONAL_VALUES["first_name"],
        last_name=PERSONAL_VALUES["last_name"],
        residence=PERSONAL_VALUES["residence"],
        date_of_birth="1984-03-15",
    )
    body["description"] = PERSONAL_VALUES["description"]
    body.update(overrides)
    return body
