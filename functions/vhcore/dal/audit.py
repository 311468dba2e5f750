"""The audit log: append-only records of who read or changed a case, when and why.
Kept in its own table, for the house's audit retention period (longer than the data)."""

from __future__ import annotations

import os
import uuid
from typing import Any

from vhcore.dal.aws import calling, client
from vhcore.dal.registrations import from_item, to_item
from vhcore.errors import ConfigurationError

TABLE_ENV = "AUDIT_TABLE"


def _table() -> str:
    name = os.environ.get(TABLE_ENV)
    if not name:
        raise ConfigurationError(f"{TABLE_ENV} is not set")
    return name


def append(registration_id: str, at: str, fields: dict[str, Any]) -> None:
    """Write one record; it never overwrites (a fresh sort key, conditional put)."""
    item = {
        "pk": {"S": f"REG#{registration_id}"},
        "sk": {"S": f"{at}#{uuid.uuid4()}"},
    } | to_item(fields | {"at": at})
    with calling("writing the audit log"):
        client("dynamodb").put_item(
            TableName=_table(), Item=item, ConditionExpression="attribute_not_exists(pk)"
        )


def trail(registration_id: str) -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = []
    request: dict[str, Any] = {
        "TableName": _table(),
        "KeyConditionExpression": "pk = :pk",
        "ExpressionAttributeValues": {":pk": {"S": f"REG#{registration_id}"}},
    }
    with calling("reading the audit log"):
        while True:
            response = client("dynamodb").query(**request)
            records += [from_item(i) for i in response.get("Items", [])]
            if "LastEvaluatedKey" not in response:
                return records
            request["ExclusiveStartKey"] = response["LastEvaluatedKey"]
