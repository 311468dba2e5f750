"""Registrations in DynamoDB (single table, keys as ``infra/template.yaml`` defines them).

Items:
- ``pk=REG#<id>, sk=REGISTRATION``: the registration. Personal data only as ciphertext
  (``personal``: data key; ``contact``: the registrant's address, contact key). Clear
  attributes are what the queue and the workflow need. ``history`` lists every status change
  (who, when, why) and lives and expires with the item.
- ``pk=REF#<reference>, sk=REFERENCE``: claims the reference, so it is unique.
- ``pk=AGENDA#<date>, sk=AGENDA``: a fixed weekly triage agenda (counts and ids only).
"""

from __future__ import annotations

import os
from decimal import Decimal
from typing import Any

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer

from vhcore.dal.aws import calling, client
from vhcore.errors import (
    AlreadyStored,
    ConcurrentChange,
    ConfigurationError,
    NotFound,
    ReferenceTaken,
    StorageUnavailable,
)

TABLE_ENV = "REGISTRATIONS_TABLE"
REGISTRATION_SK = "REGISTRATION"
REFERENCE_SK = "REFERENCE"
QUEUE_INDEX = "queue"
CONDITION_FAILED = "ConditionalCheckFailedException"

_serializer = TypeSerializer()
_deserializer = TypeDeserializer()


def _client() -> Any:
    return client("dynamodb")


def table_name() -> str:
    name = os.environ.get(TABLE_ENV)
    if not name:
        raise ConfigurationError(f"{TABLE_ENV} is not set")
    return name


def registration_key(registration_id: str) -> dict[str, Any]:
    return {"pk": {"S": f"REG#{registration_id}"}, "sk": {"S": REGISTRATION_SK}}


def to_item(fields: dict[str, Any]) -> dict[str, Any]:
    return {k: _serializer.serialize(v) for k, v in fields.items() if v is not None}


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def from_item(item: dict[str, Any]) -> dict[str, Any]:
    return {k: _plain(_deserializer.deserialize(v)) for k, v in item.items()}


def put_new_registration(registration_id: str, reference: str, fields: dict[str, Any]) -> None:
    """Write the registration and claim its reference, both or neither. Raises
    ``ReferenceTaken`` when the reference is in use, ``AlreadyStored`` when the registration
    exists (then nothing is written)."""
    table = table_name()
    item = registration_key(registration_id) | to_item(fields)
    claim = {
        "pk": {"S": f"REF#{reference}"},
        "sk": {"S": REFERENCE_SK},
        "registration_id": {"S": registration_id},
    }
    with calling("storing the registration", expected={"TransactionCanceledException"}) as call:
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
    if call.refused is not None:
        # One reason per item, in order: [the reference claim, the registration].
        failed = [
            r.get("Code") == "ConditionalCheckFailed"
            for r in call.refused.response.get("CancellationReasons") or []
        ]
        if len(failed) == 2 and failed[1]:
            raise AlreadyStored(registration_id) from call.refused
        if len(failed) == 2 and failed[0]:
            raise ReferenceTaken(reference) from call.refused
        raise StorageUnavailable("storing the registration failed") from call.refused


def get_registration(registration_id: str) -> dict[str, Any] | None:
    with calling("reading the registration"):
        response = _client().get_item(
            TableName=table_name(), Key=registration_key(registration_id), ConsistentRead=True
        )
    item = response.get("Item")
    return from_item(item) if item else None


# What intake may read of a stored registration (its role allows these attributes only).
ANSWER_ATTRIBUTES = ("reference", "received_at", "respond_by", "triage_date")


def get_answer(registration_id: str) -> dict[str, Any] | None:
    """The reference and dates of a stored registration, and nothing else of it."""
    names = {f"#a{i}": name for i, name in enumerate(ANSWER_ATTRIBUTES)}
    with calling("reading the registration"):
        response = _client().get_item(
            TableName=table_name(),
            Key=registration_key(registration_id),
            ConsistentRead=True,
            ProjectionExpression=", ".join(names),
            ExpressionAttributeNames=names,
        )
    item = response.get("Item")
    return from_item(item) if item else None


def find_by_reference(reference: str) -> str | None:
    """The registration id behind a reference, or None."""
    with calling("reading a reference"):
        response = _client().get_item(
            TableName=table_name(),
            Key={"pk": {"S": f"REF#{reference}"}, "sk": {"S": REFERENCE_SK}},
        )
    item = response.get("Item")
    return str(item["registration_id"]["S"]) if item else None


def delete_reference(reference: str) -> None:
    with calling("deleting a reference"):
        _client().delete_item(
            TableName=table_name(),
            Key={"pk": {"S": f"REF#{reference}"}, "sk": {"S": REFERENCE_SK}},
        )


def _update_expression(
    fields: dict[str, Any], names: dict[str, str], values: dict[str, Any]
) -> list[str]:
    parts = []
    for index, (name, value) in enumerate(fields.items()):
        names[f"#f{index}"] = name
        if value is None:
            continue
        values[f":f{index}"] = _serializer.serialize(value)
        parts.append(f"#f{index} = :f{index}")
    return parts


def transition(
    registration_id: str,
    *,
    expected_status: str,
    fields: dict[str, Any],
    event: dict[str, Any],
) -> dict[str, Any]:
    """Set ``fields`` and append ``event`` to the history, only if the status is still
    ``expected_status`` (optimistic locking). Returns the item as it is now."""
    names: dict[str, str] = {"#status": "status", "#history": "history"}
    values: dict[str, Any] = {
        ":expected": {"S": expected_status},
        ":event": {"L": [_serializer.serialize(event)]},
        ":empty": {"L": []},
    }
    sets = _update_expression(fields, names, values)
    sets.append("#history = list_append(if_not_exists(#history, :empty), :event)")
    with calling("updating the registration", expected={CONDITION_FAILED}) as call:
        response = _client().update_item(
            TableName=table_name(),
            Key=registration_key(registration_id),
            UpdateExpression="SET " + ", ".join(sets),
            ConditionExpression="attribute_exists(pk) AND #status = :expected",
            ExpressionAttributeNames=names,
            ExpressionAttributeValues=values,
            ReturnValues="ALL_NEW",
        )
    if call.refused is not None:
        if get_registration(registration_id) is None:
            raise NotFound(registration_id) from call.refused
        raise ConcurrentChange(registration_id) from call.refused
    return from_item(response["Attributes"])


def set_fields(
    registration_id: str,
    fields: dict[str, Any],
    *,
    condition: str | None = None,
    condition_values: dict[str, Any] | None = None,
) -> dict[str, Any] | None:
    """Set clear fields. With a condition: None when it does not hold (nothing written)."""
    names: dict[str, str] = {}
    values: dict[str, Any] = {
        k: _serializer.serialize(v) for k, v in (condition_values or {}).items()
    }
    sets = _update_expression(fields, names, values)
    request: dict[str, Any] = {
        "TableName": table_name(),
        "Key": registration_key(registration_id),
        "UpdateExpression": "SET " + ", ".join(sets),
        "ExpressionAttributeNames": names,
        "ReturnValues": "ALL_NEW",
        "ConditionExpression": "attribute_exists(pk)"
        + (f" AND ({condition})" if condition else ""),
    }
    if values:
        request["ExpressionAttributeValues"] = values
    with calling("updating the registration", expected={CONDITION_FAILED}) as call:
        response = _client().update_item(**request)
    return None if call.refused is not None else from_item(response["Attributes"])


def queue(queue_pk: str, limit: int = 500) -> list[dict[str, Any]]:
    """Registrations on one triage queue (``TRIAGE#<date>`` or ``TRIAGE#te-plannen``), in
    order of receipt. Clear attributes only: the ciphertexts are left out."""
    items: list[dict[str, Any]] = []
    request: dict[str, Any] = {
        "TableName": table_name(),
        "IndexName": QUEUE_INDEX,
        "KeyConditionExpression": "queue_pk = :q",
        "ExpressionAttributeValues": {":q": {"S": queue_pk}},
    }
    with calling("reading the triage queue"):
        while len(items) < limit:
            response = _client().query(**request)
            items += [from_item(i) for i in response.get("Items", [])]
            if "LastEvaluatedKey" not in response:
                break
            request["ExclusiveStartKey"] = response["LastEvaluatedKey"]
    for item in items:
        item.pop("personal", None)
        item.pop("contact", None)
    return items[:limit]


def registrations_received(since: str, until: str) -> list[dict[str, Any]]:
    """Clear attributes of every registration received in [since, until) - for the annual
    figures. A scan: a house has about a thousand registrations a year."""
    items: list[dict[str, Any]] = []
    request: dict[str, Any] = {
        "TableName": table_name(),
        "FilterExpression": "sk = :sk AND received_at >= :since AND received_at < :until",
        "ProjectionExpression": (
            "received_at, respond_by, contacted_at, decided_at, outcome, taken_on, "
            "registrant_organisation, #status"
        ),
        "ExpressionAttributeNames": {"#status": "status"},
        "ExpressionAttributeValues": {
            ":sk": {"S": REGISTRATION_SK},
            ":since": {"S": since},
            ":until": {"S": until},
        },
    }
    with calling("reading the registrations"):
        while True:
            response = _client().scan(**request)
            items += [from_item(i) for i in response.get("Items", [])]
            if "LastEvaluatedKey" not in response:
                return items
            request["ExclusiveStartKey"] = response["LastEvaluatedKey"]


def get_agenda(triage_date: str) -> dict[str, Any] | None:
    with calling("reading the agenda"):
        response = _client().get_item(
            TableName=table_name(),
            Key={"pk": {"S": f"AGENDA#{triage_date}"}, "sk": {"S": "AGENDA"}},
        )
    item = response.get("Item")
    return from_item(item) if item else None


def put_agenda(triage_date: str, fields: dict[str, Any]) -> bool:
    """Fix the agenda of a triage date once; False when it was already fixed."""
    item = {"pk": {"S": f"AGENDA#{triage_date}"}, "sk": {"S": "AGENDA"}} | to_item(fields)
    with calling("fixing the agenda", expected={CONDITION_FAILED}) as call:
        _client().put_item(
            TableName=table_name(), Item=item, ConditionExpression="attribute_not_exists(pk)"
        )
    return call.refused is None


def mark_agenda_notified(triage_date: str, at: str) -> None:
    """Staff were told about the fixed agenda: a repeated schedule tells them no more."""
    with calling("marking the agenda as sent"):
        _client().update_item(
            TableName=table_name(),
            Key={"pk": {"S": f"AGENDA#{triage_date}"}, "sk": {"S": "AGENDA"}},
            UpdateExpression="SET notified_at = :at",
            ExpressionAttributeValues={":at": {"S": at}},
        )
