"""GET /api/admin/cases through the local gateway: every open case from the status index,
filters and search by reference, clear fields only, not audited, and refused without the
role's Query right (as in AWS)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import requests

from devstack.stack import LocalSystem
from tests.factories import PERSONAL_VALUES, registration
from tests.integration.test_admin_api import ALL, REFERENCE_ROUTE, audit_trail, call, new_case
from tests.integration.test_intake import post
from tests.integration.test_local_iam import without_action


@pytest.fixture(scope="module")
def tokens(staff_tokens: Callable[[str], dict[str, Any]]) -> dict[str, str]:
    return {group: str(staff_tokens(group)["id_token"]) for group in ALL}


def cases(system: LocalSystem, token: str, **params: str) -> requests.Response:
    return requests.get(
        f"{system.url}/api/admin/cases",
        params=params,
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    )


def references(system: LocalSystem, token: str, **params: str) -> list[str]:
    response = cases(system, token, **params)
    assert response.status_code == 200, response.text
    return [entry["reference"] for entry in response.json()["cases"]]


@pytest.fixture(scope="module")
def four(local_system: LocalSystem, tokens: dict[str, str]) -> dict[str, str]:
    """A scheduled case, an urgent one, a decided one and a closed one."""
    scheduled = new_case(local_system)
    urgent = str(
        post(
            local_system,
            registration(urgency="spoed", urgency_reason="Dreigende uitzetting morgen"),
        ).json()["reference"]
    )
    decided, closed = new_case(local_system), new_case(local_system)
    for reference in (decided, closed):
        answer = call(
            local_system, "POST", f"{REFERENCE_ROUTE}/decision", tokens["triage"], reference
        )
        assert answer.status_code == 200, answer.text
    answer = call(local_system, "POST", f"{REFERENCE_ROUTE}/close", tokens["procesregie"], closed)
    assert answer.status_code == 200, answer.text
    local_system.pump.drain(timeout=20)
    return {"scheduled": scheduled, "urgent": urgent, "decided": decided, "closed": closed}


def test_every_open_case_is_listed_urgent_first_without_personal_data(
    local_system: LocalSystem, tokens: dict[str, str], four: dict[str, str]
) -> None:
    response = cases(local_system, tokens["procesregie"])
    assert response.status_code == 200
    assert response.headers["Cache-Control"].startswith("no-store")
    body = response.json()
    listed = [entry["reference"] for entry in body["cases"]]
    assert {four["scheduled"], four["urgent"], four["decided"]} <= set(listed)
    assert four["closed"] not in listed
    urgencies = [entry["urgency"] for entry in body["cases"]]
    assert urgencies == sorted(urgencies, key=lambda u: u != "spoed")  # urgent on top
    assert sum(body["counts"].values()) == len(listed) == body["open_total"]
    by_reference: dict[str, Any] = {entry["reference"]: entry for entry in body["cases"]}
    assert by_reference[four["scheduled"]]["status"] == "scheduled"
    assert by_reference[four["decided"]]["status"] == "decided"
    assert by_reference[four["scheduled"]]["working_days_since_receipt"] >= 0
    assert by_reference[four["scheduled"]]["working_days_to_promise"] >= 0
    assert by_reference[four["decided"]]["working_days_to_promise"] is None  # contact made
    for value in PERSONAL_VALUES.values():
        assert value not in response.text


def test_filters_and_search_by_reference(
    local_system: LocalSystem, tokens: dict[str, str], four: dict[str, str]
) -> None:
    token = tokens["triage"]
    decided = references(local_system, token, status="decided")
    assert four["decided"] in decided
    assert four["scheduled"] not in decided
    urgent = references(local_system, token, urgency="spoed")
    assert four["urgent"] in urgent
    assert four["scheduled"] not in urgent
    assert four["urgent"] in references(local_system, token, organisation="politie")
    assert references(local_system, token, organisation="ggz") == []
    assert references(local_system, token, reference=four["decided"].lower()) == [four["decided"]]
    assert four["scheduled"] in references(local_system, token, reference=four["scheduled"][3:8])
    # A whole reference finds a closed case too.
    assert references(local_system, token, reference=four["closed"]) == [four["closed"]]
    for wrong in ({"status": "onbekend"}, {"triage_date": "morgen"}, {"reference": "VH 1"}):
        refused = cases(local_system, token, **wrong)
        assert refused.status_code == 422, wrong


def test_listing_reads_no_case_so_the_audit_log_stays_as_it_was(
    local_system: LocalSystem, tokens: dict[str, str], four: dict[str, str]
) -> None:
    before = audit_trail(local_system, tokens["beheer"], four["scheduled"])
    references(local_system, tokens["procesregie"])
    references(local_system, tokens["procesregie"], reference=four["scheduled"])
    after = audit_trail(local_system, tokens["beheer"], four["scheduled"])
    # Only the auditor's own reading of the trail was added.
    assert [r["action"] for r in after[len(before) :]] == ["audit-inzien"]


def test_without_the_query_right_the_overview_fails_as_in_aws(
    local_system: LocalSystem, tokens: dict[str, str]
) -> None:
    with without_action(local_system, "AdminFunctionRole", "dynamodb:Query"):
        refused = cases(local_system, tokens["triage"])
    assert refused.status_code == 503
    assert cases(local_system, tokens["triage"]).status_code == 200
