"""Registrations in DynamoDB (single table, keys as ``infra/template.yaml`` defines them).

Items:
- ``pk=REG#<id>, sk=REGISTRATION``: the registration; personal data only as ciphertext.
- ``pk=REF#<reference>, sk=REFERENCE``: claims the reference, so it is unique.
"""

from __future__ import annotations

import os
from functools import cache
from typing import TYPE_CHECKING, Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from vhcore.errors import ConfigurationError, ReferenceTaken, StorageUnavailable

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.client import DynamoDBClient

TABLE_ENV = "REGISTRATIONS_TABLE"
REGISTRATION_SK = "REGISTRATION"
REFERENCE_SK = "REFERENCE"

# Fail fast: a partner waits for the answer, and a retry with the same content is safe.
_CONFIG = Config(connect_timeout=2, read_timeout=4, retries={"max_attempts": 3, "mode": "standard"})


@cache
def _client() -> DynamoDBClient:
    return boto3.client("dynamodb", config=_CONFIG)


def table_name() -> str:
    name = os.environ.get(TABLE_ENV)
    if not name:
        raise ConfigurationError(f"{TABLE_ENV} is not set")
    return name


def registration_key(registration_id: str) -> dict[str, Any]:
    return {"pk": {"S": f"REG#{registration_id}"}, "sk": {"S": REGISTRATION_SK}}


def _attribute(value: Any) -> dict[str, Any]:
    if isinstance(value, bool):
        return {"BOOL": value}
    if isinstance(value, int):
        return {"N": str(value)}
    if value is None:
        return {"NULL": True}
    return {"S": str(value)}


def put_new_registration(registration_id: str, reference: str, fields: dict[str, Any]) -> None:
    """Write the registration and claim its reference, both or neither."""
    table = table_name()
    item = registration_key(registration_id) | {
        k: _attribute(v) for k, v in fields.items() if v is not None
    }
    claim = {
        "pk": {"S": f"REF#{reference}"},
        "sk": {"S": REFERENCE_SK},
        "registration_id": {"S": registration_id},
    }
    try:
        _client().transact_write_items(
            TransactItems=[
                {
                    "Put": {
                        "TableName": table,
                        "Item": claim,
                        "ConditionExpression": "attribute_not_exists(pk)",
                    }
                },
                {
                    "Put": {
                        "TableName": table,
                        "Item": item,
                        "ConditionExpression": "attribute_not_exists(pk)",
                    }
                },
            ]
        )
    except ClientError as exc:
        reasons = exc.response.get("CancellationReasons") or []
        if reasons and reasons[0].get("Code") == "ConditionalCheckFailed":
            raise ReferenceTaken(reference) from exc
        raise StorageUnavailable("storing the registration failed") from exc
    except BotoCoreError as exc:
        raise StorageUnavailable("storing the registration failed") from exc


def get_registration(registration_id: str) -> dict[str, Any] | None:
    try:
        response = _client().get_item(
            TableName=table_name(), Key=registration_key(registration_id), ConsistentRead=True
        )
    except (ClientError, BotoCoreError) as exc:
        raise StorageUnavailable("reading the registration failed") from exc
    item = response.get("Item")
    if item is None:
        return None
    return {k: next(iter(v.values())) for k, v in item.items()}
