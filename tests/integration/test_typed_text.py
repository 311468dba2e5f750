"""Nothing a staff member types is kept in clear: a marker planted in every field staff can
type, through every staff action, is found only inside ciphertext, in no table, stream
record, queue message, workflow history, log line or e-mail; staff read it back decrypted."""

from __future__ import annotations

import json
import uuid
from typing import Any

import boto3
import requests

from devstack.stack import LocalSystem
from tests.conftest import SUITE_EVENTS, SUITE_LOG
from tests.factories import working_day_ahead
from tests.integration.test_admin_api import REFERENCE_ROUTE, new_case, tokens
from tests.integration.test_intake import registration_item, table_items

__all__ = ["tokens"]  # the fixture, used by name


def marker(field: str) -> str:
    return f"Getypt-{field}-{uuid.uuid4().hex[:10]}"


def staff_post(system: LocalSystem, token: str, reference: str, action: str, body: Any) -> Any:
    response = requests.post(
        f"{system.url}{REFERENCE_ROUTE.format(reference=reference)}/{action}",
        headers={"Authorization": f"Bearer {token}"},
        json=body,
        timeout=30,
    )
    assert response.status_code == 200, response.text[:300]
    return response.json()


def everything_stored(system: LocalSystem, registration_id: str) -> str:
    """Both tables' items and the workflow's history, as text."""
    dynamodb = boto3.client("dynamodb", endpoint_url=system.endpoint)
    audit = dynamodb.scan(TableName=system.stack.physical["AuditTable"].ref)["Items"]
    sfn = boto3.client("stepfunctions", endpoint_url=system.endpoint)
    machine = system.stack.physical["Workflow"].attributes["Arn"]
    runs = [
        e
        for page in sfn.get_paginator("list_executions").paginate(stateMachineArn=machine)
        for e in page["executions"]
        if e["name"] == registration_id
    ]
    history = [
        sfn.get_execution_history(executionArn=run["executionArn"], maxResults=1000)["events"]
        for run in runs
    ]
    return json.dumps([table_items(system), audit, history], default=str)


def test_every_text_staff_type_is_kept_only_as_ciphertext(
    local_system: LocalSystem, tokens: dict[str, str]
) -> None:
    reference = new_case(local_system)
    registration_id = registration_item(local_system, reference)["pk"]["S"].removeprefix("REG#")
    token = tokens["procesregie"]
    typed = {name: marker(name) for name in ("read", "contact", "request", "received")}
    typed |= {name: marker(name) for name in ("schedule", "advice", "director", "close")}
    typed |= {name: marker(name) for name in ("goal", "case_director", "action", "owner")}
    typed["export"] = marker("export")

    read = {"purpose_category": "triage", "purpose": typed["read"]}
    staff_post(local_system, token, reference, "read", read)
    staff_post(local_system, token, reference, "contact", {"reason": typed["contact"]})
    staff_post(local_system, token, reference, "information-request", {"reason": typed["request"]})
    received = {"reason": typed["received"]}
    staff_post(local_system, token, reference, "information-received", received)
    schedule = {"reason": typed["schedule"], "triage_date": working_day_ahead()}
    staff_post(local_system, token, reference, "schedule", schedule)
    decision = {
        "outcome": "voor-veiligheidshuis",
        "advice": typed["advice"],
        "process_director": typed["director"],
    }
    staff_post(local_system, token, reference, "decision", decision)
    plan = {
        "goal": typed["goal"],
        "case_director": typed["case_director"],
        "actions": [{"text": typed["action"], "owner": typed["owner"], "due": "2027-01-15"}],
    }
    staff_post(local_system, token, reference, "plan", plan)
    staff_post(local_system, token, reference, "export", {"purpose": typed["export"]})
    staff_post(local_system, token, reference, "close", {"reason": typed["close"]})
    local_system.pump.drain(timeout=20)

    places = {
        "tables and workflow history": everything_stored(local_system, registration_id),
        "queue messages and stream records": "\n".join(SUITE_EVENTS),
        "log lines": SUITE_LOG.text,
        "e-mails": "\n".join(f"{m.subject}\n{m.body}" for m in local_system.outbox()),
    }
    for field, text in typed.items():
        for place, content in places.items():
            assert text not in content, f"the {field} text is in clear in the {place}"

    # Staff read every text back, decrypted.
    case = staff_post(local_system, token, reference, "read", {"purpose_category": "controle"})
    shown = json.dumps(case)
    for field in ("contact", "request", "received", "schedule", "close", "advice", "director"):
        assert typed[field] in shown, field
    for field in ("goal", "case_director", "action", "owner"):
        assert typed[field] in shown, field
    trail = requests.get(
        f"{local_system.url}{REFERENCE_ROUTE.format(reference=reference)}/audit",
        headers={"Authorization": f"Bearer {tokens['beheer']}"},
        timeout=30,
    ).json()
    assert typed["read"] in {r["purpose"] for r in trail}
    assert typed["export"] in {r["purpose"] for r in trail if r["action"] == "exporteren"}
