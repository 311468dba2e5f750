"""The audit trail across cases for beheer: by month, filtered by person and action, without
anything typed, and reading it is audited itself."""

from __future__ import annotations

from typing import Any

import requests

from devstack.stack import LocalSystem
from tests.integration.test_admin_api import READ, REFERENCE_ROUTE, call, new_case, tokens
from vhcore import clock
from vhcore.dal.items import audit_month_of

__all__ = ["tokens"]  # the fixture, used by name

LOG = "/api/admin/audit"


def audit_log(system: LocalSystem, token: str, **params: str) -> requests.Response:
    return requests.get(
        f"{system.url}{LOG}",
        headers={"Authorization": f"Bearer {token}"},
        params=params,
        timeout=30,
    )


def test_beheer_lists_who_did_what_across_cases_by_month_without_typed_text(
    local_system: LocalSystem, tokens: dict[str, str]
) -> None:
    month = audit_month_of(clock.now())
    first, second = new_case(local_system), new_case(local_system)
    typed = "Voorbereiding triage"
    for reference in (first, second):
        assert call(local_system, "POST", f"{REFERENCE_ROUTE}/read", tokens["triage"], reference)
    assert call(
        local_system, "POST", f"{REFERENCE_ROUTE}/contact", tokens["procesregie"], second
    ).ok

    answer = audit_log(local_system, tokens["beheer"], van=month, tot=month)
    assert answer.status_code == 200 and answer.headers["Cache-Control"].startswith("no-store")
    records: list[dict[str, Any]] = answer.json()
    mine = [r for r in records if r["reference"] in (first, second)]
    assert {(r["reference"], r["action"]) for r in mine} == {
        (first, "inzien"),
        (second, "inzien"),
        (second, "contact"),
    }
    triage_user = local_system.staff_users["triage"][0]
    assert {r["actor"] for r in mine if r["action"] == "inzien"} == {triage_user}
    assert {r["purpose_category"] for r in mine if r["action"] == "inzien"} == {
        READ["purpose_category"]
    }
    assert typed not in answer.text and "Gebeld met de aanmelder" not in answer.text

    # Filters: by person (e-mail) and by action.
    by_person = audit_log(local_system, tokens["beheer"], van=month, tot=month, persoon=triage_user)
    assert {r["actor"] for r in by_person.json()} == {triage_user}
    by_action = audit_log(local_system, tokens["beheer"], van=month, tot=month, actie="contact")
    assert {r["action"] for r in by_action.json()} == {"contact"}

    # Reading the log is in the log.
    again = audit_log(local_system, tokens["beheer"], van=month, tot=month, actie="auditlog-inzien")
    beheer_user = local_system.staff_users["beheer"][0]
    assert len([r for r in again.json() if r["actor"] == beheer_user]) >= 4


def test_only_beheer_reads_the_log_and_for_at_most_a_year(
    local_system: LocalSystem, tokens: dict[str, str]
) -> None:
    for group in ("triage", "procesregie"):
        refused = audit_log(local_system, tokens[group], van="2026-01", tot="2026-12")
        assert refused.status_code == 403
    too_long = audit_log(local_system, tokens["beheer"], van="2025-01", tot="2026-01")
    assert too_long.status_code == 422
    backwards = audit_log(local_system, tokens["beheer"], van="2026-05", tot="2026-04")
    assert backwards.status_code == 422
    assert (
        audit_log(local_system, tokens["beheer"], van="2026-13", tot="2026-12").status_code == 422
    )
