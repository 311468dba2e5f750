"""Test data: fictional registrations that are valid for the default house."""

from __future__ import annotations

import copy
import uuid
from typing import Any

from devstack.seed import example_registration
from vhcore.model import Actor

# Distinctive values, so a test can search stored items, logs and mails for them.
PERSONAL_VALUES = {
    "name": "Zwaantje Testaanmelder",
    "email": "z.testaanmelder@politie.example.org",
    "phone": "06 98765432",
    "first_name": "Quirijntje",
    "last_name": "Vandertestenborgh",
    "residence": "Testerdam-Noord",
    "description": "Unieke testbeschrijving met schulden en overlast in de Prunusstraat.",
    "tried": "Unieke poging: drie huisbezoeken door het wijkteam aan de Prunusstraat.",
    "question": "Unieke hulpvraag over de regie rond de Prunusstraat.",
    "safety_risks": "Unieke dreiging met een hond in de Prunusstraat.",
    "involved": "Unieke Zorginstelling Prunus",
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
    body["tried"] = PERSONAL_VALUES["tried"]
    body["question"] = PERSONAL_VALUES["question"]
    body["safety_risks"] = PERSONAL_VALUES["safety_risks"]
    body["involved_organisations"] = [
        {"organisation": PERSONAL_VALUES["involved"], "contact_person": "Mr. Prunus"}
    ]
    body["submission_id"] = str(uuid.uuid4())  # as the form's script does, once per form
    body.update(overrides)
    return body


def staff_member(email: str) -> Actor:
    """A staff member as the rules record one: an id that is not the e-mail, and the e-mail."""
    return Actor(id=f"sub-{email.split('@', maxsplit=1)[0]}", name=email)


def form_fields(body: dict[str, Any]) -> list[tuple[str, str]]:
    """The registration as the plain HTML form posts it."""
    fields: list[tuple[str, str]] = []

    def add(prefix: str, value: Any) -> None:
        if isinstance(value, dict):
            for key, inner in value.items():
                add(f"{prefix}.{key}" if prefix else key, inner)
        elif isinstance(value, list) and value and isinstance(value[0], dict):
            for index, inner in enumerate(value):
                add(f"{prefix}.{index}", inner)
        elif isinstance(value, list):
            fields.extend((prefix, str(v)) for v in value)
        elif isinstance(value, bool):
            fields.append((prefix, "ja" if value else ""))
        else:
            fields.append((prefix, str(value)))

    add("", body)
    return fields


def working_day_ahead(days: int = 7) -> str:
    """A day a triage can be held on (the house's triage day, a working day), ``days`` or more
    ahead."""
    import datetime as dt

    from vhcore import calendar
    from vhcore.house import current_house

    today = dt.datetime.now(calendar.AMSTERDAM).date()
    return calendar.next_triage_day(today + dt.timedelta(days=days), current_house()).isoformat()
