"""Staff text an earlier version stored in clear (history reasons, audit purposes) is sealed
by the upkeep function `make deploy` runs; staff still read it, decrypted."""

from __future__ import annotations

import json
import uuid
from typing import Any

import boto3
import requests

from devstack.stack import LocalSystem
from tests.integration.test_admin_api import REFERENCE_ROUTE, new_case, tokens
from tests.integration.test_intake import registration_item, table_items

__all__ = ["tokens"]  # the fixture, used by name


def old_history_entry(reason: str) -> dict[str, Any]:
    """A history entry as the earlier version wrote it: the reason in clear, the actor by
    e-mail, no action."""
    return {
        "M": {
            "at": {"S": "2026-11-30T09:00:00+00:00"},
            "actor": {"S": "medewerker@voorbeeldregio.example.org"},
            "from": {"S": "scheduled"},
            "to": {"S": "scheduled"},
            "reason": {"S": reason},
        }
    }


def test_the_upkeep_seals_old_clear_text_and_staff_still_read_it(
    local_system: LocalSystem, tokens: dict[str, str]
) -> None:
    reference = new_case(local_system)
    item = registration_item(local_system, reference)
    note, purpose = f"Oude notitie {uuid.uuid4().hex}", f"Oud doel {uuid.uuid4().hex}"
    dynamodb = boto3.client("dynamodb", endpoint_url=local_system.endpoint)
    registrations = local_system.stack.physical["RegistrationsTable"].ref
    audit = local_system.stack.physical["AuditTable"].ref
    history = item.get("history", {"L": []})["L"]
    dynamodb.update_item(
        TableName=registrations,
        Key={"pk": item["pk"], "sk": item["sk"]},
        UpdateExpression="SET history = :h",
        ExpressionAttributeValues={":h": {"L": [*history, old_history_entry(note)]}},
    )
    dynamodb.put_item(
        TableName=audit,
        Item={
            "pk": item["pk"],
            "sk": {"S": f"2026-11-30T09:00:00Z#{uuid.uuid4()}"},
            "at": {"S": "2026-11-30T09:00:00Z"},
            "actor": {"S": "medewerker@voorbeeldregio.example.org"},
            "action": {"S": "inzien"},
            "purpose": {"S": purpose},
            "expires_at": {"N": "4102444800"},
        },
    )

    result = local_system.pump.invoke("SealLegacyTextFunction", {})
    assert result == {"sealed": 2}
    assert local_system.pump.invoke("SealLegacyTextFunction", {}) == {"sealed": 0}

    stored = json.dumps([table_items(local_system), dynamodb.scan(TableName=audit)["Items"]])
    assert note not in stored and purpose not in stored
    headers = {"Authorization": f"Bearer {tokens['procesregie']}"}
    base = f"{local_system.url}{REFERENCE_ROUTE.format(reference=reference)}"
    read = {"purpose_category": "controle"}
    case = requests.post(f"{base}/read", headers=headers, json=read, timeout=30).json()
    assert note in [event["reason"] for event in case["history"]]
    auditor = {"Authorization": f"Bearer {tokens['beheer']}"}
    trail = requests.get(f"{base}/audit", headers=auditor, timeout=30).json()
    [old] = [r for r in trail if r["purpose_category"] == "onbekend"]
    assert old["purpose"] == purpose
