"""The registrant can rely on the status e-mails (#16): one when the case is placed on a
triage (with its date), when information is asked for, when it is decided and when it is
closed, each exactly once, none with personal data."""

from __future__ import annotations

import datetime as dt

from devstack.stack import LocalSystem
from tests.factories import PERSONAL_VALUES, working_day_ahead
from tests.integration.test_admin_api import new_case, tokens
from tests.integration.test_typed_text import staff_post
from tests.integration.test_workflow import mails_about
from vhcore.calendar import dutch_date

__all__ = ["tokens"]  # the fixture, used by name


def test_each_step_of_a_case_tells_the_registrant_once_without_personal_data(
    local_system: LocalSystem, tokens: dict[str, str]
) -> None:
    reference = new_case(local_system)
    token = tokens["procesregie"]
    triage_date = working_day_ahead()
    staff_post(local_system, token, reference, "information-request", {"reason": "Vraag"})
    staff_post(local_system, token, reference, "information-received", {"reason": "Antwoord"})
    staff_post(
        local_system,
        token,
        reference,
        "schedule",
        {"triage_date": triage_date, "reason": "Volgende week"},
    )
    decision = {"outcome": "voor-veiligheidshuis", "advice": "Advies", "process_director": "Pieter"}
    staff_post(local_system, token, reference, "decision", decision)
    staff_post(local_system, token, reference, "close", {"reason": "Klaar"})
    local_system.pump.drain(timeout=20)

    mails = [m for m in mails_about(local_system, reference) if m.to == (PERSONAL_VALUES["email"],)]
    subjects = sorted(m.subject for m in mails)
    assert subjects == sorted(
        [
            f"Ontvangstbevestiging van uw aanmelding {reference}",
            f"Meer informatie nodig voor aanmelding {reference}",
            f"Uw aanmelding {reference} staat op de agenda van de triage",
            f"Besluit over uw aanmelding {reference}",
            f"Uw aanmelding {reference} is afgesloten",
        ]
    )
    placed = next(m for m in mails if "agenda van de triage" in m.subject)
    assert dutch_date(dt.date.fromisoformat(triage_date)) in placed.body
    for mail in mails:
        assert mail.to == (PERSONAL_VALUES["email"],)
        for value in PERSONAL_VALUES.values():
            if value != PERSONAL_VALUES["email"]:
                assert value not in mail.body
